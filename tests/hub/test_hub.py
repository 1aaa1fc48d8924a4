"""The course on a real JupyterHub, driven in Chromium through a non-loopback host name.

JupyterHub 6 on 127.0.0.1 with configurable-http-proxy, local users made with
``useradd``, the local-process spawner, the idle culler as a service, and
the course installed in a venv as a student installs it
(``pip install "micrograd_edu[course]"``, from ``/usr/bin/python3``), built by
``make hub-env`` (tools/hub_env.py; nothing is fetched here). Chromium reaches
the hub as ``hub.test`` (``--host-resolver-rules``), so every Host and Origin
check sees a real name. Two students log in; each opens notebook 6 and
presses Play (the epochs advance); the first hides the notebook behind another
JupyterLab tab (Play waits, using no CPU, and goes on when the tab is back),
then opens the standalone Playground from JupyterLab's launcher, presses Play
and closes it (its kernel is freed). A third user's server, started and never
used, is stopped by the idle culler. At the end every server and the hub are
stopped, and nothing is left: no process, no user, no file in the temporary
folders. Needs root (``useradd``), Linux and Chromium; about 2–3 minutes.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.conftest import _missing

from .hubrun import CULL_EVERY, CULL_TIMEOUT, HOST, HubRun, wait_until

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "course/06_playground.ipynb"
KERNEL_IDLE = re.compile(r"^Python 3 \(ipykernel\) \| Idle$")
SLOW = 120_000  # ms: a loaded 2-core machine

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.notebooks, pytest.mark.slow]


@pytest.fixture(scope="module")
def hub() -> Iterator[HubRun]:
    """A running hub with three users; stopped, and its users deleted, whatever happens."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("a real hub needs Linux and root (useradd, the local-process spawner)")
    for program in ("useradd", "userdel", "runuser"):
        if shutil.which(program) is None and not Path("/usr/sbin", program).exists():
            _missing(f"{program} is missing (apt-get install passwd util-linux)")
    sys.path.insert(0, str(ROOT))
    try:
        from tools import hub_env
    finally:
        sys.path.remove(str(ROOT))
    try:
        env = hub_env.ensure(offline=True)
    except hub_env.HubEnvironmentError as error:
        _missing(str(error))
    run = HubRun(venv=env.venv, proxy=env.proxy, cache=hub_env.cache_folder())
    try:
        run.start()
        yield run
    finally:
        run.stop()


@pytest.fixture(scope="module")
def browser(hub: HubRun) -> Iterator[Any]:
    """Chromium, with ``hub.test`` resolved to 127.0.0.1."""
    from micrograd_edu.visualize.live.screenshot import CHROMIUM_ARGS, find_chromium

    path = find_chromium()
    if path is None:
        _missing("no Chromium on this machine (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        rules = f"--host-resolver-rules=MAP {HOST} 127.0.0.1"
        chromium = playwright.chromium.launch(executable_path=path, args=[*CHROMIUM_ARGS, rules])
        try:
            yield chromium
        finally:
            chromium.close()


def _log_in(browser: Any, hub: HubRun, name: str, requests: list[str]) -> Any:
    """A new browser context logged in as ``name``, on JupyterLab's page; returns the page."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", hub.users[name])
    page.fill("#password_input", hub.password)
    page.click("#login_submit")
    page.wait_for_url(re.compile(r"/user/[^/]+/lab"), timeout=SLOW)
    page.wait_for_selector(".jp-Launcher", timeout=SLOW)
    return page


def _epoch(locator: Any) -> int:
    return int(re.sub(r"\D", "", locator.text_content() or "") or 0)


def _wait_for_epoch(page: Any, selector: str, at_least: int) -> None:
    page.wait_for_function(
        f"""() => {{
            const label = document.querySelector({selector!r});
            return label && parseInt(label.textContent.replace(/\\D/g, '')) >= {at_least};
        }}""",
        timeout=SLOW,
    )


def _open_notebook_and_play(page: Any, hub: HubRun, name: str) -> None:
    """Open notebook 6, run its import cell and its first live Playground, press Play."""
    page.goto(f"{hub.url}/user/{hub.users[name]}/lab/tree/{NOTEBOOK}")
    status = page.locator("#jp-main-statusbar").get_by_title(
        "Change kernel for 06_playground.ipynb", exact=True
    )
    status.filter(has_text=KERNEL_IDLE).wait_for(timeout=SLOW)
    cells = page.locator(".jp-Notebook .jp-Cell")
    cells.nth(1).locator(".jp-InputArea-editor").click()  # the imports
    for _ in range(3):  # the imports, the text, live_playground()
        page.keyboard.press("Shift+Enter")
    app = cells.nth(3)
    play = app.get_by_role("button", name=re.compile("Play"))
    play.wait_for(timeout=SLOW)
    play.click()
    _wait_for_epoch(page, ".jp-Notebook .mg-epoch", 5)


def _hide_and_show_the_notebook(page: Any) -> None:
    """A Launcher tab in front of the notebook: Play waits (held), its epoch stays; the
    notebook back in front: the epochs go on."""
    page.get_by_role("menuitem", name="File", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^New Launcher")).click()
    page.wait_for_function(
        "document.querySelector('.jp-Notebook .mg-visibility')?.dataset.held === 'true'",
        timeout=SLOW,
    )
    # Held: the training thread waits on an event. The kernel sent every redraw before it
    # set "held" (one channel, in order), so the count read now is where Play stopped.
    held_at = _epoch(page.locator(".jp-Notebook .mg-epoch").first)
    page.get_by_role("tab", name=re.compile("06_playground")).click()
    _wait_for_epoch(page, ".jp-Notebook .mg-epoch", held_at + 3)


def _standalone_playground(page: Any, hub: HubRun, name: str) -> None:
    """The launcher's Live Playground: a new tab, Play, the kernel freed once it is closed."""
    base = f"{hub.url}/user/{hub.users[name]}/micrograd-playground/"
    page.get_by_role("menuitem", name="File", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^New Launcher")).click()
    card = page.locator(".jp-LauncherCard:visible", has_text="Live Playground")
    with page.context.expect_page(timeout=SLOW) as opened:
        card.click()
    app = opened.value
    app.wait_for_selector("svg.mg-plane", timeout=SLOW)
    assert app.url.startswith(base), app.url
    app.get_by_role("button", name=re.compile("Play")).click()
    _wait_for_epoch(app, ".mg-epoch", 5)
    assert _fetch_json(page, base + "api/status") == {"kernels": 1, "max_kernels": 4}
    app.close(run_before_unload=True)
    wait_until(
        lambda: _fetch_json(page, base + "api/status")["kernels"] == 0,
        30,
        "the closed Playground's kernel was not freed",
    )


def _fetch_json(page: Any, url: str) -> Any:
    """``url``'s JSON, fetched by the page (its cookies, and Chromium's name for the hub)."""
    return page.evaluate("async url => (await fetch(url)).json()", url)


def test_two_students_on_a_real_hub(hub: HubRun, browser: Any) -> None:
    requests: list[str] = []
    started = time.monotonic()
    hub.spawn("cy")  # started and never used: the idle culler's
    ada = _log_in(browser, hub, "ada", requests)
    _open_notebook_and_play(ada, hub, "ada")
    _hide_and_show_the_notebook(ada)
    _standalone_playground(ada, hub, "ada")
    bob = _log_in(browser, hub, "bob", requests)
    _open_notebook_and_play(bob, hub, "bob")
    assert hub.server("ada").get("ready") and hub.server("bob").get("ready")

    idle_for = CULL_TIMEOUT + 3 * CULL_EVERY  # after its start, plus the culler's rounds
    wait_until(
        lambda: not hub.server("cy"),
        max(5.0, idle_for - (time.monotonic() - started)) + 120,
        "the idle culler did not stop the unused server",
    )
    assert hub.server("ada").get("ready"), "an active student's server was culled"
    outside = {url for url in requests if urlparse(url).hostname not in (HOST, None)}
    assert not {url for url in outside if urlparse(url).scheme in ("http", "https", "ws")}
    ada.context.close()
    bob.context.close()

    left = hub.stop()
    assert left == {}, f"left behind after the hub stopped: {left}"

"""Serve the live Playground for a while, and take the README's screenshot of it.

:func:`serve` starts the Voilà page on a free 127.0.0.1 port with its own
temporary Jupyter folders and stops it (and its kernel) on exit; the browser
test uses it too. ``python -m micrograd_edu.visualize.live.screenshot PATH`` (part of
``make pictures``) trains for a moment, opens the neuron inspector on a point
and saves a PNG of the page, using Debian's Chromium through Playwright.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from micrograd_edu.io import write_atomically

from .__main__ import (
    CULL_SECONDS,
    MAX_KERNELS,
    free_port,
    prepare_site,
    site_environment,
    voila_command,
    wait_until_up,
)

__all__ = [
    "CHROMIUM_ARGS",
    "find_chromium",
    "isolated_jupyter",
    "kernel_count",
    "serve",
    "serve_process",
    "stop_group",
    "take_screenshot",
    "wait_until_up",
]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def isolated_jupyter(folder: Path, environ: dict[str, str]) -> dict[str, str]:
    """``environ`` with Jupyter's, IPython's and matplotlib's folders under ``folder``,
    so that a server started for a test or a screenshot writes nothing in the home folder."""
    env = dict(environ)
    for variable, sub in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
        ("MPLCONFIGDIR", "matplotlib"),
    ]:
        env[variable] = str(folder / sub)
    return env


def find_chromium() -> str | None:
    """Debian's Chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def serve(folder: Path, timeout: float = 90.0) -> Iterator[str]:
    """Serve the app from ``folder`` (created files go there); yields its URL.

    Readiness is probed on a static file: every load of the page itself
    would start a kernel.
    """
    with serve_process(folder, timeout) as (url, _):
        yield url


@contextmanager
def serve_process(
    folder: Path,
    timeout: float = 90.0,
    *,
    cull_seconds: int = CULL_SECONDS,
    max_kernels: int = MAX_KERNELS,
    save_folder: Path | None = None,
) -> Iterator[tuple[str, subprocess.Popen[Any]]]:
    """:func:`serve`, yielding ``(url, server process)``; "Save model" writes in ``save_folder``
    (default: ``folder``)."""
    notebook, share = prepare_site(folder)
    environ = site_environment(share, dict(os.environ), folder=save_folder or folder)
    env = isolated_jupyter(folder, environ)
    port = free_port()
    log = (folder / "voila.log").open("w")
    server = subprocess.Popen(
        voila_command(notebook, port, cull_seconds, max_kernels),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the server and its kernels form one process group
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        if not wait_until_up(f"{url}voila/static/voila.js", server, timeout):
            log.flush()
            raise RuntimeError(f"Voilà did not start: {(folder / 'voila.log').read_text()[-2000:]}")
        yield url, server
    finally:
        stop_group(server)
        log.close()


def kernel_count(server: subprocess.Popen[Any]) -> int:
    """How many kernels ``server`` runs now (its child processes running ipykernel; Linux)."""
    count = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == server.pid and b"ipykernel" in cmdline:
            count += 1
    return count


def stop_group(server: subprocess.Popen[Any], grace: float = 20.0) -> None:
    """Stop a server started with ``start_new_session=True`` and everything it started."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def open_app(page: Any, url: str) -> None:
    """Load the app and wait until its plane is drawn."""
    page.goto(url)
    page.wait_for_selector("svg.mg-plane", timeout=90_000)


def epoch(page: Any) -> int:
    """The epoch counter the page shows."""
    return int(re.sub(r"\D", "", page.locator(".mg-epoch").text_content() or "") or 0)


def wait_for_epoch(page: Any, at_least: int, timeout_s: float = 60.0) -> None:
    """Wait until the page's epoch counter reaches ``at_least``."""
    page.wait_for_function(
        f"parseInt(document.querySelector('.mg-epoch').textContent.replace(/\\D/g, '')) "
        f">= {at_least}",
        timeout=timeout_s * 1000,
    )


def take_screenshot(path: Path) -> Path:
    """Train a little, open the inspector on a neuron and a point, save a PNG of the page."""
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError("Chromium is needed for the screenshot (apt-get install chromium)")
    with (
        tempfile.TemporaryDirectory(prefix="micrograd-shot-") as folder,
        serve(Path(folder)) as url,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            open_app(page, url)
            page.get_by_role("button", name=re.compile("Play")).click()
            wait_for_epoch(page, 150)
            page.get_by_role("button", name=re.compile("Pause")).click()
            page.get_by_role("button", name="inspect a point").click()
            page.locator("[data-neuron='0,1']").click()
            page.locator("svg.mg-plane image").click(position={"x": 250, "y": 110})
            page.wait_for_selector(".mg-inspector-graph svg", timeout=30_000)
            time.sleep(0.5)
            image = page.screenshot(full_page=True)
        finally:
            browser.close()
    return write_atomically(path, image)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0] if args else "docs/images/live_playground.png")
    try:
        print(f"picture: {take_screenshot(target)}")
    except (RuntimeError, ImportError, OSError) as error:
        print(f"python -m micrograd_edu.visualize.live.screenshot: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

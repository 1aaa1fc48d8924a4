"""The student's path in a real JupyterLab, driven in Chromium as a student clicks.

The test starts JupyterLab the way ``make lab`` does (``notebooks/lab.py``),
with ``MPLBACKEND=Agg`` in its environment on purpose (``make test`` sets it),
on a free 127.0.0.1 port with its own temporary Jupyter folders; opens
notebooks 2 and 6, waits until the status bar shows the kernel idle, runs
every cell from the Run menu and checks what the student sees: the
computation graph's output node inside the output area, the backward
player's counter moving on a click, notebook 6's figures as PNG images, no
error, and no request leaving 127.0.0.1. Notebook 2's server answers its
first session request late, as on a loaded machine. Screenshots are kept in
the test's temporary folder. The server and its kernels are stopped at the end.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlparse

import pytest

pytest.importorskip("jupyterlab")
pytest.importorskip("matplotlib")

from micrograd_edu.visualize.live.screenshot import isolated_jupyter, stop_group, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
# The status bar's kernel item once the kernel of this environment runs and waits.
KERNEL_IDLE = re.compile(r"^Python 3 \(ipykernel\) \| Idle$")
KERNEL_START_S = 120  # a loaded 2-core machine: seconds, not minutes, when unloaded
FIGURE_CALL = re.compile(r"plt\.subplots\(|\bplot_\w+\(|\bplayground\(|draw_network\(")

sys.path.insert(0, str(NOTEBOOKS))
from lab import SETTINGS, lab_environment, write_student_copies  # noqa: E402

sys.path.remove(str(NOTEBOOKS))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def lab_server(
    tmp_path_factory: pytest.TempPathFactory, chromium: Any
) -> Iterator[tuple[str, Path]]:
    """JupyterLab serving copies of notebooks 2 and 6; yields its URL and folder.

    It asks for ``chromium`` first: without a browser the server is not started.
    """
    base = tmp_path_factory.mktemp("jupyterlab")
    folder = base / "notebooks"
    folder.mkdir()
    for name in ("02_backpropagation.ipynb", "06_playground.ipynb"):
        shutil.copy(NOTEBOOKS / name, folder / name)
    # MPLBACKEND=Agg as under make test: lab.py must drop it
    env = isolated_jupyter(base, dict(os.environ, MPLBACKEND="Agg"))
    port = _free_port()
    server_args = [
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--ServerApp.port_retries=0",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        server_args.append("--allow-root")  # CI runs as root
    log = (base / "server.log").open("w")
    launcher = [sys.executable, str(NOTEBOOKS / "lab.py"), "--solutions", "--folder", str(folder)]
    server = subprocess.Popen(
        [*launcher, "--", *server_args],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # one process group: the server and its kernels
    )
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_up(f"{url}/api/status", server, 60):
            pytest.fail(f"JupyterLab did not start: {(base / 'server.log').read_text()}")
        yield url, folder
    finally:
        stop_group(server)
        log.close()


@pytest.fixture
def browser_page(lab_server: tuple[str, Path], chromium: Any) -> Iterator[tuple[Any, list[str]]]:
    """A fresh page (its own context: no cookies or storage shared) and its requests."""
    requests: list[str] = []
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        yield page, requests
    finally:
        context.close()


def _fail_with_screenshot(page: Any, shots: Path, name: str, what: str) -> NoReturn:
    """Fail saying what the student sees: the status bar, any dialog, and a screenshot."""
    status_bar = page.locator("#jp-main-statusbar").inner_text().split()
    dialogs = page.locator(".jp-Dialog-header").all_inner_texts()
    page.screenshot(path=str(shots / f"{name}-timeout.png"), full_page=True)
    pytest.fail(
        f"{name}: {what}; status bar {' '.join(status_bar)!r}; dialogs {dialogs}; "
        f"screenshot in {shots}"
    )


def _wait_for_kernel(page: Any, name: str, shots: Path) -> None:
    """Wait, as a student does, until the status bar says the kernel is ``Idle``.

    Not the toolbar's execution indicator: its ``data-status`` is ``idle``
    from the start, before the notebook has a kernel; Run All clicked then
    runs nothing and opens JupyterLab's "Select Kernel" dialog instead.
    """
    kernel = page.locator("#jp-main-statusbar").get_by_title(
        f"Change kernel for {name}", exact=True
    )
    try:
        kernel.filter(has_text=KERNEL_IDLE).wait_for(timeout=KERNEL_START_S * 1000)
    except Exception:  # playwright's TimeoutError
        _fail_with_screenshot(page, shots, name, f"no idle kernel within {KERNEL_START_S} s")


def _answer_late(page: Any, pattern: str, seconds: float) -> None:
    """Hold the first answer to ``pattern`` for ``seconds``, as a loaded server does.

    Delaying ``/api/sessions`` leaves the notebook without a kernel for that
    long while everything else is on screen: a Run All that does not wait for
    the kernel lands in that window every time (its cells do not all run), not
    only on a busy machine.
    """
    held: list[str] = []

    def late(route: Any) -> None:
        if not held:
            held.append(route.request.url)
            time.sleep(seconds)
        route.continue_()

    page.route(pattern, late)


def _run_all(page: Any, url: str, name: str, timeout_s: float, shots: Path) -> None:
    """Open ``name`` in a fresh workspace, Run > Run All Cells, wait until every cell ran."""
    page.goto(f"{url}/lab/tree/{name}?reset")
    _wait_for_kernel(page, name, shots)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("^Run All Cells")).click()
    try:
        page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
            }""",
            timeout=timeout_s * 1000,
        )
    except Exception:  # playwright's TimeoutError: say where it stopped
        prompts = page.evaluate(
            "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
            ".map(p => p.textContent.trim())"
        )
        _fail_with_screenshot(
            page, shots, name, f"not every cell ran within {timeout_s:.0f} s; prompts {prompts}"
        )
    _wait_for_kernel(page, name, shots)


def _saved_notebook(page: Any, path: Path) -> dict[str, Any]:
    """Save with Ctrl+S, as a student does, and read what JupyterLab wrote."""
    before = path.stat().st_mtime_ns
    page.locator(".jp-Notebook").first.click()
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 120
    while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert path.stat().st_mtime_ns != before, f"Ctrl+S did not save {path.name} within 120 s"
    # Jupyter's "atomic" saving is safe against crashes, not against readers: it writes
    # the file in place (after a backup copy), so a large notebook can be read half-written.
    while True:
        try:
            notebook: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return notebook
        except json.JSONDecodeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _assert_no_errors(notebook: dict[str, Any]) -> None:
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", (
                f"cell {index}: {output.get('ename')}: {output.get('evalue')}"
            )


def _assert_local_only(requests: list[str]) -> None:
    outside = {
        url
        for url in requests
        if urlparse(url).scheme in ("http", "https", "ws", "wss")
        and urlparse(url).hostname != "127.0.0.1"
    }
    assert not outside, f"requests outside 127.0.0.1: {sorted(outside)[:5]}"


@pytest.mark.notebooks
@pytest.mark.slow
def test_notebook_2_graphs_fit_and_the_player_steps(
    lab_server: tuple[str, Path], browser_page: tuple[Any, list[str]], tmp_path: Path
) -> None:
    url, folder = lab_server
    page, requests = browser_page
    _answer_late(page, "**/api/sessions*", seconds=5)
    _run_all(page, url, "02_backpropagation.ipynb", timeout_s=120, shots=tmp_path)
    graphs = page.locator(".jp-OutputArea-output .mg-graph")
    assert graphs.count() >= 3
    first = graphs.first
    first.scroll_into_view_if_needed()
    area = first.locator("xpath=ancestor::div[contains(@class, 'jp-OutputArea-output')][1]")
    area_box = area.bounding_box()
    # The output node L: the record whose first field is "L".
    output_node = first.locator("g.node", has=page.locator("text", has_text=re.compile("^L$")))
    node_box = output_node.bounding_box()
    page.screenshot(path=str(tmp_path / "notebook2_graph.png"))
    assert node_box is not None and area_box is not None
    assert area_box["x"] <= node_box["x"]
    assert node_box["x"] + node_box["width"] <= area_box["x"] + area_box["width"] + 1
    assert 0 <= node_box["x"] + node_box["width"] <= 1400  # inside the window too

    player = page.locator(".mg-player").first
    player.scroll_into_view_if_needed()
    counter = player.locator(".mg-counter")
    total = re.fullmatch(r"Step 0 of (\d+)", counter.text_content() or "")
    assert total, counter.text_content()
    player.get_by_role("button", name=re.compile("Next")).click()
    assert counter.text_content() == f"Step 1 of {total.group(1)}"
    page.screenshot(path=str(tmp_path / "notebook2_player.png"))
    assert page.get_by_text("Would you like to get notified").count() == 0

    _assert_no_errors(_saved_notebook(page, folder / "02_backpropagation.ipynb"))
    _assert_local_only(requests)


@pytest.mark.notebooks
@pytest.mark.slow
def test_notebook_6_shows_its_figures(
    lab_server: tuple[str, Path], browser_page: tuple[Any, list[str]], tmp_path: Path
) -> None:
    url, folder = lab_server
    page, requests = browser_page
    _run_all(page, url, "06_playground.ipynb", timeout_s=300, shots=tmp_path)
    page.screenshot(path=str(tmp_path / "notebook6.png"))
    notebook = _saved_notebook(page, folder / "06_playground.ipynb")
    _assert_no_errors(notebook)
    figure_cells = [
        cell
        for cell in notebook["cells"]
        if cell["cell_type"] == "code" and FIGURE_CALL.search("".join(cell["source"]))
    ]
    assert len(figure_cells) >= 7
    for cell in figure_cells:
        assert any("image/png" in output.get("data", {}) for output in cell["outputs"]), "".join(
            cell["source"]
        )[:80]
    images = page.locator(".jp-OutputArea-output img[src^='data:image/png']")
    assert images.count() >= len(figure_cells)
    last = images.nth(images.count() - 1)
    last.scroll_into_view_if_needed()
    assert last.evaluate("img => img.naturalWidth") > 100
    assert last.is_visible()
    page.screenshot(path=str(tmp_path / "notebook6_last_figure.png"))
    _assert_local_only(requests)


def test_make_lab_gives_students_their_own_copies(tmp_path: Path) -> None:
    first = write_student_copies(tmp_path)
    assert [p.name for p in first] == sorted(p.name for p in NOTEBOOKS.glob("[0-9]*.ipynb"))
    text = first[0].read_text(encoding="utf-8")
    assert "### BEGIN SOLUTION" not in text
    first[0].write_text("my work")
    assert write_student_copies(tmp_path) == []  # existing copies are never overwritten
    assert first[0].read_text() == "my work"


def test_lab_environment_drops_mplbackend_and_prefers_this_kernel() -> None:
    env = lab_environment({"MPLBACKEND": "Agg", "HOME": "/home/student"})
    assert env == {"HOME": "/home/student", "JUPYTER_PREFER_ENV_PATH": "1"}
    notification = SETTINGS["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false"

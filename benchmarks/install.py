"""The course's reach, timed: the installed wheel and the zero-install site.

* wheel: built (``pip wheel --no-deps``), installed into a fresh virtual
  environment in a temporary folder (NumPy and tqdm only), then a new Python
  process that imports ``micrograd_edu`` and runs the README example (median
  wall time of 5, interpreter start included; target: under 1 s);
* site (``make site``, in ``build/site``): its size on disk (target: at most
  40 MB) and, in headless Chromium served from 127.0.0.1, the seconds from
  opening notebook 1's page to the result of its first cell (target: at most 20 s).
"""

from __future__ import annotations

import functools
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from tools.project_wheel import build_wheel

__all__ = ["install_rows"]

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "build" / "site"
README_EXAMPLE = """\
import micrograd_edu
from micrograd_edu import Value
x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
o = (x1 * w1 + x2 * w2 + b).tanh()
o.backward()
assert f"{o.data:.4f}" == "0.7071", o.data
"""
NOTEBOOK = "01_derivatives_and_value.ipynb"
RUN_FIRST_CELL = """async (path) => {
  const app = window.jupyterapp;
  await app.restored;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.sessionContext.ready;
  panel.content.activeCellIndex = panel.content.widgets.findIndex(c => c.model.type === 'code');
  await app.commands.execute('notebook:run-cell');
  return panel.content.activeCell.model.executionCount;
}"""


def _run(command: list[str], cwd: Path) -> None:
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)


def wheel_import_seconds(repeats: int = 5) -> tuple[float, float]:
    """(install seconds, median seconds of a fresh process doing import + README example)."""
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
        wheel = build_wheel(home / "dist")
        _run([sys.executable, "-m", "venv", "--without-pip", str(home / "venv")], home)
        python = str(home / "venv" / "bin" / "python")
        start = time.perf_counter()
        _run([*pip, "--python", python, "install", "--prefer-binary", str(wheel)], home)
        installed = time.perf_counter() - start
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            _run([python, "-c", README_EXAMPLE], home)
            times.append(time.perf_counter() - start)
    return installed, statistics.median(times)


def site_megabytes() -> float | None:
    if not (SITE / "jupyter-lite.json").is_file():
        return None
    return sum(path.stat().st_size for path in SITE.rglob("*") if path.is_file()) / 1e6


def site_first_cell_seconds() -> float:
    """Seconds from opening notebook 1 in the site to its first code cell's result."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(SITE.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/site/lab/index.html?path={NOTEBOOK}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--no-first-run"],
            )  # fmt: skip
            try:
                page = browser.new_page()
                page.set_default_timeout(180_000)
                start = time.perf_counter()
                page.goto(url)
                page.wait_for_function("() => window.jupyterapp !== undefined")
                count = page.evaluate(RUN_FIRST_CELL, NOTEBOOK)
                seconds = time.perf_counter() - start
                if count != 1:
                    raise RuntimeError(f"the first cell did not run (execution count {count})")
                return seconds
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def install_rows() -> list[list[str]]:
    """Rows of the targets table: what, measured, target, met."""
    installed, seconds = wheel_import_seconds()
    rows = [
        [
            "wheel: install into a fresh venv (NumPy, tqdm from the cache)",
            f"{installed:.1f} s",
            "—",
            "",
        ],
        [
            "wheel: new process, import + README example",
            f"{seconds:.2f} s",
            "< 1 s",
            "✔" if seconds < 1 else "✘",
        ],
    ]
    size = site_megabytes()
    if size is None:
        return [*rows, ["site (make site): not built", "—", "≤ 40 MB, ≤ 20 s", "✘"]]
    first = site_first_cell_seconds()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return [
        *rows,
        ["site: size of build/site", f"{size:.1f} MB", "≤ 40 MB", "✔" if size <= 40 else "✘"],
        [
            "site: opening notebook 1 to its first cell's result (Chromium)",
            f"{first:.1f} s (load {load:.1f} on {os.cpu_count()} cores)",
            "≤ 20 s",
            "✔" if first <= 20 else "✘",
        ],
    ]

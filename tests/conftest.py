"""Shared fixtures: PyTorch as the reference engine, the command line, and Chromium.

Tests are grouped by what they need (markers registered in pyproject.toml).
A test that takes the ``torch`` fixture is marked ``torch`` and one that takes
``chromium`` is marked ``browser`` here, so no such test can miss its marker;
``notebooks`` and ``slow`` are set in the test files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

# A test's needs give its marks: `cli` starts a fresh Python process per call (0.3-1 s each), so
# the command-line tests stay out of the quick subset (make quicktest) and run in make test.
_MARK_FOR_FIXTURE = {"torch": "torch", "chromium": "browser", "cli": "slow"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture, marker in _MARK_FOR_FIXTURE.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(marker)


def _missing(message: str) -> None:
    """Skip, or fail under CI, where everything a test needs is installed."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}, and under CI this test must run")
    pytest.skip(message)


def _import_torch() -> ModuleType:
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the environment
        _missing("PyTorch is not installed; `make test` installs torch==2.13.0 (CPU)")
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    return torch


@pytest.fixture(scope="session")
def torch() -> ModuleType:
    """The ``torch`` module, in float64, single-threaded."""
    return _import_torch()


class Cli:
    """Runs a command line, ``python -m MODULE ARGS...``, in a fresh Python process.

    The process works in ``cwd``, an empty folder of the test's own: a relative
    ``--out`` (or a bug that writes where it should not) never lands in the
    repository.
    """

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def __call__(
        self, *args: str, module: str = "micrograd_edu", timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """The finished process, with its exit code and its output as text."""
        return subprocess.run(
            [sys.executable, "-m", module, *args],
            cwd=self.cwd,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )

    @staticmethod
    def assert_one_line_error(
        result: subprocess.CompletedProcess[str], code: int, message: str
    ) -> None:
        """The command failed with exit ``code`` and one line of error holding ``message``."""
        assert result.returncode == code, result.stderr
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert message in lines[0]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The command-line runner: ``cli("train", "--epochs", "1")``, in ``tmp_path / "cwd"``."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    return Cli(cwd)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright: one browser per test module.

    Never downloaded (no ``playwright install``). Module scope, not session: a
    Playwright sync session must end before another one (a test file that
    starts its own) can begin in the same thread.
    """
    from micrograd_edu.visualize.live.screenshot import CHROMIUM_ARGS, find_chromium

    path = find_chromium()
    if path is None:
        _missing("no Chromium on this machine (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(autouse=True)
def _sigint_handler_left_as_found(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that leaves another Ctrl-C handler behind breaks every later test of Ctrl-C
    (fit stops cleanly only under Python's default handler): restore it and fail that test."""
    before = signal.getsignal(signal.SIGINT)
    yield
    after = signal.getsignal(signal.SIGINT)
    if after is not before:
        signal.signal(signal.SIGINT, before)
        pytest.fail(f"{request.node.nodeid} left SIGINT's handler changed: {after!r}")

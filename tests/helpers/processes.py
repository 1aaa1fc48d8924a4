"""What is running on this machine, read from ``/proc`` (Linux): the grader's tests ask
whether what a notebook started is still alive, and whether a kernel runs below a grader."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

__all__ = ["processes_running", "runs_a_kernel"]


def processes_running(word: str) -> list[int]:
    """The pids of the processes whose command line contains ``word``."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if word.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def runs_a_kernel(pid: int) -> bool:
    """Whether a process below ``pid`` is a Jupyter kernel (``-m ipykernel_launcher``)."""
    psutil = pytest.importorskip("psutil")  # ipykernel's own dependency
    for child in psutil.Process(pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "ipykernel_launcher" in child.cmdline():
                return True
    return False

"""The Playground's Voilà server as a child process that ends with its launcher, kernels included.

What ``python -m micrograd_edu.visualize.live`` needs from its child, whoever stops it:

- **Signals forwarded**: SIGTERM (systemd, a hub stopping a user's server,
  jupyter-server-proxy), SIGINT (Ctrl-C) and SIGHUP (a closed terminal) sent to
  the launcher are passed on to Voilà as SIGTERM, on which Voilà shuts its
  kernels down and removes its folder of connection files; the launcher then
  returns normally, so its own temporary folder is removed too.
- **Nothing left running**: the child runs in a session of its own (a signal
  to the terminal's process group reaches the launcher only, which forwards
  it once). After :data:`GRACE` seconds Voilà is killed, and so is every
  process it had started that is still alive (kernels run in sessions of their
  own, out of reach of a process-group kill; they are found in ``/proc``).
- **The launcher killed outright** (SIGKILL): on Linux the child asks the
  kernel for SIGTERM when its parent dies (``PR_SET_PDEATHSIG``), so Voilà
  still stops its kernels.

Linux gives all three; elsewhere the signals are forwarded and Voilà stops its
own kernels, without the ``/proc`` sweep.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = [
    "FORWARDED",
    "GRACE",
    "StopSignal",
    "alive",
    "descendants",
    "forwarding_signals",
    "start_child",
    "stop_tree",
    "wait_for",
]

GRACE = 20.0
"""Seconds Voilà gets to stop its kernels after SIGTERM before it is killed."""
FORWARDED = ("SIGTERM", "SIGINT", "SIGHUP")
"""The signals the launcher passes on (those that exist on this system)."""
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> Callable[[], None] | None:
    """A function that, run in the child before it starts, asks Linux for SIGTERM when the
    parent dies; None elsewhere. libc is loaded here, in the parent: finding it runs programs."""
    libc_name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    if libc_name is None:
        return None
    prctl = ctypes.CDLL(libc_name, use_errno=True).prctl

    def ask() -> None:  # pragma: no cover - runs in the child, between fork and exec
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return ask


def start_child(command: list[str], **popen: Any) -> subprocess.Popen[Any]:
    """``subprocess.Popen(command)`` in a session of its own, stopped by SIGTERM when this
    process dies (Linux)."""
    return subprocess.Popen(command, start_new_session=True, preexec_fn=_die_with_parent(), **popen)


def _process_table() -> dict[int, tuple[int, int]]:
    """``{pid: (parent pid, start time)}`` of every process (Linux ``/proc``; else empty)."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        table[int(stat.parent.name)] = (int(fields[1]), int(fields[19]))
    return table


def descendants(pid: int) -> dict[int, int]:
    """Every process below ``pid`` (children, theirs...), as ``{pid: start time}``; the start
    time tells a process from a later one that reused its pid. Empty without ``/proc``."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for child, (parent, _) in table.items():
        children.setdefault(parent, []).append(child)
    found: dict[int, int] = {}
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        if child not in found:
            found[child] = table[child][1]
            todo += children.get(child, [])
    return found


def alive(processes: dict[int, int]) -> list[int]:
    """Those of ``processes`` (``{pid: start time}``, from :func:`descendants`) still running."""
    table = _process_table()
    return [pid for pid, started in processes.items() if table.get(pid, (0, -1))[1] == started]


def _kill_alive(processes: dict[int, int]) -> None:
    """SIGKILL those of ``processes`` still alive (same pid and start time)."""
    for pid in alive(processes):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def stop_tree(process: subprocess.Popen[Any], grace: float = GRACE) -> None:
    """SIGTERM ``process``; after ``grace`` seconds SIGKILL it; then SIGKILL whatever it had
    started that is still alive. Returns once ``process`` has exited."""
    below = descendants(process.pid)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            below |= descendants(process.pid)
            process.kill()
            process.wait()
    _kill_alive(below)


class StopSignal(Exception):  # noqa: N818 (a signal received, not an error)
    """Raised in the launcher's main thread by a forwarded signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def forwarding_signals() -> Iterator[None]:
    """Inside: the first SIGTERM, SIGINT or SIGHUP raises :class:`StopSignal` (the caller stops
    its child and cleans up; later ones are ignored, so a second Ctrl-C cannot interrupt the
    cleaning); the previous handlers come back on exit."""
    received: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if not received:
            received.append(signum)
            raise StopSignal(signum)

    previous: dict[int, Callable[..., Any] | int | None] = {}
    for name in FORWARDED:
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[Any], timeout: float) -> bool:
    """Poll ``condition`` until true (True), ``process`` exits or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.3)
    return True

"""Machine-wide leases of the unprivileged uids the kernels run as (Linux, root).

Two kernels running as one uid could reach each other (signal, ``/proc/PID/cwd``, files only
that user may write), so no two live kernels of any grader run (two ``grade`` commands at
once, two sections graded on one server) share one. A lease is an exclusive ``flock`` on
``LEASES/<uid>``, taken by the grading worker before it starts the kernel and held until the
worker exits, which is after the kernel and everything it started were killed. The kernel
itself never gets the lock's descriptor.

A lease whose holder died is free at once: the operating system drops a dead process's
locks. Before the uid is used again, every process still running as it (something a killed
grader left behind where no pid namespace or cgroup caught it) is killed: no live kernel
runs as a uid whose lock is free.

Only uids from :data:`POOL` that no account uses (no ``/etc/passwd`` entry) are leased.

>>> take(hint=POOL.start, folder=Path("/dev/null/leases")) is None  # no folder for the locks
True
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import signal
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LEASES", "POOL", "Lease", "processes_of", "take"]

LEASES = Path("/run/micrograd_edu_grade/uids")
"""Where the lock files are: one per uid, the holder's pid written in it (for people)."""
POOL = range(64000, 65000)
"""The uids leased, below nobody (65534)."""


@dataclass
class Lease:
    """A uid held: ``uid``, and the locked descriptor (close it, or exit, to give it back)."""

    uid: int
    fd: int
    evicted: int = 0

    def release(self) -> None:
        """Give the uid back (the lock goes with the descriptor)."""
        with contextlib.suppress(OSError):
            os.close(self.fd)


def take(hint: int = POOL.start, folder: Path = LEASES) -> Lease | None:
    """Lease the first free uid of :data:`POOL` from ``hint`` on (wrapping around).

    Returns None when the lock folder cannot be made (not root, no ``/run``) or every uid
    is taken. The descriptor is close-on-exec: the kernel never inherits the lock.
    """
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    start = hint if hint in POOL else POOL.start
    for uid in [*range(start, POOL.stop), *range(POOL.start, start)]:
        if _has_account(uid):
            continue
        lease = _try(folder / str(uid), uid)
        if lease is not None:
            lease.evicted = evict(uid)
            return lease
    return None


def _try(path: Path, uid: int) -> Lease | None:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return Lease(uid, fd)


def _has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def processes_of(uid: int) -> list[int]:
    """The live processes running as ``uid`` (as its real, effective, saved or file uid);
    zombies, which can do nothing, left out."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            status = dict(
                line.split(":", 1) for line in (entry / "status").read_text().splitlines()
            )
        except (OSError, ValueError):
            continue
        zombie = status.get("State", "").split()[:1] in (["Z"], ["X"])
        if not zombie and str(uid) in status.get("Uid", "").split():
            found.append(int(entry.name))
    return found


def evict(uid: int, rounds: int = 100) -> int:
    """Kill every process running as ``uid`` (a leftover: its lease was free); how many."""
    killed: set[int] = set()
    for _ in range(rounds):
        left = [pid for pid in processes_of(uid) if pid != os.getpid()]
        if not left:
            break
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        killed.update(left)
        time.sleep(0.01)  # a killed process leaves /proc once its parent reaps it
    return len(killed)

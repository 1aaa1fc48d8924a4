"""Machine-wide leases of the unprivileged uids the kernels run as (Linux, root).

Two kernels running as one uid could reach each other (signal, ``/proc/PID/cwd``, files only
that user may write), so no two live kernels of any grader run (two ``grade`` commands at
once, two sections graded on one server) share one. A lease is an exclusive ``flock`` on
``LEASES/<uid>``, taken by the grading worker before it starts the kernel and held until the
worker exits, which is after the kernel and everything it started were killed. The kernel
itself never gets the lock's descriptor.

A lease whose holder died is free at once: the operating system drops a dead process's
locks, and the holder's kernel died with it (the worker's pid namespace goes with its first
process, which dies with the worker). A uid whose lock is free but which a process still
uses (something left where no pid namespace or cgroup caught it, or another program) is
skipped, never reused and never killed: nothing a kernel runs ever shares its uid.

Only uids from :data:`POOL` that no account uses (no ``/etc/passwd`` entry) are leased.

>>> take(hint=POOL.start, folder=Path("/dev/null/leases")) is None  # no folder for the locks
True
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LEASES", "POOL", "Lease", "take", "uids_running"]

LEASES = Path("/run/micrograd_edu_grade/uids")
"""Where the lock files are: one per uid, the holder's pid written in it (for people)."""
POOL = range(64000, 65000)
"""The uids leased, below nobody (65534)."""


@dataclass
class Lease:
    """A uid held: ``uid``, and the locked descriptor (close it, or exit, to give it back)."""

    uid: int
    fd: int

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
    running = uids_running()
    for uid in [*range(start, POOL.stop), *range(POOL.start, start)]:
        if uid in running or _has_account(uid):
            continue
        lease = _try(folder / str(uid), uid)
        if lease is not None and uid not in uids_running():  # none started meanwhile
            return lease
        if lease is not None:
            lease.release()
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


def uids_running() -> set[int]:
    """The uids of the live processes (real, effective, saved and file uids; zombies, which
    can do nothing, left out)."""
    found: set[int] = set()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            status = dict(
                line.split(":", 1) for line in (entry / "status").read_text().splitlines()
            )
        except (OSError, ValueError):
            continue
        if status.get("State", "").split()[:1] not in (["Z"], ["X"]):
            found.update(int(uid) for uid in status.get("Uid", "").split())
    return found

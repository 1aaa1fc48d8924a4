"""The grader's scratch folders: one per notebook, in the system's temporary folder.

Each holds the notebook's box (the copy of the submission the kernel runs in) and the worker's
log. It is removed when the notebook is graded; a grader killed meanwhile (SIGKILL, a machine
out of memory, a test stopping it) cannot, so the next grader removes it at its start
(:func:`sweep_stale`): a folder is stale when its owner is dead. The owner is written in the
folder's name (``micrograd-grade-<pid>-<random>``) and holds an exclusive ``flock`` on the
folder while it uses it, so a folder is removed only when that process is gone (or a zombie)
*and* nobody holds the lock: a grader in another pid namespace sharing ``/tmp`` still holds
its lock. A folder of another user, a link, or a name of another form (an older grader's
folder, which says no owner) is left alone.

>>> with scratch_folder() as base:
...     base.name.startswith(f"{PREFIX}{os.getpid()}-"), base.is_dir()
(True, True)
>>> base.exists()
False
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["PREFIX", "remove", "scratch_folder", "sweep_stale"]

PREFIX = "micrograd-grade-"
_NAME = re.compile(rf"{PREFIX}(\d+)-[^/]+\Z")
_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


@contextlib.contextmanager
def scratch_folder(parent: Path | None = None) -> Iterator[Path]:
    """A new folder (mode 700) named after this process and locked while the block runs;
    removed with everything in it afterwards."""
    base = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=parent))
    fd = os.open(base, _FOLDER)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # never waits: nobody else locks a new folder
        yield base
    finally:
        remove(base)
        os.close(fd)


def sweep_stale(parent: Path | None = None) -> list[Path]:
    """Remove this user's scratch folders in ``parent`` (the temporary folder) whose owner is
    dead and whose lock is free; returns those removed."""
    parent = Path(tempfile.gettempdir()) if parent is None else parent
    removed = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return []
    for entry in entries:
        found = _NAME.match(entry.name)
        if found is None or _alive(int(found.group(1))):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
            continue
        if _remove_unlocked(Path(entry.path)):
            removed.append(Path(entry.path))
    return removed


def _remove_unlocked(folder: Path) -> bool:
    try:
        fd = os.open(folder, _FOLDER)
    except OSError:  # gone meanwhile, or swapped for a link
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # its grader is alive (in another pid namespace)
        os.close(fd)
        return False
    try:
        remove(folder)
    finally:
        os.close(fd)
    return not folder.exists()


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not: it only waits to be reaped)."""
    if pid <= 0:
        return True  # not a process's id: never taken for a dead owner
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return True
    return fields[0] not in ("Z", "X")


def remove(base: Path) -> None:
    """Remove ``base`` and everything in it, folders the notebook made unwritable included."""

    def retry(function: Callable[..., Any], name: str, _: Any) -> None:
        try:  # a folder the notebook made unwritable (a kernel running as the teacher)
            os.chmod(os.path.dirname(name), 0o700)
            function(name)
        except OSError:
            pass

    shutil.rmtree(base, onerror=retry)

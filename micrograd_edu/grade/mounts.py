"""A mount namespace for the worker and its kernel (Linux, root): what the kernel may see.

* hidden: an empty, read-only tmpfs is mounted over every folder the kernel must not
  reach (the class's folders, the output folder, the course notebooks with solutions, the
  teacher's home), so even a path it guesses leads nowhere;
* exposed: the Python installation and the package stay visible, read-only, even when
  they sit under a folder other users cannot enter (e.g. ``/root/.pyenv``): they are
  bound to the same path on top of the hiding tmpfs.

Nothing here changes the mounts of the grader or of the machine: the namespace is the
worker's, and it ends with the worker.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import stat
import sys
from pathlib import Path

__all__ = ["isolate", "others_can_reach"]

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT = 1, 2, 4, 32
MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 4096, 8192, 16384, 1 << 18
CLONE_NEWNS = 0x00020000


def others_can_reach(path: Path) -> bool:
    """Whether a user other than the owner can enter every folder down to ``path``."""
    for folder in [*reversed(path.parents), path]:
        try:
            mode = folder.stat().st_mode
        except OSError:
            return False
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return False
    return True


class _Mounter:
    def __init__(self) -> None:
        name = ctypes.util.find_library("c")
        if sys.platform != "linux" or name is None or os.geteuid() != 0:
            raise OSError("a mount namespace needs Linux and root")
        self.libc = ctypes.CDLL(name, use_errno=True)

    def mount(
        self, source: str, target: Path, kind: str | None, flags: int, data: str = ""
    ) -> None:
        result = self.libc.mount(
            source.encode(),
            os.fsencode(target),
            kind.encode() if kind else None,
            flags,
            data.encode() if data else None,
        )
        if result != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"mount {target}: {os.strerror(error)}")

    def hide(self, folder: Path) -> None:
        self.mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")

    def read_only(self, folder: Path) -> None:
        self.mount("", folder, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID)


def _closed_ancestor(path: Path) -> Path | None:
    """The highest folder above ``path`` that others cannot enter, if any."""
    for folder in reversed(path.parents):
        if folder != Path("/") and not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    return None


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _to_hide(expose: list[Path], hide: list[Path], keep: Path) -> tuple[list[Path], list[str]]:
    """The folders to cover, outermost first, none inside another; notes on those left."""
    wanted = set(hide) | {c for c in map(_closed_ancestor, expose) if c is not None}
    chosen: list[Path] = []
    notes: list[str] = []
    for folder in sorted(wanted, key=lambda p: len(p.parts)):
        if _inside(keep, folder) or any(_inside(folder, path) for path in expose):
            notes.append(f"not hidden (holds the sandbox or the Python installation): {folder}")
        elif folder.is_dir() and not any(_inside(folder, done) for done in chosen):
            chosen.append(folder)
    return chosen, notes


def isolate(expose: list[Path], hide: list[Path], keep: Path) -> list[str]:
    """Enter a new mount namespace; hide ``hide``; keep ``expose`` visible and read-only.

    A folder that holds ``keep`` (the sandbox) or lies inside an exposed path is not
    hidden. Returns notes on what was left visible; raises OSError when there is no
    mount namespace at all (not Linux, not root).
    """
    mounter = _Mounter()
    if mounter.libc.unshare(CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS) failed")
    mounter.mount("none", Path("/"), None, MS_REC | MS_PRIVATE)
    covered, notes = _to_hide(expose, hide, keep)
    staged: list[tuple[Path, Path]] = []
    for index, path in enumerate(expose):
        if any(_inside(path, folder) for folder in covered):
            target = keep.parent / "exposed" / str(index)
            target.mkdir(parents=True)
            mounter.mount(str(path), target, None, MS_BIND | MS_REC)
            staged.append((target, path))
    for folder in covered:
        mounter.hide(folder)
    for target, path in staged:
        path.mkdir(parents=True, exist_ok=True)
        mounter.mount(str(target), path, None, MS_MOVE)
    for path in expose:
        mounter.mount(str(path), path, None, MS_BIND | MS_REC)
        mounter.read_only(path)
    return notes + _private_scratch(mounter, expose, keep)


SCRATCH = (Path("/dev/shm"), Path("/run/lock"), Path("/var/tmp"), Path("/tmp"))
SCRATCH_SIZE = "64m"
BOX_SIZE = "512m"


def _private_scratch(mounter: _Mounter, expose: list[Path], keep: Path) -> list[str]:
    """Fresh, small scratch folders (/dev/shm, /run/lock, /var/tmp, /tmp) and a bounded box.

    What a notebook writes there is its own and ends with the namespace: nothing is left
    for the next notebook run as the same user, and no notebook fills the grader's disk.
    ``keep`` (the sandbox, often under /tmp) is carried over onto the fresh /tmp, then
    becomes a tmpfs of its own (``BOX_SIZE``) holding a copy of the submission.
    """
    submission = (keep / "submission.ipynb").read_bytes()
    base, notes, fresh = keep.parent, list[str](), list[Path]()
    for folder in SCRATCH:
        aside_in = [done for done in fresh if not _inside(base, done)]
        carried = _inside(base, folder)
        if not folder.is_dir() or any(_inside(path, folder) for path in expose):
            notes.append(f"scratch folder shared (it holds the Python installation): {folder}")
            continue
        if carried and not aside_in:
            notes.append(f"scratch folder shared (it holds the sandbox): {folder}")
            continue
        if carried:  # bind the sandbox's folder aside, cover, then move it back in place
            aside = aside_in[0] / ".box"
            aside.mkdir()
            mounter.mount(str(base), aside, None, MS_BIND)
        options = f"size={SCRATCH_SIZE},mode=1777"
        mounter.mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, options)
        fresh.append(folder)
        if carried:
            base.mkdir(parents=True, exist_ok=True)
            mounter.mount(str(aside), base, None, MS_MOVE)
    mounter.mount("tmpfs", keep, "tmpfs", MS_NOSUID | MS_NODEV, f"size={BOX_SIZE},mode=700")
    (keep / "submission.ipynb").write_bytes(submission)
    return notes

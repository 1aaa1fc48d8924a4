"""A mount namespace for the worker and its kernel (Linux, root): what the kernel may see.

* hidden: an empty tmpfs is mounted over every folder the kernel must not reach (the
  class's folders, the output folder, the teacher's home, the whole checkout the package
  was installed from, ``.git`` included), so even a path it guesses leads nowhere;
* private scratch: ``/tmp``, ``/var/tmp``, ``/dev/shm`` and ``/run/lock`` are fresh, small
  tmpfs of its own, always: nothing it writes there is seen by another notebook, nor left
  behind, nor can it fill the disk;
* exposed: the Python installation and the package stay visible, read-only, even when
  they sit under a folder that was covered (a checkout under ``/tmp``, ``/root/.pyenv``):
  each is opened before the cover and bound back in place through its descriptor;
* the box: the sandbox's folder becomes a tmpfs of its own holding a copy of the submission.

Nothing here changes the mounts of the grader or of the machine: the namespace is the
worker's, and it ends with the worker.
"""

from __future__ import annotations

import ctypes
import os
import stat
import sys
from pathlib import Path

__all__ = ["checkout_of", "isolate", "others_can_reach"]

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT = 1, 2, 4, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
CLONE_NEWNS = 0x00020000
SCRATCH = (Path("/dev/shm"), Path("/run/lock"), Path("/var/tmp"), Path("/tmp"))
SCRATCH_OPTIONS = "size=64m,mode=1777"
HIDDEN_OPTIONS = "size=64k,mode=755"
BOX_OPTIONS = "size=512m,mode=700"
_FOLDER = getattr(os, "O_PATH", os.O_RDONLY) | os.O_DIRECTORY


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


def checkout_of(package: Path, installed: list[Path]) -> list[Path]:
    """The folders of the checkout a package runs from: the folder holding it, the
    repository above it (the nearest folder with a ``.git``), and for a linked work tree
    (``.git`` a file: ``gitdir: ...``) the main work tree that holds its history; none when
    the package is installed (its folder is one of ``installed``, the site-packages).

    >>> site = Path("/usr/lib/python3/dist-packages")
    >>> checkout_of(site / "micrograd_edu", [site])
    []
    """
    if package.parent in installed:
        return []
    found = [package.parent]
    for folder in package.parents:
        if folder == Path("/"):
            break
        marker = folder / ".git"
        if marker.is_dir() or marker.is_file():
            found.append(folder)
            found += _main_work_tree(marker)
            break
    return sorted(set(found))


def _main_work_tree(marker: Path) -> list[Path]:
    """For a ``.git`` file (a linked work tree): the work tree of the repository it names."""
    try:
        text = marker.read_text(errors="replace") if marker.is_file() else ""
    except OSError:
        return []
    if not text.startswith("gitdir:"):
        return []
    gitdir = (marker.parent / text[len("gitdir:") :].strip()).resolve()
    try:
        common = (gitdir / (gitdir / "commondir").read_text().strip()).resolve()
    except OSError:
        common = gitdir
    main = common.parent if common.name == ".git" else common
    return [main] if main != Path("/") else []


class _Mounter:
    def __init__(self) -> None:
        if sys.platform != "linux" or os.geteuid() != 0:
            raise OSError("a mount namespace needs Linux and root")
        self.libc = ctypes.CDLL(None, use_errno=True)

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

    def tmpfs(self, folder: Path, options: str) -> None:
        self.mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, options)

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


def _plan(expose: list[Path], hide: list[Path]) -> tuple[list[tuple[Path, str]], list[str]]:
    """The folders to cover, outermost first, with their tmpfs options; notes on those left."""
    wanted = {folder: HIDDEN_OPTIONS for folder in hide}
    closed = {c for c in map(_closed_ancestor, expose) if c is not None and c not in expose}
    wanted |= {folder: HIDDEN_OPTIONS for folder in closed}  # made passable
    wanted |= {folder: SCRATCH_OPTIONS for folder in SCRATCH if folder.is_dir()}
    chosen: list[tuple[Path, str]] = []
    notes: list[str] = []
    for folder in sorted(wanted, key=lambda p: (len(p.parts), p)):
        if folder == Path("/") or folder in expose:
            notes.append(f"not hidden (it is the root or the Python installation): {folder}")
        elif folder.is_dir():
            chosen.append((folder, wanted[folder]))
    return chosen, notes


def isolate(expose: list[Path], hide: list[Path], keep: Path) -> list[str]:
    """Enter a new mount namespace: cover ``hide`` and the scratch folders; keep ``expose``
    visible and read-only; make ``keep`` (the sandbox) a tmpfs with its submission.

    Folders are covered outermost first; after each, the exposed paths inside it are bound
    back (from descriptors opened before), so a folder to hide inside an exposed one (a
    checkout inside the virtual environment) is covered too. Returns notes on what was left
    visible (weaknesses); raises OSError when there is no mount namespace (not Linux, not
    root) or a mount fails.
    """
    mounter = _Mounter()
    if mounter.libc.unshare(CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS) failed")
    mounter.mount("none", Path("/"), None, MS_REC | MS_PRIVATE)
    submission = (keep / "submission.ipynb").read_bytes()
    expose = sorted({path for path in expose if path.is_dir()}, key=lambda p: len(p.parts))
    covers, notes = _plan(expose, hide)
    held = {path: os.open(path, _FOLDER) for path in expose}
    try:
        covered: list[Path] = []
        for folder, options in covers:
            if not _visible(folder, covered, expose):
                continue  # inside a folder already covered: gone with it
            mounter.tmpfs(folder, options)
            covered.append(folder)
            for path in _outermost([path for path in expose if _inside(path, folder)]):
                path.mkdir(mode=0o755, parents=True, exist_ok=True)  # in the fresh tmpfs
                mounter.mount(f"/proc/self/fd/{held[path]}", path, None, MS_BIND | MS_REC)
    finally:
        for fd in held.values():
            os.close(fd)
    for path in expose:
        mounter.mount(str(path), path, None, MS_BIND | MS_REC)
        mounter.read_only(path)
    keep.mkdir(mode=0o755, parents=True, exist_ok=True)
    mounter.mount("tmpfs", keep, "tmpfs", MS_NOSUID | MS_NODEV, BOX_OPTIONS)
    (keep / "submission.ipynb").write_bytes(submission)
    return notes


def _visible(folder: Path, covered: list[Path], expose: list[Path]) -> bool:
    """Whether ``folder`` can still be seen: under no cover, or inside an exposed path bound
    back under the innermost cover above it."""
    above = [done for done in covered if _inside(folder, done)]
    if not above:
        return True
    innermost = max(above, key=lambda p: len(p.parts))
    return any(_inside(folder, path) and _inside(path, innermost) for path in expose)


def _outermost(paths: list[Path]) -> list[Path]:
    """The paths not inside another one (binding the outer one brings the inner)."""
    return sorted({p for p in paths if not any(q != p and _inside(p, q) for q in paths)})

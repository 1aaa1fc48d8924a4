"""Files written safely: atomic replacement and output folders checked before long work.

Standard library only, so that pictures and notebooks can be written where NumPy
is missing (the browser course). :mod:`micrograd_edu.io` re-exports both functions.

(Examples are in each function's docstring.)
"""

from __future__ import annotations

import glob
import os
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

__all__ = ["prepare_output_folder", "write_atomically"]

_STALE_SECONDS = 3600.0
"""Where process ids cannot be checked, temporary files older than this are stale."""


def _new_file_mode() -> int:
    """The permissions an ordinary new file gets: 0666 minus the process umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


def _remove_stale_temporaries(target: Path) -> None:
    """Delete temporary files that an earlier, killed save of ``target`` left behind.

    Temporary names carry the writer's process id (``.model.json.<pid>.<random>.tmp``);
    a file whose process no longer exists is stale. Files of live processes,
    this one included, may be saves in progress and are left alone.
    """
    prefix = f".{target.name}."
    for candidate in target.parent.glob(f"{glob.escape(prefix)}*.tmp"):
        pid_text = candidate.name[len(prefix) :].split(".", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        if os.name == "posix":
            stale = not _process_alive(int(pid_text))
        else:  # os.kill(pid, 0) would terminate the process on Windows
            stale = time.time() - candidate.stat().st_mtime > _STALE_SECONDS
        if stale:
            candidate.unlink(missing_ok=True)


def write_atomically(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Readers see either the old file or the complete new one, never a part.
    An existing file keeps its permissions; a new one gets the umask's default.
    A symbolic link is written through: its target is replaced, the link stays.
    Temporary files left by a killed earlier save of the same file are removed.

    >>> import tempfile
    >>> from pathlib import Path
    >>> path = write_atomically(Path(tempfile.mkdtemp()) / "notes.txt", b"first")
    >>> _ = write_atomically(path, b"second")
    >>> path.read_bytes(), [p.name for p in path.parent.iterdir()]
    (b'second', ['notes.txt'])
    >>> import shutil; shutil.rmtree(path.parent)
    """
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    if target.is_dir():
        raise IsADirectoryError(f"cannot write to {str(target)!r}: it is a directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = _new_file_mode()
    _remove_stale_temporaries(target)
    fd, temp_name = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent
    )
    try:
        os.chmod(temp_name, mode)  # mkstemp makes it private (0600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target


def prepare_output_folder(folder: str | os.PathLike[str], files: Iterable[str] = ()) -> Path:
    """Create ``folder`` if needed and make sure files can be written into it.

    Run it *before* long work (training) whose results go there. Raises
    ``ValueError`` for an empty name, ``NotADirectoryError`` when it is a file,
    ``IsADirectoryError`` when one of the ``files`` to be written is a folder,
    and ``PermissionError``/``OSError`` (naming the folder) when nothing can be
    written there, e.g. on a read-only file system.

    >>> import tempfile
    >>> from pathlib import Path
    >>> base = Path(tempfile.mkdtemp())
    >>> prepare_output_folder(base / "out", ["model.json"]).is_dir()
    True
    >>> (base / "out" / "model.json").mkdir()
    >>> prepare_output_folder(base / "out", ["model.json"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    IsADirectoryError: ...model.json...
    >>> import shutil; shutil.rmtree(base)
    """
    if not str(folder).strip():
        raise ValueError("the output folder name is empty (use . for the current folder)")
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"cannot write into {str(path)!r}: it is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-test.", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise type(error)(f"cannot write into {str(path)!r}: {error.strerror or error}") from None
    for name in files:
        if (path / name).is_dir():
            raise IsADirectoryError(
                f"cannot write {str(path / name)!r}: a folder of that name is in the way"
            )
    return path

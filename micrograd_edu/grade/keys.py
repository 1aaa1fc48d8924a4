"""The secret that keys the hidden inputs: the teacher's, or one kept in the output folder.

The hidden inputs' seed is the SHA-256 of the secret and the submission's bytes
(:func:`.records.derive_seed`). Without a secret it is the file's alone, and a notebook that
knows its own bytes draws its own hidden inputs in the kernel, where the library computes
the answers before the check switches it off. So the grader takes the teacher's secret
(``--secret-file``, else the environment variable ``MICROGRAD_EDU_GRADE_SECRET``), and when
there is none but an output folder, it keeps one there: ``DIR/secret``, 32 random bytes in
hex, mode 600, made once (atomically: two graders starting at once in one folder agree on
it) and read by every later run in that folder, so the same file draws the same inputs
again. The secret is never printed, never written in a record or a report, and never
reaches a kernel (the output folder and the secret file's folder are hidden from it).

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     made, first = folder_secret(Path(folder))
...     kept, again = folder_secret(Path(folder))
...     (len(made), first, kept == made, again, oct(Path(folder, FOLDER_SECRET).stat().st_mode))
(64, True, True, False, '0o100600')
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from pathlib import Path

from .run import SECRET_VARIABLE

__all__ = ["FOLDER_SECRET", "SecretError", "folder_secret", "given_secret", "readable_by_others"]

FOLDER_SECRET = "secret"
"""The name of the secret the grader keeps in ``--out`` when the teacher gives none."""


class SecretError(ValueError):
    """A secret that cannot be used: unreadable, empty, a link, not a regular file."""


def given_secret(secret_file: Path | None) -> bytes:
    """The teacher's secret: ``secret_file``'s content (stripped), else the environment
    variable's (``b""`` when neither is set).

    Raises :class:`SecretError` when the file cannot be read or holds nothing: an empty
    secret would grade without one, silently.
    """
    if secret_file is None:
        return os.environ.get(SECRET_VARIABLE, "").encode()
    return _read(secret_file, "--secret-file", follow=True)


def folder_secret(folder: Path) -> tuple[bytes, bool]:
    """The secret kept in ``folder/secret``, made now if it is not there; and whether it was
    made now.

    It is written whole in a temporary file (mode 600), synced, then linked to its name,
    which fails if another grader linked one first: a reader never sees it half written.
    Raises :class:`SecretError` when the kept file is empty, a link or not a regular file
    (remove it, or give ``--secret-file``), and ``OSError`` when ``folder`` is not writable.
    """
    path = folder / FOLDER_SECRET
    made = not os.path.lexists(path) and _make(path)
    return _read(path, str(path), follow=False), made


def readable_by_others(path: Path) -> bool:
    """Whether a user other than the owner may read ``path`` (its mode has group/other read)."""
    return bool(path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))


def _make(path: Path) -> bool:
    """Write a new secret at ``path`` unless one is there by then; whether this call made it."""
    fd, temporary = tempfile.mkstemp(prefix=".secret-", dir=path.parent)  # mode 600
    try:
        try:
            os.write(fd, (secrets.token_hex(32) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temporary, path)  # all or nothing, never over another grader's
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: created exclusively, then filled
            return _make_exclusively(path, Path(temporary).read_bytes())
        return True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _make_exclusively(path: Path, content: bytes) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return False
    try:
        os.write(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


def _read(path: Path, name: str, follow: bool) -> bytes:
    flags = os.O_RDONLY | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        why = "it is a symbolic link" if os.path.islink(path) else error.strerror or str(error)
        raise SecretError(f"{name} {os.fsdecode(path)}: cannot read it ({why})") from None
    with open(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise SecretError(f"{name} {os.fsdecode(path)}: not a regular file")
        data = handle.read(1 << 20).strip()
    if not data:
        raise SecretError(
            f"{name} {os.fsdecode(path)}: it is empty, and an empty secret keys nothing "
            "(write a secret in it, or remove it and let the grader make one in --out)"
        )
    return data

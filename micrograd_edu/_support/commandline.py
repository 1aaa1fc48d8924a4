"""What a command line shows: the command the user typed, and help without reST markup.

``micrograd-edu train`` runs ``python -m micrograd_edu train`` in the same process
(:mod:`micrograd_edu.cli.main`); inside :func:`invoked_as` the delegated command's
parser names itself as typed (:func:`prog`): ``usage: micrograd-edu train``, not
``usage: python -m micrograd_edu train``. Help texts taken from docstrings go
through :func:`plain` (or :func:`description`). Standard library only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = ["description", "invoked_as", "plain", "prog"]

_INVOKED_AS: ContextVar[str | None] = ContextVar("micrograd_edu_invoked_as", default=None)


def prog(default: str) -> str:
    """The name a parser shows in its usage and errors: the command the user typed.

    ``default`` when the command is run directly (``python -m micrograd_edu.grade``);
    inside :func:`invoked_as` (``micrograd-edu grade`` runs it), that name.

    >>> prog("python -m micrograd_edu.grade")
    'python -m micrograd_edu.grade'
    >>> with invoked_as("micrograd-edu grade"):
    ...     prog("python -m micrograd_edu.grade")
    'micrograd-edu grade'
    """
    return _INVOKED_AS.get() or default


@contextlib.contextmanager
def invoked_as(command: str) -> Iterator[None]:
    """Within this block, :func:`prog` is ``command`` (``"micrograd-edu grade"``)."""
    token = _INVOKED_AS.set(command)
    try:
        yield
    finally:
        _INVOKED_AS.reset(token)


def plain(text: str) -> str:
    """``text`` as a terminal shows it: the double backquotes of reST's literals removed.

    >>> plain("``python -m micrograd_edu.visualize``: write the demo's pictures.")
    "python -m micrograd_edu.visualize: write the demo's pictures."
    """
    return text.replace("``", "")


def description(docstring: str | None) -> str:
    """A parser's description from its module's docstring: the first line, :func:`plain`,
    without the leading synopsis ````command [options]``: `` (the usage line says it).

    >>> description("``python -m micrograd_edu.visualize [--out DIR]``: write the pictures.")
    'Write the pictures.'
    >>> description("The command line: ``python -m micrograd_edu train ...``.")
    'The command line: python -m micrograd_edu train ....'
    """
    lines = (docstring or "").strip().splitlines()
    first = lines[0] if lines else ""
    if first.startswith("``") and "``: " in first:
        rest = first.split("``: ", 1)[1]
        first = rest[:1].upper() + rest[1:]
    return plain(first)

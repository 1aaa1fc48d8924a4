"""A griffe extension for the API reference: the docstrings' reStructuredText into Markdown.

The docstrings name other objects with Sphinx roles (:class:`Value`,
:func:`~micrograd_edu.engine.dot`), end a paragraph before a literal block
with ``::`` and hold doctests outside an "Examples" section. Markdown shows
the first two as typed and reads a doctest's ``[...]`` lines as links; this
extension turns a role into inline code (``~`` keeps the last name only, as
Sphinx does), ``::`` into ``:``, and fences each doctest outside "Examples"
as a ``pycon`` block, before the docstrings are rendered. mkdocs.yml loads it
by path.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj|const):`(~?)([^`]+)`")
_LITERAL = re.compile(r"(?<=\S)::$", re.MULTILINE)


def _code(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if tilde else target}`"


def _fence_doctests(text: str) -> str:
    """Each run of doctest lines (``>>>`` to the next blank line) outside "Examples", fenced."""
    lines = text.split("\n")
    out: list[str] = []
    in_examples = in_doctest = False
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if following.strip() and set(following.strip()) == {"-"} and not in_doctest:
            in_examples = line.strip() == "Examples"  # a NumPy-style section header
        if not in_examples and not in_doctest and line.lstrip().startswith(">>>"):
            out.append("```pycon")
            in_doctest = True
        elif in_doctest and not line.strip():
            out.append("```")
            in_doctest = False
        out.append(line)
    if in_doctest:
        out.append("```")
    return "\n".join(out)


def markdown(text: str) -> str:
    r"""The docstring ``text`` with roles as inline code, ``::`` as ``:``, doctests fenced.

    >>> markdown("a :class:`~micrograd_edu.engine.Value` node::")
    'a `Value` node:'
    >>> markdown("Twice:\n\n>>> [1] * 2\n[1, 1]").splitlines()
    ['Twice:', '', '```pycon', '>>> [1] * 2', '[1, 1]', '```']
    """
    return _fence_doctests(_LITERAL.sub(":", _ROLE.sub(_code, text)))


class RestRoles(griffe.Extension):
    """Rewrite every docstring once griffe has loaded its object."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)

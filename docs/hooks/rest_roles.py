"""A griffe extension for the API reference: the docstrings' reStructuredText into Markdown.

The docstrings name other objects with Sphinx roles (:class:`Value`,
:func:`~micrograd_edu.engine.dot`) and end a paragraph before a literal block
with ``::``. Markdown shows both as typed; this extension turns a role into
inline code (``~`` keeps the last name only, as Sphinx does) and ``::`` into
``:`` before the docstrings are rendered. mkdocs.yml loads it by path.
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


def markdown(text: str) -> str:
    """The docstring ``text`` with roles as inline code and ``::`` as ``:``.

    >>> markdown("a :class:`~micrograd_edu.engine.Value` node::")
    'a `Value` node:'
    """
    return _LITERAL.sub(":", _ROLE.sub(_code, text))


class RestRoles(griffe.Extension):
    """Rewrite every docstring once griffe has loaded its object."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)

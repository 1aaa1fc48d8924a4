"""Switch the library's own version off while a write-it-yourself exercise runs.

Exercise 2.4 asks the student to write ``backward``: while their function
runs, ``Value.backward`` raises :class:`SwitchedOffError` ("exercise 2.4 asks
you to write backward yourself: `Value.backward` is switched off here").
:func:`switched_off` replaces the attributes for the duration of a ``with``
block and restores them afterwards, even when the block raises. Names in the
student's namespace bound to the same objects (``from micrograd_edu.train
import fit``) are replaced too. Every call is recorded, so a student's code
that catches the error is still caught.

>>> from micrograd_edu import Value
>>> with switched_off("2.4", "backward", [(Value, "backward", "Value.backward")]) as calls:
...     Value(2.0).backward()
Traceback (most recent call last):
...
micrograd_edu.exercises.switch.SwitchedOffError: ✗ Exercise 2.4: exercise 2.4 asks you to write \
backward yourself: `Value.backward` is switched off here
  mistake:  the library's own version called — ...
>>> v = Value(2.0); v.backward(); v.grad  # restored
1.0
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from types import FunctionType
from typing import Any

from .mistakes import WrongAnswerError

__all__ = ["DERIVATIVE_ROUTES", "SwitchedOffError", "Target", "resolve", "switched_off"]

Target = tuple[Any, str, str]
"""(owner: a class or module, attribute name, the name shown to the student)."""

DERIVATIVE_ROUTES: tuple[tuple[str, str], ...] = (
    ("micrograd_edu.engine:Value", "backward"),
    ("micrograd_edu.engine:Value", "_backward"),
    ("micrograd_edu.explain", "explain_grad"),
    ("micrograd_edu.explain.gradcheck", "numerical_grad"),
)
"""Every route by which the library computes a derivative, as an exercise's ``switch``
entries: switched off wherever the student is to find one (x · y⁻¹ then backward,
explain_grad's path sums, central differences all gave the right numbers without the
calculus or the chain rule)."""


class SwitchedOffError(WrongAnswerError):
    """The library's version of what the exercise asks the student to write was called."""

    def __init__(self, number: str, what: str, shown: str) -> None:
        self.shown = shown
        super().__init__(
            number,
            f"exercise {number} asks you to write {what} yourself: `{shown}` is switched off here",
            mistake="library-call",
        )


def resolve(paths: Sequence[tuple[str, str]]) -> list[Target]:
    """Targets from ``(owner path, attribute)`` pairs such as ``("micrograd_edu.engine.Value",
    "backward")``; owners that do not exist (or lack the attribute) are skipped."""
    targets: list[Target] = []
    for owner_path, attribute in paths:
        module_name, _, rest = owner_path.partition(":")
        try:
            owner: Any = importlib.import_module(module_name)
        except ImportError:
            continue
        for part in rest.split(".") if rest else []:
            owner = getattr(owner, part, None)
        if owner is not None and hasattr(owner, attribute):
            shown_owner = rest or module_name.rsplit(".", 1)[-1]
            targets.append((owner, attribute, f"{shown_owner}.{attribute}"))
    return targets


def _stand_in(number: str, what: str, shown: str, calls: list[str]) -> Any:
    def switched_off_here(*args: Any, **kwargs: Any) -> Any:
        calls.append(shown)
        raise SwitchedOffError(number, what, shown)

    return switched_off_here


def _trap_code(function: Any, stand_in: Any) -> list[tuple[Any, Any, str]]:
    """Make ``function`` itself call ``stand_in`` (its ``__code__`` swapped), so that a
    reference saved before the block (``def backward(root, _b=Value.backward)``) is
    switched off too. Returns what to restore; nothing for what is not a plain function
    or has a closure (its code cannot be swapped)."""
    if not isinstance(function, FunctionType) or function.__code__.co_freevars:
        return []
    key = f"__micrograd_edu_switched_off_{id(function)}__"
    source = f"def _switched_off(*args, **kwargs):\n    return {key}(*args, **kwargs)\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, function.__code__.co_filename, "exec"), namespace)
    code = function.__code__
    function.__globals__[key] = stand_in
    function.__code__ = namespace["_switched_off"].__code__
    return [(function, code, key)]


@contextmanager
def switched_off(
    number: str,
    what: str,
    targets: Sequence[Target],
    namespace: MutableMapping[str, Any] | None = None,
) -> Iterator[list[str]]:
    """Inside the block each target raises :class:`SwitchedOffError`; yields the calls made.

    ``what`` is what the exercise asks for ("backward"); ``namespace`` (the
    student's globals) has its names bound to a target's original replaced too.
    """
    calls: list[str] = []
    saved: list[tuple[Any, str, Any, bool]] = []
    renamed: list[tuple[str, Any]] = []
    trapped: list[tuple[Any, Any, str]] = []
    try:
        for owner, attribute, shown in targets:
            own = attribute in vars(owner)
            original = getattr(owner, attribute)
            stand_in = _stand_in(number, what, shown, calls)
            saved.append((owner, attribute, vars(owner).get(attribute), own))
            setattr(owner, attribute, stand_in)
            trapped.extend(_trap_code(original, stand_in))
            for name, value in list((namespace or {}).items()):
                if value is original and namespace is not None:
                    renamed.append((name, value))
                    namespace[name] = stand_in
        yield calls
    finally:
        for function, code, key in reversed(trapped):
            function.__code__ = code
            function.__globals__.pop(key, None)
        for owner, attribute, original, own in reversed(saved):
            if own:
                setattr(owner, attribute, original)
            else:
                delattr(owner, attribute)
        for name, value in renamed:
            if namespace is not None:
                namespace[name] = value

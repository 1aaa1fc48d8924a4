"""Compare an answer with the expected one and name the mistake it matches: :func:`diagnose`.

Answers are plain data (numbers, lists and dicts of numbers), as the probe
returns them. A check builds the case, computes the expected answer and what
each catalogued mistake would give on the same case (the *suspects*), and
calls :func:`diagnose`, which

* returns quietly when the answer is the expected one;
* raises :class:`~micrograd_edu.exercises.mistakes.WrongAnswerError` naming the first
  suspect the whole answer matches;
* otherwise finds the first wrong entry and names a suspect that gives that
  entry (and differs there from the expected value);
* otherwise raises without a named mistake, with the check's hint.

An answer of the wrong form (not a number, a list of the wrong length, NaN,
a huge string) is reported as such, never crashes the check.

>>> diagnose("9.9", 2.0, 2.0, problem="the slope is wrong")
>>> diagnose("9.9", 2.0, -2.0, {"sign-error": -2.0}, problem="the slope is wrong")
Traceback (most recent call last):
...
micrograd_edu.exercises.mistakes.WrongAnswerError: ✗ Exercise 9.9: the slope is wrong
  mistake:  sign error — the answer has the right size but the opposite sign
  expected: 2
  got:      -2
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from .mistakes import WrongAnswerError

__all__ = ["close", "diagnose", "form_problem", "is_number", "show"]

MAX_SHOWN = 300
"""Characters of a value shown in feedback; the rest is cut with an ellipsis."""


def is_number(x: object) -> bool:
    """A real number (int or float, not bool)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def close(got: object, expected: object, tol: float = 1e-9) -> bool:
    """``got`` has the form of ``expected`` and every number is within ``tol`` (rel. and abs.).

    >>> close([1.0, 2.0], [1.0, 2.0 + 1e-12]), close([1.0], [1.0, 2.0]), close(float("nan"), 1.0)
    (True, False, False)
    """
    if is_number(expected):
        return is_number(got) and math.isclose(
            float(got),  # type: ignore[arg-type]
            float(expected),  # type: ignore[arg-type]
            rel_tol=tol,
            abs_tol=tol,
        )
    if isinstance(expected, (list, tuple)):
        return (
            isinstance(got, (list, tuple))
            and len(got) == len(expected)
            and all(close(g, e, tol) for g, e in zip(got, expected, strict=True))
        )
    if isinstance(expected, Mapping):
        return (
            isinstance(got, Mapping)
            and set(got) == set(expected)
            and all(close(got[k], expected[k], tol) for k in expected)
        )
    return bool(got == expected)


def form_problem(got: object, expected: object) -> str | None:
    """What is wrong with the *form* of ``got`` (type, length, keys, NaN), or None.

    >>> form_problem([1.0], [1.0, 2.0])
    'a list of 1 items where 2 are expected'
    >>> form_problem("x", 1.0), form_problem(float("nan"), 1.0)
    ('a str where a number is expected', 'not a number (NaN)')
    """
    if is_number(expected):
        if got in ("NaN", "Infinity", "-Infinity"):
            return f"{got}, not a finite number"
        if not is_number(got):
            return f"a {_kind(got)} where a number is expected"
        if math.isnan(float(got)) and not math.isnan(float(expected)):  # type: ignore[arg-type]
            return "not a number (NaN)"
        return None
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            return f"a {_kind(got)} where a list of {len(expected)} is expected"
        if len(got) != len(expected):
            return f"a list of {len(got)} items where {len(expected)} are expected"
        for g, e in zip(got, expected, strict=True):
            inner = form_problem(g, e)
            if inner:
                return inner
        return None
    if isinstance(expected, Mapping):
        if not isinstance(got, Mapping):
            return f"a {_kind(got)} where a dict is expected"
        missing = [k for k in expected if k not in got]
        if missing:
            return f"no entry for {show(missing)}"
        for k in expected:
            inner = form_problem(got[k], expected[k])
            if inner:
                return f"{k}: {inner}"
    return None


def _kind(x: object) -> str:
    if x is None:
        return "None"
    if isinstance(x, Mapping):
        return "dict"
    return type(x).__name__


def show(value: object) -> str:
    """``value`` as feedback shows it: floats to 6 significant digits, cut at :data:`MAX_SHOWN`.

    >>> show([0.1 + 0.2, {"a": 1 / 3}])
    "[0.3, {'a': 0.333333}]"
    """
    text = _show(value, depth=0)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _show(value: object, depth: int) -> str:
    if depth > 4:
        return "…"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        items = [_show(v, depth + 1) for v in list(value)[:40]]
        return "[" + ", ".join(items) + (", …" if len(value) > 40 else "") + "]"
    if isinstance(value, Mapping):
        pairs = [f"{k!r}: {_show(v, depth + 1)}" for k, v in list(value.items())[:40]]
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, str):
        return value[:MAX_SHOWN]
    return repr(value)[:MAX_SHOWN]


def _entries(expected: object) -> list[Any]:
    if isinstance(expected, (list, tuple)):
        return list(range(len(expected)))
    if isinstance(expected, Mapping):
        return list(expected)
    return []


def diagnose(
    number: str,
    expected: object,
    got: object,
    suspects: Mapping[str, object] | None = None,
    *,
    problem: str,
    input: str | None = None,
    hint: str | None = None,
    tol: float = 1e-9,
    entry: Callable[[Any], str] | None = None,
    problems: Mapping[str, str] | None = None,
) -> None:
    """Compare ``got`` with ``expected``; raise naming the suspect it matches, if any.

    ``suspects`` maps a mistake code of the catalogue to what that mistake
    gives on the same case (same form as ``expected``; None to skip); a key
    ``code@variant`` is one variant of that mistake, named by its code. A
    suspect equal to the expected answer is ignored (it cannot be told
    apart). ``entry(key)`` names one entry of a list or dict answer in the
    problem line ("dL/da"); ``problems`` gives a mistake its own problem line
    ("the parameters moved uphill"); ``hint`` is shown only when no mistake
    is named.
    """
    problems = problems or {}
    shown = {"input": input, "expected": show(expected), "got": show(got)}
    form = form_problem(got, expected)
    if form is not None:
        raise WrongAnswerError(number, f"{problem}: {form}", hint=hint, **shown)
    if close(got, expected, tol):
        return
    live = {
        code: value
        for code, value in (suspects or {}).items()
        if value is not None and form_problem(value, expected) is None
    }
    for code, value in live.items():
        if not close(value, expected, tol) and close(got, value, tol):
            code = code.partition("@")[0]
            raise WrongAnswerError(number, problems.get(code, problem), mistake=code, **shown)
    for key in _entries(expected):
        g, e = got[key], expected[key]  # type: ignore[index]
        if close(g, e, tol):
            continue
        where = f"{problem} ({entry(key)})" if entry else problem
        for code, value in live.items():
            v = value[key]  # type: ignore[index]
            if not close(v, e, tol) and close(g, v, tol):
                raise WrongAnswerError(number, where, mistake=code.partition("@")[0], **shown)
        raise WrongAnswerError(number, where, hint=hint, **shown)
    raise WrongAnswerError(number, problem, hint=hint, **shown)

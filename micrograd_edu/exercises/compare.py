"""Compare an answer with the expected one and name the mistake it matches: :func:`diagnose`.

Answers are plain data (numbers, lists and dicts of numbers), as the probe
returns them. A check builds the case, computes the expected answer and what
each catalogued mistake gives on the same case (the *suspects*: the mistake
simulated), and calls :func:`diagnose`, which

* returns quietly when the answer is the expected one;
* raises :class:`~micrograd_edu.exercises.mistakes.WrongAnswerError` naming the
  first suspect the *whole* answer matches (a mistake is named only when the
  student's numbers are what that mistake gives);
* otherwise raises without a named mistake, pointing at the first wrong entry,
  with the check's hint.

Either way only the first wrong entry is shown, never the whole expected
answer, with enough digits that expected and obtained differ on the page. An
answer of the wrong form (not a number, a list of the wrong length, a Value
where a number is expected, NaN) is reported as such, never crashes the check.

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

__all__ = ["close", "diagnose", "first_difference", "form_problem", "is_number", "show", "shown"]

MAX_SHOWN = 300
"""Characters of a value shown in feedback; the rest is cut with an ellipsis."""

Path = tuple[Any, ...]

NO_RETURN = " (a function without `return` gives None)"


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


def _described(x: object) -> str | None:
    """The type named by :func:`~micrograd_edu.exercises.core.plain`'s ``{"type": ...}``."""
    if isinstance(x, Mapping) and set(x) <= {"type", "length"} and isinstance(x.get("type"), str):
        return str(x["type"])
    return None


def _kind(x: object) -> str:
    if x is None:
        return "None"
    if isinstance(x, Mapping) and set(x) == {"Value"}:
        return "Value"
    if _described(x) is not None:
        return str(_described(x))
    if isinstance(x, Mapping):
        return "dict"
    if isinstance(x, (list, tuple)):
        return f"list of {len(x)}"
    return type(x).__name__


def _form(got: object, expected: object, path: Path) -> tuple[Path, str] | None:
    if is_number(expected):
        if got in ("NaN", "Infinity", "-Infinity"):
            return path, f"{got}, not a finite number"
        if isinstance(got, Mapping) and set(got) == {"Value"}:
            return path, "a Value where a plain number is expected"
        if got is None:
            return path, "None where a number is expected" + NO_RETURN
        if not is_number(got):
            return path, f"a {_kind(got)} where a number is expected"
        if math.isnan(float(got)) and not math.isnan(float(expected)):  # type: ignore[arg-type]
            return path, "not a number (NaN)"
        return None
    if got is None:
        return path, f"None where a {_kind(expected)} is expected" + NO_RETURN
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            return path, f"a {_kind(got)} where a list of {len(expected)} is expected"
        if len(got) != len(expected):
            return path, f"a list of {len(got)} items where {len(expected)} are expected"
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            inner = _form(g, e, (*path, i))
            if inner:
                return inner
        return None
    if isinstance(expected, Mapping):
        if not isinstance(got, Mapping):
            return path, f"a {_kind(got)} where a dict is expected"
        missing = [k for k in expected if k not in got]
        if missing:
            return path, f"no entry for {missing[0]!r}"
        for k in expected:
            inner = _form(got[k], expected[k], (*path, k))
            if inner:
                return inner
    return None


def form_problem(got: object, expected: object) -> str | None:
    """What is wrong with the *form* of ``got`` (type, length, keys, NaN), or None.

    >>> form_problem([1.0], [1.0, 2.0])
    'a list of 1 items where 2 are expected'
    >>> form_problem("x", 1.0), form_problem(float("nan"), 1.0)
    ('a str where a number is expected', 'not a number (NaN)')
    >>> form_problem({"Value": 2.0}, 1.0)
    'a Value where a plain number is expected'
    >>> form_problem({"a": 1.0, "b": "2"}, {"a": 1.0, "b": 2.0})
    "['b']: a str where a number is expected"
    """
    found = _form(got, expected, ())
    if found is None:
        return None
    path, text = found
    return f"{_path_text(path)}: {text}" if path else text


def first_difference(got: object, expected: object, tol: float = 1e-9) -> Path:
    """The path (keys and indices) of the first entry of ``got`` that differs from ``expected``.

    ``()`` when the answers are numbers, or when they differ as a whole.

    >>> first_difference([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 5.0]])
    (1, 1)
    """
    if (
        isinstance(expected, (list, tuple))
        and isinstance(got, (list, tuple))
        and len(got) == len(expected)
    ):
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            if not close(g, e, tol):
                return (i, *first_difference(g, e, tol))
    if isinstance(expected, Mapping) and isinstance(got, Mapping) and set(got) == set(expected):
        for k in expected:
            if not close(got[k], expected[k], tol):
                return (k, *first_difference(got[k], expected[k], tol))
    return ()


def _at(value: Any, path: Path) -> Any:
    for key in path:
        value = value[key]
    return value


def _path_text(path: Path, entry: Callable[[Path], str] | None = None) -> str:
    if not path:
        return ""
    if entry is not None:
        return entry(path)
    return "".join(f"[{key!r}]" for key in path)


def show(value: object) -> str:
    """``value`` as feedback shows it: floats to 6 significant digits, cut at :data:`MAX_SHOWN`.

    >>> show([0.1 + 0.2, {"a": 1 / 3}])
    "[0.3, {'a': 0.333333}]"
    """
    text = _show(value, depth=0, digits=6)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def shown(expected: object, got: object) -> tuple[str, str]:
    """``expected`` and ``got`` as feedback shows them, with enough digits that they differ.

    >>> shown(0.8199081234, 0.8199080012)
    ('0.8199081', '0.819908')
    >>> shown(2.0, -2.0)
    ('2', '-2')
    """
    for digits in range(6, 18):
        pair = (
            _show(expected, depth=0, digits=digits)[:MAX_SHOWN],
            _show(got, depth=0, digits=digits)[:MAX_SHOWN],
        )
        if pair[0] != pair[1] or not (is_number(expected) and is_number(got)):
            return pair
    return pair


def _show(value: object, depth: int, digits: int) -> str:
    if depth > 4:
        return "…"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    if isinstance(value, (list, tuple)):
        items = [_show(v, depth + 1, digits) for v in list(value)[:40]]
        return "[" + ", ".join(items) + (", …" if len(value) > 40 else "") + "]"
    if isinstance(value, Mapping):
        if set(value) == {"Value"}:
            return f"Value(data={_show(value['Value'], depth + 1, digits)})"
        if _described(value) is not None:
            return f"a {_described(value)}"
        pairs = [f"{k!r}: {_show(v, depth + 1, digits)}" for k, v in list(value.items())[:40]]
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, str):
        return value[:MAX_SHOWN]
    return repr(value)[:MAX_SHOWN]


def diagnose(
    number: str,
    expected: object,
    got: object,
    suspects: Mapping[str, object] | None = None,
    *,
    problem: str,
    input: str | None = None,
    hint: str | None = None,
    formula: str | None = None,
    tol: float = 1e-9,
    suspect_tol: float | None = None,
    entry: Callable[[Path], str] | None = None,
    problems: Mapping[str, str] | None = None,
    reveal: bool = True,
) -> None:
    """Compare ``got`` with ``expected``; raise naming the suspect the whole answer matches.

    ``suspects`` maps a mistake code of the catalogue to what that mistake
    gives on the same case (same form as ``expected``; None to skip); a key
    ``code@variant`` is one variant of that mistake, named by its code. A
    suspect equal to the expected answer is ignored (it cannot be told
    apart). ``entry(path)`` names an entry of a list or dict answer from its
    keys and indices, e.g. ``("a",)`` → "dL/da"; ``problems`` gives a mistake
    its own problem line ("the parameters moved uphill"); ``hint`` (the rule
    in words) and ``formula`` are shown when no mistake is named. ``reveal=False`` never shows the
    expected value (an answer worked out by hand). ``suspect_tol`` (default
    ``tol``): how close the answer must be to a suspect to name it.
    """
    match = tol if suspect_tol is None else suspect_tol
    form = _form(got, expected, ())
    if form is not None:
        path, text = form
        where = _path_text(path, entry)
        value = _at(got, path)
        raise WrongAnswerError(
            number,
            f"{problem}: {text}",
            where=where or None,
            input=input,
            got=None if value is None or text.startswith("no entry") else show(value),
            hint=hint,
            formula=formula,
        )
    if close(got, expected, tol):
        return
    path = first_difference(got, expected, tol)
    where = _path_text(path, entry)
    expected_text, got_text = shown(_at(expected, path), _at(got, path))
    fields: dict[str, Any] = {
        "where": where or None,
        "input": input,
        "expected": expected_text if reveal else None,
        "got": got_text,
    }
    for code, value in (suspects or {}).items():
        if value is None or _form(value, expected, ()) is not None or close(value, expected, tol):
            continue
        if close(got, value, match):
            code = code.partition("@")[0]
            line = problems.get(code, problem) if problems else problem
            raise WrongAnswerError(number, line, mistake=code, **fields)
    raise WrongAnswerError(number, problem, hint=hint, formula=formula, **fields)

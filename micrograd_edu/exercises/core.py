"""What every exercise is made of: a case, a probe, a judge; and running them together.

* The **case** is the exercise's input as plain JSON data: the notebook's own
  (:attr:`Exercise.notebook_case`) or a hidden variant drawn from a seed when
  grading (:attr:`Exercise.hidden_case`). Top-level keys that start with
  ``_`` are the grader's secrets: they never reach the student's kernel.
* The **probe** runs the student's objects on the case, in the student's
  process, and returns plain data (:func:`plain`): numbers, lists and dicts
  of numbers, short strings. Calls to the student's code go through the
  ``guard`` it is given, which switches the library's own version off
  (:mod:`~micrograd_edu.exercises.switch`).
* The **judge** gets the case and the probe's data, computes the expected
  answer and the catalogued mistakes' answers itself, and either returns the
  "✓" message or raises :class:`~micrograd_edu.exercises.mistakes.WrongAnswerError`
  (usually through :func:`~micrograd_edu.exercises.compare.diagnose`).

In a notebook, :func:`run_check` runs probe and judge one after the other for
immediate feedback; the grader runs the probe in the student's kernel and the
judge in its own process (:mod:`~micrograd_edu.exercises.grading`).
"""

from __future__ import annotations

import decimal
import importlib
import json
import math
import numbers
import random
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .code_errors import StudentCodeError
from .compare import close, first_difference, show, shown
from .mistakes import WrongAnswerError
from .registry import ENTRIES
from .switch import SwitchedOffError, resolve, switched_off

__all__ = [
    "Exercise",
    "Guard",
    "answer_and_backpropagate",
    "describe_value",
    "load",
    "plain",
    "public",
    "require_value",
    "run_check",
    "run_probe",
    "second_call",
    "unexpected_form",
]

MAX_ITEMS = 10_000
"""Longest list (or dict) a probe passes on; a longer one is described by its length."""
MAX_TEXT = 200
"""Longest string a probe passes on."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: its cases, its probe and its judge (see the module's docstring).

    ``what`` names what the student writes ("backward"), for the message of a
    switched-off call; ``switch`` lists the library's versions switched off
    while the student's code runs, as ``(owner, attribute)`` with owner
    ``"module"`` or ``"module:Class"``.
    """

    number: str
    what: str
    notebook_case: Callable[[], Any]
    hidden_case: Callable[[random.Random], Any]
    probe: Callable[..., Any]
    judge: Callable[[Any, Any], str]
    switch: tuple[tuple[str, str], ...] = ()


def load(number: str) -> Exercise:
    """The exercise ``number`` (imports only its notebook's module). KeyError if unknown.

    >>> load("2.4").what, load("2.4").switch[0]
    ('backward', ('micrograd_edu.engine:Value', 'backward'))
    """
    entry = ENTRIES[number]
    module = importlib.import_module(f"{__package__}.{entry.module}")
    exercise: Exercise = module.EXERCISES[number]
    return exercise


class Guard:
    """``with guard():`` around each call of the student's code: the library's version is off.

    If the student's code called a switched-off version (even one whose error
    it caught), the block ends with :class:`SwitchedOffError`; any other
    exception of the student's code ends it with
    :class:`~micrograd_edu.exercises.code_errors.StudentCodeError`, which shows
    the line that raised it, or (an error raised by the call itself, such as a
    wrong number of arguments) the line where ``blame``, the student's
    function called, was defined.
    """

    def __init__(
        self,
        exercise: Exercise,
        namespace: MutableMapping[str, Any] | None,
        blame: Callable[..., Any] | None = None,
    ) -> None:
        self.exercise = exercise
        self.namespace = namespace
        self.blame = blame
        self.targets = resolve(exercise.switch)

    @contextmanager
    def __call__(self, blame: Callable[..., Any] | None = None) -> Iterator[None]:
        ex = self.exercise
        with switched_off(ex.number, ex.what, self.targets, self.namespace, ex.switch) as calls:
            try:
                yield
            except BaseException as error:
                if calls:
                    raise SwitchedOffError(ex.number, ex.what, calls[0]) from None
                if isinstance(error, (WrongAnswerError, NotImplementedError)) or not isinstance(
                    error, Exception
                ):
                    raise  # a check's verdict, a stub, or an interruption: not the student's error
                raise StudentCodeError.from_exception(
                    ex.number, error, blame or self.blame
                ) from error
        if calls:
            raise SwitchedOffError(ex.number, ex.what, calls[0])


def run_probe(
    exercise: Exercise,
    case: Any,
    objects: tuple[Any, ...],
    namespace: MutableMapping[str, Any] | None = None,
) -> Any:
    """The probe's data for ``objects`` on ``case``, as JSON would carry it.

    An exception of the student's code propagates as
    :class:`~micrograd_edu.exercises.code_errors.StudentCodeError` (and a
    library call as :class:`SwitchedOffError`); the probe's own code meeting an
    answer of a form it did not foresee raises :class:`WrongAnswerError`.
    """
    function = next((obj for obj in objects if callable(obj)), None)
    try:
        data = exercise.probe(case, Guard(exercise, namespace, function), *objects)
    except (WrongAnswerError, NotImplementedError):
        raise
    except Exception as error:
        raise unexpected_form(exercise.number, error) from error
    return json.loads(json.dumps(plain(data), allow_nan=False))


def unexpected_form(number: str, error: BaseException) -> WrongAnswerError:
    """The verdict on an answer the probe or the judge could not read (``error`` says why)."""
    return WrongAnswerError(
        number, f"the answer has an unexpected form ({type(error).__name__})"[:300]
    )


def _namespace(objects: tuple[Any, ...]) -> MutableMapping[str, Any] | None:
    """The student's globals: those of the first function among ``objects``."""
    for obj in objects:
        space = getattr(obj, "__globals__", None)
        if isinstance(space, dict):
            return space
    return None


def run_check(number: str, *objects: Any) -> None:
    """The notebook's check: probe and judge on the notebook's case; prints "✓ ..." if right."""
    exercise = load(number)
    case = exercise.notebook_case()
    data = run_probe(exercise, case, objects, _namespace(objects))
    try:
        verdict = exercise.judge(case, data)
    except (WrongAnswerError, NotImplementedError):
        raise
    except Exception as error:  # data of a form the judge did not foresee: as the grader says
        raise unexpected_form(number, error) from error
    print(f"✓ {verdict}")


def public(case: Any) -> Any:
    """``case`` without its secrets (top-level keys starting with ``_``)."""
    if isinstance(case, dict):
        return {k: v for k, v in case.items() if not str(k).startswith("_")}
    return case


# ---------------------------------------------------------------- plain data
def plain(x: object, depth: int = 0) -> Any:
    """``x`` as plain JSON data: numbers, strings (cut), lists, dicts; anything else described.

    Non-finite floats become the strings "NaN", "Infinity", "-Infinity";
    a Value becomes ``{"Value": data}``; arrays and tensors their lists; other
    real numbers (``Fraction``, ``Decimal``) their float.

    >>> plain((1, 2.5, float("nan"), None, "x" * 3, {"a": [True]}))
    [1, 2.5, 'NaN', None, 'xxx', {'a': [True]}]
    >>> from fractions import Fraction
    >>> plain([Fraction(-4, 2), Fraction(1, 3)])
    [-2.0, 0.3333333333333333]
    >>> import numpy as np
    >>> plain(np.array([2.0])), plain(np.int64(3)), plain(np.zeros((2, 1)))
    ([2.0], 3, [[0.0], [0.0]])
    """
    if x is None or isinstance(x, bool):
        return x
    if isinstance(x, int):
        return x if abs(x) < 2**63 else float(x)
    if isinstance(x, float):
        if math.isfinite(x):
            return x
        return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    if isinstance(x, str):
        return x[:MAX_TEXT]
    if isinstance(x, (numbers.Real, decimal.Decimal)) and not hasattr(x, "ndim"):
        return plain(float(x), depth)  # a Fraction or a Decimal: a number all the same
    if depth > 20:
        return {"type": "deep"}
    return _plain_container(x, depth)


def _plain_container(x: object, depth: int) -> Any:
    from ..engine import Value

    if isinstance(x, Value):
        return {"Value": plain(x.data)}
    if isinstance(x, (list, tuple)):
        if len(x) > MAX_ITEMS:
            return {"type": type(x).__name__, "length": len(x)}
        return [plain(v, depth + 1) for v in x]
    if isinstance(x, Mapping):
        if len(x) > MAX_ITEMS:
            return {"type": "dict", "length": len(x)}
        return {str(k)[:MAX_TEXT]: plain(v, depth + 1) for k, v in x.items()}
    item = getattr(x, "item", None)
    size = getattr(x, "size", None)
    if callable(item) and getattr(x, "ndim", None) == 0:  # a NumPy or torch scalar
        try:
            return plain(item(), depth + 1)
        except (TypeError, ValueError):
            pass
    tolist = getattr(x, "tolist", None)
    if callable(tolist) and isinstance(size, int) and size <= MAX_ITEMS:
        try:
            return plain(tolist(), depth + 1)
        except (TypeError, ValueError):
            pass
    return {"type": type(x).__name__[:MAX_TEXT]}


# ---------------------------------------------------------------- Values as data
def describe_value(x: object) -> dict[str, Any]:
    """A probe's view of an answer that should be a Value: its kind, and its number if any.

    >>> from micrograd_edu import Value
    >>> describe_value(Value(2.0)), describe_value(2.0)
    ({'kind': 'Value', 'data': 2.0}, {'kind': 'number', 'data': 2.0})
    >>> describe_value([Value(1.5), 2])
    {'kind': 'list', 'length': 2, 'items': [1.5, None]}
    """
    from ..engine import Value

    if isinstance(x, Value):
        return {"kind": "Value", "data": x.data}
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return {"kind": "number", "data": float(x)}
    if callable(getattr(x, "item", None)) and getattr(x, "ndim", None) == 0:
        return {"kind": "number", "data": float(x.item())}  # type: ignore[attr-defined]
    if isinstance(x, (list, tuple)):
        items = [v.data if isinstance(v, Value) else None for v in x[:10]]
        return {"kind": "list", "length": len(x), "items": items}
    return {"kind": "None" if x is None else type(x).__name__[:MAX_TEXT]}


def answer_and_backpropagate(guard: Guard, answer: Any, *args: Any) -> dict[str, Any]:
    """Call the student's ``answer(*args)`` under ``guard``, describe what it returned
    (:func:`describe_value`) and, when that is a Value, backpropagate from it, so that
    the gradients of the case's leaves can be read.

    >>> from contextlib import nullcontext
    >>> from micrograd_edu import Value
    >>> x = Value(3.0)
    >>> answer_and_backpropagate(nullcontext, lambda v: v * v, x), x.grad
    ({'kind': 'Value', 'data': 9.0}, 6.0)
    """
    from ..engine import Value

    with guard():
        out = answer(*args)
    described = describe_value(out)
    if isinstance(out, Value):
        if out.grad != 0:  # seeded: the answer ran backward() itself
            described["backward_called"] = True
        out.backward()
    return described


def require_value(
    number: str, what: str, described: object, expected: float | None = None
) -> float:
    """The Value's number from :func:`describe_value` data; raises naming a float or a list.

    A list is named "a list where a tuple or a Value is needed" only when it
    holds the ``expected`` Value alone (the right number in the wrong container).

    >>> require_value("5.1", "mse", {"kind": "Value", "data": 0.5})
    0.5
    >>> require_value("5.1", "mse", {"kind": "number", "data": 0.5})
    Traceback (most recent call last):
    ...
    micrograd_edu.exercises.mistakes.WrongAnswerError: ✗ Exercise 5.1: mse returned the plain \
number 0.5, not a Value
      mistake:  a float where a Value is needed — ...
    """
    fields: dict[str, Any] = described if isinstance(described, dict) else {}
    kind, data = fields.get("kind"), fields.get("data")
    if kind == "Value" and fields.get("backward_called"):
        raise WrongAnswerError(
            number,
            f"{what} called backward() on its result: the check calls it on the Value returned",
            hint="return the Value without calling .backward(): a second backward() adds the "
            "gradients again, so every grad comes out twice",
        )
    if kind == "Value" and isinstance(data, (int, float)) and not isinstance(data, bool):
        return float(data)
    if kind == "Value" and isinstance(data, str):
        return math.nan  # "NaN" or an infinity: a Value holding it
    if kind == "list":
        items = fields.get("items")
        alone = expected is not None and close(items, [expected])
        raise WrongAnswerError(
            number,
            f"{what} returned a list of {fields.get('length')}, not one Value",
            mistake="list-not-tuple" if alone else None,
            hint="combine the items into a single Value (add them up, or average them)",
        )
    if kind == "number":
        raise WrongAnswerError(
            number,
            f"{what} returned the plain number {show(data)}, not a Value",
            mistake="float-not-value",
        )
    if kind == "None":
        raise WrongAnswerError(
            number,
            f"{what} returned None, not a Value",
            hint="a function without `return` gives None: return the Value you built",
        )
    raise WrongAnswerError(number, f"{what} must return a Value, got a {str(kind)[:MAX_TEXT]}")


def second_call(number: str, what: str, first: object, second: object, tol: float = 1e-9) -> None:
    """Raise unless the second call of the student's ``what`` gave the first call's answer.

    >>> second_call("5.1", "mse", [1.0], [1.0])
    >>> second_call("5.1", "mse", 1.0, 2.0)
    Traceback (most recent call last):
    ...
    micrograd_edu.exercises.mistakes.WrongAnswerError: ✗ Exercise 5.1: mse gave another answer...
      expected: 1
      got:      2
      hint:     ...
    """
    if close(second, first, tol):
        return
    path = first_difference(second, first, tol)
    expected, got = first, second
    for key in path:
        expected, got = expected[key], got[key]  # type: ignore[index]
    expected_text, got_text = shown(expected, got)
    raise WrongAnswerError(
        number,
        f"{what} gave another answer when called again on the same input",
        expected=expected_text,
        got=got_text,
        hint="something from the first call was kept: a variable outside the function, a "
        "default argument such as list=[], or an input changed in place",
    )

"""The grader's side of the exercises: hidden cases, the probe cell, and the judge.

The grader (``python -m micrograd_edu.grade``) never reads a verdict from the
student's kernel. For each notebook it

1. draws every exercise's hidden case: ``grading_cases(number, seed)``, the
   seed derived from the submission's content (same file, same grade);
2. appends :func:`probe_cell` to the notebook: run in the student's kernel it
   finds each exercise's object by the course's name (``backward``), runs it
   on the case with the library's own version switched off, and prints one
   line, :data:`PROBE_MARKER` followed by JSON
   ``{number: {"data": ...} | {"error": "..."} | {"missing": true}}``;
3. calls :func:`judge` in its own process on each exercise's record, which
   computes the expected answer and the catalogued mistakes itself and
   returns an :class:`~micrograd_edu.exercises.mistakes.Outcome`.

The list of exercises is the course's (:func:`course_exercises`), not what
the submission happens to contain.

>>> case = grading_cases("2.2", seed=7)
>>> cell = probe_cell({"2.2": case})
>>> cell.splitlines()[0]
'from micrograd_edu.exercises.probing import probe_all as _micrograd_edu_probe_all'
>>> judge("2.2", case, {"missing": True}).status
'missing'
"""

from __future__ import annotations

import json
import random
from typing import Any

from .code_errors import from_record
from .core import load, public, unexpected_form
from .mistakes import GRADER_STAGE, NotDoneError, Outcome, WrongAnswerError
from .registry import ENTRIES, course_exercises

__all__ = [
    "NOT_DONE",
    "PROBE_MARKER",
    "SWITCHED_OFF",
    "course_exercises",
    "grading_cases",
    "judge",
    "probe_cell",
]

PROBE_MARKER = "@@micrograd_edu.probe@@"
"""Starts the one line the probe cell prints; JSON follows it on the same line."""

NOT_DONE = "NotImplementedError"
"""A probe error that starts with this means the stub is still there: "not done"."""

SWITCHED_OFF = "SwitchedOffError: "
"""A probe error that starts with this: the student's code called a switched-off version."""

FORM = "WrongAnswerError: "
"""A probe error that starts with this: the probe could not read the answer (a wrong answer)."""

STUB_LEFT = "the exercise's stub is still there"

MAX_MESSAGE = 300


def grading_cases(number: str, seed: int) -> Any:
    """The hidden case of exercise ``number`` for ``seed``: JSON data, the same for the same seed.

    Keys starting with ``_`` are the grader's secrets (:func:`probe_cell` leaves
    them out). KeyError for an unknown exercise.

    >>> grading_cases("2.2", 1) == grading_cases("2.2", 1) != grading_cases("2.2", 2)
    True
    """
    exercise = load(number)
    case = exercise.hidden_case(random.Random(f"{number}:{seed}"))
    return json.loads(json.dumps(case, allow_nan=False))


def probe_cell(cases: dict[str, Any], time_limit: float = 60.0) -> str:
    """The source of the one cell the grader appends after the student's notebook.

    ``cases`` maps exercise numbers to their cases; their secrets are left
    out. The cell prints exactly one line: :data:`PROBE_MARKER` + JSON. Each
    exercise's probe is stopped after ``time_limit`` seconds (0: no limit)
    and recorded as an error, so one hanging function costs only its own
    exercise.
    """
    if not (isinstance(time_limit, (int, float)) and 0 <= time_limit < float("inf")):
        raise ValueError(f"time_limit must be a finite number of seconds ≥ 0, got {time_limit!r}")
    shown = {number: public(case) for number, case in cases.items()}
    payload = json.dumps(shown, ensure_ascii=True, allow_nan=False)
    return (
        "from micrograd_edu.exercises.probing import probe_all as _micrograd_edu_probe_all\n"
        f"_micrograd_edu_probe_all({payload!r}, globals(), {float(time_limit)!r})\n"
    )


def _text(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text[:MAX_MESSAGE]


def judge(number: str, case: Any, probe: dict[str, Any]) -> Outcome:
    """The verdict on exercise ``number`` from its probe record, computed here, not in the kernel.

    Never raises for bad probe data: a record of the wrong form is "error",
    an answer of the wrong form "wrong", each with a message saying so.
    """
    entry = ENTRIES.get(number)
    if entry is None:
        return Outcome(number, "error", message=f"unknown exercise {_text(number)}")
    if not isinstance(probe, dict):
        return Outcome(number, "error", message="the probe gave no record for this exercise")
    if probe.get("missing") is True:
        names = " and ".join(f"`{name}`" for name in entry.names)
        return Outcome(
            number,
            "missing",
            message=f"{names} is not defined in the notebook: its cell was deleted, "
            "renamed or never run",
        )
    if "error" in probe:
        return _from_error(number, _text(probe["error"]))
    if "data" not in probe:
        return Outcome(number, "error", message="the probe's record has no data")
    return _judged(number, case, probe["data"])


def _from_error(number: str, error: str) -> Outcome:
    if error.startswith(NOT_DONE):
        detail = error[len(NOT_DONE) :].lstrip(": ") or None  # what is left: the student's
        return Outcome(number, "not done", None, STUB_LEFT, str(NotDoneError(number, detail)))
    if error.startswith(SWITCHED_OFF):
        message = error[len(SWITCHED_OFF) :]
        called = WrongAnswerError(number, message, mistake="library-call")
        feedback = called.feedback(GRADER_STAGE, more=False)
        return Outcome(number, "wrong", "library-call", message, feedback)
    if error.startswith(FORM):  # the probe could not read the answer: a wrong answer
        message = error[len(FORM) :]
        return Outcome(number, "wrong", None, message, f"✗ Exercise {number}: {message}")
    raised = from_record(number, error)  # the student's code raised
    feedback = raised.feedback(GRADER_STAGE, more=False)
    return Outcome(number, "error", message=raised.message, feedback=feedback)


def _judged(number: str, case: Any, data: Any) -> Outcome:
    try:
        done = load(number).judge(case, data)
    except WrongAnswerError as error:
        code = error.mistake.code if error.mistake else None
        feedback = error.feedback(GRADER_STAGE, more=False)
        return Outcome(number, "wrong", code, error.problem[:MAX_MESSAGE], feedback)
    except NotImplementedError:
        return Outcome(number, "not done", message=STUB_LEFT)
    except Exception as error:  # data of a form the judge did not foresee: never crash
        message = unexpected_form(number, error).problem
        return Outcome(number, "wrong", message=message, feedback=f"✗ Exercise {number}: {message}")
    return Outcome(number, "passed", message=done[:MAX_MESSAGE])

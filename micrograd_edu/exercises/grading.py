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
the submission happens to contain. Optional parts of the contract, used when
present: :func:`exercise_names` (the grader probes each exercise right after
the cell that defines it), :func:`common_case` (a case the same for every
student: wrong answers no catalogued mistake explains are grouped by the
answer to it), :func:`catalogue_version` (kept in every record, so that a
class can be re-judged when it changes) and :func:`grading_seconds` (the
default time limit per notebook).

>>> case = grading_cases("2.2", seed=7)
>>> cell = probe_cell({"2.2": case})
>>> cell.splitlines()[0]
'from micrograd_edu.exercises.probing import probe_all as _micrograd_edu_probe_all'
>>> judge("2.2", case, {"missing": True}).status
'missing'
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
from pathlib import Path
from typing import Any

from .code_errors import from_record
from .core import load, public, unexpected_form
from .mistakes import GRADER_STAGE, NotDoneError, Outcome, Status, WrongAnswerError
from .registry import ENTRIES, course_exercises

__all__ = [
    "GRADING_SECONDS",
    "NOT_DONE",
    "PROBE_MARKER",
    "SWITCHED_OFF",
    "catalogue_version",
    "common_case",
    "course_exercises",
    "exercise_names",
    "grading_cases",
    "grading_seconds",
    "judge",
    "kernel_requirements",
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

GRADING_SECONDS: dict[str, float] = {
    "01_derivatives_and_value": 1.7,
    "02_backpropagation": 3.8,
    "03_neuron": 1.7,
    "04_mlp_classification": 5.8,
    "05_regression": 1.8,
    "06_playground": 2.0,
    "07_check_against_pytorch": 3.5,
    "08_reinforcement_learning": 1.6,
    "09_training_mistakes": 6.0,
}
"""Seconds the grader takes on each course notebook (with its solutions), measured with
``python -m benchmarks.grading --seconds`` on 2 shared cores: the default time limit
per notebook is derived from it (:func:`grading_seconds`)."""


def exercise_names(number: str) -> tuple[str, ...]:
    """The names the student defines for exercise ``number`` (KeyError if unknown).

    >>> exercise_names("4.3")
    ('train', 'learning_rate')
    """
    return ENTRIES[number].names


def common_case(number: str) -> Any:
    """The case every student of a class answers alike: the notebook's own (public) example.

    The grade never comes from it; wrong answers are grouped by their answer to it.

    >>> common_case("2.2")
    {'pairs': [[6.0, 3.0], [-1.5, 0.5], [2.0, -4.0]]}
    """
    return json.loads(json.dumps(public(load(number).notebook_case()), allow_nan=False))


@functools.lru_cache(maxsize=1)
def catalogue_version() -> str:
    """The version of the judges and the mistakes' catalogue: the package's, and a digest.

    The digest is of the source of :mod:`micrograd_edu.exercises` (every module): a
    record judged with another version can be re-judged (``grade --rejudge DIR``).
    """
    from .. import __version__

    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{__version__}+{digest.hexdigest()[:12]}"


def kernel_requirements(stem: str) -> list[tuple[str, str]]:
    """What the kernel must import to run course notebook ``stem``: (module, what to install).

    The grader checks them before any notebook runs: a notebook whose imports fail would
    blame its student for the machine.

    >>> [module for module, _ in kernel_requirements("07_check_against_pytorch")]
    ['matplotlib', 'graphviz', 'torch']
    """
    needed = [("matplotlib", '"micrograd_edu[grade]"'), ("graphviz", '"micrograd_edu[grade]"')]
    if stem == "07_check_against_pytorch":
        needed.append(("torch", "torch==2.13.0 (a CPU build: --index-url of PyTorch's CPU wheels)"))
    return needed


def grading_seconds(stem: str) -> float:
    """Seconds the grader takes on course notebook ``stem`` (:data:`GRADING_SECONDS`).

    KeyError for a stem that is not a course notebook.
    """
    return GRADING_SECONDS[stem]


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
    except WrongAnswerError as error:  # or the student's code raised (a StudentCodeError)
        code = error.mistake.code if error.mistake else None
        feedback = error.feedback(GRADER_STAGE, more=False)
        status: Status = "error" if error.status == "error" else "wrong"
        return Outcome(number, status, code, error.summary[:MAX_MESSAGE], feedback)
    except NotImplementedError:
        return Outcome(number, "not done", message=STUB_LEFT)
    except Exception as error:  # data of a form the judge did not foresee: never crash
        message = unexpected_form(number, error).problem
        return Outcome(number, "wrong", message=message, feedback=f"✗ Exercise {number}: {message}")
    # one line: a verdict's further lines (9.1 names each run back) are for the notebook
    return Outcome(number, "passed", message=done.split("\n", 1)[0][:MAX_MESSAGE])

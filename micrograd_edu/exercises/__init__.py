"""Self-checks for the course notebooks' exercises, which name the mistake they find.

Each ``check_*`` function takes the student's answer (usually a function),
runs it on the notebook's case and

* prints a short "✓ ..." line when it is right;
* raises :class:`~micrograd_edu.exercises.mistakes.WrongAnswerError` when it is wrong,
  naming the classic mistake (``= instead of +=``, ``divided by h, not 2h``,
  ...; see :data:`~micrograd_edu.exercises.mistakes.CATALOGUE`) only when the
  answer is what that mistake gives on the same input, with where it shows
  and, on later attempts, the rule it breaks, then the formula — never the
  whole expected answer;
* says so, with the line of the student's cell, when the student's own code
  raised (:class:`~micrograd_edu.exercises.code_errors.StudentCodeError`);
* raises ``NotImplementedError`` ("✗ Exercise 2.1 is not done yet: ...")
  while the stub, or a ``None`` of the template, is still there.

Every check is a *probe* (the student's code run on a case, giving plain
data) and a *judge* (the expected answer and the catalogued mistakes,
simulated on the same case); the grader runs the same two apart, on hidden
cases (:mod:`~micrograd_edu.exercises.grading`). Each notebook's checks live
in their own module (``nb01`` ... ``nb09``; exercise 2.4 in
``backward_pass``, 2.5, the op table, in ``op_table``, 2.6, your own
``Value``, in ``value_class``, 4.3 in ``training_loop``), imported on first
use: importing this package, and the checks of notebooks 1 and 2, need no
NumPy. Importing it in Jupyter shows wrong answers without a traceback through
the checker.

>>> from micrograd_edu import exercises
>>> exercises.check_expression(lambda x: 2 * x**3 - 5 * x + 1)
✓ f(x) = 2x³ − 5x + 1 has the right values and df/dx = 6x² − 5.
"""

from __future__ import annotations

import importlib
from typing import Any

from .grading import (
    PROBE_MARKER,
    catalogue_version,
    common_case,
    course_exercises,
    exercise_names,
    grading_cases,
    grading_seconds,
    judge,
    kernel_requirements,
    probe_cell,
)
from .jupyter import install_feedback
from .mistakes import WrongAnswerError
from .registry import CHECKS

_HELPERS = {
    "loss_curves": "nb04",
    "CURVE_CAUSES": "nb04",
    "LOSS_TARGET": "nb04",
    "tiny_engine_gradients": "op_table",
}

__all__ = [
    "PROBE_MARKER",
    "WrongAnswerError",
    "catalogue_version",
    "common_case",
    "course_exercises",
    "exercise_names",
    "grading_cases",
    "grading_seconds",
    "judge",
    "kernel_requirements",
    "probe_cell",
    *sorted(CHECKS),
    *sorted(_HELPERS),
]

install_feedback()


def __getattr__(name: str) -> Any:
    """The checks (and a few helpers), each imported from its notebook's module on first use."""
    module = CHECKS[name].module if name in CHECKS else _HELPERS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

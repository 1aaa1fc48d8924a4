"""The course's exercises: which notebook asks each one, and what the student writes.

The registry is the list the grader counts against: an exercise whose
function was deleted, renamed or never written is "missing", never simply
absent from the report. It imports nothing but the standard library, so
``notebooks/make_student.py`` and the grader can read it cheaply.

>>> ENTRIES["2.4"].names
('backward',)
>>> course_exercises()["02_backpropagation"]
['2.1', '2.2', '2.3', '2.4', '2.5', '2.6']
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CHECKS", "ENTRIES", "Entry", "course_exercises", "exercise_key"]


@dataclass(frozen=True)
class Entry:
    """One exercise of the course.

    ``notebook`` is the stem of the course notebook that asks it, ``module``
    the module of :mod:`micrograd_edu.exercises` that checks it, ``check`` the
    name of its ``check_*`` function and ``names`` the names of the objects
    the student defines in the notebook (passed to the check in this order).
    """

    number: str
    notebook: str
    module: str
    check: str
    names: tuple[str, ...]


_NB = {
    "nb01": "01_derivatives_and_value",
    "nb02": "02_backpropagation",
    "nb03": "03_neuron",
    "nb04": "04_mlp_classification",
    "nb05": "05_regression",
    "nb06": "06_playground",
    "nb07": "07_check_against_pytorch",
    "nb08": "08_reinforcement_learning",
    "nb09": "09_training_mistakes",
}

_TABLE: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("1.1", "nb01", "check_numerical_slope", ("numerical_slope",)),
    ("1.2", "nb01", "check_expression", ("build",)),
    ("2.1", "nb02", "check_backprop_by_hand", ("my_grads",)),
    ("2.2", "nb02", "check_division_local_grads", ("local_grads",)),
    ("2.3", "nb02", "check_topological_sort", ("topological_sort",)),
    ("2.4", "nb02", "check_backward", ("backward",)),
    ("2.5", "nb02", "check_op_table", ("OPS",)),
    ("2.6", "nb02", "check_value_class", ("MyValue",)),
    ("3.1", "nb03", "check_neuron_forward", ("neuron_forward",)),
    ("3.2", "nb03", "check_collapse_linear_layers", ("collapse",)),
    ("4.1", "nb04", "check_probability_loss", ("bce",)),
    ("4.2", "nb04", "check_sgd_step", ("sgd_step",)),
    ("4.3", "nb04", "check_training_loop", ("train", "learning_rate")),
    ("4.4", "nb04", "check_loss_diagnosis", ("classify_curves",)),
    ("5.1", "nb05", "check_mean_squared_error", ("mean_squared_error",)),
    ("6.1", "nb06", "check_circle_features", ("circle_features",)),
    ("7.1", "nb07", "check_torch_loss", ("torch_loss",)),
    ("7.2", "nb07", "check_batch_seed", ("bce_seed",)),
    ("8.1", "nb08", "check_discounted_returns", ("returns_of",)),
    ("8.2", "nb08", "check_policy_gradient_loss", ("pg_loss",)),
    ("8.3", "nb08", "check_policy_gradient_step", ("gradient_of",)),
    ("9.1", "nb09", "check_mystery_runs", ("name_mistake",)),
)

ENTRIES: dict[str, Entry] = {
    number: Entry(number, _NB[module], module, check, names)
    for number, module, check, names in _TABLE
}
"""Every exercise of the course, by number, in the course's order."""

CHECKS: dict[str, Entry] = {entry.check: entry for entry in ENTRIES.values()}
"""The same entries by the name of their check function (``"check_backward"``)."""


def exercise_key(number: str) -> tuple[int, ...]:
    """Sort key of an exercise number: ``"2.10"`` after ``"2.9"``."""
    return tuple(int(part) for part in number.split("."))


def course_exercises() -> dict[str, list[str]]:
    """Notebook stem → the numbers of its exercises, in order (the grader's denominator).

    >>> course_exercises()["04_mlp_classification"]
    ['4.1', '4.2', '4.3', '4.4']
    """
    result: dict[str, list[str]] = {stem: [] for stem in _NB.values()}
    for entry in sorted(ENTRIES.values(), key=lambda e: exercise_key(e.number)):
        result[entry.notebook].append(entry.number)
    return result

"""Notebook 9, training mistakes recognised from their symptoms: 9.1 the mystery runs.

The runs, their symptoms, the probe and the judge are in :mod:`micrograd_edu.exercises.symptoms`.
"""

from __future__ import annotations

from .core import Exercise, run_check
from .mistakes import exercise
from .symptoms import judge_guesses, mystery_case, probe_guesses

__all__ = ["EXERCISES", "check_mystery_runs"]

MYSTERIES = Exercise(
    number="9.1",
    what="the names of the mistakes",
    notebook_case=lambda: mystery_case(0),
    # The student names the runs the notebook shows: the grader judges the notebook's case.
    hidden_case=lambda rng: mystery_case(0),
    probe=probe_guesses,
    judge=judge_guesses,
)


@exercise("9.1")
def check_mystery_runs(guesses: dict[str, str]) -> None:
    """Exercise 9.1: name the hidden training mistake of each mystery run A–F.

    ``guesses`` maps each letter to a mistake's code or name (``"update-sign"``
    or ``"+= instead of −= in the update"``). Prints "✓ ..." naming each
    mistake back; a wrong guess raises :class:`~micrograd_edu.exercises.mistakes.WrongAnswerError`
    with the symptom the guessed mistake would have shown.
    """
    run_check("9.1", guesses)


EXERCISES = {"9.1": MYSTERIES}

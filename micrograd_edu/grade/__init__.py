"""``python -m micrograd_edu.grade NOTEBOOK...``: grade student notebooks, naming the mistakes.

Verdicts are computed outside the student's code. For each submission the grader draws
hidden inputs (seeded by the file's SHA-256 and an optional teacher's secret), runs the
notebook then one probe cell in a fresh kernel inside a sandbox (:mod:`.sandbox`), reads
only the probe's line of plain data back from a worker the kernel cannot reach
(:mod:`.run`), and judges every exercise of the course notebook here, in its own process
(:mod:`.records`). Records go to ``--out DIR/results.jsonl`` the moment each notebook is
done; ``grades.csv`` and the class report follow (:mod:`.report`); ``--gradescope`` writes
Gradescope's ``results.json`` (:mod:`.gradescope`). Needs the ``notebooks`` extra
(jupyter_client, ipykernel). See docs/guide/grading.md.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["ExerciseGrade", "Limits", "NotebookGrade", "Options", "grade_submission", "main"]

_HOMES = {
    "main": "cli",
    "ExerciseGrade": "records",
    "NotebookGrade": "records",
    "Options": "records",
    "grade_submission": "records",
    "Limits": "sandbox",
}


def __getattr__(name: str) -> Any:
    """The public names, imported on first use: the worker process imports none of them."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)

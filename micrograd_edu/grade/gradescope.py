"""Gradescope's autograder layout: ``ROOT/submission/`` in, ``ROOT/results/results.json`` out.

One test per exercise: ``name`` "Exercise 2.4 (02_backpropagation)", ``score`` 1 or 0,
``max_score`` 1, ``output`` the feedback a student reads in the notebook (the named mistake,
its explanation, the input, expected and obtained values, the hint),
``visibility`` "visible". The top-level ``score`` is the sum. A course notebook handed in
twice counts once: the first copy (in path order) counts, never the best of several (each
copy draws other hidden inputs, so copies would be tries). A notebook whose code reaches
into the grader, or that names another notebook than the assignment's, gets one more test,
worth 0 and ``"hidden"`` (only the teacher sees it). A wrong exercise whose failure comes
from an earlier one says so ("This follows from your exercise 2.3").

``run_autograder`` maps the grader's exit status 1 (a notebook crashed or hung: that is in
``results.json``) to 0, so that Gradescope shows the results rather than an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._support import strict_json
from ..exercises.mistakes import CATALOGUE
from .records import ExerciseGrade, NotebookGrade
from .report import escape, write_atomically

__all__ = ["results_json", "submissions", "write_results"]


def submissions(root: Path) -> list[Path]:
    """The notebooks handed in: every ``.ipynb`` under ``ROOT/submission`` (sorted)."""
    folder = root / "submission"
    found = [p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    return sorted(found)


def _output(grade: ExerciseGrade) -> str:
    if grade.result == "passed":
        return "Passed."
    follows = ""
    if grade.follows_from:
        follows = f"This follows from your exercise {grade.follows_from}: fix that one first.\n"
    if grade.result == "wrong" and grade.feedback:  # the block: mistake, input, hint
        return follows + grade.feedback
    if grade.result == "wrong" and grade.mistake_name:
        known = CATALOGUE.get(grade.mistake or "")
        explanation = grade.explanation or (known.explanation if known else "")
        return follows + f"Wrong — {grade.mistake_name}: {explanation}\n{grade.message}".strip()
    text = {
        "wrong": "Wrong.",
        "not done": "Not done yet.",
        "missing": "Missing: the exercise's cell is not in the notebook (deleted or renamed).",
        "crashed": "The notebook broke while this exercise was checked, so it was not graded.",
        "not reached": "The notebook stopped before this exercise's cell had run, so it was "
        "not graded.",
    }.get(grade.result, grade.result)
    return follows + f"{text}\n{grade.message}".strip()


def _for_the_teacher(record: NotebookGrade) -> list[dict[str, Any]]:
    """Tests only the teacher sees (Gradescope's "hidden"): read it, or another notebook."""
    said = []
    if record.flags:
        said.append("Its code reaches into the grader: " + ", ".join(map(escape, record.flags)))
    said += [f"It names another notebook: {escape(note)}" for note in record.notes]
    if not said:
        return []
    return [
        {
            "name": f"For the teacher: read {escape(record.path)}",
            "score": 0.0,
            "max_score": 0.0,
            "output": "\n".join(said),
            "visibility": "hidden",
        }
    ]


def results_json(records: list[NotebookGrade]) -> dict[str, Any]:
    """Gradescope's ``results.json`` for the graded notebooks of one submission."""
    tests: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for record in records:
        if record.status != "graded":
            notes.append(f"{escape(record.path)}: {record.status} — {escape(record.detail)}")
        for grade in record.exercises:
            test: dict[str, Any] = {
                "name": f"Exercise {grade.exercise} ({record.notebook})",
                "score": 1.0 if grade.result == "passed" else 0.0,
                "max_score": 1.0,
                "output": _output(grade),
                "visibility": "visible",
            }
            if tests.setdefault(test["name"], test) is not test:  # a second copy: not counted
                note = f"{escape(record.path)}: another copy of {record.notebook}, not counted"
                notes += [note] if note not in notes else []
    if not records:
        notes.append("No notebook (.ipynb) was found in the submission.")
    kept = list(tests.values()) + [test for record in records for test in _for_the_teacher(record)]
    result: dict[str, Any] = {"score": sum(t["score"] for t in kept), "tests": kept}
    if notes:
        result["output"] = "\n".join(notes)
    return result


def write_results(root: Path, records: list[NotebookGrade]) -> Path:
    """Write ``ROOT/results/results.json`` (atomically) and return its path."""
    path = root / "results" / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = strict_json.dumps(results_json(records), name="results.json", indent=1)
    write_atomically(path, text + "\n")
    return path

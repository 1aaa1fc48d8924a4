"""Verdicts from the probe's raw answers, here in the grader: judged, named, linked, re-judged.

Everything here works on data a record keeps (the hidden case, the probe's answer to it,
the answer to the common case, which exercises call which), so a class can be judged
again without running a kernel (:func:`rejudge`) after the catalogue changes or after
the teacher names a group of answers (:mod:`.named`).

A wrong (or not done) exercise whose functions call an earlier exercise's that is wrong
(or not done) too, with no mistake of its own, *follows from* it (:func:`link_follows`):
it keeps its result (the gradients *are* wrong), and the class report does not count
its mistake twice.
"""

from __future__ import annotations

import importlib
import json
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from types import ModuleType
from typing import Any

from ..exercises.mistakes import CATALOGUE
from .named import NamedMistake, answer_id
from .records import RESULTS, Course, ExerciseGrade, NotebookGrade

__all__ = ["PROBE_KEYS", "entry_of", "judge_exercise", "link_follows", "rejudge", "rejudge_all"]

PROBE_KEYS = ("data", "error", "missing")


def entry_of(line: str | None, number: str) -> Any:
    """Exercise ``number``'s entry in one probe line (JSON), or None when it is garbled."""
    if line is None:
        return None
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return data.get(number) if isinstance(data, dict) else None


def _is_entry(entry: Any) -> bool:
    return isinstance(entry, dict) and len(entry) == 1 and next(iter(entry)) in PROBE_KEYS


def _judged(course: Course, number: str, case: Any, entry: Any) -> ExerciseGrade:
    """The course's judge on one entry, made safe: a judge that raises never passes."""
    if not _is_entry(entry):
        return ExerciseGrade(number, "crashed", message="the probe's answer is garbled")
    missing = ExerciseGrade(number, "missing", message="its function is not in the notebook")
    try:
        outcome = course.judge(number, case, entry)
    except Exception as error:  # a shape the judge did not expect: never a pass
        if "missing" in entry:
            return missing
        return ExerciseGrade(number, "crashed", message=f"could not judge: {error}"[:300])
    if "missing" in entry and outcome.status != "missing":
        return missing
    code = outcome.mistake if outcome.mistake in CATALOGUE else None
    status, message = str(outcome.status), str(outcome.message)[:500]
    if status == "error":  # the student's code raised: a wrong answer, the error says which
        status, message = "wrong", f"raised {message}"
    if status not in RESULTS:
        status, message = "crashed", f"the judge said {status!r}: {message}"
    return ExerciseGrade(
        number,
        status,
        code,
        CATALOGUE[code].name if code else None,
        message,
        str(getattr(outcome, "feedback", ""))[:3000],
        explanation=CATALOGUE[code].explanation if code else "",
    )


def _named_feedback(grade: ExerciseGrade, mistake: NamedMistake) -> str:
    lines = (grade.feedback or f"✗ Exercise {grade.exercise}: {grade.message}").splitlines()
    lines.insert(1, f"  mistake:  {mistake.name} — {mistake.explanation}")
    if mistake.hint:
        lines = [line for line in lines if not line.startswith("  hint:")]
        lines.append(f"  hint:     {mistake.hint}")
    return "\n".join(lines)


def judge_exercise(
    course: Course,
    number: str,
    case: Any,
    answer: Any,
    common: Any = None,
    named: dict[tuple[str, str], NamedMistake] | None = None,
) -> ExerciseGrade:
    """One exercise's verdict from the probe's ``answer`` to ``case``; the raw data kept.

    A wrong answer no catalogued mistake explains takes the teacher's name for its group
    when ``named`` has one for its answer to the common case (``common``).
    """
    grade = _judged(course, number, case, answer)
    grade.case, grade.answer, grade.common = case, answer, common
    if grade.result == "wrong" and grade.mistake is None and common is not None and named:
        mistake = named.get((number, answer_id(common)))
        if mistake is not None:
            grade.mistake, grade.mistake_name = mistake.code, mistake.name
            grade.explanation = mistake.explanation
            grade.feedback = _named_feedback(grade, mistake)[:3000]
    return grade


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in number.split("."))


def link_follows(record: NotebookGrade) -> None:
    """Set each exercise's ``follows_from``: the earlier exercise its failure comes from."""
    by_number = {grade.exercise: grade for grade in record.exercises}
    for grade in record.exercises:
        grade.follows_from = None
        if grade.result not in ("wrong", "not done"):
            continue
        for earlier in record.uses.get(grade.exercise, []):
            cause = by_number.get(earlier)
            if cause is None or _number_key(earlier) >= _number_key(grade.exercise):
                continue
            same = grade.mistake is None or grade.mistake == cause.mistake
            if cause.result == grade.result == "not done" or (cause.result == "wrong" and same):
                grade.follows_from = earlier
                break


def rejudge(
    record: NotebookGrade,
    course: Course,
    named: dict[tuple[str, str], NamedMistake] | None = None,
    version: str = "",
) -> NotebookGrade:
    """``record`` judged again from its raw answers (no kernel); the others kept as they are.

    An exercise without a kept answer (not reached, crashed, or a record written before
    answers were kept) keeps its verdict.
    """
    exercises = []
    for grade in record.exercises:
        if grade.answer is None:
            exercises.append(replace(grade))
        else:
            exercises.append(
                judge_exercise(
                    course, grade.exercise, grade.case, grade.answer, grade.common, named
                )
            )
    legacy = record.exercises and not record.catalogue  # judged before answers were kept
    again = replace(record, exercises=exercises, catalogue=record.catalogue if legacy else version)
    link_follows(again)
    return again


def _rejudge_chunk(
    records: list[NotebookGrade],
    course: str,
    named: dict[tuple[str, str], NamedMistake] | None,
    version: str,
) -> list[NotebookGrade]:
    module: Course = importlib.import_module(course)
    return [rejudge(record, module, named, version) for record in records]


def rejudge_all(
    records: list[NotebookGrade],
    course: Course,
    named: dict[tuple[str, str], NamedMistake] | None = None,
    version: str = "",
    jobs: int = 1,
) -> list[NotebookGrade]:
    """:func:`rejudge` every record, in ``jobs`` processes when the course is a module.

    The judges simulate the catalogued mistakes (a training run for 4.3): a class of a
    thousand records takes seconds per core, so they are shared out.
    """
    if jobs < 2 or len(records) < 2 * jobs or not isinstance(course, ModuleType):
        return [rejudge(record, course, named, version) for record in records]
    size = -(-len(records) // (4 * jobs))
    chunks = [records[start : start + size] for start in range(0, len(records), size)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        done = pool.map(
            _rejudge_chunk,
            chunks,
            [course.__name__] * len(chunks),
            [named] * len(chunks),
            [version] * len(chunks),
        )
        return [record for chunk in done for record in chunk]

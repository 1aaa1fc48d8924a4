"""One submission graded: its seed, its course notebook, the hidden cases, the verdicts.

Everything here runs in the grader's process. The kernel only ever gets the probe cells
(the hidden inputs in them); the verdicts come from the course's judge, here, on the
probe's data (:mod:`.judging`). A record keeps the probe's raw answers, the hidden cases
and the catalogue's version, so that ``grade --rejudge`` can judge a class again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .._support import strict_json
from . import run as runner
from . import sandbox as sb
from .flags import touches_the_grader
from .scratch import scratch_folder

if TYPE_CHECKING:
    from .named import NamedMistake

__all__ = [
    "RESULTS",
    "STATUSES",
    "Course",
    "ExerciseGrade",
    "NotebookGrade",
    "Options",
    "default_timeout",
    "derive_seed",
    "grade_submission",
    "identify",
    "read_submission",
    "show_path",
    "student_of",
    "touches_the_grader",
]

SUBMISSION_LIMIT = 50 << 20
RESULTS = ("passed", "wrong", "not done", "missing", "crashed", "not reached")
"""An exercise's result; "not reached": the notebook stopped before its cell had run."""
STATUSES = ("graded", "crashed", "hung", "refused", "not a course notebook")
"""A submission's status, the ``status`` column of ``grades.csv``."""
GRADER_ERROR = "grader error"
"""The grader's own environment failed (never a student's result: not recorded)."""
FALLBACK_TIMEOUT = 300.0
"""Seconds per notebook when the course does not say how long its notebook takes."""


class Course(Protocol):
    """What the grader needs from :mod:`micrograd_edu.exercises` (its grading contract).

    Optional, used when present: ``exercise_names(number)`` (probe each exercise right
    after the cell defining it), ``common_case(number)`` (group wrong answers),
    ``catalogue_version()``, ``grading_seconds(stem)`` (the default time limit).
    """

    PROBE_MARKER: str

    def course_exercises(self) -> dict[str, list[str]]: ...
    def grading_cases(self, number: str, seed: int) -> Any: ...
    def probe_cell(self, cases: dict[str, Any]) -> str: ...
    def judge(self, number: str, case: Any, probe: dict[str, Any]) -> Any: ...


@dataclass
class ExerciseGrade:
    """One exercise: its result (:data:`RESULTS`), mistake, message, and the raw data.

    ``answer`` is the probe's answer to the hidden ``case``, ``common`` its answer to the
    case every student gets (for grouping); ``follows_from`` the earlier exercise this
    one's failure comes from; ``explanation`` the named mistake's.
    """

    exercise: str
    result: str
    mistake: str | None = None
    mistake_name: str | None = None
    message: str = ""
    feedback: str = ""
    explanation: str = ""
    follows_from: str | None = None
    answer: Any = None
    case: Any = None
    common: Any = None


@dataclass
class NotebookGrade:
    """One submission's record, as written to ``results.jsonl``.

    ``status`` (:data:`STATUSES`): graded (ran to the end), crashed (the kernel or the
    worker died, or garbled an answer), hung (stopped at the time limit), refused (not
    read or not run: a link, not a regular file, too large, not a notebook), not a course
    notebook. ``maximum`` is the assignment's number of exercises; ``notes`` what the
    teacher should know (a notebook claiming another assignment); ``uses`` which
    exercises' functions call which; ``catalogue`` the judges' version. ``layers``: the
    sandbox's layers that ran; ``weaknesses``: those that could not, and what was left
    visible.
    """

    path: str
    sha256: str
    student: str
    notebook: str
    status: str
    detail: str = ""
    exercises: list[ExerciseGrade] = field(default_factory=list)
    layers: list[str] = field(default_factory=list)
    seconds: float = 0.0
    flags: list[str] = field(default_factory=list)
    maximum: int = 0
    notes: list[str] = field(default_factory=list)
    uses: dict[str, list[str]] = field(default_factory=dict)
    catalogue: str = ""
    weaknesses: list[str] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(grade.result == "passed" for grade in self.exercises)

    def to_json(self) -> str:
        """One line of strict JSON, ASCII only (valid UTF-8 whatever the strings hold)."""
        return strict_json.dumps(asdict(self), name="the record", ensure_ascii=True)

    @classmethod
    def from_json(cls, line: str) -> NotebookGrade:
        """A record from its line; lines of earlier versions are read too."""
        data = json.loads(line)
        known = {f.name for f in fields(ExerciseGrade)}
        data["exercises"] = [
            ExerciseGrade(**{k: v for k, v in grade.items() if k in known})
            for grade in data["exercises"]
        ]
        record = cls(**{k: v for k, v in data.items() if k in {f.name for f in fields(cls)}})
        if record.status == "ran":  # before statuses were the grade book's
            record.status = "graded"
        elif record.status == "failed":
            course = record.detail.startswith(("not a course notebook", "no '"))
            record.status = "not a course notebook" if course else "refused"
        if not record.maximum:
            record.maximum = len(record.exercises)
        return record


@dataclass(frozen=True)
class Options:
    """How to grade: the limits, the teacher's secret, the course notebook if known.

    ``derive_timeout``: the wall-clock limit comes from the course notebook's own grading
    time (:func:`default_timeout`), not from ``limits``. ``named``: the teacher's named
    mistakes (:mod:`.named`).
    """

    limits: sb.Limits
    secret: bytes = b""
    notebook: str | None = None
    network: bool = True
    student_from: str = "auto"
    uid: int | None = None
    hide: tuple[Path, ...] = ()
    same_user: bool = False
    derive_timeout: bool = False
    named: Mapping[tuple[str, str], NamedMistake] = field(default_factory=dict)


def show_path(path: Path) -> str:
    """A path as text: bytes that are not UTF-8 shown as ``\\xNN`` (never an error)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def derive_seed(content: bytes, secret: bytes = b"") -> int:
    """The hidden cases' seed: from the submission's bytes and the teacher's secret.

    >>> derive_seed(b"{}") == derive_seed(b"{}") != derive_seed(b"{}", b"key")
    True
    """
    digest = hashlib.sha256(b"micrograd_edu grading\0" + secret + b"\0" + content).digest()
    return int.from_bytes(digest[:8], "big")


def default_timeout(course: Course, stem: str) -> float:
    """The wall-clock limit of one notebook: 30 s + 10 × the course notebook's grading time.

    At least 60 s, rounded up to 10 s; :data:`FALLBACK_TIMEOUT` when the course does not
    say (``grading_seconds``). A stuck notebook costs about a minute, not five; a slow but
    honest one (a naive loop, a busy machine) has ten times the solutions' time.

    >>> from micrograd_edu import exercises
    >>> default_timeout(exercises, "02_backpropagation"), default_timeout(exercises, "x")
    (70.0, 300.0)
    """
    seconds = getattr(course, "grading_seconds", None)
    try:
        measured = float(seconds(stem)) if seconds is not None else math.nan
    except (KeyError, TypeError, ValueError):
        measured = math.nan
    if not math.isfinite(measured) or measured < 0:
        return FALLBACK_TIMEOUT
    return float(max(60, math.ceil((30 + 10 * measured) / 10) * 10))


def identify(
    content: bytes, name: str, override: str | None, stems: list[str]
) -> tuple[str | None, str]:
    """Which course notebook a submission names: ``--notebook``, its metadata, its file name.

    >>> identify(b"{}", "alice 02_backpropagation (1).ipynb", None, ["02_backpropagation"])
    ('02_backpropagation', 'file name')
    """
    if override is not None:
        return (override, "--notebook") if override in stems else (None, f"no {override!r}")
    claimed = claimed_in_metadata(content)
    if claimed in stems:
        return claimed, "metadata"
    for stem in sorted(stems, key=len, reverse=True):
        if stem in name:
            return stem, "file name"
    number = re.search(r"(?<!\d)(\d\d)(?!\d)", name)  # "Copy of 02 (1).ipynb"
    matches = [stem for stem in stems if number and stem.startswith(number.group(1))]
    if len(matches) == 1:
        return matches[0], "file name"
    return None, "not a course notebook (no metadata, and the file name names none)"


def not_a_notebook(content: bytes) -> str:
    """Why ``content`` is not a Jupyter notebook ("" when it is one).

    >>> not_a_notebook(b'{"cells": []}'), not_a_notebook(b"PK"), not_a_notebook(b"[]")
    ('', 'not a Jupyter notebook (not JSON)', 'not a Jupyter notebook (no list of cells)')
    """
    try:
        notebook = json.loads(content)
    except (ValueError, RecursionError):
        return "not a Jupyter notebook (not JSON)"
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return "not a Jupyter notebook (no list of cells)"
    return ""


def claimed_in_metadata(content: bytes) -> str | None:
    """The course notebook named in the notebook's metadata (``metadata.micrograd_edu``)."""
    try:
        meta = json.loads(content).get("metadata", {}).get("micrograd_edu", {})
        claimed = meta.get("notebook") if isinstance(meta, dict) else None
    except (ValueError, AttributeError, RecursionError):
        return None
    return claimed if isinstance(claimed, str) else None


def student_of(path: Path, how: str, notebook: str | None = None) -> str:
    """The student of one submission (``--student-from``; :mod:`.naming` says how).

    >>> student_of(Path("submitted/alice/02/hw.ipynb"), "nbgrader")
    'alice'
    """
    from .naming import names_of

    return show_path(Path(names_of([path], how, notebook)[0]))


def _probes(course: Course, cases: dict[str, Any]) -> list[dict[str, Any]]:
    """One probe per exercise: its names, its cell on the hidden case and on the common one."""
    names = getattr(course, "exercise_names", None)
    common = getattr(course, "common_case", None)
    probes = []
    for number, case in cases.items():
        probe: dict[str, Any] = {"number": number, "names": [], "common": None}
        probe["hidden"] = course.probe_cell({number: case})
        try:
            probe["names"] = [str(name) for name in names(number)] if names else []
            if common is not None:
                probe["common"] = course.probe_cell({number: common(number)})
        except Exception:  # the course cannot say: probed at the end, not grouped
            pass
        probes.append(probe)
    return probes


def _not_judged(number: str, result: runner.WorkerResult) -> ExerciseGrade:
    """An exercise without an answer: where the notebook stopped says what it was."""
    if number in result.probes:
        return ExerciseGrade(number, "crashed", message=result.detail or "no answer")
    if number == result.current:
        happened = "ran out of time" if result.status == "hung" else "died"
        message = f"the notebook {happened} while this exercise was probed: {result.detail}"
        return ExerciseGrade(number, "crashed", message=message.strip(": "))
    if result.status in ("hung", "crashed"):
        message = f"the notebook stopped ({result.status}) before this exercise's cell had run"
        return ExerciseGrade(number, "not reached", message=message)
    return ExerciseGrade(number, "crashed", message="the probe gave no answer")


def _verdicts(
    course: Course, cases: dict[str, Any], result: runner.WorkerResult, options: Options
) -> list[ExerciseGrade]:
    from .judging import entry_of, judge_exercise

    grades, named = [], dict(options.named)
    for number, case in cases.items():
        lines = result.probes.get(number, {})
        answer = entry_of(lines.get("hidden"), number)
        if answer is None and lines.get("hidden") is None:
            grades.append(_not_judged(number, result))
            continue
        common = entry_of(lines.get("common"), number)
        grades.append(judge_exercise(course, number, case, answer, common, named))
    return grades


def _catalogue(course: Course) -> str:
    version = getattr(course, "catalogue_version", None)
    try:
        return str(version()) if version is not None else "unversioned"
    except Exception:
        return "unversioned"


def grade_submission(
    path: Path,
    options: Options,
    course: Course,
    *,
    student: str | None = None,
    notebook: str | None = None,
    notes: tuple[str, ...] = (),
) -> NotebookGrade:
    """Grade one submission: run it in its sandbox, judge its probes here.

    ``notebook``: the course notebook to grade it as (else :func:`identify` says);
    ``student``: its student (else ``options.student_from`` says). The record's status is
    "grader error" when the grader's own environment failed (the caller must not keep it).
    """
    from .judging import link_follows

    who = student if student is not None else student_of(path, options.student_from, notebook)
    record = NotebookGrade(show_path(path), "", who, notebook or "", "refused", notes=list(notes))
    stems = course.course_exercises()
    if notebook is not None:
        record.maximum = len(stems.get(notebook, []))
    try:
        content = read_submission(path)
    except OSError as error:
        record.detail = f"cannot read it: {error.strerror or error}"
        return record
    record.sha256 = hashlib.sha256(content).hexdigest()
    problem = not_a_notebook(content)
    if problem:
        record.detail = problem
        return record
    stem = notebook or identify(content, path.name, options.notebook, list(stems))[0]
    if stem is None or stem not in stems:
        record.status = "not a course notebook"
        record.detail = "no metadata names one, and the file name names none"
        return record
    record.notebook, record.maximum = stem, len(stems[stem])
    record.flags = touches_the_grader(content)
    cases, broken = _draw(course, stems[stem], derive_seed(content, options.secret))
    limits = options.limits
    if options.derive_timeout:
        limits = replace(limits, wall_seconds=default_timeout(course, stem))
    result = _in_sandbox(content, _probes(course, cases), course.PROBE_MARKER, options, limits)
    status = {"ran": "graded"}.get(result.status, result.status)
    record.status, record.detail = status, result.detail
    if status == GRADER_ERROR:  # nothing of the student's was judged
        return record
    record.layers, record.seconds = list(result.layers), round(result.seconds, 3)
    record.weaknesses = list(result.weaknesses)
    record.uses, record.catalogue = result.uses, _catalogue(course)
    by_number = {g.exercise: g for g in [*_verdicts(course, cases, result, options), *broken]}
    record.exercises = [by_number[number] for number in stems[stem]]
    link_follows(record)
    return record


def _draw(
    course: Course, numbers: list[str], seed: int
) -> tuple[dict[str, Any], list[ExerciseGrade]]:
    """The hidden cases; an exercise the course cannot draw a case for is "crashed"."""
    cases: dict[str, Any] = {}
    broken: list[ExerciseGrade] = []
    for number in numbers:
        try:
            cases[number] = course.grading_cases(number, seed)
        except Exception as error:
            why = f"the grader has no hidden case for it: {type(error).__name__}: {error}"
            broken.append(ExerciseGrade(number, "crashed", message=why[:300]))
    return cases, broken


def read_submission(path: Path) -> bytes:
    """The submission's bytes; refused when a symbolic link is anywhere on its path, or when it
    is not a regular file.

    A link would make the grader, which reads as the teacher, grade whatever it points to: a
    student's own folder made a link (``submitted/mallory/02 -> <course>/notebooks``) grades
    the course's solutions or a neighbour's notebook. Every folder is opened without following
    links, from ``/`` down, so that nothing can be swapped for a link meanwhile. Only a
    system link right under ``/``, owned by root (macOS's ``/tmp`` and ``/var``, a merged
    ``/bin``), is followed. A FIFO would block the grader.
    """
    fd = _open_without_links(Path(os.path.abspath(path)))
    with open(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError("it is not a regular file")
        content = handle.read(SUBMISSION_LIMIT + 1)
    if len(content) > SUBMISSION_LIMIT:
        raise OSError(f"larger than {SUBMISSION_LIMIT >> 20} MB")
    return content


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FOLDER = getattr(os, "O_PATH", os.O_RDONLY) | getattr(os, "O_DIRECTORY", 0)


def _open_without_links(absolute: Path) -> int:
    """Open ``absolute`` (a file) one component at a time, never through a link but a
    system one; OSError naming the link otherwise."""
    folder = os.open("/", _FOLDER)
    try:
        for depth, name in enumerate(absolute.parts[1:-1], start=1):
            try:
                inner = os.open(name, _FOLDER | _NOFOLLOW, dir_fd=folder)
            except OSError:
                if not _is_link(name, folder):
                    raise
                if depth > 1 or os.lstat(name, dir_fd=folder).st_uid != 0:
                    where = show_path(Path(*absolute.parts[: depth + 1]))
                    raise OSError(
                        f"a folder on its path is a symbolic link: {where} "
                        "(grade the files themselves)"
                    ) from None
                inner = os.open(name, _FOLDER, dir_fd=folder)  # a system link: /tmp on macOS
            os.close(folder)
            folder = inner
        try:
            return os.open(absolute.name, os.O_RDONLY | _NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
        except OSError:
            if _is_link(absolute.name, folder):
                raise OSError("it is a symbolic link (grade the file itself)") from None
            raise
    finally:
        os.close(folder)


def _is_link(name: str, folder: int) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(name, dir_fd=folder).st_mode)
    except OSError:
        return False


def _in_sandbox(
    content: bytes,
    probes: list[dict[str, Any]],
    marker: str,
    options: Options,
    limits: sb.Limits,
) -> runner.WorkerResult:
    with scratch_folder() as base:
        os.chmod(base, 0o711)  # the kernel's user passes through to its box (mode 700)
        folder = base / "box"
        folder.mkdir(mode=0o700)
        (folder / "submission.ipynb").write_bytes(content)
        network, uid = options.network, options.uid
        return runner.run_notebook(folder, probes, marker, limits, network, uid, options.hide)

"""One submission graded: its seed, its course notebook, the hidden cases, the verdicts.

Everything here runs in the grader's process. The kernel only ever gets the probe cell
(the hidden inputs in it); the verdicts come from :func:`judge`, here, on the probe's data.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .._support import strict_json
from ..exercises.mistakes import CATALOGUE
from . import run as runner
from . import sandbox as sb
from .flags import touches_the_grader

__all__ = [
    "Course",
    "ExerciseGrade",
    "NotebookGrade",
    "Options",
    "derive_seed",
    "grade_submission",
    "identify",
    "read_submission",
    "show_path",
    "touches_the_grader",
]

SUBMISSION_LIMIT = 50 << 20
RESULTS = ("passed", "wrong", "not done", "missing", "crashed")


class Course(Protocol):
    """What the grader needs from :mod:`micrograd_edu.exercises` (its grading contract)."""

    PROBE_MARKER: str

    def course_exercises(self) -> dict[str, list[str]]: ...
    def grading_cases(self, number: str, seed: int) -> Any: ...
    def probe_cell(self, cases: dict[str, Any]) -> str: ...
    def judge(self, number: str, case: Any, probe: dict[str, Any]) -> Any: ...


@dataclass
class ExerciseGrade:
    """One exercise: result (passed, wrong, not done, missing, crashed), mistake, message."""

    exercise: str
    result: str
    mistake: str | None = None
    mistake_name: str | None = None
    message: str = ""
    feedback: str = ""


@dataclass
class NotebookGrade:
    """One submission's record, as written to ``results.jsonl``.

    ``status``: ran, hung, crashed (the kernel or the worker died, or garbled its answer),
    failed (the grader could not start it: unreadable, a link on its path, not a course
    notebook). ``layers``: the sandbox's layers that ran; ``weaknesses``: those that could
    not, and what was left visible.
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
    weaknesses: list[str] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(grade.result == "passed" for grade in self.exercises)

    def to_json(self) -> str:
        """One line of strict JSON, ASCII only (valid UTF-8 whatever the strings hold)."""
        return strict_json.dumps(asdict(self), name="the record", ensure_ascii=True)

    @classmethod
    def from_json(cls, line: str) -> NotebookGrade:
        data = json.loads(line)
        data["exercises"] = [ExerciseGrade(**grade) for grade in data["exercises"]]
        return cls(**data)


@dataclass(frozen=True)
class Options:
    """How to grade: the limits, the teacher's secret, the course notebook if known."""

    limits: sb.Limits
    secret: bytes = b""
    notebook: str | None = None
    network: bool = True
    student_from: str = "folder"
    uid: int | None = None
    hide: tuple[Path, ...] = ()
    same_user: bool = False


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


def identify(
    content: bytes, name: str, override: str | None, stems: list[str]
) -> tuple[str | None, str]:
    """Which course notebook a submission is: ``--notebook``, its metadata, or its file name.

    >>> identify(b"{}", "alice 02_backpropagation (1).ipynb", None, ["02_backpropagation"])
    ('02_backpropagation', 'file name')
    """
    if override is not None:
        return (override, "--notebook") if override in stems else (None, f"no {override!r}")
    try:
        meta = json.loads(content).get("metadata", {}).get("micrograd_edu", {})
        claimed = meta.get("notebook") if isinstance(meta, dict) else None
    except (ValueError, AttributeError, RecursionError):
        claimed = None
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


def student_of(path: Path, how: str) -> str:
    """The student: the folder holding the submission, the file's stem, or nbgrader's.

    >>> student_of(Path("submitted/alice/02/hw.ipynb"), "nbgrader")
    'alice'
    """
    absolute = Path(os.path.abspath(path))
    names = {"stem": absolute.stem, "nbgrader": absolute.parent.parent.name}
    return show_path(Path(names.get(how, absolute.parent.name)))


def judge_probe(
    course: Course, expected: list[str], cases: dict[str, Any], line: str
) -> list[ExerciseGrade]:
    """Parse the probe's line (strictly) and judge every expected exercise here."""
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        return [
            ExerciseGrade(n, "crashed", message="the probe's answer is garbled") for n in expected
        ]
    return [_judge_one(course, number, cases[number], data.get(number)) for number in expected]


def _judge_one(course: Course, number: str, case: Any, entry: Any) -> ExerciseGrade:
    if not isinstance(entry, dict) or len(entry) != 1 or next(iter(entry)) not in PROBE_KEYS:
        return ExerciseGrade(number, "crashed", message="the probe's answer is garbled")
    missing = ExerciseGrade(number, "missing", message="its function is not in the notebook")
    try:
        outcome = course.judge(number, case, entry)
    except Exception as error:  # a shape the judge did not expect: never a pass
        return (
            missing
            if "missing" in entry
            else ExerciseGrade(number, "crashed", message=f"could not judge: {error}"[:300])
        )
    if "missing" in entry and outcome.status != "missing":
        return missing
    code = outcome.mistake if outcome.mistake in CATALOGUE else None
    status = str(outcome.status)
    message = str(outcome.message)[:500]
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
    )


PROBE_KEYS = ("data", "error", "missing")


def grade_submission(path: Path, options: Options, course: Course) -> NotebookGrade:
    """Grade one submission: run it in its sandbox, judge its probe here."""
    record = NotebookGrade(
        show_path(path), "", student_of(path, options.student_from), "", "failed"
    )
    try:
        content = read_submission(path)
    except OSError as error:
        record.detail = f"cannot read it: {error.strerror or error}"
        return record
    record.sha256 = hashlib.sha256(content).hexdigest()
    stems = course.course_exercises()
    stem, how = identify(content, path.name, options.notebook, list(stems))
    if stem is None:
        record.detail = how
        return record
    record.notebook = stem
    cases, broken = _draw(course, stems[stem], derive_seed(content, options.secret))
    result = _in_sandbox(content, course.probe_cell(cases), course.PROBE_MARKER, options)
    record.status, record.detail = result.status, result.detail
    record.layers, record.seconds = list(result.layers), round(result.seconds, 3)
    record.weaknesses = list(result.weaknesses)
    if result.status == "ran" and result.probe_line is not None:
        judged = judge_probe(course, list(cases), cases, result.probe_line)
    else:
        judged = [ExerciseGrade(n, "crashed", message=result.detail) for n in cases]
    by_number = {grade.exercise: grade for grade in [*judged, *broken]}
    record.exercises = [by_number[number] for number in stems[stem]]
    record.flags = touches_the_grader(content)
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


def _in_sandbox(content: bytes, probe: str, marker: str, options: Options) -> runner.WorkerResult:
    base = Path(tempfile.mkdtemp(prefix="micrograd-grade-"))
    try:
        os.chmod(base, 0o711)  # the kernel's user passes through to its box (mode 700)
        folder = base / "box"
        folder.mkdir(mode=0o700)
        (folder / "submission.ipynb").write_bytes(content)
        limits, network, uid = options.limits, options.network, options.uid
        return runner.run_notebook(folder, probe, marker, limits, network, uid, options.hide)
    finally:
        _remove(base)


def _remove(base: Path) -> None:
    import shutil

    def retry(function: Callable[..., Any], name: str, _: Any) -> None:
        try:  # a folder the notebook made unwritable (a kernel running as the teacher)
            os.chmod(os.path.dirname(name), 0o700)
            function(name)
        except OSError:
            pass

    shutil.rmtree(base, onerror=retry)

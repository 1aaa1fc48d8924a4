"""The command line: ``python -m micrograd_edu.grade [options] NOTEBOOK...``.

Exit status (:data:`EXIT_CODES`): 0 every submission graded; 1 at least one was not
graded to the end (crashed, hung, refused, not a course notebook: the grades are written
all the same); 2 the command cannot be run as given (a bad option, no notebook for the
class, two submissions with one name, a bad mistakes file); 3 the grader's own environment
failed (a missing package, a kernel that does not start): nothing of it is recorded;
130 interrupted (Ctrl-C; the grades finished so far are kept).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, replace
from pathlib import Path

from .._support import strict_json
from . import environment, gradescope, report, scratch
from . import sandbox as sb
from .arguments import parse
from .assignment import EACH, AssignmentError, Submission, plan_class
from .keys import FOLDER_SECRET, SecretError, folder_secret, given_secret, readable_by_others
from .named import NamedMistake, NamedMistakesError
from .records import (
    GRADER_ERROR,
    Course,
    NotebookGrade,
    Options,
    grade_submission,
    read_submission,
    show_path,
)

__all__ = ["EXIT_CODES", "main"]

UID_BASE = 64000
EXIT_CODES = {0: "graded", 1: "not all graded", 2: "usage", 3: "grader error", 130: "interrupted"}
"""The exit statuses, and what each means (the module's docstring says more)."""


class Results:
    """``DIR/results.jsonl``: read at the start, one line appended (fsync) per notebook done."""

    def __init__(self, folder: Path | None) -> None:
        self.path = folder / "results.jsonl" if folder else None
        self.records: dict[tuple[str, str], NotebookGrade] = {}
        self.lock = threading.Lock()
        if self.path is not None and self.path.exists():
            for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    record = NotebookGrade.from_json(line)
                except (ValueError, TypeError, KeyError, AttributeError):
                    continue  # a line cut short by a kill
                self.records.pop((record.path, record.sha256), None)  # the latest last
                self.records[(record.path, record.sha256)] = record

    def done(self, path: Path, regrade: frozenset[str] = frozenset()) -> NotebookGrade | None:
        """The record of ``path`` with its content now, unless its status is to be regraded."""
        import hashlib

        try:
            digest = hashlib.sha256(read_submission(path)).hexdigest()
        except OSError:
            digest = ""
        record = self.records.get((show_path(path), digest))
        return None if record is None or record.status in regrade else record

    def add(self, record: NotebookGrade) -> None:
        self.add_all([record])

    def add_all(self, records: list[NotebookGrade]) -> None:
        """Keep ``records``, appended to the file in one write, synced."""
        with self.lock:
            for record in records:
                self.records.pop((record.path, record.sha256), None)
                self.records[(record.path, record.sha256)] = record
            if self.path is None or not records:
                return
            text = "".join(record.to_json() + "\n" for record in records)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, text.encode("ascii"))
                os.fsync(fd)
            finally:
                os.close(fd)


def _course(name: str) -> Course:
    import importlib

    module: Course = importlib.import_module(name)
    return module


def _reused(earlier: NotebookGrade, submission: Submission, results: Results) -> NotebookGrade:
    """A record graded before, with this run's name and notes (saved if they changed)."""
    notes = list(submission.notes)
    if earlier.student == submission.student and earlier.notes == notes:
        return earlier
    renamed = replace(earlier, student=submission.student, notes=notes)
    results.add(renamed)
    return renamed


def grade_all(
    plan: list[Submission],
    options: Options,
    jobs: int,
    results: Results,
    course: Course,
    shown: Callable[[NotebookGrade], None],
    regrade: frozenset[str] = frozenset(),
) -> tuple[list[NotebookGrade], list[NotebookGrade]]:
    """Grade ``plan`` ``jobs`` at a time; each record is saved the moment it is done.

    Returns the records, in the plan's order, and those the grader's own environment
    failed (never saved).
    """
    slots: queue.Queue[int] = queue.Queue()
    for slot in range(jobs):
        slots.put(slot)
    root = sys.platform == "linux" and os.geteuid() == 0 and not options.same_user
    stopping = threading.Event()

    def one(item: Submission) -> NotebookGrade:
        slot = slots.get()
        try:
            uid = UID_BASE + slot if root else None
            record = grade_submission(
                item.path,
                replace(options, uid=uid),
                course,
                student=item.student,
                notebook=item.notebook,
                notes=item.notes,
            )
        finally:
            slots.put(slot)
        if not stopping.is_set() and record.status != GRADER_ERROR:
            results.add(record)
        return record

    graded: dict[int, NotebookGrade] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        pending: dict[Future[NotebookGrade], int] = {}
        try:
            for index, item in enumerate(plan):
                earlier = results.done(item.path, regrade)
                if earlier is not None:
                    graded[index] = _reused(earlier, item, results)
                    shown(graded[index])
                else:
                    pending[pool.submit(one, item)] = index
            while pending:
                finished, _ = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
                for future in finished:
                    graded[pending.pop(future)] = future.result()
                    shown(future.result())
        except BaseException:
            stopping.set()
            for future in pending:
                future.cancel()
            _kill_workers()
            raise
    records = [graded[index] for index in sorted(graded)]
    return [r for r in records if r.status != GRADER_ERROR], [
        r for r in records if r.status == GRADER_ERROR
    ]


def _kill_workers() -> None:
    with sb.WORKERS_LOCK:
        for pid in list(sb.LIVE_WORKERS):
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)


def _hidden(args: argparse.Namespace, paths: list[Path]) -> tuple[Path, ...]:
    """Folders the kernel must not see: the class, the output, the secret, the course, home.

    The class is the folder of each submission and the folder above it (a class folder of
    one folder per student); ``--hide`` adds more (e.g. the course with its solutions).
    """
    import micrograd_edu

    out, secret = args.root if args.gradescope else args.out, args.secret_file
    folders = {Path(os.path.abspath(path)).parent for path in paths}
    folders |= {folder.parent for folder in folders}
    folders |= {Path(os.path.abspath(folder)) for folder in args.hide}
    folders |= {Path(os.path.abspath(p)).parent for p in (secret,) if p is not None}
    if out is not None:
        folders.add(Path(os.path.abspath(out)))
    course = Path(micrograd_edu.__file__).resolve().parent.parent / "notebooks"
    folders |= {course, Path.home()}
    return tuple(sorted(folders))


def write_outputs(folder: Path, records: Iterable[NotebookGrade]) -> None:
    """``grades.csv``, ``report.md`` and ``report.html`` from every record kept.

    The caller reads the records again from ``results.jsonl``: another grader writing into
    the same folder at the same time has its records in the outputs too.
    """
    latest = {record.path: record for record in records}
    kept = list(latest.values())
    report.write_atomically(folder / "grades.csv", report.grades_csv(kept))
    report.write_atomically(folder / "report.md", report.class_report(kept))
    report.write_atomically(folder / "report.html", report.class_report(kept, markdown=False))


def _named(args: argparse.Namespace, folder: Path | None) -> dict[tuple[str, str], NamedMistake]:
    """The teacher's named mistakes: --mistakes, else FOLDER/mistakes.toml if there."""
    from .named import load_named

    path = args.mistakes
    if path is None and folder is not None and (folder / "mistakes.toml").is_file():
        path = folder / "mistakes.toml"
    if path is None:
        return {}
    missing = environment.problems(environment.TOML)
    if missing:
        raise SystemExit(_fail(3, environment.advice(missing)))
    named = load_named(path)
    print(f"the teacher's named mistakes: {len(named)} from {show_path(path)}", file=sys.stderr)
    return named


def _fail(code: int, message: str) -> int:
    print(f"error: {message}" if code == 2 else message, file=sys.stderr)
    return code


def _exit_code(records: list[NotebookGrade], errors: list[NotebookGrade]) -> int:
    if errors:
        print(
            f"{len(errors)} submission(s) not graded: the grader's own environment failed "
            "(nothing recorded for them; fix it, then run the same command again):",
            file=sys.stderr,
        )
        for record in errors:
            print(
                f"  {report.escape(record.path)}: {report.escape(record.detail)}", file=sys.stderr
            )
        return 3
    return 0 if all(record.status == "graded" for record in records) else 1


def _rejudge(args: argparse.Namespace, course: Course) -> int:
    """``--rejudge DIR``: every kept record judged again from its answers; the outputs rewritten."""
    from .judging import rejudge_all

    folder: Path = args.rejudge
    if not (folder / "results.jsonl").is_file():
        return _fail(2, f"--rejudge {show_path(folder)}: no results.jsonl in it")
    missing = environment.problems(environment.REPORT)
    if missing:
        return _fail(3, environment.advice(missing))
    named = _named(args, folder)
    results = Results(folder)
    latest = list({record.path: record for record in results.records.values()}.values())
    version = _version(course)
    again = rejudge_all(latest, course, named, version, args.jobs)
    changed = sum(
        (a.result, a.mistake, a.follows_from) != (b.result, b.mistake, b.follows_from)
        for old, new in zip(latest, again, strict=True)
        for a, b in zip(old.exercises, new.exercises, strict=True)
    )
    results.add_all(again)
    write_outputs(folder, Results(folder).records.values())
    unkept = sum(1 for record in again if record.exercises and not record.catalogue)
    print(f"re-judged {len(again)} records with catalogue {version}: {changed} verdicts changed")
    if unkept:
        print(
            f"{unkept} records were graded before answers were kept: their verdicts stay; "
            "grade them again with --regrade all",
            file=sys.stderr,
        )
    if args.json:
        print(strict_json.dumps([asdict(r) for r in again], name="records", indent=1))
    return 0 if all(record.status == "graded" for record in again) else 1


def _version(course: Course) -> str:
    version = getattr(course, "catalogue_version", None)
    return str(version()) if version is not None else "unversioned"


def main(argv: list[str] | None = None, course: Course | None = None) -> int:
    """Grade; print the tables (or JSON); write ``--out`` or Gradescope's results."""
    args = parse(argv)
    course = course or _course(args.course)
    try:
        if args.rejudge is not None:
            return _rejudge(args, course)
        return _grade(args, course)
    except (AssignmentError, NamedMistakesError, SecretError) as error:
        return _fail(2, str(error))


def _secret(args: argparse.Namespace, out: Path | None) -> bytes:
    """The teacher's secret; without one, the secret kept in ``--out`` (made the first time).

    Only the secret's file is ever named, never its content.
    """
    given = given_secret(args.secret_file)
    if given:
        return given
    if out is None or args.gradescope:
        print(
            "no secret (--secret-file) and no --out to keep one in: the hidden inputs are "
            "keyed by each file alone (a notebook that rebuilds its own bytes can draw "
            "them); keep grades only from a run with a secret",
            file=sys.stderr,
        )
        return given
    kept, made = folder_secret(out)
    path = out / FOLDER_SECRET
    if made:
        print(
            f"the hidden inputs are keyed by a secret made for this folder: "
            f"{show_path(path)} (keep it with the grades)",
            file=sys.stderr,
        )
    elif readable_by_others(path):
        print(f"warning: others can read {show_path(path)}: chmod 600 it", file=sys.stderr)
    return kept


def _grade(args: argparse.Namespace, course: Course) -> int:
    out = args.root / "results" if args.gradescope else args.out
    paths = gradescope.submissions(args.root) if args.gradescope else args.notebooks
    how = "path" if args.gradescope else args.student_from
    notebook = args.notebook or (EACH if args.gradescope else None)
    plan = plan_class(paths, notebook, how, list(course.course_exercises()))
    missing = environment.problems(environment.KERNEL + (environment.REPORT if out else ()))
    missing += environment.kernel_problems(course, [i.notebook for i in plan if i.notebook])
    if missing:  # all of them at once, before any notebook
        return _fail(3, environment.advice(missing))
    named = _named(args, None if args.gradescope else out)
    sb.sweep_stale_cgroups()
    scratch.sweep_stale()  # the scratch folders of a grader killed earlier
    if out is not None:  # made private: the class's names, grades and secret are the teacher's
        out.mkdir(mode=0o755 if args.gradescope else 0o700, parents=True, exist_ok=True)
    options = Options(
        sb.Limits(args.timeout or 300.0, memory_bytes=args.memory << 20),
        _secret(args, out),
        student_from=how,
        same_user=args.same_user,
        derive_timeout=args.timeout is None,
        named=named,
        hide=_hidden(args, [item.path for item in plan]),
    )
    results = Results(None if args.gradescope else out)

    def shown(record: NotebookGrade) -> None:
        if record.status == GRADER_ERROR:
            what = f"{report.escape(record.path)}: not graded, the grader's own environment failed"
            print(f"{what}: {report.escape(record.detail)}", file=sys.stderr, flush=True)
        elif not args.json:
            print(report.table(record) + "\n", flush=True)

    try:
        graded, errors = grade_all(plan, options, args.jobs, results, course, shown, args.regrade)
        sb.sweep_stale_cgroups()  # a killed run's leftovers, if they were still dying at start
    except KeyboardInterrupt:
        print("interrupted: the notebooks graded so far are kept", file=sys.stderr)
        if out is not None and not args.gradescope:
            write_outputs(out, Results(out).records.values())
        return 130
    if args.gradescope:
        gradescope.write_results(args.root, graded)
    elif out is not None:
        write_outputs(out, Results(out).records.values())
    if args.json:
        print(strict_json.dumps([asdict(r) for r in graded], name="records", indent=1))
    return _exit_code(graded, errors)

"""The command line: ``python -m micrograd_edu.grade [options] NOTEBOOK...``."""

from __future__ import annotations

import argparse
import contextlib
import math
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
from . import gradescope, report
from . import sandbox as sb
from .records import Course, NotebookGrade, Options, grade_submission, read_submission, show_path
from .run import SECRET_VARIABLE

__all__ = ["main"]

UID_BASE = 64000
EPILOG = f"""\
--timeout is the wall-clock limit of one whole notebook, from the kernel's start to the
end of the hidden tests; what a notebook leaves running is killed then. The teacher's
secret (environment variable {SECRET_VARIABLE} or --secret-file) changes the hidden
inputs and never reaches the kernel. A file name starting with '-' is read as one: or
put it after '--'."""


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 1:
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds ≥ 1, not {text!r}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m micrograd_edu.grade",
        description="Grade student notebooks in sandboxes, naming the mistakes.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("notebooks", nargs="*", type=Path, help="student notebooks (.ipynb)")
    add("--timeout", type=_timeout, default=300.0, help="seconds per notebook (default 300)")
    add("--jobs", type=_positive, default=os.cpu_count() or 1, help="notebooks at once")
    add("--out", type=Path, help="folder for results.jsonl, grades.csv, report.md/.html")
    add("--json", action="store_true", help="print the records as JSON")
    add("--notebook", help="the course notebook these are (e.g. 02_backpropagation)")
    add("--student-from", choices=("folder", "stem", "nbgrader"), default="folder", help="who")
    add("--secret-file", type=Path, help=f"the teacher's secret (else ${SECRET_VARIABLE})")
    add("--memory", type=_positive, default=4096, help="memory limit in MB (default 4096)")
    add("--course", default="micrograd_edu.exercises", help="module of the grading contract")
    add("--hide", type=Path, action="append", default=[], help="a folder the kernel must not see")
    add("--same-user", action="store_true", help="run kernels as yourself (testing only)")
    add("--gradescope", action="store_true", help="grade ROOT/submission into ROOT/results")
    add("--root", type=Path, default=Path("/autograder"), help="Gradescope's root folder")
    return parser


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = _parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    tail = argv[argv.index("--") + 1 :] if "--" in argv else []
    args, rest = parser.parse_known_args(argv[: len(argv) - len(tail) - bool(tail)])
    for extra in rest:  # "-x.ipynb": an existing file whose name starts with "-"
        if not os.path.isfile(extra):
            parser.error(f"unrecognized argument: {extra!r}")
        args.notebooks.append(Path(extra))
    args.notebooks += [Path(name) for name in tail]
    if not args.notebooks and not args.gradescope:
        parser.error("no notebooks given")
    return args


def _secret(args: argparse.Namespace) -> bytes:
    if args.secret_file is not None:
        secret: bytes = args.secret_file.read_bytes().strip()
        return secret
    return os.environ.get(SECRET_VARIABLE, "").encode()


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
                except (ValueError, TypeError, KeyError):
                    continue  # a line cut short by a kill
                self.records[(record.path, record.sha256)] = record

    def done(self, path: Path) -> NotebookGrade | None:
        import hashlib

        try:
            digest = hashlib.sha256(read_submission(path)).hexdigest()
        except OSError:
            return None
        return self.records.get((show_path(path), digest))

    def add(self, record: NotebookGrade) -> None:
        with self.lock:
            self.records[(record.path, record.sha256)] = record
            if self.path is None:
                return
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (record.to_json() + "\n").encode("ascii"))
                os.fsync(fd)
            finally:
                os.close(fd)


def _course(name: str) -> Course:
    import importlib

    module: Course = importlib.import_module(name)
    return module


def grade_all(
    paths: list[Path],
    options: Options,
    jobs: int,
    results: Results,
    course: Course,
    shown: Callable[[NotebookGrade], None],
) -> list[NotebookGrade]:
    """Grade ``paths`` ``jobs`` at a time; each record is saved the moment it is done."""
    slots: queue.Queue[int] = queue.Queue()
    for slot in range(jobs):
        slots.put(slot)
    root = sys.platform == "linux" and os.geteuid() == 0 and not options.same_user
    stopping = threading.Event()

    def one(path: Path) -> NotebookGrade:
        slot = slots.get()
        try:
            uid = UID_BASE + slot if root else None
            record = grade_submission(path, replace(options, uid=uid), course)
        finally:
            slots.put(slot)
        if not stopping.is_set():
            results.add(record)
        return record

    graded: dict[int, NotebookGrade] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        pending: dict[Future[NotebookGrade], int] = {}
        try:
            for index, path in enumerate(paths):
                earlier = results.done(path)
                if earlier is not None:
                    graded[index] = earlier
                    shown(earlier)
                else:
                    pending[pool.submit(one, path)] = index
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
    return [graded[index] for index in sorted(graded)]


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


def main(argv: list[str] | None = None, course: Course | None = None) -> int:
    """Grade; print the tables (or JSON); write ``--out`` or Gradescope's results."""
    args = _arguments(argv)
    course = course or _course(args.course)
    sb.sweep_stale_cgroups()
    options = Options(
        sb.Limits(args.timeout, memory_bytes=args.memory << 20),
        _secret(args),
        args.notebook,
        student_from=args.student_from,
        same_user=args.same_user,
    )
    paths = gradescope.submissions(args.root) if args.gradescope else args.notebooks
    out = args.root / "results" if args.gradescope else args.out
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    options = replace(options, hide=_hidden(args, paths))
    results = Results(None if args.gradescope else out)

    def shown(record: NotebookGrade) -> None:
        if not args.json:
            print(report.table(record) + "\n", flush=True)

    try:
        graded = grade_all(paths, options, args.jobs, results, course, shown)
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
    return 0

"""The grader's options: each with its default in ``--help``, each validated as it is read.

:func:`parse` reads the command line; a file name starting with ``-`` that exists is a
notebook (or put it after ``--``).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import Any

from .._support.commandline import prog
from . import naming
from .assignment import EACH
from .records import STATUSES
from .run import SECRET_VARIABLE

__all__ = ["EPILOG", "REGRADE", "parse", "parser"]

REGRADE = (*[status.replace(" ", "-") for status in STATUSES], "all")
"""What ``--regrade`` takes: a record's status (spaces as ``-``), or ``all``."""
EPILOG = f"""\
--timeout is the wall-clock limit of one whole notebook, from the kernel's start to the
end of the hidden tests; what a notebook leaves running is killed then. The teacher's
secret (environment variable {SECRET_VARIABLE} or --secret-file; without one, a secret
the grader keeps in --out as DIR/secret) keys the hidden inputs and never reaches the
kernel. A file name starting with '-' is read as one: or put it after '--'.

Exit status: 0 every submission graded; 1 some not graded to the end (crashed, hung,
refused, not a course notebook; grades.csv has a status column); 2 a usage error; 3 the
grader's own environment failed (nothing recorded: fix it, run the same command again);
130 interrupted. Needs the grade extra: pip install "micrograd_edu[grade]"."""


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


def _statuses(text: str) -> frozenset[str]:
    chosen = {part.strip() for part in text.split(",") if part.strip()}
    unknown = sorted(chosen - set(REGRADE))
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"not a status: {(unknown or [text])[0]!r} (choose from {', '.join(REGRADE)})"
        )
    if "all" in chosen:
        return frozenset(STATUSES)
    return frozenset(status.replace("-", " ") for status in chosen)


OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("--notebook", {"metavar": "STEM", "help": f"the course notebook graded, e.g. "
     f"02_backpropagation, or {EACH} (each as the notebook it names) (default: the one most "
     "submissions name)"}),
    ("--out", {"metavar": "DIR", "type": Path, "help": "folder for results.jsonl, grades.csv, "
     "report.md/.html (default: none, tables only)"}),
    ("--student-from", {"choices": naming.MODES, "default": "auto", "help": "how students "
     "are named: see docs/guide/grading.md (default: auto)"}),
    ("--timeout", {"metavar": "S", "type": _timeout, "help": "seconds per notebook (default: "
     "30 + 10 × the course notebook's own grading time, at least 60; 300 for a course that "
     "does not say)"}),
    ("--jobs", {"metavar": "N", "type": _positive, "default": os.cpu_count() or 1, "help":
     "notebooks at once, or --rejudge processes (default: the number of cores, %(default)s "
     "here)"}),
    ("--memory", {"metavar": "MB", "type": _positive, "default": 4096, "help": "memory limit "
     "in MB (default: 4096)"}),
    ("--regrade", {"metavar": "STATUS[,STATUS]", "type": _statuses, "default": frozenset(),
     "help": f"grade again the records of --out with these statuses ({', '.join(REGRADE)}) "
     "(default: none, every record kept)"}),
    ("--rejudge", {"metavar": "DIR", "type": Path, "help": "judge DIR's records again from "
     "their kept answers, no kernel run (default: no)"}),
    ("--mistakes", {"metavar": "FILE", "type": Path, "help": "the teacher's named mistakes "
     "(TOML) (default: mistakes.toml in --out or DIR, if there)"}),
    ("--json", {"action": "store_true", "help": "print the records as JSON (default: tables)"}),
    ("--secret-file", {"metavar": "FILE", "type": Path, "help": "the teacher's secret "
     f"(default: ${SECRET_VARIABLE}, else DIR/secret of --out, made the first time)"}),
    ("--course", {"metavar": "MODULE", "default": "micrograd_edu.exercises", "help": "module "
     "of the grading contract (default: %(default)s)"}),
    ("--hide", {"metavar": "DIR", "type": Path, "action": "append", "default": [], "help":
     "a folder the kernel must not see, repeatable (default: the class, --out, the course, "
     "home)"}),
    ("--same-user", {"action": "store_true", "help": "run kernels as yourself (testing only) "
     "(default: their own user, as root)"}),
    ("--gradescope", {"action": "store_true", "help": "grade ROOT/submission into "
     "ROOT/results (default: no)"}),
    ("--root", {"metavar": "DIR", "type": Path, "default": Path("/autograder"), "help":
     "Gradescope's root folder (default: %(default)s)"}),
)  # fmt: skip
"""Every option: its flag and argparse's keywords (each help ends with its default)."""


def parser() -> argparse.ArgumentParser:
    """The command line's parser."""
    made = argparse.ArgumentParser(
        prog=prog("python -m micrograd_edu.grade"),  # `micrograd-edu grade` under micrograd-edu
        description="Grade student notebooks in sandboxes, naming the mistakes.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    made.add_argument("notebooks", nargs="*", type=Path, help="student notebooks (.ipynb)")
    for flag, keywords in OPTIONS:
        made.add_argument(flag, **keywords)
    return made


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The options of ``argv`` (else ``sys.argv``); argparse's usage error when they are bad."""
    made = parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    tail = argv[argv.index("--") + 1 :] if "--" in argv else []
    args, rest = made.parse_known_args(argv[: len(argv) - len(tail) - bool(tail)])
    for extra in rest:  # "-x.ipynb": an existing file whose name starts with "-"
        if not os.path.isfile(extra):
            made.error(f"unrecognized argument: {extra!r}")
        args.notebooks.append(Path(extra))
    args.notebooks += [Path(name) for name in tail]
    if args.rejudge is not None and (args.notebooks or args.gradescope):
        made.error("--rejudge DIR judges DIR's records again: give no notebooks with it")
    if not args.notebooks and not args.gradescope and args.rejudge is None:
        made.error("no notebooks given")
    return args

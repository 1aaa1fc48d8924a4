"""``micrograd-edu``: the one command a student (and a teacher) needs; no make, any OS.

Subcommands:

* ``notebooks [DIR]`` -- copy the course notebooks (student versions, no
  solutions) into DIR; a file already there is never overwritten;
* ``lab [DIR]`` -- the same, then JupyterLab on DIR (``pip install 'micrograd_edu[lab]'``);
* ``playground`` -- the live Playground as a web page (``python -m micrograd_edu.visualize.live``);
* ``train ...``, ``rl ...`` -- ``python -m micrograd_edu train|rl ...``;
* ``demo`` -- the engine on the micrograd README expression, a network trained
  on moons and, with the ``viz`` extra, the pictures (else a message says so);
* ``grade ...`` -- ``python -m micrograd_edu.grade ...``;
* ``release DIR`` -- for teachers: the student versions of the notebooks of
  ``--source`` (default ``notebooks/``, the ones with solutions) written to DIR;
* ``doctor [--for student|teacher|grading|docs]`` -- what is missing or mismatched in
  this environment, and the one fix for each (:mod:`~micrograd_edu.cli.doctor`).

Everything after the subcommand goes to the command it runs, so
``micrograd-edu train --help`` shows the training options. The commands of
the ``micrograd_edu.visualize`` package are found through the ``micrograd_edu.commands``
entry points (``micrograd_edu`` never imports ``micrograd_edu.visualize``).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import runpy
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path

from .._support.commandline import invoked_as
from . import student

__all__ = ["COMMANDS", "DEFAULT_FOLDER", "main"]

DEFAULT_FOLDER = Path("micrograd_edu_notebooks")
"""Where ``notebooks`` and ``lab`` put the student's copies unless told otherwise."""

COMMAND_GROUP = "micrograd_edu.commands"
"""Entry points of commands that live in other packages: ``main(argv) -> int``."""

DEMO_TRAINING = [
    "--dataset", "moons", "--hidden", "16,16", "--activation", "relu",
    "--loss", "hinge", "--lr", "0.1", "--seed", "0",
]  # fmt: skip
"""The demo's training run: ``make demo``'s, as in micrograd's own demo."""


def _run_module(module: str, prog: str, argv: Sequence[str]) -> int:
    """Run ``python -m module argv...`` in this process; returns its exit code.

    ``prog`` is the command as the user typed it (``micrograd-edu grade``): the
    module's usage and errors name it (:func:`~micrograd_edu._support.commandline.prog`).
    """
    saved = sys.argv
    sys.argv = [prog, *argv]
    try:
        with invoked_as(prog):
            runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as done:
        code = done.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)  # sys.exit("message"), as Python itself would show it
        return 1
    finally:
        sys.argv = saved
    return 0


def _entry_point(name: str) -> Callable[[list[str]], int] | None:
    """The command ``name`` of another package; None, after a one-line message on stderr,
    if it or a package it needs is not installed (no traceback, even for ``--help``)."""
    install = 'pip install "micrograd_edu[course]"'
    for entry in entry_points(group=COMMAND_GROUP):
        if entry.name == name:
            try:
                function: Callable[[list[str]], int] = entry.load()
            except ImportError as error:
                missing = (error.name or "").split(".")[0]
                why = (
                    f"needs {missing} (not installed)"
                    if missing not in ("", "micrograd_edu")
                    else error
                )
                print(f"micrograd-edu {name}: {why}: {install}", file=sys.stderr)
                return None
            return function
    print(f"micrograd-edu {name}: not installed: {install}", file=sys.stderr)
    return None


def _notebooks(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="micrograd-edu notebooks",
        description="Copy the course notebooks (student versions) into a folder; "
        "files already there are never overwritten.",
    )
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    args = parser.parse_args(argv)
    try:
        written, kept = student.write_notebooks(args.folder)
    except OSError as error:
        print(f"micrograd-edu notebooks: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    for path in kept:
        print(f"kept  {path} (yours: delete it to start it afresh)")
    return 0


def _lab(argv: list[str]) -> int:
    from .lab import LabNotInstalledError, pytorch_advice, run_lab

    parser = argparse.ArgumentParser(
        prog="micrograd-edu lab",
        description="Copy the missing course notebooks into a folder and open it in JupyterLab.",
    )
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument(
        "jupyter_args",
        nargs=argparse.REMAINDER,
        help="passed on to jupyter lab, e.g. --no-browser --port 8890",
    )
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = [str(DEFAULT_FOLDER), *argv]  # `lab --no-browser`: options for JupyterLab only
    args = parser.parse_args(argv)
    if _notebooks([str(args.folder)]) != 0:
        return 1
    advice = pytorch_advice()
    if advice:
        print(advice)
    try:
        return run_lab(args.folder, args.jupyter_args)
    except LabNotInstalledError as error:
        print(f"micrograd-edu lab: {error}", file=sys.stderr)
        return 1


def _release(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="micrograd-edu release",
        description="Write what students get: the course notebooks without their solutions.",
    )
    parser.add_argument("folder", type=Path, help="the release folder (created if needed)")
    parser.add_argument(
        "--source",
        type=Path,
        default=Path("notebooks"),
        help="the course notebooks with solutions (default: notebooks/)",
    )
    args = parser.parse_args(argv)
    try:
        released = student.release(args.source, args.folder)
    except (OSError, ValueError) as error:
        print(f"micrograd-edu release: {error}", file=sys.stderr)
        return 1
    for path, exercises in released:
        print(f"{path}  ({exercises} exercise{'s' if exercises != 1 else ''}, no solutions)")
    if not any(exercises for _, exercises in released):
        print(
            f"micrograd-edu release: warning: {args.source} holds no solution at all: "
            "is it already a student copy? (--source is the folder with the solutions)",
            file=sys.stderr,
        )
    print(
        f"Hand out {args.folder}; the solutions stay in {args.source}: never publish that folder."
    )
    return 0


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return number


def _demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="micrograd-edu demo",
        description="The engine on micrograd's README expression, a network trained on "
        "moons and (with the viz extra) the pictures, all written to --out.",
    )
    parser.add_argument("--out", type=Path, default=Path("out"), help="output folder")
    parser.add_argument("--epochs", type=_positive, default=100, help="training epochs")
    args = parser.parse_args(argv)
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out: cannot write into {str(args.out)!r}: it is a file, not a folder")
    missing = [
        name for name in ("matplotlib", "graphviz") if importlib.util.find_spec(name) is None
    ]
    from . import demo

    demo.main()
    training = [*DEMO_TRAINING, "--epochs", str(args.epochs), "--out", str(args.out)]
    if missing:  # said once, below, rather than by the training run too
        training.append("--no-pictures")
    code = _run_module("micrograd_edu", "micrograd-edu", ["train", *training])
    if code != 0:
        return code
    if missing:
        print(
            f"pictures skipped: {' and '.join(missing)} not installed "
            "(pip install 'micrograd_edu[viz]')"
        )
        return 0
    pictures = _entry_point("pictures")
    if pictures is None:
        return 0
    with invoked_as("micrograd-edu demo"):
        code = pictures(["--out", str(args.out)])
    print(f"Pictures and model are in {args.out}: open {args.out / 'backward.html'} in a browser.")
    return code


def _delegate_train(name: str) -> Callable[[list[str]], int]:
    def run(argv: list[str]) -> int:
        return _run_module("micrograd_edu", "micrograd-edu", [name, *argv])

    return run


def _grade(argv: list[str]) -> int:
    if not hasattr(os, "killpg"):  # Windows: the grader stops each notebook's process group
        print(
            "micrograd-edu grade: grading runs each notebook in a process group it can stop, "
            "which needs Linux or macOS: on Windows run it in WSL "
            "(your notebooks run in JupyterLab on Windows itself)",
            file=sys.stderr,
        )
        return 1
    return _run_module("micrograd_edu.grade", "micrograd-edu grade", argv)


def _doctor(argv: list[str]) -> int:
    from .doctor import main as doctor

    return doctor(argv)


def _playground(argv: list[str]) -> int:
    command = _entry_point("playground")
    if command is None:
        return 1
    with invoked_as("micrograd-edu playground"):
        return command(argv)


COMMANDS: dict[str, tuple[Callable[[list[str]], int], str]] = {
    "notebooks": (_notebooks, "copy the course notebooks (no solutions) into a folder"),
    "lab": (_lab, "the notebooks in JupyterLab (needs the lab extra)"),
    "playground": (_playground, "the live Playground as a web page (needs the live extra)"),
    "train": (_delegate_train("train"), "train an MLP on a data set (python -m micrograd_edu)"),
    "rl": (_delegate_train("rl"), "reinforcement learning (python -m micrograd_edu rl)"),
    "demo": (_demo, "the engine, a trained network and (viz extra) its pictures"),
    "grade": (_grade, "grade submitted notebooks (Linux, macOS, WSL)"),
    "release": (_release, "teachers: write the student notebooks (no solutions) to a folder"),
    "doctor": (_doctor, "check this environment: each problem and the command that fixes it"),
}


def _usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
    return "usage: micrograd-edu COMMAND [ARGS...]\n\ncommands:\n" + "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``micrograd-edu COMMAND ARGS...``; returns the exit code (2: unknown command)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(_usage(), end="")
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"micrograd-edu: unknown command {name!r}\n\n{_usage()}", end="", file=sys.stderr)
        return 2
    return COMMANDS[name][0](rest)


if __name__ == "__main__":
    sys.exit(main())

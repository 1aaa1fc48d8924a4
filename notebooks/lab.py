"""Open the course notebooks in JupyterLab, set up the way a student needs them.

``python notebooks/lab.py`` (what ``make lab`` runs) opens the student
versions in ``notebooks/student/``: working copies that belong to the student
and that git ignores. Missing copies are written from the course notebooks;
existing ones are never overwritten (delete one to start it afresh).
``--solutions`` opens the course notebooks themselves, with the solutions, for
teachers; the git filter of ``strip_outputs.py`` keeps their outputs out of git.

How JupyterLab is started (environment, settings) is :mod:`micrograd_edu.cli.lab`,
shared with ``micrograd-edu lab``. Extra arguments go to ``jupyter lab``
(``python notebooks/lab.py -- --port 8890``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from make_student import student_notebook, write_atomically

from micrograd_edu.cli.lab import SETTINGS, lab_environment, run_lab, write_lab_settings
from micrograd_edu.cli.student import notebook_text

__all__ = ["SETTINGS", "lab_environment", "write_lab_settings", "write_student_copies"]

HERE = Path(__file__).resolve().parent
STUDENT_DIR = HERE / "student"


def write_student_copies(folder: Path) -> list[Path]:
    """Write the student version of every course notebook missing from ``folder``."""
    written = []
    for source in sorted(HERE.glob("[0-9]*.ipynb")):
        target = folder / source.name
        if target.exists():
            continue
        student, _ = student_notebook(json.loads(source.read_text(encoding="utf-8")))
        write_atomically(target, notebook_text(student).encode("utf-8"))
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--solutions", action="store_true", help="open the course notebooks with solutions"
    )
    parser.add_argument("--folder", type=Path, help="open this folder (default: notebooks/student)")
    parser.add_argument("jupyter_args", nargs="*", help="passed on to jupyter lab")
    args = parser.parse_args(argv)
    if args.solutions:
        folder = args.folder or HERE
        print(f"Opening the course notebooks WITH solutions in {folder}")
    else:
        folder = args.folder or STUDENT_DIR
        written = write_student_copies(folder)
        print(
            f"Opening the student notebooks in {folder} "
            f"({len(written)} new; your existing copies are kept as they are)"
        )
    return run_lab(folder, args.jupyter_args)


if __name__ == "__main__":
    sys.exit(main())

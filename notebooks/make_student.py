"""Write the student versions of the course notebooks.

The logic lives in :mod:`micrograd_edu.student` (so that an installed package
can do it too: ``micrograd-edu release DIR``); this script is its command line
inside the repository, runnable with a bare ``python3`` (only the standard
library and this checkout are needed).

Usage: ``python notebooks/make_student.py [--out notebooks/student] [NOTEBOOK ...]``
(by default every ``notebooks/*.ipynb``). ``make course`` writes the copies the
package ships (``--out micrograd_edu/course``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run from a checkout where the package is not installed
    sys.path.insert(0, str(HERE.parent))

from micrograd_edu.files import write_atomically  # noqa: E402
from micrograd_edu.student import (  # noqa: E402
    BEGIN,
    END,
    STUB,
    STUB_MESSAGE,
    MarkerError,
    notebook_text,
    strip_solutions,
    student_notebook,
)

__all__ = [
    "BEGIN",
    "END",
    "STUB",
    "STUB_MESSAGE",
    "MarkerError",
    "strip_solutions",
    "student_notebook",
    "write_atomically",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="source notebooks (default: all)")
    parser.add_argument("--out", type=Path, default=HERE / "student", help="output folder")
    args = parser.parse_args(argv)
    sources = args.notebooks or sorted(HERE.glob("[0-9]*.ipynb"))
    if not sources:
        parser.error("no notebooks found")
    for source in sources:
        notebook = json.loads(source.read_text(encoding="utf-8"))
        try:
            student, exercises = student_notebook(notebook)
        except MarkerError as error:
            parser.exit(2, f"{source}: {error}\n")
        target = args.out / source.name
        write_atomically(target, notebook_text(student).encode("utf-8"))
        print(f"{target}  ({exercises} exercise{'s' if exercises != 1 else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

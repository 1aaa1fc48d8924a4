"""Write the student versions of the course notebooks.

The logic lives in :mod:`micrograd_edu.cli.student` (so that an installed package
can do it too: ``micrograd-edu release DIR``); this script is its command line
inside the repository, runnable with a bare ``python3`` (only the standard
library and this checkout are needed).

It also writes the course's list of the notebook's exercises into the
notebook's metadata, ``metadata["micrograd_edu"] = {"notebook": stem,
"exercises": ["2.1", ...]}``, from the package's registry
(``micrograd_edu/exercises/registry.py``): the grader counts a deleted or
renamed exercise as missing, never as absent.

Usage: ``python notebooks/make_student.py [--out notebooks/student] [NOTEBOOK ...]``
(by default every ``notebooks/*.ipynb``). ``make course`` writes the copies the
package ships (``--out micrograd_edu/course``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REGISTRY = HERE.parent / "micrograd_edu" / "exercises" / "registry.py"
if str(HERE.parent) not in sys.path:  # run from a checkout where the package is not installed
    sys.path.insert(0, str(HERE.parent))

from micrograd_edu._support.files import write_atomically  # noqa: E402
from micrograd_edu.cli.student import (  # noqa: E402
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
    "course_exercises",
    "strip_solutions",
    "student_notebook",
    "with_course_metadata",
    "write_atomically",
]


def course_exercises() -> dict[str, list[str]]:
    """Notebook stem → its exercises, read from the package's registry (standard library only)."""
    spec = importlib.util.spec_from_file_location("_micrograd_edu_registry", REGISTRY)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"the exercise registry is missing: {REGISTRY}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses looks the module up while it runs
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    exercises: dict[str, list[str]] = module.course_exercises()
    return exercises


def with_course_metadata(notebook: dict, stem: str, course: dict[str, list[str]]) -> dict:
    """``notebook`` with ``metadata["micrograd_edu"]`` set for the course notebook ``stem``."""
    if stem in course:
        notebook.setdefault("metadata", {})["micrograd_edu"] = {
            "notebook": stem,
            "exercises": course[stem],
        }
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="source notebooks (default: all)")
    parser.add_argument("--out", type=Path, default=HERE / "student", help="output folder")
    args = parser.parse_args(argv)
    sources = args.notebooks or sorted(HERE.glob("[0-9]*.ipynb"))
    if not sources:
        parser.error("no notebooks found")
    course = course_exercises()
    for source in sources:
        notebook = with_course_metadata(
            json.loads(source.read_text(encoding="utf-8")), source.stem, course
        )
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

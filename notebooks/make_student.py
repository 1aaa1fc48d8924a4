"""Write the student versions of the course notebooks.

In the source notebooks each exercise's solution sits between two marker lines::

    ### BEGIN SOLUTION
    ...
    ### END SOLUTION

The student version replaces every such block with a stub, indented like the
block, and clears every output::

    # YOUR CODE HERE
    raise NotImplementedError("write your code here, in place of this line")

It also writes the course's list of the notebook's exercises into the
notebook's metadata, ``metadata["micrograd_edu"] = {"notebook": stem,
"exercises": ["2.1", ...]}``, from the package's registry
(``micrograd_edu/exercises/registry.py``): the grader counts a deleted or
renamed exercise as missing, never as absent.

Usage: ``python notebooks/make_student.py [--out notebooks/student] [NOTEBOOK ...]``
(by default every ``notebooks/*.ipynb``). Only the standard library is needed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import sys
import tempfile
from pathlib import Path

STUB_MESSAGE = "write your code here, in place of this line"
BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = ("# YOUR CODE HERE", f"raise NotImplementedError({STUB_MESSAGE!r})")
HERE = Path(__file__).resolve().parent
REGISTRY = HERE.parent / "micrograd_edu" / "exercises" / "registry.py"


class MarkerError(ValueError):
    """The solution markers of a cell are unbalanced."""


def strip_solutions(source: str, where: str = "cell") -> str:
    """Replace each marked solution block in ``source`` with the stub."""
    lines = source.split("\n")
    out: list[str] = []
    inside = False
    for number, line in enumerate(lines, start=1):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise MarkerError(f"{where}, line {number}: {BEGIN!r} inside another solution")
            inside = True
            indent = re.match(r"\s*", line).group(0)  # type: ignore[union-attr]
            out += [indent + STUB[0], indent + STUB[1]]
        elif marker == END:
            if not inside:
                raise MarkerError(f"{where}, line {number}: {END!r} without {BEGIN!r}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{where}: {BEGIN!r} is never closed by {END!r}")
    return "\n".join(out)


def student_notebook(notebook: dict) -> tuple[dict, int]:
    """The student version of a notebook (as JSON) and its number of exercises."""
    exercises = 0
    for index, cell in enumerate(notebook["cells"]):
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] == "code":
            stripped = strip_solutions(source, where=f"cell {index}")
            exercises += source.count(BEGIN)
            cell["source"] = stripped
            cell["outputs"] = []
            cell["execution_count"] = None
        else:
            cell["source"] = source
    return notebook, exercises


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


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


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
        write_atomically(target, json.dumps(student, indent=1, ensure_ascii=False) + "\n")
        print(f"{target}  ({exercises} exercise{'s' if exercises != 1 else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Write the student versions of the course notebooks.

In the source notebooks each exercise's solution sits between two marker lines::

    ### BEGIN SOLUTION
    ...
    ### END SOLUTION

The student version replaces every such block with a stub, indented like the
block, and clears every output::

    # YOUR CODE HERE
    raise NotImplementedError("write your code here, in place of this line")

Usage: ``python notebooks/make_student.py [--out notebooks/student] [NOTEBOOK ...]``
(by default every ``notebooks/*.ipynb``). Only the standard library is needed.
"""

from __future__ import annotations

import argparse
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
    for source in sources:
        notebook = json.loads(source.read_text(encoding="utf-8"))
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

"""``python -m micrograd_edu.grade NOTEBOOK...``: grade student notebooks, naming the mistakes.

Each notebook runs top to bottom in a fresh kernel (nbclient), in a separate
process with a time limit, so a notebook that hangs or kills its kernel is
reported and never stops the run. The exercises' checks record their outcome
(passed, not done, or wrong with the named mistake, see
:mod:`micrograd_edu.mistakes`); a last cell added by the grader reads them.
An exercise whose cell broke before its check ran is reported with the error.

Prints one table per notebook, or with ``--json`` a list of records for a
grade book. Needs the ``notebooks`` extra (nbclient, nbformat, ipykernel).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .exercises.registry import CHECKS
from .mistakes import CATALOGUE
from .strict_json import dumps as strict_dumps

__all__ = ["ExerciseGrade", "NotebookGrade", "grade", "main"]

MARKER = "@@micrograd_edu.grade@@"
RESULTS_CELL = (
    "import json as _json\n"
    "from micrograd_edu.mistakes import RESULTS as _results\n"
    f"print({MARKER!r} + _json.dumps("
    "{k: [v.status, v.mistake, v.message] for k, v in _results.items()}))"
)
CHECK_CALL = re.compile(r"exercises\.(check_\w+)\(")


@dataclass
class ExerciseGrade:
    """One exercise's result: passed, not done, wrong (with the mistake), or error."""

    exercise: str
    result: str
    mistake: str | None = None
    mistake_name: str | None = None
    message: str = ""


@dataclass
class NotebookGrade:
    """A notebook's grades; ``status`` says whether it ran: ran, hung, crashed or failed."""

    notebook: str
    status: str
    detail: str = ""
    exercises: list[ExerciseGrade] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(grade.result == "passed" for grade in self.exercises)


def _expected_exercises(notebook: Any) -> dict[str, int]:
    """The exercises a notebook checks, with the index of the cell that checks each."""
    found: dict[str, int] = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            for name in CHECK_CALL.findall(cell.source):
                if name in CHECKS:
                    found.setdefault(CHECKS[name].number, index)
    return found


def _run_one(path: Path, cell_timeout: float) -> dict[str, Any]:
    """Execute one notebook here (the child process) and return its grades as JSON data."""
    import nbclient
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    expected = _expected_exercises(notebook)
    notebook.cells.append(nbformat.v4.new_code_cell(RESULTS_CELL))
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=int(cell_timeout),
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["JUPYTER_PREFER_ENV_PATH"] = "1"
    try:
        client.execute(env=env)
    except nbclient.exceptions.DeadKernelError as error:
        return {"status": "crashed", "detail": f"the kernel died: {error}"}
    except nbclient.exceptions.CellTimeoutError:
        return {"status": "hung", "detail": f"a cell ran longer than {cell_timeout:g} s"}
    recorded: dict[str, list[Any]] = {}
    for output in notebook.cells[-1].get("outputs", []):
        text = output.get("text", "")
        if MARKER in text:
            recorded = json.loads(text.split(MARKER, 1)[1])
    grades = []
    for number, index in sorted(expected.items(), key=lambda item: _key(item[0])):
        if number in recorded:
            result, mistake, message = recorded[number]
            grades.append(
                ExerciseGrade(
                    number,
                    result,
                    mistake,
                    CATALOGUE[mistake].name if mistake else None,
                    message,
                )
            )
            continue
        errors = [
            o for o in notebook.cells[index].get("outputs", []) if o["output_type"] == "error"
        ]
        if errors and errors[0]["ename"] == "NotImplementedError":  # the stub, not replaced
            grades.append(ExerciseGrade(number, "not done"))
        elif errors:
            reason = f"{errors[0]['ename']}: {errors[0]['evalue']}".strip()
            grades.append(ExerciseGrade(number, "error", message=reason[:200]))
        else:
            grades.append(ExerciseGrade(number, "not checked", message="its check never ran"))
    return {"status": "ran", "exercises": [asdict(grade) for grade in grades]}


def _key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def grade(path: Path, time_limit: float = 300.0) -> NotebookGrade:
    """Grade one notebook in a child process that is stopped after ``time_limit`` seconds."""
    if not path.is_file():
        return NotebookGrade(str(path), "failed", "no such file")
    command = [
        sys.executable,
        "-m",
        "micrograd_edu.grade",
        "--child",
        str(path),
        "--timeout",
        str(time_limit),
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the child and its kernel: one group to stop
    )
    try:
        out, err = process.communicate(timeout=time_limit + 30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return NotebookGrade(str(path), "hung", f"stopped after {time_limit:g} s")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    try:
        data = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        last = (err.strip().splitlines() or ["no output"])[-1]
        return NotebookGrade(str(path), "failed", f"could not run it: {last}")
    return NotebookGrade(
        str(path),
        data["status"],
        data.get("detail", ""),
        [ExerciseGrade(**record) for record in data.get("exercises", [])],
    )


def table(result: NotebookGrade) -> str:
    """The grade table a teacher reads."""
    if result.status != "ran":
        return f"{result.notebook}: {result.status.upper()} — {result.detail}"
    lines = [f"{result.notebook}  ({result.passed} of {len(result.exercises)} passed)"]
    lines.append(f"  {'exercise':<9} {'result':<12} mistake / reason")
    for grade_ in result.exercises:
        reason = grade_.message
        if grade_.mistake_name:
            reason = f"{grade_.mistake_name}: {grade_.message}"
        lines.append(f"  {grade_.exercise:<9} {grade_.result:<12} {reason}".rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m micrograd_edu.grade", description=__doc__.splitlines()[0]
    )
    parser.add_argument("notebooks", nargs="+", type=Path, help="student notebooks (.ipynb)")
    parser.add_argument("--json", action="store_true", help="print JSON records for a grade book")
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds allowed per notebook (default: 300)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(strict_dumps(_run_one(args.notebooks[0], args.timeout), name="grades"))
        return 0
    results = [grade(path, args.timeout) for path in args.notebooks]
    if args.json:
        print(strict_dumps([asdict(r) for r in results], indent=1, ensure_ascii=False))
    else:
        print("\n\n".join(table(result) for result in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

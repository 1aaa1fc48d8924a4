"""The course notebooks: outputs cleared in git, run top to bottom, and their student versions."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9]*.ipynb"))
SOLUTION = "### BEGIN SOLUTION"
STUB_MESSAGE = "write your code here, in place of this line"
# A cell that makes a matplotlib figure (not an import line: those have no parenthesis).
FIGURE_CALL = re.compile(
    r"plt\.subplots\(|plt\.figure\(|\bplot_\w+\(|\bplayground\(|draw_network\("
)
GRAPH_CALL = re.compile(r"^draw_graph\(.*\)$", re.MULTILINE)


def kernel_environment() -> dict[str, str]:
    """The kernel's environment as a student's JupyterLab gives it: no MPLBACKEND.

    ``make test`` sets ``MPLBACKEND=Agg`` for the pictures it writes; in a kernel
    that setting replaces the inline backend and every figure silently vanishes.
    """
    env = {name: value for name, value in os.environ.items() if name != "MPLBACKEND"}
    env["JUPYTER_PREFER_ENV_PATH"] = "1"
    return env


def _execute(path: Path, allow_errors: bool) -> Any:
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=600,
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute(env=kernel_environment())
    return notebook


def _mime_types(cell: Any) -> set[str]:
    return {mime for output in cell.get("outputs", []) for mime in output.get("data", {})}


def _errors(cell: Any) -> list[Any]:
    return [output for output in cell.get("outputs", []) if output["output_type"] == "error"]


def test_there_are_nine_numbered_notebooks() -> None:
    assert [path.name[:2] for path in NOTEBOOKS] == [
        "01",
        "02",
        "03",
        "04",
        "05",
        "06",
        "07",
        "08",
        "09",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"cell {index} of {path.name} has outputs: clear them"
            assert cell["execution_count"] is None, f"cell {index} of {path.name} was executed"
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path) -> None:
    notebook = _execute(path, allow_errors=False)
    checks = [
        cell for cell in notebook.cells if cell.cell_type == "code" and SOLUTION in cell.source
    ]
    assert checks, f"{path.name} has no exercise"
    for cell in checks:
        printed = "".join(
            out.get("text", "") for out in cell.outputs if out["output_type"] == "stream"
        )
        assert printed.startswith("✓ "), (
            f"an exercise check did not pass in {path.name}: {printed!r}"
        )
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        images = [
            out.data["image/png"] for out in cell.outputs if "image/png" in out.get("data", {})
        ]
        assert len(images) == len(set(images)), (
            f"cell {index} of {path.name} shows the same figure twice (a Figure left as the "
            "cell's last value is drawn again: assign it, fig = ...)"
        )
        if FIGURE_CALL.search(cell.source):
            assert "image/png" in _mime_types(cell), (
                f"cell {index} of {path.name} makes a figure but shows none"
            )
        if GRAPH_CALL.search(cell.source.strip().splitlines()[-1]):
            assert {"image/svg+xml", "text/html"} <= _mime_types(cell), (
                f"cell {index} of {path.name} draws a graph but shows none"
            )


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("student")
    result = subprocess.run(
        [sys.executable, str(NOTEBOOK_DIR / "make_student.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(result.stdout.strip().splitlines()) == len(NOTEBOOKS)
    return out


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_version_runs_and_only_exercises_raise(path: Path, student_dir: Path) -> None:
    student = student_dir / path.name
    text = student.read_text(encoding="utf-8")
    assert SOLUTION not in text and "END SOLUTION" not in text
    source = nbformat.read(path, as_version=4)
    exercise_cells = {i for i, cell in enumerate(source.cells) if SOLUTION in cell.source}
    notebook = _execute(student, allow_errors=True)
    raised = set()
    for index, cell in enumerate(notebook.cells):
        for error in _errors(cell):
            assert index in exercise_cells, (
                f"cell {index} of the student {path.name} failed with {error['ename']}: "
                f"{error['evalue']} (only exercise cells may fail)"
            )
            assert error["ename"] == "NotImplementedError", error["evalue"]
            assert "is not done yet" in error["evalue"] or error["evalue"] == STUB_MESSAGE
            raised.add(index)
    assert raised == exercise_cells


def test_stubs_keep_the_indentation() -> None:
    sys.path.insert(0, str(NOTEBOOK_DIR))
    try:
        from make_student import MarkerError, strip_solutions
    finally:
        sys.path.remove(str(NOTEBOOK_DIR))
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n\ncheck(f)"
    assert strip_solutions(source) == (
        "def f(x):\n    # YOUR CODE HERE\n"
        "    raise NotImplementedError('write your code here, in place of this line')\n\ncheck(f)"
    )
    with pytest.raises(MarkerError, match="never closed"):
        strip_solutions("### BEGIN SOLUTION\nx = 1")
    with pytest.raises(MarkerError, match="without"):
        strip_solutions("x = 1\n### END SOLUTION")


def _strip_outputs_module() -> Any:
    sys.path.insert(0, str(NOTEBOOK_DIR))
    try:
        import strip_outputs
    finally:
        sys.path.remove(str(NOTEBOOK_DIR))
    return strip_outputs


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_output_filter_keeps_committed_notebooks_byte_for_byte(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _strip_outputs_module().strip_outputs(text) == text


def test_git_stores_notebooks_without_outputs(tmp_path: Path) -> None:
    """What JupyterLab saves (outputs) is no change for git and never reaches a commit."""
    if not (ROOT / ".gitattributes").read_text().count("filter=strip-outputs"):
        pytest.fail(".gitattributes must route notebooks through the strip-outputs filter")

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(tmp_path), *args], capture_output=True, text=True, check=True
        ).stdout

    git("init", "-q")
    git("config", "user.email", "t@example.invalid")
    git("config", "user.name", "test")
    filter_command = f"{sys.executable} {NOTEBOOK_DIR / 'strip_outputs.py'}"
    git("config", "filter.strip-outputs.clean", filter_command)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / ".gitattributes").write_text((ROOT / ".gitattributes").read_text())
    target = tmp_path / "notebooks" / "02_backpropagation.ipynb"
    clean = (NOTEBOOK_DIR / "02_backpropagation.ipynb").read_text(encoding="utf-8")
    target.write_text(clean, encoding="utf-8")
    git("add", ".")
    git("commit", "-qm", "clean")
    executed = json.loads(clean)
    code = next(cell for cell in executed["cells"] if cell["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["hello\n"]}]
    code["execution_count"] = 3
    target.write_text(json.dumps(executed, indent=1, ensure_ascii=False), encoding="utf-8")
    assert git("diff") == ""  # outputs are no change for git
    git("add", ".")
    assert git("status", "--porcelain") == ""  # nothing to commit
    assert git("show", ":notebooks/02_backpropagation.ipynb") == clean
    assert '"output_type"' in target.read_text(encoding="utf-8")  # the student keeps them


@pytest.mark.notebooks
@pytest.mark.slow
def test_a_wrong_answer_shows_its_feedback_block_without_a_traceback(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.cells = [
        nbformat.v4.new_code_cell("from micrograd_edu import exercises"),
        nbformat.v4.new_code_cell(
            "def sgd_step(params, lr):\n"
            "    for p in params:\n"
            "        p.data += lr * p.grad\n\n\n"
            "exercises.check_sgd_step(sgd_step)"
        ),
    ]
    path = tmp_path / "wrong.ipynb"
    nbformat.write(notebook, path)
    executed = _execute(path, allow_errors=True)
    (error,) = _errors(executed.cells[1])
    assert error["ename"] == "WrongAnswerError"
    shown = "\n".join(error["traceback"])
    assert shown.startswith("✗ Exercise 4.2: the parameters moved uphill")
    assert "mistake:  += instead of −= in the update" in shown
    assert "exercises.py" not in shown and "Traceback" not in shown
    assert "p.data -= lr" not in shown  # the hint does not hand over the solution


@pytest.mark.notebooks
@pytest.mark.slow
def test_notebook_7_without_pytorch_says_so_and_runs_the_rest(tmp_path: Path) -> None:
    """A student who skipped PyTorch: the first code cell says how to get it, each cell that
    needs it says so, and everything else (gradcheck, the tape, exercise 7.2) runs."""
    hidden = tmp_path / "no_torch" / "torch"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text(
        'raise ModuleNotFoundError("No module named \'torch\'", name="torch")\n'
    )
    env = kernel_environment()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(hidden.parent), env.get("PYTHONPATH")]))
    path = NOTEBOOK_DIR / "07_check_against_pytorch.ipynb"
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=600,
        allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute(env=env)  # raises on the first error

    def printed(cell: Any) -> str:
        return "".join(o.get("text", "") for o in cell.outputs if o["output_type"] == "stream")

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert printed(code[0]).startswith("PyTorch is not installed here")
    assert "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu" in printed(
        code[0]
    )
    skipped = [cell for cell in code if "needs PyTorch" in printed(cell)]
    needing = [cell for cell in code if "torch." in cell.source and cell is not code[0]]
    assert skipped and {id(c) for c in needing} <= {id(c) for c in skipped}
    checks = [printed(cell) for cell in code if "exercises.check_batch_seed(" in cell.source]
    assert checks and checks[0].startswith("✓ ")
    assert any("largest gradient difference" in printed(cell) for cell in code)  # the tape ran

"""The teachers' grader on the course's notebook 2: a mixed class, graded with --jobs 2.

One run grades seven submissions into ``results.jsonl``, ``grades.csv`` and the class
report; the same wrong notebook graded in a simulated Gradescope layout gives
``results.json``. Forged results, a library call in a write-it-yourself exercise and a
deleted exercise are among the submissions.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd_edu.grade import cli

pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")
pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "notebooks" / "02_backpropagation.ipynb"
NAME = SOURCE.name
BACKWARD_LOOP = "            child.grad += local_grad * node.grad"

FORGERY = (
    "import sys, types\n"
    "from micrograd_edu import exercises\n"
    "from micrograd_edu.exercises.mistakes import RESULTS, Outcome\n"
    "for n in ('2.1', '2.2', '2.3', '2.4', '2.5'):\n"
    "    RESULTS[n] = Outcome(n, 'passed')\n"
    "for name in dir(exercises):\n"
    "    if name.startswith('check_'):\n"
    "        setattr(exercises, name, lambda *args, **kwargs: None)\n"
    "sys.modules['micrograd_edu.exercises.mistakes'] = types.ModuleType('forged')\n"
)


def _cells(path: Path) -> tuple[dict[str, object], list[dict[str, object]]]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return notebook, notebook["cells"]


def _source(cell: dict[str, object]) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)  # type: ignore[arg-type]


def _edit(source: Path, target: Path, old: str, new: str) -> Path:
    notebook, cells = _cells(source)
    edited = [c for c in cells if old in _source(c)]
    assert edited, old
    edited[0]["source"] = _source(edited[0]).replace(old, new, 1)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook), encoding="utf-8")
    return target


def _append(source: Path, target: Path, code: str) -> Path:
    notebook, cells = _cells(source)
    cells.append({"cell_type": "code", "metadata": {}, "outputs": [], "source": code})
    cells[-1]["execution_count"] = None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("class")
    stub = folder / "stub" / NAME
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "notebooks" / "make_student.py"),
            "--out",
            str(stub.parent),
            str(SOURCE),
        ],
        check=True,
        capture_output=True,
    )
    right = _edit(SOURCE, folder / "right" / NAME, "x", "x")
    library = "def backward(root):\n    root.backward()\n\n\n"
    return {
        "stub": stub,
        "right": right,
        "wrong": _edit(
            SOURCE,
            folder / "wrong" / NAME,
            BACKWARD_LOOP,
            BACKWARD_LOOP[:-26] + "= local_grad * node.grad",
        ),
        "library": _edit(
            right, folder / "library" / NAME, "def backward(root):\n", library + "def _old(root):\n"
        ),
        "<i>forged&amp;": _append(stub, folder / "<i>forged&amp;" / NAME, FORGERY),
        "deleted": _edit(right, folder / "deleted" / NAME, "def backward(root):", "def bwd(root):"),
        "broken": _edit(
            SOURCE, folder / "broken" / NAME, "return 1.0 / b, -a / (b * b)", "return 1 / bb"
        ),
    }


@pytest.fixture(scope="module")
def graded(klass: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    code = cli.main(
        ["--jobs", "2", "--timeout", "300", "--out", str(out), *map(str, klass.values())]
    )
    assert code == 0
    return out


def _by_student(out: Path) -> dict[str, dict[str, dict[str, object]]]:
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    return {r["student"]: {g["exercise"]: g for g in r["exercises"]} for r in records}


def test_results_jsonl_has_every_verdict(graded: Path) -> None:
    grades = _by_student(graded)
    assert {s: {n: g["result"] for n, g in e.items()} for s, e in grades.items()} == {
        "stub": dict.fromkeys(["2.1", "2.2", "2.3", "2.4", "2.5", "2.6"], "not done"),
        "right": dict.fromkeys(["2.1", "2.2", "2.3", "2.4", "2.5", "2.6"], "passed"),
        "wrong": {
            "2.1": "passed",
            "2.2": "passed",
            "2.3": "passed",
            "2.4": "wrong",
            "2.5": "passed",
            "2.6": "passed",
        },
        "library": {
            "2.1": "passed",
            "2.2": "passed",
            "2.3": "passed",
            "2.4": "wrong",
            "2.5": "passed",
            "2.6": "passed",
        },
        "<i>forged&amp;": dict.fromkeys(["2.1", "2.2", "2.3", "2.4", "2.5", "2.6"], "crashed"),
        "deleted": {
            "2.1": "passed",
            "2.2": "passed",
            "2.3": "passed",
            "2.4": "missing",
            "2.5": "passed",
            "2.6": "passed",
        },
        "broken": {
            "2.1": "passed",
            "2.2": "wrong",
            "2.3": "passed",
            "2.4": "passed",
            "2.5": "passed",
            "2.6": "passed",
        },
    }
    assert grades["wrong"]["2.4"]["mistake"] == "assign-not-accumulate"
    assert grades["library"]["2.4"]["mistake"] == "library-call"
    assert "backward" in str(grades["library"]["2.4"]["message"])
    assert "backward" in str(grades["deleted"]["2.4"]["message"])
    assert grades["broken"]["2.2"]["message"] == "raised NameError: name 'bb' is not defined"


def test_grades_csv_one_row_per_student(graded: Path) -> None:
    assert (graded / "grades.csv").read_text().splitlines() == [
        "student,2.1,2.2,2.3,2.4,2.5,2.6,total,max",
        "<i>forged&amp;,0,0,0,0,0,0,0,6",
        "broken,1,0,1,1,1,1,5,6",
        "deleted,1,1,1,0,1,1,5,6",
        "library,1,1,1,0,1,1,5,6",
        "right,1,1,1,1,1,1,6,6",
        "stub,0,0,0,0,0,0,0,6",
        "wrong,1,1,1,0,1,1,5,6",
    ]


def test_the_class_report_names_what_to_reteach(graded: Path) -> None:
    report = (graded / "report.md").read_text()
    assert "| 2.4 | 2 | 2 | 1 | 1 | 1 |" in report
    assert "- **= instead of +=** × 1: a reused node got only one path's share" in report
    assert "`" + str(graded) not in report  # (paths of the class only, not of the output)
    page = (graded / "report.html").read_text()
    assert "<i>forged" not in page
    assert "/&lt;i&gt;forged&amp;amp;/02_backpropagation.ipynb" in page
    assert "<td>2.4</td><td>2</td><td>2</td><td>1</td><td>1</td><td>1</td>" in page


def test_gradescope_results_json(klass: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / NAME).write_bytes(klass["wrong"].read_bytes())
    assert cli.main(["--gradescope", "--root", str(tmp_path), "--timeout", "300"]) == 0
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["score"] == 5.0
    assert [(t["name"], t["score"], t["max_score"]) for t in results["tests"]] == [
        (f"Exercise 2.{i} (02_backpropagation)", 0.0 if i == 4 else 1.0, 1.0) for i in range(1, 7)
    ]
    output = results["tests"][3]["output"]
    assert output.startswith(
        "✗ Exercise 2.4: backward gave wrong gradients\n"
        "  mistake:  = instead of += — a reused node got only one path's share"
    )
    assert {t["visibility"] for t in results["tests"]} == {"visible"}


def test_the_example_in_the_guide_is_what_the_grader_prints(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "notebooks" / "make_student.py"),
            "--out",
            str(tmp_path),
            str(SOURCE),
        ],
        check=True,
        capture_output=True,
    )
    (tmp_path / NAME).rename(tmp_path / "alice.ipynb")
    bob = _edit(
        SOURCE,
        tmp_path / "half.ipynb",
        BACKWARD_LOOP,
        "            child.grad = local_grad * node.grad",
    )
    _edit(bob, tmp_path / "bob.ipynb", "return 1.0 / b, -a / (b * b)", "return 1.0 / b, -a / b")
    guide = (ROOT / "docs" / "guide" / "grading.md").read_text(encoding="utf-8")
    block = guide.split("```text\n", 1)[1].split("```", 1)[0]
    command, expected = block.split("\n", 1)
    result = subprocess.run(
        [sys.executable, "-m", "micrograd_edu.grade", *command.split()[4:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.rstrip("\n") == expected.rstrip("\n")

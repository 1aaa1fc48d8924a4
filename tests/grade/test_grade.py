"""The teachers' grader on the course's notebook 2: a mixed class, graded with --jobs 2.

One run grades eight submissions into ``results.jsonl``, ``grades.csv`` and the class
report; the same wrong notebook graded in a simulated Gradescope layout gives
``results.json``. Forged results, a library call in a write-it-yourself exercise, a
deleted exercise and a wrong 2.3 that 2.4 calls are among the submissions. A flat folder
of an LMS download is one row per student, and a notebook whose metadata names another
is graded as the class's.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd_edu.exercises.mistakes import CATALOGUE
from micrograd_edu.grade import cli
from micrograd_edu.grade.records import NotebookGrade

pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")
pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "notebooks" / "02_backpropagation.ipynb"
NAME = SOURCE.name
BACKWARD_LOOP = "            child.grad += local_grad * node.grad"
ORDER = "    visit(root)\n    return order\n"
REVERSED_ORDER = "    visit(root)\n    return order[::-1]\n"  # every node before its children

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
    half = _edit(
        SOURCE,
        folder / "half" / NAME,
        BACKWARD_LOOP,
        BACKWARD_LOOP[:-26] + "= local_grad * node.grad",
    )
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
        "<i>forged&amp;": _append(half, folder / "<i>forged&amp;" / NAME, FORGERY),
        "deleted": _edit(right, folder / "deleted" / NAME, "def backward(root):", "def bwd(root):"),
        "broken": _edit(
            SOURCE, folder / "broken" / NAME, "return 1.0 / b, -a / (b * b)", "return 1 / bb"
        ),
        "order": _edit(SOURCE, folder / "order" / NAME, ORDER, REVERSED_ORDER),
    }


@pytest.fixture(scope="module")
def graded(klass: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    code = cli.main(["--jobs", "2", "--out", str(out), *map(str, klass.values())])
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
        "<i>forged&amp;": {  # its forgery runs after every exercise was probed
            "2.1": "passed",
            "2.2": "passed",
            "2.3": "passed",
            "2.4": "wrong",
            "2.5": "passed",
            "2.6": "passed",
        },
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
        "order": {
            "2.1": "passed",
            "2.2": "passed",
            "2.3": "wrong",
            "2.4": "wrong",
            "2.5": "passed",
            "2.6": "passed",
        },
    }
    assert grades["order"]["2.3"]["mistake"] == "wrong-order"
    assert grades["order"]["2.4"]["follows_from"] == "2.3"
    assert grades["wrong"]["2.4"]["follows_from"] is None
    assert grades["wrong"]["2.4"]["mistake"] == "assign-not-accumulate"
    assert grades["library"]["2.4"]["mistake"] == "library-call"
    assert "backward" in str(grades["library"]["2.4"]["message"])
    assert "backward" in str(grades["deleted"]["2.4"]["message"])
    assert grades["broken"]["2.2"]["message"] == "raised NameError: name 'bb' is not defined"


def test_grades_csv_one_row_per_student(graded: Path, klass: dict[str, Path]) -> None:
    rows = [row.rsplit(",", 1) for row in (graded / "grades.csv").read_text().splitlines()]
    assert [row[0] for row in rows] == [
        "student,status,2.1,2.2,2.3,2.4,2.5,2.6,total,max,notebook",
        "<i>forged&amp;,graded,1,1,1,0,1,1,5,6,02_backpropagation",
        "broken,graded,1,0,1,1,1,1,5,6,02_backpropagation",
        "deleted,graded,1,1,1,0,1,1,5,6,02_backpropagation",
        "library,graded,1,1,1,0,1,1,5,6,02_backpropagation",
        "order,graded,1,1,0,0,1,1,4,6,02_backpropagation",
        "right,graded,1,1,1,1,1,1,6,6,02_backpropagation",
        "stub,graded,0,0,0,0,0,0,0,6,02_backpropagation",
        "wrong,graded,1,1,1,0,1,1,5,6,02_backpropagation",
    ]
    assert [row[1] for row in rows[1:]] == [str(klass[name]) for name in sorted(klass)]


def test_the_class_report_names_what_to_reteach(graded: Path) -> None:
    report = (graded / "report.md").read_text()
    assert "| 2.4 | 2 | 4 | 1 | 1 | 0 | 0 |" in report
    rule = CATALOGUE["assign-not-accumulate"].explanation
    assert f"- **= instead of +=** × 2: {rule} — \\<i\\>forged\\&amp;, wrong" in report
    assert "- follows from 2.3 × 1 (not counted again): order" in report
    assert "`" + str(graded) not in report  # (paths of the class only, not of the output)
    page = (graded / "report.html").read_text()
    assert "<i>forged" not in page
    assert "— &lt;i&gt;forged&amp;amp;, wrong</li>" in page
    cells = page.replace(' style="text-align:right"', "").replace("\n", "")
    assert "<td>2.4</td><td>2</td><td>4</td><td>1</td><td>1</td><td>0</td><td>0</td>" in cells


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


def _handout(folder: Path) -> Path:
    """Notebook 2 as a student gets it (make_student), in ``folder``."""
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "notebooks" / "make_student.py"),
            "--out",
            str(folder),
            str(SOURCE),
        ],
        check=True,
        capture_output=True,
    )
    return folder / NAME


def _rows(out: Path) -> list[tuple[str, ...]]:
    rows = list(csv.reader((out / "grades.csv").read_text().splitlines()))
    return [(row[0], row[1], row[-4], row[-3]) for row in rows]  # student, status, total, max


def test_a_flat_folder_of_four_students_is_four_rows(tmp_path: Path) -> None:
    flat = tmp_path / "class"
    flat.mkdir()
    for who in ("alice", "bob", "carol"):
        shutil.copy(SOURCE, flat / f"{who}_02_backpropagation.ipynb")
    _handout(tmp_path / "handout").rename(flat / "dave_02_backpropagation.ipynb")
    out = tmp_path / "out"
    paths = sorted(map(str, flat.glob("*.ipynb")))
    assert cli.main(["--notebook", "02_backpropagation", "--out", str(out), *paths]) == 0
    assert _rows(out) == [
        ("student", "status", "total", "max"),
        ("alice", "graded", "6", "6"),
        ("bob", "graded", "6", "6"),
        ("carol", "graded", "6", "6"),
        ("dave", "graded", "0", "6"),
    ]
    report = (out / "report.md").read_text()
    assert "4 submissions: 4 graded." in report
    assert "## Byte-identical submissions\n\n- alice, bob, carol: `" in report


def test_a_notebook_whose_metadata_names_another_is_graded_as_the_class(tmp_path: Path) -> None:
    flat = tmp_path / "class"
    flat.mkdir()
    for who in ("ann", "ben"):
        shutil.copy(SOURCE, flat / f"{who}_02_backpropagation.ipynb")
    notebook = json.loads(SOURCE.read_text(encoding="utf-8"))
    notebook["metadata"]["micrograd_edu"] = {"notebook": "09_training_mistakes"}
    (flat / "cy_02_backpropagation.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["--out", str(out), *sorted(map(str, flat.glob("*.ipynb")))]) == 0
    assert _rows(out)[1:] == [
        ("ann", "graded", "6", "6"),
        ("ben", "graded", "6", "6"),
        ("cy", "graded", "6", "6"),
    ]
    cy = [NotebookGrade.from_json(line) for line in (out / "results.jsonl").open()][-1]
    assert (cy.student, cy.notebook) == ("cy", "02_backpropagation")
    assert cy.notes == ["its metadata names '09_training_mistakes': graded as 02_backpropagation"]
    report = (out / "report.md").read_text()
    assert (
        "## Submissions that name another notebook (graded as the class's)\n\n"
        f"- cy (`{flat / 'cy_02_backpropagation.ipynb'}`): its metadata names "
        "'09\\_training\\_mistakes': graded as 02\\_backpropagation\n"
    ) in report

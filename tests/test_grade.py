"""The teachers' grader: student notebooks in, a table of named mistakes out, hangs reported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks" / "02_backpropagation.ipynb"


def _grade(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "micrograd_edu.grade", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def _variant(folder: Path, name: str, old: str, new: str) -> Path:
    text = SOURCE.read_text(encoding="utf-8")
    assert old in text
    path = folder / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("class")
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
    return {
        "stub": folder / SOURCE.name,
        "right": _variant(folder, "right.ipynb", "x", "x"),
        "wrong": _variant(
            folder,
            "wrong.ipynb",
            "            child.grad += local_grad * node.grad",
            "            child.grad = local_grad * node.grad",
        ),
        "broken": _variant(
            folder,
            "broken.ipynb",
            "    return 1.0 / b, -a / (b * b)",
            "    return 1.0 / b, -a / (bb * bb)",
        ),
        "hangs": _variant(
            folder,
            "hangs.ipynb",
            "def topological_sort(root):\\n",
            "import time\\ntime.sleep(3600)\\n\\n\\ndef topological_sort(root):\\n",
        ),
        "crashes": _variant(
            folder,
            "crashes.ipynb",
            "def topological_sort(root):\\n",
            "import os\\nos._exit(3)\\n\\n\\ndef topological_sort(root):\\n",
        ),
    }


def test_table_names_the_mistake(notebooks: dict[str, Path]) -> None:
    result = _grade(str(notebooks["stub"]), str(notebooks["right"]), str(notebooks["wrong"]))
    assert result.returncode == 0, result.stderr
    blocks = result.stdout.split("\n\n")
    assert blocks[0].splitlines()[0].endswith("(0 of 5 passed)")
    assert "  2.4       not done" in blocks[0]
    assert blocks[1].splitlines()[0].endswith("(5 of 5 passed)")
    lines = blocks[2].splitlines()
    assert lines[0].endswith("(4 of 5 passed)")
    assert "  2.4       wrong        = instead of +=: backward gave wrong gradients" in lines


def test_json_for_a_grade_book_and_broken_cells(notebooks: dict[str, Path]) -> None:
    result = _grade("--json", str(notebooks["broken"]))
    records = json.loads(result.stdout)
    assert records[0]["status"] == "ran"
    by_exercise = {grade["exercise"]: grade for grade in records[0]["exercises"]}
    assert by_exercise["2.2"]["result"] == "error"
    assert by_exercise["2.2"]["message"] == "NameError: name 'bb' is not defined"
    assert by_exercise["2.4"] == {
        "exercise": "2.4",
        "result": "passed",
        "mistake": None,
        "mistake_name": None,
        "message": "",
    }


def test_hanging_and_crashing_notebooks_are_reported_and_the_run_goes_on(
    notebooks: dict[str, Path],
) -> None:
    result = _grade(
        "--timeout",
        "20",
        str(notebooks["hangs"]),
        str(notebooks["crashes"]),
        str(notebooks["right"]),
    )
    assert result.returncode == 0, result.stderr
    blocks = result.stdout.split("\n\n")
    assert blocks[0] == f"{notebooks['hangs']}: HUNG — a cell ran longer than 20 s"
    assert blocks[1].startswith(f"{notebooks['crashes']}: CRASHED — the kernel died")
    assert blocks[2].splitlines()[0].endswith("(5 of 5 passed)")

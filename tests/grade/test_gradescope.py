"""`make autograder` builds Gradescope's zip; its run_autograder grades a simulated layout.

And what a student reads on Gradescope: a follow-on says which exercise to fix first, a
notebook that stopped says so per exercise, and a note for the teacher is hidden.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from micrograd_edu.grade.gradescope import results_json
from micrograd_edu.grade.records import ExerciseGrade, NotebookGrade

ROOT = Path(__file__).resolve().parents[2]


def test_what_the_student_and_the_teacher_read() -> None:
    record = NotebookGrade("hw.ipynb", "0" * 64, "s", "02_backpropagation", "crashed")
    record.detail = "the kernel died (exit status 1)"
    record.notes = ["its metadata names '09_training_mistakes': graded as 02_backpropagation"]
    record.exercises = [
        ExerciseGrade("2.3", "wrong", "wrong-order", "wrong order", "m", "✗ Exercise 2.3: ..."),
        ExerciseGrade("2.4", "wrong", None, None, "m", "✗ Exercise 2.4: ...", follows_from="2.3"),
        ExerciseGrade("2.5", "not reached", message="the notebook stopped (crashed) before"),
    ]
    results = results_json([record])
    outputs = [test["output"] for test in results["tests"]]
    assert outputs[:3] == [
        "✗ Exercise 2.3: ...",
        "This follows from your exercise 2.3: fix that one first.\n✗ Exercise 2.4: ...",
        "The notebook stopped before this exercise's cell had run, so it was not graded.\n"
        "the notebook stopped (crashed) before",
    ]
    assert results["tests"][3] == {
        "name": "For the teacher: read hw.ipynb",
        "score": 0.0,
        "max_score": 0.0,
        "output": "It names another notebook: its metadata names '09_training_mistakes': "
        "graded as 02_backpropagation",
        "visibility": "hidden",
    }
    assert results["output"] == "hw.ipynb: crashed — the kernel died (exit status 1)"


@pytest.mark.notebooks
@pytest.mark.slow
def test_make_autograder_and_its_run_autograder(tmp_path: Path) -> None:
    pytest.importorskip("jupyter_client")
    if shutil.which("make") is None:
        pytest.skip("no make")
    build, archive = tmp_path / "build", tmp_path / "autograder.zip"
    subprocess.run(
        [
            "make",
            "-s",
            "autograder",
            "NOTEBOOK=02_backpropagation",
            f"AUTOGRADER_DIR={build}",
            f"AUTOGRADER_ZIP={archive}",
            f"PY={sys.executable}",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with zipfile.ZipFile(archive) as bundle:
        names = sorted(bundle.namelist())
        assert names == [
            "micrograd_edu-0.2.0-py3-none-any.whl",
            "notebook.txt",
            "run_autograder",
            "secret",
            "setup.sh",
        ]
        assert bundle.getinfo("secret").external_attr >> 16 & 0o777 == 0o600  # others: no
        assert len(bundle.read("secret").strip()) == 64
        source = tmp_path / "autograder" / "source"
        bundle.extractall(source)
    with zipfile.ZipFile(source / names[0]) as wheel:
        modules = {name for name in wheel.namelist() if name.endswith(".py")}
    # Exactly the package's modules: nothing left in build/lib by an earlier build (a
    # module since moved, as micrograd_edu/sums.py) and no top-level visualize.
    package = ROOT / "micrograd_edu"  # its visualize link followed, as the wheel does
    assert modules == {
        (Path(folder) / name).relative_to(ROOT).as_posix()
        for folder, _, files in os.walk(package, followlinks=True)
        for name in files
        if name.endswith(".py")
    }
    assert "micrograd_edu/grade/run.py" in modules
    submission = tmp_path / "autograder" / "submission"
    submission.mkdir()
    # a student's notebook under another name: notebook.txt says which one it is
    (submission / "my homework.ipynb").write_bytes(
        (ROOT / "notebooks" / "02_backpropagation.ipynb").read_bytes()
    )
    env = dict(
        os.environ,
        AUTOGRADER_ROOT=str(tmp_path / "autograder"),
        AUTOGRADER_PYTHON=sys.executable,
    )
    subprocess.run(["bash", str(source / "run_autograder")], env=env, check=True, timeout=600)
    results = json.loads((tmp_path / "autograder" / "results" / "results.json").read_text())
    assert results["score"] == 6.0
    assert [t["name"] for t in results["tests"]] == [
        f"Exercise 2.{i} (02_backpropagation)" for i in range(1, 7)
    ]
    assert all(t["output"] == "Passed." for t in results["tests"])
    # a notebook that dies after its last exercise: its grades, and exit 0 for Gradescope
    notebook = json.loads((submission / "my homework.ipynb").read_text(encoding="utf-8"))
    notebook["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": "import os\nos._exit(1)\n",
        }
    )
    (submission / "my homework.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    subprocess.run(["bash", str(source / "run_autograder")], env=env, check=True, timeout=600)
    results = json.loads((tmp_path / "autograder" / "results" / "results.json").read_text())
    assert results["score"] == 6.0  # every exercise was graded before it died
    assert results["output"].endswith(": crashed — the kernel died (exit status 1)")

"""`make autograder` builds Gradescope's zip; its run_autograder grades a simulated layout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("jupyter_client")
pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def test_make_autograder_and_its_run_autograder(tmp_path: Path) -> None:
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
            "setup.sh",
        ]
        source = tmp_path / "autograder" / "source"
        bundle.extractall(source)
    with zipfile.ZipFile(source / names[0]) as wheel:
        assert "micrograd_edu/grade/run.py" in wheel.namelist()
        assert "micrograd_edu/exercises/grading.py" in wheel.namelist()
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

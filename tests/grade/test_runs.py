"""Grades a teacher can trust through crashes, hangs and a first run on a bare machine.

Each exercise is probed as soon as its cell has run, so a kernel that dies later keeps the
exercises checked before it (the ones after are "not reached"); ``grades.csv`` says each
submission's status; the exit status says whether every submission was graded; a grader
without its packages stops before any notebook and records nothing, and its rerun grades
everything; ``--regrade`` grades chosen records again.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import grading_fake as fake
import pytest

from micrograd_edu.grade import cli

pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")
pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
HELPERS = ROOT / "tests" / "helpers"
DOUBLE, SQUARE = fake.RIGHT
DIE = "import os\nos._exit(1)\n"


def _rows(out: Path) -> list[list[str]]:
    return list(csv.reader((out / "grades.csv").read_text().splitlines()))


def _records(out: Path) -> dict[str, dict[str, object]]:
    lines = (out / "results.jsonl").read_text().splitlines()
    return {record["student"]: record for record in map(json.loads, lines)}


def _results(record: dict[str, object]) -> dict[str, str]:
    return {g["exercise"]: g["result"] for g in record["exercises"]}  # type: ignore[attr-defined]


def test_a_late_crash_keeps_the_grades_checked_before_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flat = tmp_path / "class"
    fake.write(flat, "ann.ipynb", DOUBLE, SQUARE, DIE)  # a stray os._exit in the last cell
    fake.write(flat, "ben.ipynb", DOUBLE, DIE, SQUARE)  # dies between the two exercises
    fake.write(flat, "cy.ipynb", DOUBLE, SQUARE)
    out = tmp_path / "out"
    paths = sorted(map(str, flat.iterdir()))
    assert cli.main(["--timeout", "60", "--out", str(out), *paths], course=fake) == 1
    records = _records(out)
    assert {name: (r["status"], _results(r)) for name, r in records.items()} == {
        "ann": ("crashed", {"9.1": "passed", "9.2": "passed"}),
        "ben": ("crashed", {"9.1": "passed", "9.2": "not reached"}),
        "cy": ("graded", {"9.1": "passed", "9.2": "passed"}),
    }
    assert records["ben"]["detail"] == "the kernel died (exit status 1)"
    assert _rows(out) == [
        ["student", "status", "9.1", "9.2", "total", "max", "notebook", "submission"],
        ["ann", "crashed", "1", "1", "2", "2", "90_fake", str(flat / "ann.ipynb")],
        ["ben", "crashed", "1", "0", "1", "2", "90_fake", str(flat / "ben.ipynb")],
        ["cy", "graded", "1", "1", "2", "2", "90_fake", str(flat / "cy.ipynb")],
    ]
    shown = capsys.readouterr().out
    assert "  9.2       not reached the notebook stopped (crashed) before this exercise's" in shown


def test_a_function_that_kills_its_kernel_crashes_its_own_exercise_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    killer = "def square(x):\n    import os\n    os._exit(3)\n"
    path = fake.write(tmp_path / "dee", "90_fake.ipynb", DOUBLE, killer)
    assert cli.main(["--json", "--timeout", "60", str(path)], course=fake) == 1
    [record] = json.loads(capsys.readouterr().out)
    assert record["status"] == "crashed"
    assert [(g["result"], g["message"]) for g in record["exercises"]] == [
        ("passed", ""),
        (
            "crashed",
            "the notebook died while this exercise was probed: the kernel died (exit status 3)",
        ),
    ]


def test_a_hung_notebook_is_stopped_and_the_exit_status_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = fake.write(tmp_path / "eve", "90_fake.ipynb", DOUBLE, "while True:\n    pass\n")
    assert cli.main(["--json", "--timeout", "20", str(path)], course=fake) == 1
    [record] = json.loads(capsys.readouterr().out)
    assert (record["status"], record["detail"]) == ("hung", "stopped after 20 s")
    assert _results(record) == {"9.1": "passed", "9.2": "not reached"}


def test_exit_statuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = fake.write(tmp_path / "ann", "90_fake.ipynb", DOUBLE, SQUARE)
    assert cli.main(["--timeout", "60", str(good)], course=fake) == 0  # every one graded
    link = tmp_path / "bob" / "90_fake.ipynb"
    link.parent.mkdir()
    link.symlink_to(good)
    assert cli.main(["--timeout", "60", str(good), str(link)], course=fake) == 1  # refused
    twice = [fake.write(tmp_path / "flat", f"cy{n}_90_fake.ipynb", DOUBLE) for n in "  "]
    twice.append(fake.write(tmp_path / "flat", "cy (1).ipynb", DOUBLE))
    assert cli.main(["--timeout", "60", *map(str, twice)], course=fake) == 2  # cy twice
    assert "'cy': " in capsys.readouterr().err


def _stub_packages(folder: Path, *modules: str) -> Path:
    """A folder that, first on PYTHONPATH, makes ``modules`` fail to import as if missing."""
    for module in modules:
        package = folder / module
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(
            f"raise ModuleNotFoundError(\"No module named '{module}'\", name={module!r})\n"
        )
    return folder


def test_a_first_run_without_jupyter_stops_before_any_notebook(tmp_path: Path) -> None:
    path = fake.write(tmp_path / "ann", "90_fake.ipynb", DOUBLE, SQUARE)
    out = tmp_path / "out"
    bare = _stub_packages(tmp_path / "bare", "zmq", "jupyter_client")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(bare), str(HELPERS)]))
    command = [sys.executable, "-m", "micrograd_edu.grade", "--course", "grading_fake"]
    command += ["--out", str(out), str(path)]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 3
    assert first.stdout == ""
    assert first.stderr.splitlines() == [
        f"the grader cannot start: packages it needs are missing or broken in {sys.executable}:",
        "  pyzmq (ModuleNotFoundError: No module named 'zmq')",
        "  jupyter_client (ModuleNotFoundError: No module named 'jupyter_client')",
        "  ipykernel (ModuleNotFoundError: No module named 'jupyter_client')",
        "Install them into that Python, then run the same command again:",
        f'  {sys.executable} -m pip install "micrograd_edu[grade]"',
        f'(in a clone of the repository: {sys.executable} -m pip install -e ".[grade]")',
        "Nothing was graded and nothing was recorded.",
    ]
    assert not out.exists()  # nothing written, no kernel started
    env["PYTHONPATH"] = str(HELPERS)  # the teacher installed the extra
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert _rows(out)[1][:5] == ["ann", "graded", "1", "1", "2"]


def test_a_kernel_that_cannot_start_is_never_a_students_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = fake.write(tmp_path / "ann", "90_fake.ipynb", DOUBLE, SQUARE)
    out = tmp_path / "out"
    args = ["--timeout", "60", "--out", str(out), str(path)]
    # 16 MB is too little for any Python to start: the teacher's setting, not the student
    assert cli.main(["--memory", "16", *args], course=fake) == 3
    err = capsys.readouterr().err
    assert "1 submission(s) not graded: the grader's own environment failed" in err
    assert "the kernel did not start: RuntimeError: the kernel died at its start" in err
    assert not (out / "results.jsonl").exists()  # nothing recorded
    assert _rows(out) == [["student", "status", "total", "max", "notebook", "submission"]]
    assert cli.main(args, course=fake) == 0  # not skipped as graded: graded now
    assert _rows(out)[1][:5] == ["ann", "graded", "1", "1", "2"]


def test_regrade_chosen_statuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    slow = fake.write(tmp_path / "ann", "90_fake.ipynb", "import time\ntime.sleep(25)\n", DOUBLE)
    quick = fake.write(tmp_path / "ben", "90_fake.ipynb", DOUBLE, SQUARE)
    out = tmp_path / "out"
    base = ["--out", str(out), str(slow), str(quick)]
    assert cli.main(["--timeout", "10", *base], course=fake) == 1
    assert [row[:2] for row in _rows(out)[1:]] == [["ann", "hung"], ["ben", "graded"]]
    assert cli.main(["--timeout", "60", *base], course=fake) == 1  # kept: hung stays hung
    assert len((out / "results.jsonl").read_text().splitlines()) == 2
    capsys.readouterr()
    assert cli.main(["--timeout", "60", "--regrade", "hung,crashed", *base], course=fake) == 0
    assert [row[:2] for row in _rows(out)[1:]] == [["ann", "graded"], ["ben", "graded"]]
    assert len((out / "results.jsonl").read_text().splitlines()) == 3  # ben kept, ann again


def test_a_rerun_names_the_students_anew_without_grading_again(tmp_path: Path) -> None:
    path = fake.write(tmp_path / "class" / "kim", "kim_lee_90_fake.ipynb", DOUBLE, SQUARE)
    out = tmp_path / "out"
    assert cli.main(["--timeout", "60", "--out", str(out), str(path)], course=fake) == 0
    assert _rows(out)[1][0] == "kim_lee"  # from the file's name
    again = ["--timeout", "60", "--student-from", "folder", "--out", str(out), str(path)]
    assert cli.main(again, course=fake) == 0
    assert _rows(out)[1][:2] == ["kim", "graded"]
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [line["student"] for line in lines] == ["kim_lee", "kim"]  # renamed, not regraded
    assert lines[0]["seconds"] == lines[1]["seconds"]

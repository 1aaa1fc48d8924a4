"""A hostile review of the grader, round 3: attacks that worked, each closed (or flagged).

Each test plays one attack that succeeded against the grader before its fix:

* a notebook that draws its own hidden inputs in the kernel: without a teacher's secret the
  seed is a function of the submission's bytes, and the kernel had them (its own file in its
  folder), so it could compute the answers with the library before the check (9.1's key
  too). Now the kernel never gets the file, and a graded run keeps a secret in ``--out``
  (``DIR/secret``: made whole or not at all, mode 600, hidden from every kernel, never
  printed nor written in a record or a report); Gradescope's zip carries one (mode 600), and
  its ``run_autograder`` finds it where Gradescope runs it.
* an empty or unreadable secret file graded without a secret, silently (or with a traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import grading_fake as fake
import pytest

from micrograd_edu.grade import cli, keys
from micrograd_edu.grade.naming import lms_student, names_of
from micrograd_edu.grade.records import NotebookGrade, derive_seed

ROOT = Path(__file__).resolve().parents[2]
SECRET_VARIABLE = "MICROGRAD_EDU_GRADE_SECRET"

# The fake course's hidden inputs, drawn in the kernel from the submission's own bytes (no
# secret): double(x) is right only on the inputs it drew itself, so it passes only when the
# kernel can draw them.
DRAW_MY_OWN = (
    "import hashlib, random\n"
    "try:\n"
    "    content = open('submission.ipynb', 'rb').read()\n"
    "except OSError:\n"
    "    content = b''\n"
    "digest = hashlib.sha256(b'micrograd_edu grading\\0' + b'\\0' + content).digest()\n"
    "seed = int.from_bytes(digest[:8], 'big')\n"
    "rng = random.Random(f'9.1/{seed}')\n"
    "mine = [rng.randint(-1000, 1000) for _ in range(3)]\n"
    "def double(x):\n"
    "    return 2 * x if x in mine else 0\n"
)


def _grade(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args), course=fake)
    return code, out.getvalue(), err.getvalue()


def _records(folder: Path) -> list[NotebookGrade]:
    lines = (folder / "results.jsonl").read_text().splitlines()
    return [NotebookGrade.from_json(line) for line in lines]


def _verdicts(record: NotebookGrade) -> dict[str, str]:
    return {grade.exercise: grade.result for grade in record.exercises}


@pytest.mark.notebooks
def test_a_notebook_without_its_file_cannot_draw_its_own_hidden_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No secret, no --out: the seed is the file's alone, but the kernel never has the file."""
    pytest.importorskip("jupyter_client")
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    notebook = fake.write(tmp_path / "class", "mallory_90_fake.ipynb", DRAW_MY_OWN, fake.RIGHT[1])
    code, out, err = _grade("--json", "--timeout", "120", str(notebook))
    (record,) = json.loads(out)
    assert code == 0
    assert {g["exercise"]: g["result"] for g in record["exercises"]} == {
        "9.1": "wrong",
        "9.2": "passed",
    }
    # the notebook's formula is the grader's: with its file, 9.1 would have passed
    case = record["exercises"][0]["case"]
    assert case == fake.grading_cases("9.1", derive_seed(notebook.read_bytes()))
    assert "no secret (--secret-file) and no --out to keep one in" in err


# Reads the kept secret by its path (and lists its folder): square(x) is right only when
# neither can be done from the kernel.
SPY_ON = (
    "import os\n"
    "try:\n"
    "    seen = open({secret!r}).read() or os.listdir({folder!r})\n"
    "except OSError:\n"
    "    seen = None\n"
    "def square(x):\n"
    "    return x * x if seen is None else 0\n"
)


@pytest.mark.notebooks
def test_out_keeps_a_secret_that_no_notebook_reads_and_nothing_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("jupyter_client")
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    out = tmp_path / "out"
    kept = out / "secret"
    spy = SPY_ON.format(secret=str(kept), folder=str(out))
    notebook = fake.write(tmp_path / "class", "mallory_90_fake.ipynb", DRAW_MY_OWN, spy)
    code, shown, err = _grade("--timeout", "120", "--out", str(out), str(notebook))
    assert code == 0
    (record,) = _records(out)
    assert _verdicts(record) == {"9.1": "wrong", "9.2": "passed"}  # kept out of its reach
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700  # made by the grader: the teacher's only
    secret = kept.read_bytes().strip()
    assert len(secret) == 64 and int(secret, 16) >= 0
    assert f"a secret made for this folder: {kept} (keep it with the grades)" in err
    # the secret keys the hidden inputs: not the file's own seed
    content = notebook.read_bytes()
    assert record.exercises[0].case == fake.grading_cases("9.1", derive_seed(content, secret))
    assert record.exercises[0].case != fake.grading_cases("9.1", derive_seed(content))
    # the same file graded again in the same folder draws the same hidden inputs
    code, again_shown, again_err = _grade(
        "--timeout", "120", "--out", str(out), "--regrade", "all", str(notebook)
    )
    first, again = _records(out)
    assert (code, again.exercises[0].case) == (0, first.exercises[0].case)
    assert "secret made" not in again_err
    # judged again without a kernel, and without the secret: the cases are in the records
    code, judged, judged_err = _grade("--rejudge", str(out))
    assert (code, judged.splitlines()[0]) == (
        0,
        "re-judged 1 records with catalogue fake-1: 0 verdicts changed",
    )
    # never printed, never in a record or a report
    text = secret.decode()
    printed = [shown, err, again_shown, again_err, judged, judged_err]
    assert not any(text in line for line in printed)
    written = [path for path in out.iterdir() if path != kept]
    assert sorted(path.name for path in written) == [
        "grades.csv",
        "report.html",
        "report.md",
        "results.jsonl",
    ]
    assert not any(text in path.read_text() for path in written)


def test_the_output_folder_and_the_secrets_folder_are_hidden_from_kernels(tmp_path: Path) -> None:
    args = cli.parse(
        ["--out", str(tmp_path / "out"), "--secret-file", str(tmp_path / "keys" / "s"), "x.ipynb"]
    )
    hidden = cli._hidden(args, [tmp_path / "class" / "alice" / "x.ipynb"])
    assert {tmp_path / "out", tmp_path / "keys"} <= set(hidden)
    gradescope = cli.parse(["--gradescope", "--root", str(tmp_path / "ag")])
    assert tmp_path / "ag" in cli._hidden(gradescope, [])  # its source/secret with it


def test_the_kept_secret_is_made_whole_once(tmp_path: Path) -> None:
    made, first = keys.folder_secret(tmp_path)
    kept, again = keys.folder_secret(tmp_path)
    assert (first, again, kept) == (True, False, made)
    assert os.listdir(tmp_path) == ["secret"]  # its temporary file is gone
    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600


def test_two_graders_making_the_secret_at_once_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another grader links its secret between this one's check and its link: this one
    takes the other's, whole, and says it did not make it."""
    link = os.link

    def beaten(source: str, target: str) -> None:
        Path(target).write_text("a" * 64 + "\n")  # the other grader's, linked first
        link(source, target)

    monkeypatch.setattr(os, "link", beaten)
    assert keys.folder_secret(tmp_path) == (b"a" * 64, False)
    assert os.listdir(tmp_path) == ["secret"]


def test_a_file_system_without_hard_links_still_gets_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(source: str, target: str) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", refused)
    secret, made = keys.folder_secret(tmp_path)
    assert (len(secret), made) == (64, True)
    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["secret"]


def test_a_kept_secret_that_is_empty_or_a_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("\n")
    with pytest.raises(keys.SecretError, match=r"secret: it is empty, and an empty secret"):
        keys.folder_secret(tmp_path)
    (tmp_path / "secret").unlink()
    (tmp_path / "elsewhere").write_text("b" * 64)
    (tmp_path / "secret").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(keys.SecretError, match=r"cannot read it \(it is a symbolic link\)"):
        keys.folder_secret(tmp_path)


@pytest.mark.parametrize(
    ("content", "why"),
    [("", "it is empty, and an empty secret keys nothing"), (None, "cannot read it")],
)
def test_an_empty_or_missing_secret_file_stops_the_grader(
    tmp_path: Path, content: str | None, why: str
) -> None:
    secret = tmp_path / "secret.txt"
    if content is not None:
        secret.write_text(content)
    notebook = fake.write(tmp_path / "class", "alice_90_fake.ipynb", *fake.RIGHT)
    out = tmp_path / "out"
    code, shown, err = _grade("--secret-file", str(secret), "--out", str(out), str(notebook))
    assert (code, shown) == (2, "")
    assert err.startswith(f"error: --secret-file {secret}: {why}")
    assert not (out / "results.jsonl").exists() and not (out / "secret").exists()


def test_a_kept_secret_others_can_read_is_warned_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    (tmp_path / "secret").write_text("c" * 64 + "\n")
    (tmp_path / "secret").chmod(0o644)
    args = argparse.Namespace(secret_file=None, gradescope=False)
    assert cli._secret(args, tmp_path) == b"c" * 64
    assert (
        capsys.readouterr().err == f"warning: others can read {tmp_path / 'secret'}: chmod 600 it\n"
    )


def _fake_python(folder: Path) -> Path:
    """A stand-in for the autograder's Python: it writes its arguments, one per line."""
    python = folder / "python"
    python.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {folder / "args.txt"}\n')
    python.chmod(0o755)
    return python


def test_run_autograder_where_gradescope_runs_it_passes_the_notebook_and_the_secret(
    tmp_path: Path,
) -> None:
    """Gradescope unzips the autograder into ROOT/source and runs a copy of run_autograder
    from ROOT: the notebook and the secret are found in ROOT/source all the same."""
    root = tmp_path / "autograder"
    source = root / "source"
    source.mkdir(parents=True)
    for name in ("setup.sh", "run_autograder"):
        shutil.copy(ROOT / "autograder" / name, source / name)
    (source / "notebook.txt").write_text("02_backpropagation\n")
    (source / "secret").write_text("f" * 64 + "\n")
    (source / "secret").chmod(0o644)  # as unzip may leave it
    shutil.copy(source / "run_autograder", root / "run_autograder")
    python = _fake_python(tmp_path)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=str(python))
    for script in (root / "run_autograder", source / "run_autograder"):
        subprocess.run(["bash", str(script)], env=env, check=True, timeout=60)
        args = (tmp_path / "args.txt").read_text().splitlines()
        assert args[args.index("--notebook") + 1] == "02_backpropagation"
        assert args[args.index("--secret-file") + 1] == str(source / "secret")
        assert args[args.index("--root") + 1] == str(root)
        assert stat.S_IMODE((source / "secret").stat().st_mode) == 0o600


def test_a_file_name_holding_another_students_lms_name_is_still_its_uploaders() -> None:
    """Blackboard puts the student's own file name after its prefix: a file a student named
    ``x_bob_attempt_<date>_02_backpropagation.ipynb`` was read as bob's (the last match),
    graded in bob's row (or, with bob's own, stopped the whole class as a name clash)."""
    stamp = "2024-01-15-10-30-00"
    paths = [
        Path(f"class/Homework 2_bob_attempt_{stamp}_02_backpropagation.ipynb"),
        Path(f"class/Homework 2_mallory_attempt_{stamp}_x_bob_attempt_{stamp}_02.ipynb"),
        Path(f"class/Home_work_2_carol_attempt_{stamp}_02_backpropagation.ipynb"),
    ]
    assert names_of(paths, "auto", "02_backpropagation") == ["bob", "mallory", "carol"]
    # the other patterns take the first (the LMS's) part already
    moodle = "Mallory X_9_assignsubmission_file_Bob Stone_4021_assignsubmission_file_02.ipynb"
    canvas = "evemallory_3_4_smithbob_1_2_02_backpropagation.ipynb"
    brightspace = (
        "1-2 - Mallory X - Jan 5, 2024 1030 AM - 3-4 - Bob Stone - Jan 5, 2024 1030 AM - a.ipynb"
    )
    assert [lms_student(name) for name in (moodle, canvas, brightspace)] == [
        "Mallory X",
        "evemallory",
        "Mallory X",
    ]

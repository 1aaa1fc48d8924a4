"""The grader's command line: validated options with their defaults shown, any file name,
escaped output, valid JSON, documented exit statuses."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import grading_fake as fake
import pytest

from micrograd_edu.grade import cli
from micrograd_edu.grade.records import NotebookGrade, identify, show_path
from micrograd_edu.grade.report import escape, grades_csv, table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timeout", "nan", "a.ipynb"], "must be a finite number of seconds ≥ 1, not 'nan'"),
        (["--timeout", "inf", "a.ipynb"], "must be a finite number of seconds ≥ 1, not 'inf'"),
        (["--timeout", "0.5", "a.ipynb"], "must be a finite number of seconds ≥ 1, not '0.5'"),
        (["--timeout", "soon", "a.ipynb"], "not a number of seconds: 'soon'"),
        (["--jobs", "0", "a.ipynb"], "must be at least 1, not '0'"),
        ([], "no notebooks given"),
        (["--colour", "a.ipynb"], "unrecognized argument: '--colour'"),
        (["--regrade", "broken", "a.ipynb"], "not a status: 'broken' (choose from graded, "),
        (["--student-from", "email", "a.ipynb"], "invalid choice: 'email'"),
        (["--rejudge", "out", "a.ipynb"], "--rejudge DIR judges DIR's records again"),
    ],
)
def test_bad_options_are_refused_with_a_clear_message(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(args, course=fake)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_escape_shows_control_characters() -> None:
    assert escape("ok\r\n\x1b[31m\u2028\u202e\x7f") == "ok\\r\\n\\x1b[31m\\u2028\\u202e\\x7f"
    assert escape("naïve ∂L/∂w") == "naïve ∂L/∂w"


def test_identify_by_option_metadata_then_file_name() -> None:
    stems = ["01_derivatives_and_value", "02_backpropagation"]
    meta = json.dumps({"metadata": {"micrograd_edu": {"notebook": "01_derivatives_and_value"}}})
    assert identify(meta.encode(), "x.ipynb", None, stems) == (
        "01_derivatives_and_value",
        "metadata",
    )
    assert identify(b"{}", "hw2_02-copy.ipynb", None, stems) == ("02_backpropagation", "file name")
    assert identify(b"{}", "x.ipynb", "02_backpropagation", stems)[0] == "02_backpropagation"
    assert identify(b"not json", "essay.ipynb", None, stems)[0] is None


def test_the_grade_book_escapes_and_defuses_formulas() -> None:
    record = NotebookGrade("-a.ipynb", "0" * 64, '=HYPERLINK("x")\n', "90_fake", "graded")
    rows = list(csv.reader(io.StringIO(grades_csv([record]))))
    assert rows == [
        ["student", "status", "total", "max", "notebook", "submission"],
        ['\'=HYPERLINK("x")\\n', "graded", "0", "0", "90_fake", "'-a.ipynb"],
    ]


def test_help_shows_every_options_default_and_the_exit_statuses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--help"], course=fake)
    assert stop.value.code == 0
    text = capsys.readouterr().out
    options = text.split("options:\n", 1)[1].split("\n\n", 1)[0]
    entries = re.split(r"\n  (?=-)", options.strip())
    assert len(entries) == 17  # -h and the 16 options
    for entry in entries[1:]:
        assert "(default: " in " ".join(entry.split()), entry
    assert "Exit status: 0 every submission graded; 1 some not graded to the end" in text
    assert 'pip install "micrograd_edu[grade]"' in text
    assert set(cli.EXIT_CODES) == {0, 1, 2, 3, 130}


def test_an_unknown_course_notebook_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = fake.write(tmp_path / "ann", "90_fake.ipynb", *fake.RIGHT)
    assert cli.main(["--notebook", "92_x", str(path)], course=fake) == 2
    assert capsys.readouterr().err == (
        "error: --notebook '92_x' is not a course notebook (one of 90_fake, 91_other, or each)\n"
    )


def test_show_path_never_fails_on_bytes_that_are_not_utf8() -> None:
    assert show_path(Path(os.fsdecode(b"caf\xe9.ipynb"))) == "caf\\xe9.ipynb"


@pytest.mark.notebooks
@pytest.mark.slow
def test_any_file_name_is_graded_and_shown_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    names = ["-x.ipynb", "two words.ipynb", "new\nline  9.2 passed.ipynb", b"caf\xe9.ipynb"]
    paths = []
    for name in names:
        path = Path(os.fsdecode(name) if isinstance(name, bytes) else name)
        path.write_text(fake.notebook(*fake.RIGHT), encoding="utf-8")
        paths.append(str(path))
    raiser = tmp_path / "raiser.ipynb"
    raiser.write_text(
        fake.notebook("def double(x):\n    raise ValueError('\\x1b[2J\\n  9.2       passed')\n"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    options = ["--out", str(out), "--jobs", "2", "--timeout", "60", "--student-from", "path"]
    code = cli.main([*options, *paths, "--", str(raiser)], course=fake)
    text = capsys.readouterr().out
    assert code == 0
    assert "-x.ipynb  [" in text
    assert "two words.ipynb  [" in text
    assert "new\\nline  9.2 passed.ipynb  [" in text
    assert "caf\\xe9.ipynb  [" in text
    assert "\x1b" not in text
    assert "  9.1       wrong     it raised ValueError: \\x1b[2J\\n  9.2       passed" in text
    raw = (out / "results.jsonl").read_bytes()
    raw.decode("ascii")  # ASCII, so valid UTF-8 whatever the names
    records = {json.loads(line)["path"]: line.decode() for line in raw.splitlines()}
    assert sorted(records) == sorted(
        [
            "-x.ipynb",
            "two words.ipynb",
            "new\nline  9.2 passed.ipynb",
            "caf\\xe9.ipynb",
            str(raiser),
        ]
    )
    shown = table(NotebookGrade.from_json(records["new\nline  9.2 passed.ipynb"]))
    assert shown.startswith("new\\nline  9.2 passed.ipynb  [")


@pytest.mark.notebooks
@pytest.mark.slow
def test_a_file_that_is_not_a_course_notebook_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    essay = tmp_path / "essay.ipynb"
    essay.write_text('{"cells": []}')
    missing = tmp_path / "nowhere.ipynb"
    garbage = tmp_path / "garbage.ipynb"
    garbage.write_bytes(b"\x00not json")
    paths = [str(essay), str(missing), str(garbage)]
    assert cli.main(["--notebook", "each", *paths], course=fake) == 1
    text = capsys.readouterr().out
    assert "essay.ipynb  [essay]: NOT A COURSE NOTEBOOK — no metadata names one, and the" in text
    assert "nowhere.ipynb  [nowhere]: REFUSED — cannot read it: No such file or directory" in text
    assert "garbage.ipynb  [garbage]: REFUSED — not a Jupyter notebook (not JSON)" in text
    # graded as the class's notebook, they are refused when they are no notebook at all
    assert cli.main(["--notebook", "90_fake", *paths], course=fake) == 1
    text = capsys.readouterr().out
    assert "essay.ipynb  [essay]  90_fake  (0 of 2 passed)" in text  # a notebook: graded
    assert "garbage.ipynb  [garbage]: REFUSED — not a Jupyter notebook (not JSON)" in text


def test_what_a_notebooks_kernel_imports_is_checked_before_any_notebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    class Needs:  # the fake course, whose notebook imports a module this machine lacks
        PROBE_MARKER = fake.PROBE_MARKER
        course_exercises = staticmethod(fake.course_exercises)
        grading_cases = staticmethod(fake.grading_cases)
        probe_cell = staticmethod(fake.probe_cell)
        judge = staticmethod(fake.judge)

        @staticmethod
        def kernel_requirements(stem: str) -> list[tuple[str, str]]:
            return [("json", "json"), ("no_such_module_here", "no-such-package==1.0")]

    path = fake.write(tmp_path / "ann", "90_fake.ipynb", *fake.RIGHT)
    out = tmp_path / "out"
    assert cli.main(["--out", str(out), str(path)], course=Needs) == 3
    lines = capsys.readouterr().err.splitlines()
    assert lines[1:] == [
        "  no_such_module_here (No module named 'no_such_module_here'; notebook 90_fake "
        "imports it)",
        "Install them into that Python, then run the same command again:",
        lines[3].split(" -m pip")[0] + " -m pip install no-such-package==1.0",
        "Nothing was graded and nothing was recorded.",
    ]
    assert not (out / "results.jsonl").exists()


def test_the_course_says_what_its_kernels_import() -> None:
    from micrograd_edu import exercises
    from micrograd_edu.exercises.grading import GRADING_SECONDS

    assert exercises.kernel_requirements("02_backpropagation") == [
        ("matplotlib", '"micrograd_edu[grade]"'),
        ("graphviz", '"micrograd_edu[grade]"'),
    ]
    assert set(GRADING_SECONDS) == set(exercises.course_exercises())

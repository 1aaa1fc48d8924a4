"""docs/ops.md is the op table as the rules write it, and every op has a row."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd_edu import engine
from micrograd_edu.engine import Value
from micrograd_edu.explain import optable

ROOT = Path(__file__).resolve().parents[2]


def test_the_ops_page_is_written_from_the_rules() -> None:
    page = (ROOT / "docs" / "ops.md").read_text(encoding="utf-8")
    assert page == optable.markdown(), "run: python -m micrograd_edu.explain.optable"


def test_every_op_has_a_row_with_its_value_and_local_derivatives() -> None:
    names = [name for name, _, value, slopes in optable.rows() if value and slopes]
    assert names == list(engine.OPS)
    assert optable.rows()[9] == ("tanh", "a.tanh()", "tanh a", "d/da = 1 − tanh²a")


def test_the_tanh_row_says_what_the_rule_computes() -> None:
    """The row's formulas are those of the rule that runs: value tanh a, slope 1 − tanh²a."""
    node = Value(0.3).tanh()
    assert node.data == math.tanh(0.3)
    assert node.local_grads == (1.0 - math.tanh(0.3) ** 2,)


PROG = "python -m micrograd_edu.explain.optable"


def test_help_prints_the_usage_and_writes_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "micrograd_edu.explain.optable", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(f"usage: {PROG} [-h] [--check] [path]\n")
    assert "the page (default: docs/ops.md)" in done.stdout
    assert list(tmp_path.iterdir()) == []


def test_the_page_goes_to_docs_ops_md_or_the_path_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert optable.main([]) == 0
    assert (tmp_path / "docs" / "ops.md").read_text(encoding="utf-8") == optable.markdown()
    assert capsys.readouterr().out == f"wrote {Path('docs') / 'ops.md'}\n"
    other = tmp_path / "elsewhere" / "table.md"
    assert optable.main([str(other)]) == 0
    assert other.read_text(encoding="utf-8") == optable.markdown()
    assert capsys.readouterr().out == f"wrote {other}\n"


def test_check_exits_1_when_the_page_is_missing_or_differs_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "ops.md"
    assert optable.main([str(page), "--check"]) == 1
    assert capsys.readouterr() == ("", f"{PROG}: {page} is missing: run {PROG} {page}\n")
    assert not page.exists()
    page.write_text(optable.markdown().replace("tanh", "TANH"), encoding="utf-8")
    assert optable.main([str(page), "--check"]) == 1
    assert capsys.readouterr() == (
        "",
        f"{PROG}: {page} differs from the rules: run {PROG} {page}\n",
    )
    assert "TANH" in page.read_text(encoding="utf-8")
    page.write_text(optable.markdown(), encoding="utf-8")
    assert optable.main([str(page), "--check"]) == 0
    assert capsys.readouterr() == (f"{page} is up to date\n", "")


def test_check_of_the_repositorys_page_passes() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "micrograd_edu.explain.optable", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "docs/ops.md is up to date\n", "")


def test_an_unwritable_path_is_one_line_and_status_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert optable.main([str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"{PROG}: error: cannot write to {str(tmp_path)!r}: it is a directory\n"

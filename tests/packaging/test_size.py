"""benchmarks.size: the size report finds long modules and long function bodies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import size


def test_size_reports_long_modules_and_long_function_bodies(tmp_path: Path) -> None:
    package = tmp_path / "micrograd_edu"
    package.mkdir()
    (tmp_path / "visualize").mkdir()
    (package / "engine.py").write_text("x = 1\n" * 401)
    body = "".join(f"    y{i} = {i}\n" for i in range(61))
    short = "".join(f"    y{i} = {i}\n" for i in range(60))
    doc = '    """A docstring\n\n    does not count.\n    """\n'
    (package / "a.py").write_text(f"def long():\n{body}\n\ndef short():\n{doc}{short}")
    report = size.measure(tmp_path)
    assert report.engine_lines == 401
    assert report.long_modules == []
    assert report.long_functions == [("micrograd_edu/a.py:1 long", 61)]
    (package / "b.py").write_text("z = 0\n" * 501)
    lines = size.measure(tmp_path).lines()
    assert lines[0] == (
        "size: engine.py 401 lines (≤ 400); 1 modules > 500 lines; 1 functions > 60 lines ✘"
    )
    assert lines[1:] == [
        "  module   micrograd_edu/b.py: 501 lines",
        "  function micrograd_edu/a.py:1 long: 61 lines",
    ]


def test_size_command_exits_1_when_a_target_is_missed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = tmp_path / "micrograd_edu"
    package.mkdir()
    (tmp_path / "visualize").mkdir()
    (package / "engine.py").write_text("x = 1\n" * 400)
    assert size.main(tmp_path) == 0
    assert capsys.readouterr().out.endswith("0 functions > 60 lines ✔\n")
    (package / "engine.py").write_text("x = 1\n" * 401)
    assert size.main(tmp_path) == 1
    assert capsys.readouterr().out.endswith("0 functions > 60 lines ✘\n")


def test_the_real_engine_py_has_at_most_400_lines() -> None:
    assert size.measure().engine_lines <= size.ENGINE_MAX


@pytest.mark.parametrize(
    "name", [path.relative_to(size.ROOT).as_posix() for path in size.modules()]
)
def test_every_real_module_meets_the_size_targets(name: str) -> None:
    """At most 500 lines, and no function body over 60 lines (what benchmarks.size reports)."""
    lines, long_functions = size.module_size(size.ROOT / name)
    assert lines <= size.MODULE_MAX, f"{name}: {lines} lines"
    assert long_functions == [], f"functions over {size.FUNCTION_MAX} lines"


def test_the_modules_measured_are_both_packages() -> None:
    names = {path.relative_to(size.ROOT).as_posix() for path in size.modules()}
    assert {"micrograd_edu/engine.py", "visualize/live/app.py"} <= names


def test_python_m_benchmarks_size_exits_with_the_reports_status() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.size"],
        cwd=size.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == (0 if size.measure().ok else 1)
    assert done.stdout.startswith("size: engine.py ")

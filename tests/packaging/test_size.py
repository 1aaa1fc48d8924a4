"""benchmarks.size: the size report finds long modules, long function bodies and functions
too long in all (signature and docstring included, as the project's before-stop check counts)."""

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
        "size: engine.py 401 lines (≤ 400); 1 modules > 500 lines; 1 functions > 60 lines; "
        "0 functions > 70 lines in all ✘"
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
    assert capsys.readouterr().out.endswith("0 functions > 70 lines in all ✔\n")
    (package / "engine.py").write_text("x = 1\n" * 401)
    assert size.main(tmp_path) == 1
    assert capsys.readouterr().out.endswith("0 functions > 70 lines in all ✘\n")


def _function(name: str, doc_lines: int, body_lines: int, decorated: bool = False) -> str:
    """A function of ``1 + doc_lines + body_lines`` lines: ``def``, a docstring, a body."""
    doc = ['    """Doc.', *[f"    line {i}" for i in range(doc_lines - 2)], '    """']
    body = [f"    y{i} = {i}" for i in range(body_lines)]
    head = ["@staticmethod"] if decorated else []
    return "\n".join([*head, f"def {name}():", *doc, *body]) + "\n"


def test_a_function_over_70_lines_in_all_is_reported_though_its_body_is_short(
    tmp_path: Path,
) -> None:
    package = tmp_path / "micrograd_edu"
    package.mkdir()
    (tmp_path / "visualize" / "live").mkdir(parents=True)
    (package / "engine.py").write_text("x = 1\n")
    # 1 + 30 + 40 = 71 lines: the body (40) is within 60, the whole is not within 70;
    # 1 + 29 + 40 and 1 + 9 + 60 are 70: on the limit.
    (package / "a.py").write_text(_function("long_doc", 30, 40) + "\n\n" + _function("ok", 29, 40))
    (tmp_path / "visualize" / "live" / "b.py").write_text(_function("deep", 9, 60, True))
    report = size.measure(tmp_path)
    assert report.long_functions == []
    assert report.long_wholes == [("micrograd_edu/a.py:1 long_doc", 71)]
    assert not report.ok
    assert report.lines() == [
        "size: engine.py 1 lines (≤ 400); 0 modules > 500 lines; 0 functions > 60 lines; "
        "1 functions > 70 lines in all ✘",
        "  function micrograd_edu/a.py:1 long_doc: 71 lines in all",
    ]
    (package / "a.py").write_text(_function("long_doc", 29, 40))
    (tmp_path / "visualize" / "live" / "b.py").write_text(_function("deep", 11, 60, True))
    # def on line 2 (the decorator is not counted, as the hook's end_lineno - lineno + 1).
    assert size.measure(tmp_path).long_wholes == [("visualize/live/b.py:2 deep", 72)]
    assert size.main(tmp_path) == 1


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


@pytest.mark.parametrize(
    "name", [path.relative_to(size.ROOT).as_posix() for path in size.modules()]
)
def test_every_real_function_is_at_most_70_lines_in_all(name: str) -> None:
    """From ``def`` to its last line, signature and docstring included (the before-stop check)."""
    assert size.whole_size(size.ROOT / name) == [], f"functions over {size.WHOLE_MAX} lines in all"


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

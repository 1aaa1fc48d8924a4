"""benchmarks.size: the size report finds long modules and long function bodies."""

from __future__ import annotations

from pathlib import Path

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

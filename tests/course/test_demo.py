"""The demo scripts behind `make demo`: the README numbers and the pictures."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from micrograd_edu.cli.demo import main as engine_demo


def test_engine_demo_prints_the_readme_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    engine_demo()
    lines = capsys.readouterr().out.splitlines()
    assert "  a =    -4.0000   dg/da =   138.8338" in lines
    assert "  b =     2.0000   dg/db =   645.5773" in lines
    assert "  g =    24.7041   dg/dg =     1.0000" in lines


@pytest.mark.slow
def test_visualize_demo_writes_the_graph_the_player_and_the_playground(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    from micrograd_edu.visualize.__main__ import main as pictures_demo

    assert pictures_demo(["--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    for name in ("graph.svg", "backward.html", "playground.png"):
        assert f"picture: {tmp_path / name}" in printed
    texts = [
        t.text
        for t in ET.parse(tmp_path / "graph.svg").getroot().iter("{http://www.w3.org/2000/svg}text")
    ]
    assert "data 24.7" in texts and "grad 138.8" in texts
    assert (tmp_path / "backward.html").read_text().count('class="mg-frame mg-view"') == 6
    assert (tmp_path / "playground.png").read_bytes().startswith(b"\x89PNG")

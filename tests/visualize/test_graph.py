"""Computation graphs: DOT structure, rendering through graphviz-pure, the error paths."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("graphviz")

from micrograd_edu import Value
from micrograd_edu.cli.demo import readme_expression
from micrograd_edu.nn import Neuron
from micrograd_edu.visualize import (
    GraphTooLargeError,
    GraphvizNotFoundError,
    draw_graph,
    palette,
    render,
    renderer,
)
from micrograd_edu.visualize.renderer import RenderError, find_renderer

SVG = "{http://www.w3.org/2000/svg}"


def _records(source: str) -> list[str]:
    return re.findall(r'label="\{ (.*?) \}"', source)


def _node_attributes(source: str, label: str) -> str:
    """The DOT attributes of the record whose first field is ``label``."""
    found = re.search(rf'label="\{{ {re.escape(label)} \|[^\n]*', source)
    assert found, label
    return found.group(0)


def test_one_record_per_value_and_one_circle_per_op() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    graph = draw_graph(d)
    source = graph.source
    assert source.count("shape=record") + source.count("shape=Mrecord") == 4
    assert source.count("shape=Mrecord") == 2  # the inputs a and b: rounded corners
    assert source.count("shape=circle") == 2
    assert source.count("->") == 2 + 2 + 2  # inputs into each op, each op into its output
    assert sorted(_records(source)) == [
        "a | data 2 | ? (run backward)",
        "b | data -3 | ? (run backward)",
        "c | data -6 | ? (run backward)",
        "d | data -4 | ? (run backward)",
    ]


def test_grads_appear_after_backward_with_four_significant_digits() -> None:
    x = Value(1.23456, label="x")
    y = (x * x).tanh()
    y.label = "y"
    y.backward()
    records = sorted(_records(draw_graph(y).source))
    assert f"x | data 1.235 | grad {x.grad:.4g}" in records
    assert f"y | data {y.data:.4g} | grad 1" in records
    assert "run backward" not in draw_graph(y).source
    assert "grad" not in draw_graph(y, show_grad=False).source


def test_styles_inputs_parameters_output_and_highlight() -> None:
    """Each kind of node has its palette fill and a second cue: its border."""
    neuron = Neuron(2, activation="tanh", seed=0)
    x = [Value(1.0, label="x1"), Value(-1.0, label="x2")]
    out = neuron(x)
    out.label = "out"
    source = draw_graph(out, params=neuron.parameters(), highlight=[out]).source
    fills = palette.NODE_COLORS
    assert source.count(f'fillcolor="{fills["parameter"]}"') == 3  # two weights and the bias
    assert source.count(f'fillcolor="{fills["input"]}"') == 2  # the two inputs
    for name in ("x1", "x2"):  # inputs: rounded corners
        assert "shape=Mrecord" in _node_attributes(source, name)
    parameters = [line for line in source.splitlines() if fills["parameter"] in line]
    assert all('style="filled,dashed"' in line and "shape=record" in line for line in parameters)
    highlighted = _node_attributes(source, "out")  # a thick vermillion border, its own fill
    assert f'color="{palette.HIGHLIGHT}"' in highlighted and "penwidth=3.5" in highlighted
    assert f'fillcolor="{fills["computed"]}"' in highlighted
    assert "w·x+b" in source  # the neuron's weighted sum is one op
    colours = set(re.findall(r'(?:fill)?color="([^"]+)"', source))
    allowed = {*fills.values(), palette.HIGHLIGHT, palette.NODE_BORDER, palette.EDGE_GREY}
    assert colours <= allowed | {"#475569"}  # and the ops' circles


def test_number_operands_show_in_the_op() -> None:
    a = Value(3.0, label="a")
    labels = [draw_graph(op).source for op in (a * 2, a + 0.5, a - 1, 1 - a, a / 4, 6 / a)]
    assert [
        "× 2" in labels[0],
        "+ 0.5" in labels[1],
        "− 1" in labels[2],
        "1 −" in labels[3],
        "÷ 4" in labels[4],
        "6 ÷" in labels[5],
    ] == [True] * 6


def test_labels_are_escaped_for_records() -> None:
    a = Value(1.0, label="{weird|label<>}")
    assert "\\{weird\\|label\\<\\>\\}" in draw_graph(a * 2).source


def test_too_many_nodes_is_a_clear_error() -> None:
    x = Value(1.0)
    for _ in range(600):
        x = x * 1.01
    with pytest.raises(
        GraphTooLargeError, match=re.escape("this graph has 601 nodes, more than max_nodes=500")
    ):
        draw_graph(x)
    source = draw_graph(x, max_nodes=601).source
    assert source.count("shape=record") + source.count("shape=Mrecord") == 601
    with pytest.raises(ValueError, match=re.escape("pass max_nodes=601")):
        draw_graph(x)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match=re.escape("expected a Value, got float")):
        draw_graph(1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=re.escape("rankdir must be")):
        draw_graph(Value(1.0), rankdir="diagonal")


def test_renders_svg_with_the_labels(tmp_path: Path) -> None:
    nodes = readme_expression()
    nodes["g"].backward()
    graph = draw_graph(nodes["g"])
    path = graph.render(outfile=tmp_path / "g.svg")
    root = ET.parse(path).getroot()
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "grad 138.8" in texts  # dg/da
    assert "data 24.7" in texts  # g
    assert "relu" in texts
    bundle = graph._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")


def test_render_png_and_source_files(tmp_path: Path) -> None:
    graph = draw_graph(Value(2.0, label="a") * 3)
    png = graph.render(outfile=tmp_path / "g.png")
    assert Path(png).read_bytes().startswith(b"\x89PNG")
    svg = graph.render("graph", directory=tmp_path, format="svg")
    assert Path(svg) == tmp_path / "graph.svg"
    assert (tmp_path / "graph").read_text() == graph.source
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.png", "graph", "graph.svg"]


def test_graphviz_pure_is_found_without_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MICROGRAD_EDU_DOT", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    found = find_renderer()
    assert found is not None and found.name.startswith("graphviz-pure")
    assert render("digraph { a -> b }", "svg").startswith(b"<?xml")
    with pytest.raises(RenderError, match=re.escape("graphviz-pure renders png, svg, not 'pdf'")):
        render("digraph { a -> b }", "pdf")


def test_no_renderer_gives_install_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(renderer, "find_renderer", lambda: None)
    graph = draw_graph(Value(1.0) + 1)
    with pytest.raises(GraphvizNotFoundError) as info:
        graph.pipe(format="svg")
    message = str(info.value)
    for command in (
        "pip install graphviz-pure",
        "apt-get install graphviz",
        "brew install graphviz",
        "winget install graphviz",
    ):
        assert command in message
    assert "digraph" in graph.source  # the DOT text stays usable


def test_bad_dot_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="failed"):
        render("this is not dot", "svg")


def test_renderer_override_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    found = find_renderer()
    assert found is not None
    monkeypatch.setenv("MICROGRAD_EDU_DOT", str(found))
    assert find_renderer() == found
    monkeypatch.setenv("MICROGRAD_EDU_DOT", "/nonexistent/dot")
    assert find_renderer() is None
    with pytest.raises(GraphvizNotFoundError, match="no Graphviz renderer found"):
        render("digraph { a }", "svg")


def test_render_that_takes_too_long_is_a_render_error() -> None:
    total = Value(0.0)
    for i in range(2000):
        total = total + Value(float(i))
    graph = draw_graph(total, max_nodes=10**7)
    with pytest.raises(RenderError, match=re.escape("took longer than 0.01 s")):
        render(graph.source, "svg", timeout=0.01)


def test_labels_with_newlines_and_lone_surrogates_render() -> None:
    a = Value(1.0, label="line1\nline2")
    b = Value(2.0, label="bad\ud800x")
    svg = draw_graph(a * b).pipe("svg").decode("utf-8")
    assert ">line1<" in svg and ">line2<" in svg and "line1line2" not in svg
    assert "bad\ufffdx" in svg


def test_inline_display_fits_the_output_area() -> None:
    nodes = readme_expression()
    graph = draw_graph(nodes["g"])
    bundle = graph._repr_mimebundle_()
    html = bundle["text/html"]
    assert html.startswith('<div class="mg-pictures mg-graph-view" id="mg-graph-')
    assert '<div class="mg-graph" style="max-width: 100%; overflow-x: auto">' in html
    width = float(re.search(r'<svg width="([0-9.]+)pt"', bundle["image/svg+xml"]).group(1))  # type: ignore[union-attr]
    assert f"min-width: {width / 2:.0f}pt" in html
    assert "max-width: 100%; height: auto" in html
    assert "<?xml" not in html
    assert graph._repr_mimebundle_(include=["image/svg+xml"]).keys() == {"image/svg+xml"}

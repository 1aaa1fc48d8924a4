"""A gradient's paths drawn, and hover formulas in the pictures (read in real Chromium)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("graphviz")

from micrograd_edu import Value
from micrograd_edu.explain import TooManyPathsError
from micrograd_edu.visualize import draw_graph, palette, save_backward_html
from micrograd_edu.visualize.__main__ import lecture_neuron, reused_node_example
from micrograd_edu.visualize.explain import PATH_COLORS, draw_paths, explain_player, explain_steps
from micrograd_edu.visualize.live.screenshot import CHROMIUM_ARGS, find_chromium

CHROMIUM = find_chromium()


def test_one_frame_per_path_then_all_of_them() -> None:
    f, a = reused_node_example()
    frames = explain_steps(f, a)
    assert [frame.caption for frame in frames] == [
        "Path 1 of 2: f → d → a, product of the local derivatives 1 × 3 = 3",
        "Path 2 of 2: f → e → a, product of the local derivatives -6 × 1 = -6",
        "All 2 paths: df/da = 3 − 6 = -3, the sum of their products (what backward() computes)",
    ]
    first, second = PATH_COLORS[:2]
    # path 1 is drawn in its colour with its number and local derivatives; path 2 is not
    assert re.search(rf'v\d+ -> v\d+_op \[label="path 1: ×3" color="{first}"', frames[0].source)
    assert f'color="{second}"' not in frames[0].source and "path 2" not in frames[0].source
    assert re.search(rf'label="path 2: ×-6" color="{second}"', frames[1].source)
    assert f'color="{first}"' in frames[2].source and f'color="{second}"' in frames[2].source
    assert PATH_COLORS == palette.PATH_COLORS  # the shared, colour-blind-checked palette


def test_an_edge_on_two_paths_takes_both_colours() -> None:
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    z = y.tanh()
    z.label = "z"
    source = explain_steps(z, x)[-1].source
    first, second = PATH_COLORS[:2]
    # the edge z ← y is on both paths: drawn as two parallel lines, labelled with both
    assert re.search(rf'label="paths 1, 2: ×[^"]*" color="{first}:{second}"', source)


def test_draw_paths_writes_the_derivation_in_the_paths_colours() -> None:
    f, a = reused_node_example()
    svg = draw_paths(f, a).pipe("svg", encoding="utf-8")
    assert isinstance(svg, str)
    assert f'fill="{PATH_COLORS[0]}"' in svg and f'fill="{PATH_COLORS[1]}"' in svg
    texts = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg)).replace("&#160;", " ")
    text = re.sub(r"\s+", " ", texts)
    assert "path 1: f → d → a 1 × 3 = 3" in text
    assert "df/da = 3 − 6 = &#45;3" in text


def test_the_player_and_its_limits() -> None:
    f, a = reused_node_example()
    assert len(explain_player(f, a).frames) == 3
    y = a
    for _ in range(10):
        y = y * y
    with pytest.raises(TooManyPathsError, match="there are 1,024 paths"):
        explain_player(y, a)
    with pytest.raises(TypeError, match="give the leaf as well as the root"):
        explain_steps(f)


def test_tooltips_are_in_the_svg() -> None:
    f, _ = reused_node_example()
    svg = draw_graph(f).pipe("svg", encoding="utf-8")
    assert isinstance(svg, str)
    titles = re.findall(r'xlink:title="([^"]*)"', svg)
    assert (
        "a = &#45;2&#10;df/da = df/dd · dd/da + df/de · de/da = 1 · 3 + &#45;6 · 1 = &#45;3"
        in titles
    )
    assert "local derivative dd/da = 3" in titles
    assert not re.findall(
        r"xlink:title", draw_graph(f, tooltips=False).pipe("svg", encoding="utf-8")
    )


def _require_browser() -> Any:
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "Chromium is missing under CI: .ci/run installs it (apt-get install chromium)"
            )
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api")


HOVERED_TITLE = """() => {
  const hovered = [...document.querySelectorAll(':hover')].pop();
  const link = hovered && hovered.closest('a');
  return link ? link.getAttributeNS('http://www.w3.org/1999/xlink', 'title') : null;
}"""


def _hover_node(page: Any, scope: Any, label: str) -> str | None:
    """Hover the node whose first field is ``label``; return the tooltip under the mouse."""
    scope.locator("g.node text").filter(has_text=re.compile(rf"^{re.escape(label)}$")).first.hover()
    title: str | None = page.evaluate(HOVERED_TITLE)
    return title


@pytest.mark.browser
def test_hovering_a_gradient_in_the_backward_player_shows_its_chain_rule(tmp_path: Path) -> None:
    sync_api = _require_browser()
    path = save_backward_html(lecture_neuron(), tmp_path / "backward.html")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(path.as_uri())
            first = page.locator(".mg-frame").nth(0)
            # before the pass, w1 has a value but no gradient yet
            assert _hover_node(page, first, "w1") == "w1 = -3"
            page.get_by_role("button", name=re.compile("Next")).click()
            second = page.locator(".mg-frame").nth(1)
            assert _hover_node(page, second, "n") == (
                "n = x1·w1 + x2·w2 + b = -6 + 6.881 = 0.8814\ndo/dn = do/do · do/dn = 1 · 0.5 = 0.5"
            )
            for _ in range(4):
                page.get_by_role("button", name=re.compile("Next")).click()
            last = page.locator(".mg-frame").nth(5)
            assert _hover_node(page, last, "w1") == (
                "w1 = -3\ndo/dw1 = do/d(x1·w1) · d(x1·w1)/dw1 = 0.5 · 2 = 1"
            )
        finally:
            browser.close()


@pytest.mark.browser
def test_hovering_a_reused_node_in_draw_graph_html_shows_the_sum(tmp_path: Path) -> None:
    sync_api = _require_browser()
    f, _ = reused_node_example()
    html = draw_graph(f)._repr_mimebundle_()["text/html"]
    page_path = tmp_path / "graph.html"
    page_path.write_text(f"<!DOCTYPE html><html><body>{html}</body></html>", encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(page_path.as_uri())
            body = page.locator("body")
            assert _hover_node(page, body, "a") == (
                "a = -2\ndf/da = df/dd · dd/da + df/de · de/da = 1 · 3 + -6 · 1 = -3"
            )
            assert _hover_node(page, body, "d") == (
                "d = a × b = -2 × 3 = -6\ndf/dd = df/df · df/dd = 1 · 1 = 1"
            )
        finally:
            browser.close()


@pytest.mark.browser
def test_hovering_a_weight_in_the_neuron_inspector_shows_dl_dw(tmp_path: Path) -> None:
    sync_api = _require_browser()
    from micrograd_edu.visualize.backward import BackwardPlayer
    from micrograd_edu.visualize.live.session import PlaygroundSession

    session = PlaygroundSession(dataset="circle", hidden=(2,), n=100)
    inspection = session.inspect(0, 0, (1.0, 2.0), 1.0)
    frames = inspection.steps()
    page_path = tmp_path / "inspector.html"
    page_path.write_text(BackwardPlayer((frames[-1],)).html_page(), encoding="utf-8")
    w1, x1 = inspection.weights[0], inspection.inputs[0]
    g_sum = inspection.grads[inspection.weighted_sum]
    expected = (
        f"w1 = {w1.data:.4g}\n"
        f"dL/dw1 = dL/d(w·x + b) · d(w·x + b)/dw1 = {g_sum:.4g} · {x1.data:.4g} = "
        f"{g_sum * x1.data:.4g}"
    )
    assert f"{g_sum * x1.data:.4g}" == f"{inspection.grads[w1]:.4g}"  # the network's own dL/dw1
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(page_path.as_uri())
            assert _hover_node(page, page.locator("body"), "w1") == expected
            root = _hover_node(page, page.locator("body"), inspection.root.label)
            assert root is not None
            assert root.endswith(
                f"dL/d({inspection.root.label}) = {inspection.grads[inspection.root]:.4g} "
                "(backpropagated from the loss L through the rest of the network)"
            )
        finally:
            browser.close()


def test_the_paths_are_drawn_where_numpy_and_matplotlib_are_missing() -> None:
    """Notebook 2 runs in the browser without NumPy: its explain_grad cell must too."""
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['numpy'] = None; sys.modules['matplotlib'] = None\n"
        "from micrograd_edu import Value\n"
        "from micrograd_edu.explain import explain_grad\n"
        "from micrograd_edu.visualize.explain import explain_player\n"
        "a = Value(3.0, label='a'); b = a + a; c = b * b; c.backward()\n"
        "print(explain_grad(c, a).gradient, len(explain_player(c, a).frames))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["24.0", "5"]  # four paths of 6, then all of them

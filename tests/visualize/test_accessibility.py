"""The graphs, players and one-step mode as a keyboard user and a screen reader get them.

In Chromium, never with the mouse: axe-core's WCAG 2.0/2.1 A and AA rules (0 violations
of any impact), the keyboard (Tab, arrows, Enter, Escape, Page Up/Down) with a focus
indicator of 3:1 or more on every stop, the accessibility tree (``aria_snapshot``), the
polite live region, and ``prefers-reduced-motion``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("graphviz")

from a11y import assert_no_axe_violations, focus_indicator, focused, keyboard_walk, tab_to

from micrograd_edu import Value
from micrograd_edu.explain.formulas import node_names
from micrograd_edu.explain.health import one_step
from micrograd_edu.nn import MLP
from micrograd_edu.visualize import backward_player, draw_graph, palette
from micrograd_edu.visualize.__main__ import lecture_neuron, reused_node_example
from micrograd_edu.visualize.explain import explain_player
from micrograd_edu.visualize.interactive import page_html
from micrograd_edu.visualize.onestep import step_player

pytestmark = pytest.mark.browser


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context()
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == [], errors  # no script error on any page


def _open(page: Any, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    page.goto(path.as_uri())


def _pages() -> dict[str, str]:
    f, a = reused_node_example()
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    X, y = np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([1.0, 0.0])
    return {
        "backward player": backward_player(lecture_neuron()).html_page(),
        "path player": explain_player(f, a).html_page(),
        "graph page": draw_graph(f).html_page("The graph of f"),
        "one-step player": step_player(model, one_step(model, X, y, "bce", lr=0.5)).html_page(),
    }


def _assert_ring(page: Any) -> None:
    """The focused element shows a focus indicator 2 px wide or more, 3:1 or more on white."""
    ring = focus_indicator(page)
    assert ring is not None, focused(page)
    color, width = ring
    assert width >= 2.0
    assert palette.contrast_ratio(color, palette.BACKGROUND) >= 3.0


@pytest.mark.parametrize(
    "name", ["backward player", "path player", "graph page", "one-step player"]
)
def test_axe_finds_nothing_loaded_or_in_use(page: Any, tmp_path: Path, name: str) -> None:
    _open(page, tmp_path, "page.html", _pages()[name])
    assert_no_axe_violations(page, what=f"{name}, as loaded")
    stop = tab_to(page, lambda stop: stop.tag == "g" and stop.role == "button")
    _assert_ring(page)
    page.keyboard.press("Enter")  # the item's entry in the text version: the text opens
    assert focused(page).tag == "li", stop  # type: ignore[union-attr]
    _assert_ring(page)
    assert_no_axe_violations(page, what=f"{name}, its picture and text in use")


def test_keyboard_only_steps_the_player_and_reads_a_gradient(page: Any, tmp_path: Path) -> None:
    """The keyboard-only path of the Accessibility page, checked against the engine."""
    _open(page, tmp_path, "backward.html", backward_player(lecture_neuron()).html_page())
    stops = keyboard_walk(page, 5)
    assert [stop.name for stop in stops if stop] == [
        "◀◀ First",
        "◀ Previous",
        "▶ Play",
        "Next ▶",
        "Last ▶▶",
    ]
    stop = tab_to(page, lambda stop: stop.name == "Next ▶", key="Shift+Tab")
    for _ in range(5):
        page.keyboard.press("Enter")
    status = page.locator(".mg-status")
    assert status.get_attribute("aria-live") == "polite"
    assert status.text_content() == (
        "Step 5 of 5: x1·w1 (×, grad 0.5) passes its gradient on: x1 += -3 × 0.5; w1 += 2 × 0.5"
    )
    stop = tab_to(page, lambda stop: stop.tag == "g")
    assert stop.name == "o, data 0.7071, grad 1, computed by tanh, the output"  # starts there
    for key, name in [
        ("ArrowLeft", "n, data 0.8814, grad 0.5, computed by +"),
        ("ArrowLeft", "x1·w1 + x2·w2, data -6, grad 0.5, computed by +"),
        ("ArrowLeft", "x1·w1, data -6, grad 0.5, computed by ×, the current step"),
        ("ArrowLeft", "x1, data 2, grad -1.5, input"),
        ("ArrowDown", "w1, data -3, grad 1, input"),
    ]:
        page.keyboard.press(key)
        assert focused(page).name == name  # type: ignore[union-attr]
        _assert_ring(page)
    o = lecture_neuron()
    o.backward()
    w1 = next(node for node in o.topological_order() if node.label == "w1")
    assert f"grad {w1.grad:.4g}" in focused(page).name  # type: ignore[union-attr]
    note = page.locator(".mg-note:visible").text_content()
    assert note == (
        "w1, data -3, grad 1, input. w1 = -3. do/dw1 = do/d(x1·w1) · d(x1·w1)/dw1 = 0.5 · 2 = 1. "
        "Inputs: none. Consumers: x1·w1."
    )
    page.keyboard.press("PageUp")  # a step back: w1's gradient has not arrived yet
    assert focused(page).name == "w1, data -3, grad ?, input"  # type: ignore[union-attr]
    assert status.text_content().startswith("Step 4 of 5: x2·w2 (×, grad 0.5)")  # type: ignore[union-attr]
    page.keyboard.press("Enter")
    entry = focused(page)
    assert entry is not None and entry.tag == "li"
    assert "Gradient: not known yet: no consumer has passed its gradient on" in entry.name
    page.keyboard.press("Escape")  # back to the same node in the picture
    assert focused(page).key == "v1"  # type: ignore[union-attr]
    page.keyboard.press("Escape")  # and out of the picture
    assert focused(page).tag == "summary"  # type: ignore[union-attr]


def test_the_graph_as_text_names_every_node_and_edge(page: Any, tmp_path: Path) -> None:
    """The blind user's path: the computation graph read node by node, edges followed."""
    o = lecture_neuron()
    o.backward()
    _open(page, tmp_path, "graph.html", draw_graph(o).html_page("The tanh neuron"))
    summary = tab_to(page, lambda stop: stop.tag == "summary")
    assert summary.name == "The graph as text: 10 values, in the order they are computed"
    page.keyboard.press("Enter")
    nodes = o.topological_order()
    names = node_names(o)
    assert page.locator("li.mg-graph-node").count() == len(nodes)
    for i, node in enumerate(nodes):
        item = page.locator(f"li.mg-graph-node[data-key='v{i}']").aria_snapshot()
        lines = [line.strip() for line in item.splitlines()]
        assert lines[1].replace('"', "") == f"- strong: {names[node]}"  # YAML may quote it
        assert f"value {node.data:.4g}, gradient {node.grad:.4g}" in lines[2]
        inputs, consumers = item.split("Inputs:")[1].split("Consumers:")
        assert re.findall(r'link "([^"]*)"', inputs) == [names[c] for c in node.children]
        users = [names[p] for p in nodes for c in p.children if c is node]
        assert re.findall(r'link "([^"]*)"', consumers) == users, names[node]
    drawing = page.locator("svg").first.aria_snapshot()  # the picture: one button per value
    assert re.findall(r'button "([^",]*),', drawing) == [names[node] for node in nodes]
    links = page.locator("details.mg-text a")
    assert links.count() == 2 * sum(len(node.children) for node in o.topological_order())
    # Following an edge is one keypress: from x1's consumer link to that node's entry.
    tab_to(page, lambda stop: stop.tag == "a" and stop.name == "x1·w1")
    page.keyboard.press("Enter")
    landed = focused(page)
    assert landed is not None and landed.tag == "li" and landed.name.startswith("x1·w1: computed")
    _assert_ring(page)


def test_play_is_a_toggle_and_the_step_is_announced(page: Any, tmp_path: Path) -> None:
    _open(page, tmp_path, "backward.html", backward_player(lecture_neuron()).html_page())
    play = page.locator('[data-action="play"]')
    status = page.locator(".mg-status")
    assert play.get_attribute("aria-pressed") == "false" and status.text_content() == ""
    tab_to(page, lambda stop: stop.name == "Next ▶")
    page.keyboard.press("Enter")
    assert (
        status.text_content()
        == "Step 1 of 5: o (tanh, grad 1) passes its gradient on: n += 0.5 × 1"
    )
    tab_to(page, lambda stop: stop.name == "▶ Play", key="Shift+Tab")
    page.keyboard.press("Enter")
    assert play.get_attribute("aria-pressed") == "true"
    assert status.text_content() == "Playing from step 1 of 5"
    page.keyboard.press("Enter")
    assert play.get_attribute("aria-pressed") == "false"
    frame = page.locator(".mg-player").get_attribute("data-frame")
    assert status.text_content().startswith(f"Paused at step {frame} of 5: ")  # type: ignore[union-attr]


@pytest.mark.parametrize("reduced", [True, False])
def test_autoplay_waits_for_play_when_motion_is_reduced(
    chromium: Any, tmp_path: Path, reduced: bool
) -> None:
    path = tmp_path / "auto.html"
    path.write_text(
        page_html("Auto", backward_player(lecture_neuron(), autoplay=True).html_fragment()),
        encoding="utf-8",
    )
    context = chromium.new_context(reduced_motion="reduce" if reduced else "no-preference")
    try:
        tab = context.new_page()
        tab.goto(path.as_uri())
        player = tab.locator(".mg-player")
        if reduced:
            assert player.get_attribute("data-autoplay") == "held"
            assert player.get_attribute("data-frame") == "0"
            assert tab.locator('[data-action="play"]').get_attribute("aria-pressed") == "false"
        else:
            assert player.get_attribute("data-autoplay") == "started"
            tab.wait_for_function(
                "document.querySelector('.mg-player').getAttribute('data-frame') !== '0'"
            )
    finally:
        context.close()


def test_one_step_mode_by_keyboard(page: Any, tmp_path: Path) -> None:
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    X, y = np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([1.0, 0.0])
    trace = one_step(model, X, y, "bce", lr=0.5)
    _open(page, tmp_path, "step.html", step_player(model, trace).html_page())
    stop = tab_to(page, lambda stop: stop.tag == "g")
    assert stop.name == "input x1, 1" and stop.key == "n:0,0"
    page.keyboard.press("ArrowRight")
    u = next(u for u in trace.updates if u.name == "layers.0.neurons.0.w.0")
    assert (
        focused(page).name == f"connection from input x1 to layer 1, neuron 1: w = {u.before:.4g}"
    )  # type: ignore[union-attr]
    _assert_ring(page)
    page.keyboard.press("ArrowDown")  # the other connections into the same neuron
    assert focused(page).key == "w:0,1,0"  # type: ignore[union-attr]
    page.keyboard.press("ArrowRight")  # the neuron it feeds
    assert focused(page).key == "n:1,0"  # type: ignore[union-attr]
    for _ in range(3):
        page.keyboard.press("PageDown")  # to the update stage, the focus kept
    assert page.locator(".mg-counter").text_content() == "Step 3 of 3"
    page.keyboard.press("ArrowLeft")
    assert focused(page).name.endswith(u.formula())  # type: ignore[union-attr]
    page.keyboard.press("Enter")
    entry = focused(page)
    assert entry is not None and entry.tag == "li" and entry.name == f"from input x1: {u.formula()}"


def test_the_player_survives_a_hostile_label_and_keeps_it_text(page: Any, tmp_path: Path) -> None:
    a = Value(2.0, label='<img src=x onerror="document.title=1">')
    out = a * 3
    out.label = "</script>"
    _open(page, tmp_path, "hostile.html", backward_player(out).html_page())
    assert page.title() == "Backpropagation, step by step"
    assert page.locator("img").count() == 0
    tab_to(page, lambda stop: stop.tag == "g")
    assert re.match(r"^</script>, data 6, grad 1", focused(page).name)  # type: ignore[union-attr]


def test_the_cartpole_episode_waits_for_play_and_can_be_paused(page: Any, tmp_path: Path) -> None:
    gymnasium = pytest.importorskip("gymnasium")
    from micrograd_edu import rl
    from micrograd_edu.visualize.rl import cartpole_player

    env = gymnasium.make("CartPole-v1")
    player = cartpole_player(rl.Policy(4, 2, hidden=(4,), seed=0), env, every=1)
    assert player.interval == 20 and len(player.frames) >= 5  # real time: 0.02 s a step
    slow = dataclasses.replace(player, interval=400)  # time for the test to press Pause
    _open(page, tmp_path, "cartpole.html", slow.html_page())
    root = page.locator(".mg-player")
    assert root.get_attribute("data-autoplay") == "off"  # WCAG 2.2.2: nothing moves by itself
    assert root.get_attribute("data-frame") == "0"
    assert page.locator(".mg-frame svg").first.get_attribute("aria-label") == player.captions[0]
    assert_no_axe_violations(page, what="CartPole player")
    tab_to(page, lambda stop: stop.name == "▶ Play")
    _assert_ring(page)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "Number(document.querySelector('.mg-player').getAttribute('data-frame')) >= 1"
    )
    page.keyboard.press("Enter")  # pause
    assert page.locator('[data-action="play"]').get_attribute("aria-pressed") == "false"
    frame = int(root.get_attribute("data-frame"))  # type: ignore[arg-type]
    assert 1 <= frame < len(player.frames) - 1
    assert page.locator(".mg-status").text_content() == (
        f"Paused at step {frame} of {len(player.frames) - 1}: {player.captions[frame]}"
    )

"""The step-by-step backward pass: frames, captions, and the HTML player in a real browser."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("graphviz")

from micrograd_edu import Value
from micrograd_edu.visualize import (
    GraphTooLargeError,
    backward_player,
    backward_steps,
    save_backward_html,
)
from micrograd_edu.visualize.__main__ import lecture_neuron


def test_one_frame_per_computed_node_and_grads_match_backward() -> None:
    o = lecture_neuron()
    frames = backward_steps(o)
    computed = [node for node in o.topological_order() if node.children]
    assert len(frames) == len(computed) + 1 == 6
    assert frames[0].current is None
    assert [frame.current for frame in frames[1:]] == list(reversed(computed))
    assert frames[1].caption == "o (tanh, grad 1) passes its gradient on: n += 0.5 × 1"
    assert (
        frames[-1].caption
        == "x1·w1 (×, grad 0.5) passes its gradient on: x1 += -3 × 0.5; w1 += 2 × 0.5"
    )
    # The Values' own grads are untouched...
    assert all(node.grad == 0.0 for node in o.topological_order())
    # ...and the last frame shows what backward() computes.
    o.backward()
    last = frames[-1].source
    for node in o.topological_order():
        assert f"grad {node.grad:.4g}" in last


def test_first_frame_shows_only_the_seed() -> None:
    a = Value(2.0, label="a")
    out = a * a
    source = backward_steps(out)[0].source
    assert source.count("grad ?") == 1 and "grad 1" in source


def test_save_backward_html_is_self_contained(tmp_path: Path) -> None:
    path = save_backward_html(lecture_neuron(), tmp_path / "deep" / "backward.html")
    page = path.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('class="mg-frame mg-view"') == 6
    assert page.count("<svg") == 6
    assert "http://" not in page.replace("http://www.w3.org", "")  # nothing fetched from the web
    assert "<script src" not in page
    fragment = backward_player(lecture_neuron())._repr_html_()
    assert fragment.startswith('<div class="mg-pictures mg-player"')


HOSTILE_LABELS = ["<!--<script>", "</script><b>x", "a & b &amp;", "line\u2028sep", "-->"]


def test_player_script_survives_hostile_labels() -> None:
    a = Value(2.0, label=HOSTILE_LABELS[0])
    b = Value(3.0, label=HOSTILE_LABELS[1])
    c = a * b
    c.label = HOSTILE_LABELS[2]
    out = (c + Value(1.0, label=HOSTILE_LABELS[3])).tanh()
    out.label = HOSTILE_LABELS[4]
    fragment = backward_player(out)._repr_html_()
    (line,) = [text for text in fragment.splitlines() if text.lstrip().startswith("var captions")]
    captions = line.split("=", 1)[1].strip().rstrip(";")
    for dangerous in ("<", ">", "&", "\u2028"):
        assert dangerous not in captions
    assert json.loads(captions)[1].startswith(HOSTILE_LABELS[4])  # the data itself is intact


def test_player_refuses_graphs_too_large_to_play() -> None:
    total = Value(0.0)
    for i in range(60):
        total = total + Value(float(i))
    with pytest.raises(GraphTooLargeError, match=re.escape("121 nodes, more than max_nodes=50")):
        backward_player(total)


def test_player_with_hostile_labels_runs_in_chromium(tmp_path: Path, chromium: Any) -> None:
    a = Value(2.0, label=HOSTILE_LABELS[0])
    b = Value(3.0, label=HOSTILE_LABELS[1])
    out = a * b
    out.label = HOSTILE_LABELS[2]
    path = save_backward_html(out, tmp_path / "hostile.html")
    page = chromium.new_page()
    try:
        page.goto(path.as_uri())
        assert page.locator(".mg-counter").text_content() == "Step 0 of 1"
        page.get_by_role("button", name=re.compile("Next")).click()
        caption = page.locator(".mg-caption").text_content() or ""
        assert HOSTILE_LABELS[0] in caption and HOSTILE_LABELS[1] in caption
        assert page.locator(".mg-frame").nth(1).is_visible()
    finally:
        page.close()


def test_html_player_in_headless_chromium(tmp_path: Path, chromium: Any) -> None:
    path = save_backward_html(lecture_neuron(), tmp_path / "backward.html")
    page = chromium.new_page()
    try:
        page.goto(path.as_uri())
        player = page.locator(".mg-player")
        assert player.get_attribute("data-frame") == "0"
        assert page.locator(".mg-counter").inner_text() == "Step 0 of 5"
        assert page.locator(".mg-frame").nth(0).is_visible()
        assert not page.locator(".mg-frame").nth(1).is_visible()
        page.get_by_role("button", name=re.compile("Next")).click()
        assert player.get_attribute("data-frame") == "1"
        assert page.locator(".mg-frame").nth(1).is_visible()
        assert not page.locator(".mg-frame").nth(0).is_visible()
        assert "n += 0.5 × 1" in page.locator(".mg-caption").inner_text()
        page.get_by_role("button", name=re.compile("Previous")).click()
        assert player.get_attribute("data-frame") == "0"
        page.get_by_role("button", name=re.compile("Play")).click()
        page.wait_for_function(
            "document.querySelector('.mg-player').getAttribute('data-frame') === '5'",
            timeout=120_000,
        )
    finally:
        page.close()


def test_captions_name_each_op_as_the_graph_draws_it() -> None:
    """1 − a and 6 / a read as "1 −" and "6 ÷", with their numbers, not as op codes."""
    a = Value(2.0, label="a")
    b = 1 - a
    b.label = "b"
    c = 6 / b
    c.label = "c"
    captions = [step.caption for step in backward_steps(c)]
    assert any(caption.startswith("c (6 ÷, grad 1)") for caption in captions), captions
    assert any(caption.startswith("b (1 −, grad ") for caption in captions), captions

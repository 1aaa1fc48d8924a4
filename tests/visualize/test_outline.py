"""The computation graph in words: built from the graph, with the engine's numbers and edges."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest

from micrograd_edu import Value
from micrograd_edu.engine import dot
from micrograd_edu.explain.formulas import grad_formula, node_names, value_formula
from micrograd_edu.visualize.__main__ import lecture_neuron, reused_node_example
from micrograd_edu.visualize.backward import backward_steps
from micrograd_edu.visualize.graph import draw_graph
from micrograd_edu.visualize.outline import (
    PARTIAL_NOTE,
    UNKNOWN_BEFORE_BACKWARD,
    UNKNOWN_IN_PASS,
    NodeText,
    backward_state,
    node_texts,
    outline_html,
)


def test_every_node_with_the_engines_value_gradient_and_edges() -> None:
    o = lecture_neuron()
    o.backward()
    nodes = o.topological_order()
    names = node_names(o)
    texts = node_texts(o)
    assert [text.key for text in texts] == [f"v{i}" for i in range(len(nodes))]
    for node, text in zip(nodes, texts, strict=True):
        assert text.name == names[node]
        assert text.value == node.data and text.grad == node.grad
        assert text.value_formula == value_formula(node, names)
        assert text.grad_formula == grad_formula(node, o, names)
        assert [(edge.name, edge.local_grad) for edge in text.inputs] == [
            (names[child], local)
            for child, local in zip(node.children, node.local_grads, strict=True)
        ]
        consumers = [
            (names[parent], local)
            for parent in nodes
            for child, local in zip(parent.children, parent.local_grads, strict=True)
            if child is node
        ]
        assert sorted((edge.name, edge.local_grad) for edge in text.consumers) == sorted(consumers)
        assert text.output == (node is o)
    by_name = {text.name: text for text in texts}
    assert by_name["w1"].label == "w1: input, value -3, gradient 1"
    assert by_name["n"].label == "n: computed by +, value 0.8814, gradient 0.5"
    assert by_name["o"].facts == "computed by tanh, value 0.7071, gradient 1, the output"
    assert by_name["w1"].description == (
        "w1 = -3. do/dw1 = do/d(x1·w1) · d(x1·w1)/dw1 = 0.5 · 2 = 1. "
        "Inputs: none. Consumers: x1·w1."
    )


def test_a_node_used_twice_has_two_edges_and_the_sum_of_its_paths() -> None:
    f, a = reused_node_example()
    texts = {text.name: text for text in node_texts(f)}
    assert [edge.name for edge in texts["a"].consumers] == ["d", "e"]
    assert texts["a"].grad == a.grad == -3.0
    assert texts["a"].grad_formula.endswith("= 1 · 3 + -6 · 1 = -3")
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    y.backward()
    (square,) = (text for text in node_texts(y) if text.name == "y")
    assert [edge.name for edge in square.inputs] == ["x", "x"]


def test_before_backward_and_during_a_pass_the_missing_gradients_say_why() -> None:
    o = lecture_neuron()
    before = node_texts(o)
    assert all(text.grad is None for text in before)
    assert before[0].grad_formula == UNKNOWN_BEFORE_BACKWARD
    assert before[0].label.endswith("gradient not known yet")
    seeded = node_texts(o, grads={o: 1.0}, passed=set(), current=o, unknown="waiting")
    output = seeded[-1]
    assert output.grad == 1.0 and output.current and output.label.endswith("the current step")
    assert seeded[0].grad_formula == "waiting"
    assert "Gradient waiting." in seeded[0].description
    with pytest.raises(TypeError, match="expected a Value, got float"):
        node_texts(1.0)  # type: ignore[arg-type]


def test_the_outline_lists_each_node_and_links_each_edge_both_ways() -> None:
    f, _ = reused_node_example()
    texts = node_texts(f)
    page = outline_html(texts, "g")
    items = re.findall(r'<li class="mg-graph-node mg-text-item" id="g-(v\d+)"', page)
    assert items == [text.key for text in texts]
    keys = {text.name: text.key for text in texts}
    for text in texts:
        item = page.split(f'id="g-{text.key}"', 1)[1].split('<li class="mg-graph-node', 1)[0]
        inputs = item.split("<li>Inputs:", 1)[1].split("</li>", 1)[0]
        consumers = item.split("<li>Consumers:", 1)[1].split("</li>", 1)[0]
        assert re.findall(r'href="#g-(v\d+)"', inputs) == [edge.key for edge in text.inputs]
        assert re.findall(r'href="#g-(v\d+)"', consumers) == [e.key for e in text.consumers]
    assert page.startswith('<details class="mg-text mg-graph-text"><summary>The graph as text: ')
    assert f'href="#g-{keys["d"]}"' in page


def test_hostile_labels_are_text_not_markup() -> None:
    a = Value(1.0, label="<b onclick=x>")
    b = a * 2
    b.label = "</li><script>"
    page = outline_html(node_texts(b), "g")
    for label in ("<b onclick=x>", "</li><script>"):
        assert label not in page
        assert html.escape(label) in page


def test_node_text_is_a_plain_record() -> None:
    text = NodeText("v0", "x", "input", "", 2.0, None, "x = 2", "why", (), ())
    assert text.label == "x: input, value 2, gradient not known yet"
    assert text.description == "x = 2. Gradient why. Inputs: none. Consumers: none."


@pytest.mark.parametrize("seed", [1.0, 0.5])
def test_seed_and_step_give_the_players_pass_at_that_step(seed: float) -> None:
    """The inspector's options: the backward pass from dL/d root = seed after step k is the
    backward player's frame k, node for node (inputs' gradients marked partial if seed ≠ 1)."""
    o = lecture_neuron()
    nodes = o.topological_order()
    frames = backward_steps(o, seed=seed)
    for k, frame in enumerate(frames[1:], start=1):
        texts = node_texts(o, seed=seed, step=k)
        assert [replace(text, partial=False) for text in texts] == list(frame.texts)
        marked = {text.name for text in texts if text.partial}
        known_inputs = {t.name for t in texts if t.kind == "input" and t.grad is not None}
        assert marked == (known_inputs if seed != 1.0 else set())
    start = node_texts(o, seed=seed, step=0)
    assert [text.grad for text in start] == [None] * (len(start) - 1) + [seed]
    assert not any(text.current for text in start)
    assert start[0].grad_formula == UNKNOWN_IN_PASS
    whole = node_texts(o, seed=seed)  # the whole pass: the engine's gradients times seed
    o.backward()
    assert [text.grad for text in whole] == pytest.approx([seed * n.grad for n in nodes])


def test_an_inputs_partial_gradient_is_said_and_a_parameters_is_not() -> None:
    o = lecture_neuron()
    params = [node for node in o.topological_order() if node.label in ("w1", "w2", "b")]
    texts = {text.name: text for text in node_texts(o, params=params, seed=0.5)}
    assert texts["x1"].facts == f"input, value 2, gradient -0.75{PARTIAL_NOTE}"
    assert texts["w1"].facts == "parameter, value -3, gradient 0.5"
    assert texts["o"].facts == "computed by tanh, value 0.7071, gradient 0.5, the output"


BOTH = (
    "node_texts: give the gradients as grads (with passed and current) or as seed and step, "
    "not both"
)


def test_seed_or_step_with_given_gradients_or_a_negative_step_is_refused() -> None:
    o = lecture_neuron()
    with pytest.raises(ValueError, match=re.escape(BOTH)):
        node_texts(o, grads={o: 1.0}, seed=1.0)
    with pytest.raises(ValueError, match=re.escape(BOTH)):
        node_texts(o, current=o, step=2)
    with pytest.raises(
        ValueError, match=r"step must be 0 or more \(0 is the forward pass\), got -1"
    ):
        node_texts(o, seed=1.0, step=-1)
    with pytest.raises(ValueError, match="got -2"):
        backward_state(o, 1.0, -2)


def test_the_region_form_is_open_numbered_and_without_the_scripts_hooks() -> None:
    f, _ = reused_node_example()
    texts = node_texts(f)
    page = outline_html(texts, "g", form="region")
    assert page.startswith(
        '<div class="mg-graph-text" role="region" aria-label="The graph as text"><ol>'
    )
    items = re.findall(r'<li class="mg-graph-node" id="g-(\d+)" tabindex="-1">', page)
    assert items == [str(i) for i in range(len(texts))]
    assert "data-key" not in page and "mg-text-item" not in page and "<details" not in page
    d = next(text for text in texts if text.name == "d")
    assert f'<a href="#g-{d.key[1:]}">d</a> (local derivative 1)' in page
    with pytest.raises(ValueError, match="form must be 'details' or 'region', got 'open'"):
        outline_html(texts, "g", form="open")  # type: ignore[arg-type]


def test_dot_is_named_by_its_name_not_by_its_drawn_formula() -> None:
    out = dot([Value(1.0, label="w1")], [Value(2.0, label="x1")], Value(0.5, label="b"))
    assert (
        node_texts(out)[-1].facts
        == "computed by dot, value 2.5, gradient not known yet, the output"
    )
    assert "w·x+b" in draw_graph(out).source  # the drawing still shows its formula

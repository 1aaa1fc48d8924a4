"""The Playground's pictures in words and by keyboard, checked in Python (no browser)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")

from micrograd_edu.explain.formulas import grad_formula, node_names, value_formula
from micrograd_edu.visualize.backward import backward_steps
from micrograd_edu.visualize.live import live_playground
from micrograd_edu.visualize.live.accessibility import (
    ANNOUNCE_SECONDS,
    REDUCED_MOTION_REDRAWS,
    PageSupport,
)
from micrograd_edu.visualize.live.drawing import loss_svg, network_drawing, plane_drawing
from micrograd_edu.visualize.live.graphtext import backward_state, graph_outline
from micrograd_edu.visualize.live.session import PlaygroundSession


def _trained(**settings: Any) -> PlaygroundSession:
    session = PlaygroundSession(**{"n": 100, **settings})
    for _ in range(5):
        session.train_epoch()
    return session


def test_the_plane_is_a_listbox_of_named_points_with_a_cursor_and_a_description() -> None:
    session = _trained()
    svg, text = plane_drawing(session, selected=tuple(session.X_train[3]))
    options = re.findall(r'role="option"[^>]*aria-label="([^"]*)"', svg)
    assert len(options) == len(session.X_train) + len(session.X_test) == 100
    x1, x2 = session.X_train[0]
    assert options[0] == f"training point 1 at ({x1:.2f}, {x2:.2f}), " + (
        "class 1 (blue squares)" if session.y_train[0] else "class 0 (orange circles)"
    )
    assert svg.count('tabindex="0"') == 2  # the points (one roving stop) and the cursor
    assert re.search(r'aria-selected="true" data-key="training:3"', svg)
    assert 'role="slider"' in svg and "Enter adds a point there" in svg
    predicted = session.output_score(session.X_train) > 0
    right = int(np.sum(predicted == (session.y_train == 1)))
    assert f"Training points: {right} of 50 right ({100 * right / 50:.0f} %)" in text
    assert text.startswith("The network says class ")
    answers = re.search(r'data-answers="([a-z]*)"', svg)
    assert answers is not None and len(answers.group(1)) == 25 * 25
    centre = (session.output_score(np.zeros((1, 2))) > 0)[0]
    assert answers.group(1)[12 * 25 + 12] == ("b" if centre else "a")


def test_three_classes_have_three_shapes_and_a_legend() -> None:
    session = _trained(dataset="blobs", n=150)
    svg, text = plane_drawing(session)
    assert "class 2 (black triangles)" in text
    legend = re.search(r'<g class="mg-legend" role="img" aria-label="([^"]*)"', svg)
    assert legend is not None and "class 0 (orange circles), class 1 (blue squares), class 2" in (
        legend.group(1)
    )
    assert "<rect" in svg and "<polygon" in svg and "<circle" in svg


def test_the_network_is_reached_by_neighbours_and_written_as_a_list() -> None:
    session = _trained(hidden=(3, 2))
    svg, text = network_drawing(session, selected=(0, 2))
    neurons = re.findall(r'data-key="(n:[0-9,]+)"', svg)
    weights = re.findall(r'data-key="(w:[0-9,]+)"', svg)
    assert neurons == ["n:0,0", "n:0,1", "n:0,2", "n:1,0", "n:1,1", "n:2,0"]
    assert len(weights) == 2 * 3 + 3 * 2 + 2 * 1
    assert 'data-key="n:0,2" role="button" tabindex="-1" aria-pressed="true"' in svg
    assert re.search(r'data-key="n:1,0"[^>]*data-left="w:1,0,0" data-right="w:2,0,0"', svg)
    assert re.search(r'data-key="w:1,1,2"[^>]*data-right="n:1,1" data-left="n:0,2"', svg)
    w = session.model.layers[1].neurons[1].w[2].data
    sign = "positive, solid blue line" if w > 0 else "negative, dashed orange line"
    name = "weight from layer 1, neuron 3 to layer 2, neuron 2"
    assert f'aria-label="{name}" aria-description="{w:+.3f} ({sign})"' in svg
    assert (
        svg.count('stroke-dasharray="4 2"')
        == sum(
            1 for layer in session.model.layers for n in layer.neurons for v in n.w if v.data <= 0
        )
        + 1
    )  # and the legend's
    assert text.startswith('<ul class="mg-network-text"><li>Features: x1, x2</li>')
    assert f"from layer 1, neuron 3 {w:+.3g} ({'positive' if w > 0 else 'negative'})" in text
    assert "Output layer (1 neuron, linear)" in text


def test_the_loss_curves_say_what_they_show() -> None:
    session = _trained()
    svg = loss_svg(session.train_curve, session.test_curve)
    label = re.search(r'role="img" aria-label="([^"]*)"', svg)
    first, last = session.train_loss[0], session.train_loss[-1]
    assert label is not None and label.group(1).startswith(
        f"Loss curves over 5 epochs: training loss from {first:.3f} to {last:.3f}"
    )
    assert 'stroke-dasharray="5 3"' in svg and ">training</text>" in svg and ">test</text>" in svg


@pytest.mark.parametrize("step", [0, 1, 2, None])
def test_the_graph_text_gives_each_nodes_formulas_and_edges(step: int | None) -> None:
    session = _trained()
    inspection = session.inspect(0, 1, (1.0, -2.0), 1.0)
    root, seed = inspection.root, inspection.grads[inspection.root]
    grads, passed, current = backward_state(root, seed, step)
    if step is None:  # the whole pass: the real network's gradients (an input's gradient
        # here is only the part through this neuron: the others add to it in the network)
        for node in [*inspection.weights, inspection.bias, inspection.weighted_sum, root]:
            assert grads[node] == pytest.approx(inspection.grads[node], rel=1e-12, abs=1e-15)
    frames = backward_steps(root, seed=seed)
    assert (current is None) == (step == 0) and len(frames) == 3
    text = graph_outline(root, seed, [*inspection.weights, inspection.bias], step, uid="t")
    names = node_names(root)
    assert text.count('class="mg-graph-node"') == len(root.topological_order()) == 7
    for i, node in enumerate(root.topological_order()):
        assert f'id="t-{i}"' in text
        assert value_formula(node, names).replace("·", "·") in text.replace("&#x27;", "'")
    w1 = inspection.weights[0]
    if w1 in grads:
        rule = grad_formula(w1, root, names, grads, passed if step is not None else None)
        assert f"Gradient: {rule}" in text
    else:
        assert "gradient not known yet" in text
    assert 'Inputs: <a href="#t-' in text and "Consumers: none (the output)" in text


def test_the_page_support_announces_calmly() -> None:
    page = PageSupport()
    assert page.progress("Epoch 1", now=10.0)
    assert not page.progress(lambda: pytest.fail("not computed when not due"), now=11.0)
    assert page.progress(lambda: "Epoch 9", now=10.0 + ANNOUNCE_SECONDS)
    assert page.announcement["text"] == "Epoch 9"
    count = page.announcement["n"]
    page.say("Epoch 9")  # the same words again are a new announcement
    assert page.announcement["n"] == count + 1


def test_layer_rows_are_kept_named_and_said_when_a_layer_changes_size() -> None:
    """A row's buttons survive a resize (the focus stays on the one pressed), are named by
    their layer, and the new size is announced; the names do not pile up."""
    app = live_playground(n=100, hidden=(4, 2))
    rows = app.controls.layer_rows.children
    names = dict(app.page.names)
    minus, plus = rows[0].children[1:]
    assert [names[c] for c in minus._dom_classes if c in names] == ["Remove a neuron from layer 1"]
    assert [names[c] for c in plus._dom_classes if c in names] == ["Add a neuron to layer 1"]
    for _ in range(3):
        plus.click()
    assert app.session.settings.hidden == (7, 2)
    assert app.controls.layer_rows.children == rows  # the same widgets, relabelled
    assert rows[0].children[0].value == "layer 1: 7 neurons"
    assert app.page.announcement["text"] == "layer 1: 7 neurons"
    app.controls.add_layer.click()
    assert app.controls.layer_rows.children[:2] == rows
    app.controls.remove_layer.click()
    app.controls.add_layer.click()  # a third row made again: the same names, no new ones
    assert len(app.page.names) == len(names) + 2


def test_with_the_points_hidden_the_cursor_says_what_enter_does_and_does_it() -> None:
    """A task that hides "points" keeps its data: the cursor said "Enter adds a point
    there" and Enter did nothing, silently. It inspects the place instead, and says so."""
    from micrograd_edu.visualize.live import served_playground

    app = served_playground("hide=points&n=100")
    assert "Enter inspects that place" in app.plane_view.svg
    assert "Enter adds a point" not in app.plane_view.svg
    points = len(app.session.X_train)
    app.plane_view.click = {"x": 0.75, "y": 0.25, "t": 1}  # Enter on the cursor at (3, 3)
    assert len(app.session.X_train) == points
    assert app.inspector.selected_point == (3.0, 3.0)
    assert app.page.announcement["text"].startswith(
        "Inspector: layer 1, neuron 1 at the point (3.00, 3.00)"
    )


def test_the_app_announces_names_and_honours_reduced_motion() -> None:
    app = live_playground(n=100)
    assert "mg-app" in app.widget._dom_classes and "mg-play" in app.play_button._dom_classes
    assert "The call, the Python function or the link" in app.page.names.values()
    app.step_button.click()
    app.controls.lr.value = "fast"
    assert app.page.announcement["text"].startswith("ValueError: learning rate: 'fast'")
    app.play_button.click()
    assert app.page.announcement["text"].startswith("Training from epoch 1")
    app.play_button.click()
    assert re.fullmatch(
        r"Paused\. Epoch \d+: test loss \d\.\d{3}, training loss \d\.\d{3}, test accuracy \d+%",
        app.page.announcement["text"],
    )
    asked = app.redraws_per_second
    app.page.reduced_motion = True
    assert app.redraws_per_second == REDUCED_MOTION_REDRAWS
    app.page.reduced_motion = False
    assert app.redraws_per_second == asked


def test_the_first_neuron_opens_and_a_chosen_point_or_weight_is_inspected() -> None:
    app = live_playground(n=100)
    inspector = app.inspector
    assert inspector.inspection is None and inspector.neuron.value == "0,0"
    app.network_view.click = {"neuron": "0,0", "t": 1}  # the menu's value already
    assert (
        inspector.inspection is not None
        and "layer 1, neuron 1 at the point" in (app.page.announcement["text"])
    )
    assert 'aria-pressed="true"' in app.network_view.svg
    app.plane_view.click = {"point": "test:4", "t": 2}
    assert inspector.selected_point == tuple(app.session.X_test[4])
    assert inspector.inspection.label == app.session.y_test[4]  # type: ignore[union-attr]
    app.network_view.click = {"weight": "1,1,3", "t": 3}
    assert inspector.selected_neuron == (1, 1) and inspector.weight_choice.value == 3
    assert 'class="mg-graph-text"' in inspector.graph_text.value
    inspector.text_toggle.value = False
    assert inspector.graph_text.value == ""
    app.plane_view.click = {"point": "test:999", "t": 4}
    assert "there is no point &#x27;test:999&#x27; (the data changed)" in app.message.value


def test_a_weight_is_typed_and_applied_on_enter_never_by_an_arrow_key() -> None:
    app = live_playground(n=100)
    inspector = app.inspector
    app.network_view.click = {"neuron": "0,1", "t": 1}
    assert type(inspector.weight_value).__name__ == "Text"  # no arrow-key stepping
    assert inspector.weight_value.continuous_update is False
    inspector.weight_value.value = "0.25"
    assert app.session.model.layers[0].neurons[1].w[0].data == 0.25
    inspector.weight_value.value = "big"
    assert "a weight must be a number, got &#x27;big&#x27;" in app.message.value
    assert app.session.model.layers[0].neurons[1].w[0].data == 0.25
    assert inspector.weight_value.value == "0.25"


def test_the_layer_view_has_an_alternative_text_from_its_data() -> None:
    app = live_playground(dataset="xor", n=100)
    for _ in range(5):
        app.session.train_epoch()
    app.insight.layers_button.click()
    alt = re.search(r'alt="([^"]*)"', app.insight.layers.value)
    assert alt is not None and alt.group(1).startswith(
        "The grid of the plane and the training points as each layer places them: the input "
        "plane: the classes&#x27; centres "
    )
    assert "; layer 1 (4 neurons" in alt.group(1) and "; layer 2 (2 neurons" in alt.group(1)

"""The live Playground: its model alone, its widgets clicked from code, its page in Chromium."""

from __future__ import annotations

import html
import math
import os
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")

from micrograd_edu import Value, io
from micrograd_edu.nn import MLP, as_inputs
from micrograd_edu.train import OBJECTIVES, TrainingDivergedError
from visualize import playground
from visualize.live import live_playground
from visualize.live.app import LivePlayground
from visualize.live.session import PlaygroundSession
from visualize.playground import PlaygroundSettings, settings_from


def _session(**settings: Any) -> PlaygroundSession:
    return PlaygroundSession(**{"n": 100, **settings})


# ---------------------------------------------------------------- the model, no widgets


def test_defaults_are_the_playgrounds() -> None:
    session = PlaygroundSession()
    s = session.settings
    assert (s.dataset, s.features, s.hidden, s.activation, s.lr) == (
        "circle",
        ("x1", "x2"),
        (4, 2),
        "tanh",
        0.03,
    )
    assert (s.batch_size, s.train_ratio, s.loss, s.n) == (10, 0.5, "bce", 500)
    assert len(session.X_train) == 250 and len(session.X_test) == 250
    assert session.model.nouts == [4, 2, 1]


def test_training_lowers_the_loss_and_a_setting_change_resets() -> None:
    session = _session(dataset="xor", hidden=(4,), lr=0.3)
    before_train, before_test = session.losses()
    for _ in range(15):
        session.train_epoch()
    assert session.epoch == 15 and len(session.train_loss) == len(session.test_loss) == 15
    after_train, after_test = session.losses()
    assert after_train < 0.7 * before_train and after_test < 0.8 * before_test
    trained = session.model.state_dict()
    session.update(activation="relu")
    assert (
        session.epoch == 0
        and session.train_loss == []
        and session.model.hidden_activation == "relu"
    )
    assert session.model.state_dict() != trained


def test_data_settings_regenerate_the_data_and_others_keep_it() -> None:
    session = _session()
    X = session.X_train.copy()
    session.update(lr=0.1)
    np.testing.assert_array_equal(session.X_train, X)
    y = session.y_train.copy()
    session.update(noise=0.3)  # circle: noise moves points before labelling them
    assert not np.array_equal(session.y_train, y)
    session.update(dataset="xor")
    assert not np.array_equal(session.X_train, X)
    session.regenerate()
    assert session.settings.seed == 1


def test_adding_points_changes_the_data() -> None:
    session = _session()
    n = len(session.X_train)
    session.add_point(1.0, -2.0, 1)
    assert len(session.X_train) == n + 1
    np.testing.assert_array_equal(session.X_train[-1], [1.0, -2.0])
    assert session.y_train[-1] == 1.0
    with pytest.raises(ValueError, match=re.escape("a point must lie in [-6, 6]²")):
        session.add_point(7.0, 0.0, 1)
    with pytest.raises(ValueError, match=re.escape("the class of a point must be 0 or 1")):
        session.add_point(0.0, 0.0, 2)
    session.clear_points()
    assert len(session.X_train) == 0 and math.isnan(session.losses()[1])
    with pytest.raises(ValueError, match="there are no training points"):
        session.train_epoch()
    session.add_point(1.0, 1.0, 1)
    session.add_point(-1.0, -1.0, 0)
    session.train_epoch()
    assert session.epoch == 1


@pytest.mark.parametrize(("layer", "neuron"), [(0, 2), (1, 1), (2, 0)])
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_inspector_grads_equal_backward_on_the_same_network_and_point(
    layer: int, neuron: int, activation: str
) -> None:
    session = _session(features=("x1", "x2", "x1*x2"), hidden=(4, 2), activation=activation)
    for _ in range(3):
        session.train_epoch()
    point, label = (1.5, -2.0), 1.0
    inspection = session.inspect(layer, neuron, point, label)

    # The same network and point, backpropagated independently.
    model = MLP(3, [4, 2, 1], activation=activation)  # type: ignore[arg-type]
    model.load_state_dict(session.model.state_dict())
    features = [Value(v) for v in session.inputs([point])[0]]
    values: list[Any] = features
    outputs = []
    for stage in model.layers:
        values = stage.forward(as_inputs(values, stage.nin))
        outputs.append(values)
    loss = OBJECTIVES["bce"].per_sample(values[0], label)
    loss.backward()
    unit = model.layers[layer].neurons[neuron]
    inputs = features if layer == 0 else outputs[layer - 1]

    assert inspection.loss == pytest.approx(loss.data, rel=1e-12)
    assert [w.data for w in inspection.weights] == [w.data for w in unit.w]
    for mini, real in zip(inspection.weights, unit.w, strict=True):
        assert inspection.grads[mini] == pytest.approx(real.grad, rel=1e-12, abs=1e-15)
    assert inspection.grads[inspection.bias] == pytest.approx(unit.b.grad, rel=1e-12, abs=1e-15)
    for mini, real in zip(inspection.inputs, inputs, strict=True):
        assert mini.data == pytest.approx(real.data, rel=1e-12)
        assert inspection.grads[mini] == pytest.approx(real.grad, rel=1e-12, abs=1e-15)
    assert inspection.root.data == pytest.approx(outputs[layer][neuron].data, rel=1e-12)
    assert inspection.grads[inspection.root] == pytest.approx(
        outputs[layer][neuron].grad, rel=1e-12
    )
    # Training's own gradients are untouched by inspecting.

    graph = inspection.graph()
    labels = ["w1", "w2", "w3" if layer == 0 else "w2", "b", "w·x + b"]
    for text in labels:
        assert f"{{ {text} |" in graph.source
    if layer < 2:
        assert f"{{ {activation}(w·x + b) |" in graph.source
    else:
        assert f"{activation}(w·x + b)" not in graph.source  # the output neuron is linear

    steps = inspection.steps()
    last = steps[-1].source
    for mini in [*inspection.weights, inspection.bias]:
        assert f"grad {inspection.grads[mini]:.4g}" in last
    assert "From the loss L, backpropagation brings" in steps[0].caption


def test_inspector_does_not_touch_the_training_gradients() -> None:
    session = _session()
    for p in session.model.parameters():
        p.grad = 0.25
    session.inspect(0, 0, (0.5, 0.5), 1)
    assert all(p.grad == 0.25 for p in session.model.parameters())


def test_edit_a_weight() -> None:
    session = _session()
    session.set_weight(0, 1, 0, 2.5)
    session.set_weight(0, 1, None, -1.0)
    assert session.model.layers[0].neurons[1].w[0].data == 2.5
    assert session.model.layers[0].neurons[1].b.data == -1.0
    with pytest.raises(ValueError, match="a weight must be a finite number"):
        session.set_weight(0, 1, 0, math.nan)


def test_the_exported_call_recreates_the_settings(tmp_path: Path) -> None:
    session = _session(
        dataset="spiral",
        features=("x1", "x2", "sin(x1)"),
        hidden=(8, 8),
        activation="relu",
        lr=0.1,
        regularization="l2",
        reg_rate=0.003,
        noise=0.2,
        train_ratio=0.6,
        batch_size=7,
        seed=3,
        loss="hinge",
    )
    call = session.as_call()
    assert call.startswith("live_playground(dataset='spiral', ")
    recreated = eval(call, {"live_playground": settings_from})  # our own one-line call
    assert recreated == session.settings
    path = session.save_model(str(tmp_path / "model.json"))
    assert io.load(path).state_dict() == session.model.state_dict()
    assert "io.to_torch(model)" in session.torch_code(path)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"lr": "fast"}, "lr must be between 0.00001 and 10"),
        ({"hidden": (9,)}, "up to 6 hidden layers of 1 to 8 neurons"),
        ({"hidden": (2,) * 7}, "up to 6 hidden layers of 1 to 8 neurons"),
        ({"regularization": "dropout"}, "regularization must be 'none', 'l1', 'l2' or None"),
        ({"dataset": "iris"}, "unknown data set 'iris'"),
        ({"loss": "mse"}, "loss 'mse' does not fit a classification problem"),
        ({"noise": 0.8}, "noise must be in [0, 0.5], got 0.8"),
        ({"features": ("x3",)}, "unknown feature(s) ['x3']"),
    ],
)
def test_bad_settings_have_the_static_playgrounds_messages(
    settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        live_playground(**settings)
    with pytest.raises(ValueError, match=re.escape(message)):
        PlaygroundSettings(**settings).validated()
    with pytest.raises(TypeError, match=re.escape("unknown setting(s) ['speed']")):
        live_playground(speed=2)


def test_regularization_none_means_none_in_both() -> None:
    assert PlaygroundSession(regularization=None, n=50).settings.regularization == "none"
    fig = playground(regularization=None, epochs=1)
    assert fig is not None


def test_regression_problem_and_cross_entropy() -> None:
    session = _session(dataset="multi_gauss")
    assert session.settings.loss == "mse" and session.settings.problem == "regression"
    session.train_epoch()
    assert np.all(np.abs(session.output_score(np.zeros((3, 2)))) <= 1.0)
    session.update(dataset="circle")
    assert session.settings.loss == "bce"
    session.update(loss="cross_entropy")
    assert session.model.nout == 2
    session.train_epoch()
    session.inspect(2, 1, (0.0, 0.0), 1)


# ---------------------------------------------------------------- the widgets, clicked from code


def test_app_buttons_clicked_from_code() -> None:
    app = live_playground(n=100)
    assert isinstance(app, LivePlayground)
    app.step_button.click()
    assert app.session.epoch == 1 and "Epoch 1" in app.epoch_label.value
    app.lr.value = "fast"
    assert "'fast' is not a number; kept 0.03" in html.unescape(app.message.value)
    assert app.session.settings.lr == 0.03
    app.lr.value = "0.3"
    assert app.session.settings.lr == 0.3 and app.session.epoch == 0
    app.add_layer.click()
    assert app.session.settings.hidden == (4, 2, 2)
    assert len(app.layer_rows.children) == 3
    app.layer_rows.children[0].children[2].click()  # "+" of layer 1
    assert app.session.settings.hidden == (5, 2, 2)
    app.feature_toggles["x1*x2"].value = True
    assert app.session.settings.features == ("x1", "x2", "x1*x2")
    app.plane_view.click = {"x": 0.5, "y": 0.25, "t": 1}
    assert app.session.X_train[-1].tolist() == [0.0, 3.0]
    app.click_mode.value = "inspect a point"
    app.network_view.click = {"neuron": "1,1", "t": 2}
    assert app.selected_neuron == (1, 1)
    assert "<svg" in app.inspector_graph.value and "mg-graph" in app.inspector_graph.value
    app.plane_view.click = {"x": 0.25, "y": 0.75, "t": 3}
    assert app.selected_point == (-3.0, -3.0)
    assert "at the point (-3.00, -3.00)" in app.inspector_title.value
    app.step_slider.value = 0
    assert "backpropagation brings" in app.step_caption.value
    app.export_button.click()
    assert app.export_text.value == app.session.as_call()
    app.problem.value = "regression"
    assert app.session.settings.dataset == "plane" and app.session.settings.loss == "mse"
    assert app.dataset.options == ("plane", "multi_gauss") and app.loss.options == ("mse",)
    app.dataset.value = "multi_gauss"  # the menu still drives the session
    assert app.session.settings.dataset == "multi_gauss"
    app.problem.value = "classification"
    assert app.session.settings.dataset == "circle" and app.session.settings.loss == "bce"
    assert app.message.value == ""


def test_play_trains_in_the_background_and_pause_is_immediate() -> None:
    app = live_playground(n=100)
    app.play()
    try:
        deadline = 50
        while app.session.epoch < 5 and deadline:
            import time

            time.sleep(0.1)
            deadline -= 1
    finally:
        app.pause()
    epochs = app.session.epoch
    assert epochs >= 5
    import time

    time.sleep(0.3)
    assert app.session.epoch == epochs  # paused: nothing runs any more
    assert "Play" in app.play_button.description


def test_a_diverging_run_pauses_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    app = live_playground(n=100)

    def diverge() -> None:
        message = "training diverged in epoch 3: the loss became inf."
        raise TrainingDivergedError(message, 3, None)  # type: ignore[arg-type]

    monkeypatch.setattr(app.session, "train_epoch", diverge)
    app.play()
    app._thread.join(timeout=10)  # type: ignore[union-attr]
    assert "Paused: training diverged in epoch 3" in app.message.value
    assert not app._playing.is_set()
    app.step_button.click()
    assert "Paused: training diverged" in app.message.value


def test_no_traceback_reaches_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    app = live_playground(n=100)

    def broken(**changes: Any) -> None:
        raise RuntimeError("something broke")

    monkeypatch.setattr(app.session, "update", broken)
    app.activation.value = "relu"
    assert app.message.value.endswith("RuntimeError: something broke</span>")


def test_without_widgets_it_displays_the_static_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    app = live_playground(n=100)
    bundle = app._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"]  # what nbconvert, GitHub and nbclient show
    assert "live Playground" in bundle["text/plain"]
    monkeypatch.setitem(sys.modules, "visualize.live.app", None)  # as if ipywidgets were missing
    from matplotlib.figure import Figure

    assert isinstance(live_playground(n=100), Figure)


# ---------------------------------------------------------------- the page, in Chromium


def test_the_page_in_chromium(tmp_path: Path) -> None:
    from visualize.live.screenshot import (
        CHROMIUM_ARGS,
        epoch,
        find_chromium,
        open_app,
        serve,
        wait_for_epoch,
    )

    chromium = find_chromium()
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "Chromium is missing under CI: .ci/run installs it (apt-get install chromium)"
            )
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    pytest.importorskip("voila")
    sync_api = pytest.importorskip("playwright.sync_api")
    requests: list[str] = []
    with serve(tmp_path / "site") as url, sync_api.sync_playwright() as p:
        assert url.startswith("http://127.0.0.1:")
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            page.on("request", lambda request: requests.append(request.url))
            open_app(page, url)
            assert epoch(page) == 0
            first_loss = float(page.locator(".mg-test-loss").text_content() or "nan")
            page.get_by_role("button", name=re.compile("Play")).click()
            wait_for_epoch(page, 30)
            page.get_by_role("button", name=re.compile("Pause")).click()
            assert epoch(page) >= 30
            assert float(page.locator(".mg-test-loss").text_content() or "nan") < first_loss

            points = page.locator("circle.mg-point").count()
            page.locator("svg.mg-plane image").click(position={"x": 40, "y": 40})
            page.wait_for_function(
                f"document.querySelectorAll('circle.mg-point').length === {points + 1}",
                timeout=10_000,
            )

            page.locator("[data-neuron='1,0']").click()
            page.wait_for_selector(".mg-inspector-graph svg", timeout=30_000)
            graph_text = page.locator(".mg-inspector-graph svg").text_content() or ""
            assert "w·x + b" in graph_text and "tanh(w·x + b)" in graph_text
            page.screenshot(path=str(tmp_path / "live_playground.png"), full_page=True)
            assert "Traceback" not in (page.text_content("body") or "")
        finally:
            browser.close()
    outside = [
        u for u in requests if u.startswith("http") and not u.startswith("http://127.0.0.1:")
    ]
    assert outside == []


def test_l1_in_the_playground_sets_weights_to_exactly_zero_and_leaves_biases() -> None:
    """The report: 150 epochs with L1 0.01 left no weight at exactly 0 and shrank the biases.
    Like the TensorFlow Playground, a weight whose L1 step crosses 0 is now set to 0."""
    session = _session(dataset="circle", hidden=(8, 8), lr=0.1, regularization="l1", reg_rate=0.01)
    for _ in range(150):
        session.train_epoch()
    neurons = [neuron for layer in session.model.layers for neuron in layer.neurons]
    weights = [w.data for neuron in neurons for w in neuron.w]
    assert weights.count(0.0) >= len(weights) // 4
    assert all(neuron.b.data != 0.0 for neuron in neurons)

"""The live Playground: its model alone, its widgets clicked from code, its page in Chromium."""

from __future__ import annotations

import datetime
import html
import math
import os
import re
import sys
import time
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")

from micrograd_edu import Value, io
from micrograd_edu.nn import MLP, as_inputs
from micrograd_edu.train import OBJECTIVES, TrainingDivergedError
from micrograd_edu.visualize import playground
from micrograd_edu.visualize.live import live_playground
from micrograd_edu.visualize.live.app import LivePlayground
from micrograd_edu.visualize.live.screenshot import open_app
from micrograd_edu.visualize.live.session import PlaygroundSession
from micrograd_edu.visualize.playground import PlaygroundSettings, settings_from


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
    c, inspector = app.controls, app.inspector
    app.step_button.click()
    assert app.session.epoch == 1 and "Epoch 1" in app.epoch_label.value
    c.lr.value = "fast"
    assert "'fast' is not a number; kept 0.03" in html.unescape(app.message.value)
    assert app.session.settings.lr == 0.03
    c.lr.value = "0.3"  # the rate applies to the running network: no reset
    assert app.session.settings.lr == 0.3 and app.session.optimizer.lr == 0.3
    assert app.session.epoch == 1 and app.message.value == ""  # the error line is cleared
    c.add_layer.click()
    assert app.session.settings.hidden == (4, 2, 2) and app.session.epoch == 0
    assert len(c.layer_rows.children) == 3
    c.layer_rows.children[0].children[2].click()  # "+" of layer 1
    assert app.session.settings.hidden == (5, 2, 2)
    c.features["x1*x2"].value = True
    assert app.session.settings.features == ("x1", "x2", "x1*x2")
    app.plane_view.click = {"x": 0.5, "y": 0.25, "t": 1}
    assert app.session.X_train[-1].tolist() == [0.0, 3.0]
    app.click_mode.value = "inspect a point"
    app.network_view.click = {"neuron": "1,1", "t": 2}
    assert inspector.selected_neuron == (1, 1)
    assert "<svg" in inspector.graph.value and "mg-graph" in inspector.graph.value
    app.plane_view.click = {"x": 0.25, "y": 0.75, "t": 3}
    assert inspector.selected_point == (-3.0, -3.0)
    assert "at the point (-3.00, -3.00)" in inspector.title.value
    inspector.step_slider.value = 0
    assert "backpropagation brings" in inspector.step_caption.value
    app.export_button.click()
    assert app.export_text.value == app.session.as_call()
    app.url.base = "http://localhost:8888/lab/tree/06_playground.ipynb"  # JupyterLab's address
    app.share_button.click()
    assert app.export_text.value == "http://127.0.0.1:8866/?" + app.query()
    c.problem.value = "regression"
    assert app.session.settings.dataset == "plane" and app.session.settings.loss == "mse"
    assert c.dataset.options == ("plane", "multi_gauss") and c.loss.options == ("mse",)
    c.dataset.value = "multi_gauss"  # the menu still drives the session
    assert app.session.settings.dataset == "multi_gauss"
    c.problem.value = "classification"
    assert app.session.settings.dataset == "circle" and app.session.settings.loss == "bce"
    assert c.dataset.options == ("circle", "xor", "gauss", "spiral", "moons", "blobs")
    assert app.message.value == ""


def test_play_trains_in_the_background_and_pause_is_immediate() -> None:
    app = live_playground(n=100)
    app.play()
    try:
        deadline = time.monotonic() + 120  # a poll on the epoch: a busy machine is slower
        while app.session.epoch < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        app.pause()
    epochs = app.session.epoch
    assert epochs >= 5, f"Play trained {epochs} epochs in 120 s"
    assert app._thread is None  # Pause waited for the thread: it has ended
    time.sleep(0.3)  # a chance for a thread Pause failed to stop to train one more epoch
    assert app.session.epoch == epochs  # paused: nothing runs any more
    assert "Play" in app.play_button.description


def test_a_diverging_run_pauses_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    app = live_playground(n=100)

    def diverge() -> None:
        message = "training diverged in epoch 3: the loss became inf."
        raise TrainingDivergedError(message, 3, None)  # type: ignore[arg-type]

    monkeypatch.setattr(app.session, "train_epoch", diverge)
    app.play()
    thread = app._thread
    assert thread is not None
    thread.join(timeout=120)
    assert not thread.is_alive(), "Play's thread still runs 120 s after diverging"
    assert "Paused: training diverged in epoch 3" in app.message.value
    assert not app._playing.is_set()
    app.step_button.click()
    assert "Paused: training diverged" in app.message.value


def test_no_traceback_reaches_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    app = live_playground(n=100)

    def broken(**changes: Any) -> None:
        raise RuntimeError("something broke")

    monkeypatch.setattr(app.session, "update", broken)
    app.controls.activation.value = "relu"
    assert app.message.value.endswith("RuntimeError: something broke</span>")


def test_without_widgets_it_displays_the_static_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    app = live_playground(n=100)
    bundle = app._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"]  # what nbconvert, GitHub and nbclient show
    alt = html.escape(app.figure().description)  # and with its alternative text (WCAG 1.1.1)
    assert bundle["text/html"] == (
        f'<img class="mg-figure" src="data:image/png;base64,{bundle["image/png"]}" '
        f'alt="{alt}" style="max-width: 100%">'
    )
    assert "live Playground" in bundle["text/plain"]
    monkeypatch.setitem(
        sys.modules, "micrograd_edu.visualize.live.app", None
    )  # as if ipywidgets were missing
    from matplotlib.figure import Figure

    assert isinstance(live_playground(n=100), Figure)


# ---------------------------------------------------------------- the page, in Chromium


@pytest.fixture(scope="module")
def chromium_and_voila() -> tuple[str, Any]:
    from micrograd_edu.visualize.live.screenshot import find_chromium

    chromium = find_chromium()
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "Chromium is missing under CI: .ci/run installs it (apt-get install chromium)"
            )
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    pytest.importorskip("voila")
    return chromium, pytest.importorskip("playwright.sync_api")


def _foreign_host_status(url: str) -> int:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Host": "attacker.example:80"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.browser
@pytest.mark.slow
def test_the_page_in_chromium(tmp_path: Path, chromium_and_voila: tuple[str, Any]) -> None:
    """One Voilà server, one Chromium: the app, a teacher's link, your data, saving, kernels."""
    from micrograd_edu.visualize.live.screenshot import CHROMIUM_ARGS, kernel_count, serve_process

    chromium, sync_api = chromium_and_voila
    work = tmp_path / "work"  # the folder `make playground` was started in
    work.mkdir()
    requests: list[str] = []
    with (
        serve_process(tmp_path / "site", cull_seconds=60, save_folder=work) as (url, server),
        sync_api.sync_playwright() as p,
    ):
        assert url.startswith("http://127.0.0.1:")
        assert _foreign_host_status(url) == 403  # DNS rebinding: refused, no kernel started
        assert kernel_count(server) == 0
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1300})
            context.on("request", lambda request: requests.append(request.url))
            _play_inspect_and_change_the_rate(context.new_page(), url)
            _a_teachers_link(context.new_page(), url)
            _upload_and_save(context.new_page(), url, tmp_path, work)
            kept = context.new_page()  # an open page keeps its kernel
            open_app(kept, url)
            deadline = time.monotonic() + 20  # long before the culling delay (60 s)
            while kernel_count(server) > 1 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert kernel_count(server) == 1  # three closed pages (one reloaded) freed theirs
            kept.get_by_role("button", name="Step one epoch").click()
            kept.wait_for_function("document.querySelector('.mg-epoch').textContent.includes('1')")
        finally:
            browser.close()
    assert io.load(work / "model.json").nin == 2  # saved where the user is: survives the server
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


def _play_inspect_and_change_the_rate(page: Any, url: str) -> None:
    from micrograd_edu.visualize.live.screenshot import epoch, open_app, wait_for_epoch

    open_app(page, url)
    assert epoch(page) == 0
    first_loss = float(page.locator(".mg-test-loss").text_content() or "nan")
    page.get_by_role("button", name=re.compile("Play")).click()
    wait_for_epoch(page, 20)
    rate = page.get_by_label("Learning rate")
    rate.fill("0.1")
    rate.press("Enter")  # applied to the running network: the epoch keeps counting
    page.wait_for_function("window.location.search.includes('lr=0.1')", timeout=120_000)
    reached = epoch(page)
    assert reached >= 20
    wait_for_epoch(page, reached + 5)
    page.get_by_role("button", name=re.compile("Pause")).click()
    assert float(page.locator(".mg-test-loss").text_content() or "nan") < first_loss

    points = page.locator("g.mg-point").count()
    page.locator("svg.mg-plane image").click(position={"x": 40, "y": 40})
    page.wait_for_function(
        f"document.querySelectorAll('g.mg-point').length === {points + 1}", timeout=120_000
    )
    page.locator("[data-neuron='1,0']").click()
    page.wait_for_selector(".mg-inspector-graph svg", timeout=30_000)
    graph_text = page.locator(".mg-inspector-graph svg").text_content() or ""
    assert "w·x + b" in graph_text and "tanh(w·x + b)" in graph_text
    assert "Traceback" not in (page.text_content("body") or "")
    page.close(run_before_unload=True)  # as a closed tab: Voilà asks to stop its kernel


def _a_teachers_link(page: Any, url: str) -> None:
    from micrograd_edu.visualize.live.screenshot import open_app

    open_app(page, f"{url}?dataset=gauss&features=x1&lr=0.3&hide=features,loss&goal=test_loss<0.2")
    assert page.get_by_role("button", name="x1^2").count() == 0  # hidden
    assert not page.get_by_role("button", name="x1", exact=True).is_visible()
    assert not page.get_by_label("Loss", exact=True).is_visible()
    assert "test loss < 0.2" in (page.locator(".mg-goal").text_content() or "")
    page.get_by_role("button", name=re.compile("Play")).click()
    page.wait_for_function(
        "document.querySelector('.mg-goal').textContent.includes('reached')", timeout=60_000
    )
    page.get_by_role("button", name=re.compile("Pause")).click()
    query = page.evaluate("window.location.search")
    for part in ("dataset=gauss", "features=x1&", "lr=0.3", "hide=features,loss", "seed=0"):
        assert part in query
    page.get_by_role("button", name="Share").click()
    start = url + "?dataset=gauss&features=x1&"
    page.wait_for_function(
        f"document.querySelector('.mg-export textarea').value.startsWith({start!r})",
        timeout=120_000,
    )
    page.reload()  # the same task again, from the URL the page keeps up to date
    page.wait_for_selector("svg.mg-plane", timeout=90_000)
    assert page.evaluate("window.location.search") == query
    assert page.get_by_label("Learning rate").input_value() == "0.3"
    assert "reached" not in (page.locator(".mg-goal").text_content() or "")
    page.close(run_before_unload=True)  # as a closed tab: Voilà asks to stop its kernel


def _upload_and_save(page: Any, url: str, tmp_path: Path, work: Path) -> None:
    from micrograd_edu.visualize.live.screenshot import open_app

    open_app(page, url)
    rows = [f"{x:.1f},{x / 2:.1f},{int(x > 0)}" for x in np.linspace(-5, 5, 40)]
    csv_file = tmp_path / "mine.csv"
    csv_file.write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=re.compile("Upload CSV")).click()
    chooser.value.set_files(str(csv_file))
    page.wait_for_function(
        "document.querySelector('.mg-message').textContent.includes('40 points')",
        timeout=120_000,
    )
    assert page.locator("g.mg-point").count() == 40
    page.get_by_label("Save to").fill("model.json")
    page.get_by_role("button", name="Save model").click()
    saved = str((work / "model.json").resolve())
    page.wait_for_function(
        f"document.querySelector('.mg-message').textContent.includes({saved!r})",
        timeout=120_000,
    )
    page.close(run_before_unload=True)  # as a closed tab: Voilà asks to stop its kernel


# ---------------------------------------------------------------- the classroom, without a browser


def test_the_learning_rate_changes_the_running_network_and_the_rest_resets() -> None:
    session = _session()
    for _ in range(3):
        session.train_epoch()
    weights = session.model.state_dict()
    assert session.update(lr=0.3) is False
    assert session.epoch == 3 and session.optimizer.lr == 0.3
    assert session.model.state_dict() == weights and len(session.train_loss) == 3
    assert session.update(noise=0.1) is True
    assert session.epoch == 0 and session.train_loss == []
    session.train_epoch()
    assert session.update() is True and session.epoch == 0  # the Reset button


def test_regenerate_draws_new_data_for_the_same_network() -> None:
    session = _session()
    session.train_epoch()
    weights, X = session.model.state_dict(), session.X_train.copy()
    session.regenerate()
    assert session.settings.seed == 1 and session.epoch == 1
    assert session.model.state_dict() == weights
    assert not np.array_equal(session.X_train, X)
    np.testing.assert_array_equal(session.X_train, PlaygroundSession(n=100, seed=1).X_train)


def test_the_loss_curve_keeps_a_bounded_number_of_points() -> None:
    from micrograd_edu.visualize.live.drawing import loss_svg
    from micrograd_edu.visualize.live.history import LossCurve

    rng = np.random.default_rng(0)
    losses = rng.uniform(0.1, 1.0, 5000)
    losses[1234] = 7.0  # a spike survives the merging
    curve = LossCurve(limit=320)
    for value in losses:
        curve.append(value)
    assert len(curve) == 5000 and 160 < len(curve.buckets) <= 320
    assert (
        curve.span == 16
        and len(curve.buckets) == 313
        and sum(b.count for b in curve.buckets) == 5000
    )
    assert max(b.high for b in curve.buckets) == 7.0
    assert min(b.low for b in curve.buckets) == losses.min()
    assert curve.last() == losses[-1]
    for i, bucket in enumerate(curve.buckets):
        part = losses[i * 16 : (i + 1) * 16]
        assert (bucket.low, bucket.high, bucket.last) == (part.min(), part.max(), part[-1])
    svg = loss_svg(curve, curve)
    assert svg.count(",") <= 4 * 320 + 10  # x,y pairs: two per bucket and curve at most
    short = LossCurve()
    for value in (0.5, math.nan, 0.25):
        short.append(value)
    assert short.values()[0::2] == [0.5, 0.25] and math.isnan(short.values()[1])
    with pytest.raises(ValueError, match="limit must be an even number"):
        LossCurve(limit=3)


def test_a_teachers_link_is_read_and_written_with_the_keywords_names() -> None:
    from micrograd_edu.visualize.live.task import Goal, parse_query, query_string

    task = parse_query(
        "?dataset=xor&features=x1,x2&hidden=&lr=0.1&seed=4&lr_hide=true&hide=features"
        "&goal=test_loss%3C0.1"
    )
    assert task.settings == {
        "dataset": "xor",
        "features": ("x1", "x2"),
        "hidden": (),
        "lr": 0.1,
        "seed": 4,
    }
    assert task.hide == ("lr", "features") and task.goal == Goal("test_loss", "<", 0.1)
    session = PlaygroundSession(**task.settings)
    again = parse_query(query_string(session.settings, task.hide, task.goal))
    assert settings_from(**again.settings) == session.settings
    assert (again.hide, again.goal) == (task.hide, task.goal)
    with pytest.raises(ValueError, match=re.escape("unknown key(s) ['speed'] in the link")):
        parse_query("speed=2")
    with pytest.raises(ValueError, match=re.escape("hide: unknown control(s) ['colour']")):
        parse_query("hide=colour")
    with pytest.raises(ValueError, match="goal: unknown metric 'loss'"):
        parse_query("goal=loss<0.1")
    with pytest.raises(ValueError, match="is not of the form metric<number"):
        parse_query("goal=test_loss")
    with pytest.raises(ValueError, match="hidden must be numbers of neurons like 4,2"):
        parse_query("hidden=four")


def test_the_served_app_reads_the_link_and_announces_the_goal() -> None:
    from micrograd_edu.visualize.live import served_playground

    app = served_playground("dataset=gauss&features=x1&hide=features,export&goal=epoch>=2&n=100")
    assert app.session.settings.dataset == "gauss" and app.session.settings.features == ("x1",)
    assert all(t.layout.display == "none" for t in app.controls.features.values())
    assert app.export_panel.layout.display == "none" and app.controls.lr.layout.display != "none"
    fixed = served_playground("hide=points&n=100")
    points = len(fixed.session.X_train)
    fixed.plane_view.click = {"x": 0.5, "y": 0.5, "t": 1}
    assert len(fixed.session.X_train) == points  # hidden "points": the data is the task's
    assert app.url.active and app.url.query == app.query()
    assert "Challenge: reach epoch &gt;= 2" in app.goal_label.value
    app.step_button.click()
    assert "reached" not in app.goal_label.value
    app.step_button.click()
    assert "✔ Challenge reached at epoch 2" in app.goal_label.value
    app.controls.lr.value = "0.1"
    assert "lr=0.1" in app.url.query and app.session.epoch == 2
    app.url.base = "http://127.0.0.1:9999/"
    assert app.share_link() == "http://127.0.0.1:9999/?" + app.query()
    bad = served_playground("dataset=iris")
    assert "The link&#x27;s settings were not used: unknown data set &#x27;iris&#x27;" in (
        bad.message.value
    )
    assert bad.session.settings.dataset == "circle"


def test_goal_metrics_measure_the_network() -> None:
    session = _session(dataset="gauss")
    for _ in range(5):
        session.train_epoch()
    assert session.measure("test_loss") == pytest.approx(session.losses()[1])
    assert session.measure("train_loss") == pytest.approx(session.losses()[0])
    scores = session.output_score(session.X_test)
    accuracy = float(np.mean((scores > 0) == (session.y_test == 1)))
    assert session.measure("test_accuracy") == pytest.approx(accuracy)
    assert session.measure("epoch") == 5.0


def test_your_own_data_from_python_and_from_csv() -> None:
    from micrograd_edu.visualize.live.userdata import parse_csv

    X = np.array([[1.0, 2.0], [-1.0, -2.0], [2.0, 1.0], [-2.0, -1.0], [0.5, 0.5], [-0.5, -0.5]])
    app = live_playground(data=(X, [1, -1, 1, -1, 1, -1]))  # ±1 labels become 1/0
    session = app.session
    assert session.data_name == "your data" and session.settings.problem == "classification"
    assert sorted(np.concatenate([session.y_train, session.y_test])) == [0, 0, 0, 1, 1, 1]
    assert app.controls.dataset.value == "your data"
    session.train_epoch()
    values = live_playground(data=(X, [0.1, 0.2, 0.3, -0.1, 0.5, 0.0])).session
    assert values.settings.problem == "regression" and values.settings.loss == "mse"
    session.update(dataset="xor")  # choosing a data set drops your data
    assert session.data_name == "xor" and len(session.X_train) == 250
    text = "x1,x2,value\n1,2,0.5\n-1,-2,-0.5\n2,1,0.25\n-2,-1,0\n"
    data = parse_csv(text)
    assert data.problem == "regression" and data.y.tolist() == [0.5, -0.5, 0.25, 0.0]


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (
            [[1, 2, 3]] * 4,
            [0, 1, 0, 1],
            "data: X must have shape (n, 2) (x1, x2 per point), got (4, 3)",
        ),
        ([[1, 2]] * 4, [0, 1, 0], "data: y must have shape (4,) (one label per point), got (3,)"),
        ([[1, 2]] * 2, [0, 1], "data: 4 to 2000 points are needed, got 2"),
        ([[1, 2]] * 4, [0, 1, 0, math.nan], "data: every x1, x2 and label must be a finite number"),
        (
            [[1, 12]] * 4,
            [0, 1, 0, 1],
            "data: x2 goes up to 12, outside the Playground's plane [-6, 6]: divide your "
            "points by 2 (or more) first",
        ),
        ([[1, 2]] * 4, [1, 1, 1, 1], "data: a classification needs both classes, got only {1.0}"),
    ],
)
def test_wrong_data_is_refused_with_the_reason(X: Any, y: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        live_playground(data=(X, y))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x1,x2,label\n1,2\n", "CSV row 1: expected 3 columns (x1, x2, label or value), got 2"),
        ("1,2,1\n1,two,0\n", "CSV row 2: 1, two, 0 are not all numbers"),
        ("x1,x2,label\n", "CSV: no rows of x1, x2, label found"),
    ],
)
def test_a_wrong_csv_is_refused_with_the_row(text: str, message: str) -> None:
    from micrograd_edu.visualize.live.userdata import parse_csv

    with pytest.raises(ValueError, match=re.escape(message)):
        parse_csv(text)


def test_an_uploaded_csv_replaces_the_data_and_a_bad_one_says_why() -> None:
    app = live_playground(n=100)
    rows = "\n".join(f"{x:.1f},{-x:.1f},{int(x > 0)}" for x in np.linspace(-4, 4, 10))
    upload = {
        "name": "mine.csv",
        "type": "text/csv",
        "size": len(rows),
        "last_modified": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
        "content": memoryview(rows.encode()),
    }
    app.upload.value = (upload,)
    assert len(app.session.X_train) + len(app.session.X_test) == 10
    assert "mine.csv: 10 points (classification) loaded" in app.message.value
    app.upload.value = ({**upload, "content": memoryview(b"1,2\n")},)
    assert "CSV row 1: expected 3 columns" in app.message.value
    app.step_button.click()
    assert app.message.value == ""  # the next success clears the error line


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "leaky_relu", "linear"])
@pytest.mark.parametrize("loss", ["bce", "cross_entropy"])
def test_the_python_function_computes_what_the_network_computes(activation: str, loss: str) -> None:
    features = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
    session = _session(features=features, hidden=(3, 2), activation=activation, loss=loss)
    session.train_epoch()
    source = session.python_code()
    assert source.startswith("import math\n") and "numpy" not in source
    assert "micrograd" not in source
    namespace: dict[str, Any] = {}
    exec(source, namespace)  # the exported text, as a student would paste it
    points = np.random.default_rng(1).uniform(-6, 6, (20, 2))
    expected = session.model.forward_array(session.inputs(points))
    got = np.array([namespace["predict"](x1, x2) for x1, x2 in points]).reshape(expected.shape)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_save_model_writes_relative_to_the_start_folder(tmp_path: Path) -> None:
    app = live_playground(n=100, folder=tmp_path)
    app.save_path.value = "models/run.json"
    (tmp_path / "models").mkdir()
    app.save_button.click()
    saved = tmp_path / "models" / "run.json"
    assert io.load(saved).state_dict() == app.session.model.state_dict()
    assert f"Saved to {saved.resolve()}" in app.message.value
    assert app.export_text.value.startswith(f"# saved to {saved.resolve()}\n")


def test_moons_fill_the_plane() -> None:
    session = _session(dataset="moons")
    points = np.concatenate([session.X_train, session.X_test])
    assert np.abs(points).max() <= 6.0 and np.ptp(points[:, 0]) > 7.0
    session.train_epoch()
    app = live_playground(dataset="moons", n=100)
    assert app.controls.dataset.value == "moons"


def test_blobs_have_a_softmax_output_for_their_three_classes() -> None:
    app = live_playground(dataset="blobs", n=150)
    session = app.session
    assert session.settings.loss == "cross_entropy" and session.model.nouts == [4, 2, 3]
    assert app.controls.loss.options == ("cross_entropy",)
    assert [value for _, value in app.point_class.options] == [0.0, 1.0, 2.0]
    for _ in range(20):
        session.train_epoch()
    probabilities = session.class_probabilities(session.X_test)
    assert probabilities.shape == (len(session.X_test), 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    accuracy = float(np.mean(probabilities.argmax(axis=1) == session.y_test))
    assert session.measure("test_accuracy") == pytest.approx(accuracy) and accuracy > 0.9
    session.add_point(0.0, 0.0, 2)
    with pytest.raises(ValueError, match=re.escape("the class of a point must be 0 to 2, got 3")):
        session.add_point(0.0, 0.0, 3)
    app.refresh()
    triangles = re.findall(r'<polygon points="[^"]*" fill="#000000"', app.plane_view.svg)
    assert len(triangles) > 10  # class 2's points: black triangles (colour-blind safe)
    app.controls.dataset.value = "circle"  # two classes again: the default loss
    assert session.settings.loss == "bce" and session.model.nouts == [4, 2, 1]
    with pytest.raises(ValueError, match=re.escape("loss 'bce' does not fit the 3 classes")):
        live_playground(dataset="blobs", loss="bce")
    assert playground(dataset="blobs", epochs=2) is not None  # the static figure too


def test_play_rests_between_epochs(monkeypatch: pytest.MonkeyPatch) -> None:
    """After each epoch Play rests (1 - cpu_share) / cpu_share times the epoch's CPU time,
    on the event Pause sets. The thread's CPU clock is a fake one that each epoch advances
    by 20 ms, so the rest asked is known exactly, whatever the machine's load; the share
    of a core Play really uses is measured in benchmarks/playground.py (`make bench`)."""
    from micrograd_edu.visualize.live import playloop

    app = live_playground(n=100, cpu_share=0.25, redraws_per_second=1e-9)  # no redraw
    clock = [0.0]  # the Play thread's CPU seconds
    fake_time = types.SimpleNamespace(thread_time=lambda: clock[0], monotonic=time.monotonic)
    monkeypatch.setattr(playloop, "time", fake_time)
    real_epoch = app.session.train_epoch

    def epoch() -> None:
        real_epoch()
        clock[0] += 0.02

    monkeypatch.setattr(app.session, "train_epoch", epoch)
    rests: list[float | None] = []
    real_wait = app._wake.wait

    def wait(timeout: float | None = None) -> bool:
        rests.append(timeout)
        return real_wait(timeout)

    monkeypatch.setattr(app._wake, "wait", wait)
    app.play()
    try:
        deadline = time.monotonic() + 120
        while len(rests) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        app.pause()
    assert len(rests) >= 3, f"Play rested {len(rests)} times in 120 s"
    assert rests == pytest.approx([0.06] * len(rests))  # 3 × the epoch's 20 ms
    assert app.session.epoch == len(rests)  # one rest after each epoch
    with pytest.raises(ValueError, match=re.escape("cpu_share must be in (0, 1]")):
        live_playground(n=100, cpu_share=0)


@pytest.mark.notebooks
@pytest.mark.slow
def test_a_full_server_says_so_and_culls_a_page_never_opened(tmp_path: Path) -> None:
    """A GET of the page without a browser starts a kernel; at the cap a clear 503 page;
    the kernel without a page is culled, and the page serves again."""
    import urllib.error
    import urllib.request

    pytest.importorskip("voila")
    from micrograd_edu.visualize.live.screenshot import serve_process
    from micrograd_edu.visualize.live.server import server_status

    def kernels(url: str) -> int:  # the server's own list, which the cap counts
        return server_status(url)["kernels"]

    with serve_process(tmp_path, cull_seconds=2, max_kernels=1) as (url, _):
        with urllib.request.urlopen(url, timeout=120) as response:
            assert response.status == 200
        assert kernels(url) == 1
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=60)
        assert refused.value.code == 503
        page = refused.value.read().decode()
        assert "The live Playground is full" in page and "(the limit is 1)" in page
        deadline = time.monotonic() + 30
        while kernels(url) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert kernels(url) == 0
        with urllib.request.urlopen(url, timeout=120) as response:
            assert response.status == 200


@pytest.mark.notebooks
@pytest.mark.slow
def test_the_command_prints_the_address_once_the_server_answers(tmp_path: Path) -> None:
    import signal
    import subprocess
    import urllib.request

    pytest.importorskip("voila")
    from micrograd_edu.visualize.live.__main__ import free_port
    from micrograd_edu.visualize.live.screenshot import isolated_jupyter, stop_group

    port = free_port()
    env = isolated_jupyter(tmp_path / "jupyter", dict(os.environ))
    command = [
        sys.executable,
        "-m",
        "micrograd_edu.visualize.live",
        f"--port={port}",
        "--cull-after=5",
    ]
    server = subprocess.Popen(
        command,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        line = server.stdout.readline() if server.stdout else ""
        assert line.startswith(f"The live Playground: http://127.0.0.1:{port}/")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/static/voila.js") as answer:
            assert answer.status == 200  # no "connection refused" right after the address
        os.killpg(server.pid, signal.SIGINT)  # Ctrl-C in the terminal
        assert server.wait(timeout=30) == 0
    finally:
        stop_group(server)
        if server.stdout:
            server.stdout.close()

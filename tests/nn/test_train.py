"""fit(): the course's training targets, History, evaluation, predictions and errors."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pytest

from micrograd_edu import Value, datasets, losses, optim, train
from micrograd_edu.nn import MLP
from micrograd_edu.optim import SGD, Adam
from micrograd_edu.train import (
    OBJECTIVES,
    History,
    Objective,
    evaluate,
    fit,
    predict,
    predict_proba,
)


def test_moons_reaches_full_training_accuracy_like_micrograds_demo() -> None:
    X, y = datasets.moons(n=100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = fit(model, X, y, loss="hinge", optimizer=opt, epochs=100, l2=1e-4, progress=False)
    assert history.train_accuracy[-1] >= 0.97
    assert history.train_loss[-1] < history.train_loss[0] / 10


def _train_and_test(
    name: str,
    features: Sequence[str],
    hidden: list[int],
    loss: str,
    *,
    n: int,
    epochs: int,
    lr: float,
    classes: int | None = None,
) -> tuple[MLP, float, float | None]:
    kwargs = {"classes": classes} if classes else {}
    X, y = datasets.CLASSIFICATION.get(name, datasets.REGRESSION.get(name))(n=n, seed=0, **kwargs)  # type: ignore[misc]
    X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, 0.5, seed=0)
    nout = classes if loss == "cross_entropy" else 1
    model = MLP(len(features), [*hidden, nout], activation="tanh", seed=0)
    fit(
        model,
        datasets.features(X_train, features),
        y_train,
        loss=loss,
        optimizer=optim.Adam(model.parameters(), lr=lr),
        epochs=epochs,
        batch_size=10,
        seed=0,
        progress=False,
    )
    test_loss, test_accuracy = evaluate(model, datasets.features(X_test, features), y_test, loss)
    return model, test_loss, test_accuracy


@pytest.mark.parametrize("name", ["circle", "xor", "gauss"])
def test_playground_classification_sets(name: str) -> None:
    _, _, accuracy = _train_and_test(name, ["x1", "x2"], [8], "bce", n=300, epochs=50, lr=0.03)
    assert accuracy is not None and accuracy >= 0.95


def test_spiral_with_sine_features() -> None:
    features = ["x1", "x2", "sin(x1)", "sin(x2)"]
    _, _, accuracy = _train_and_test("spiral", features, [12, 12], "bce", n=400, epochs=60, lr=0.03)
    assert accuracy is not None and accuracy >= 0.90


def test_three_class_spiral_with_softmax_cross_entropy() -> None:
    features = ["x1", "x2", "sin(x1)", "sin(x2)"]
    model, _, accuracy = _train_and_test(
        "spiral", features, [16, 16], "cross_entropy", n=450, epochs=60, lr=0.02, classes=3
    )
    assert accuracy is not None and accuracy >= 0.85
    proba = predict_proba(
        model, datasets.features(datasets.spiral(n=5, classes=3, seed=1)[0], features)
    )
    assert proba.shape == (5, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)


def test_plane_regression() -> None:
    model, test_mse, accuracy = _train_and_test(
        "plane", ["x1", "x2"], [], "mse", n=200, epochs=30, lr=0.05
    )
    assert accuracy is None
    assert test_mse < 0.01
    X = np.array([[1.0, 2.0], [-3.0, 0.5]])
    np.testing.assert_allclose(
        predict(model, X, task="regression"), (X[:, 0] + X[:, 1]) / 10, atol=0.05
    )


def test_history_has_one_entry_per_epoch_and_validation() -> None:
    X, y = datasets.gauss(n=40, seed=0)
    model = MLP(2, [3, 1], seed=0)
    history = fit(model, X[:30], y[:30], epochs=4, X_val=X[30:], y_val=y[30:], progress=False)
    assert isinstance(history, History)
    assert history.epochs == 4
    assert [len(v) for v in history.as_dict().values()] == [4, 4, 4, 4]
    loss, accuracy = evaluate(model, X[30:], y[30:], "bce")
    assert history.val_loss[-1] == loss and history.val_accuracy[-1] == accuracy


@pytest.mark.parametrize("loss", sorted(OBJECTIVES))
def test_numpy_evaluation_equals_the_engine_loss(loss: str) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(7, 2))
    nout = 3 if loss == "cross_entropy" else 1
    model = MLP(2, [4, nout], seed=0)
    y = {
        "bce": rng.integers(0, 2, 7),
        "hinge": rng.integers(0, 2, 7),
        "cross_entropy": rng.integers(0, 3, 7),
        "mse": rng.normal(size=7),
    }[loss]
    objective = OBJECTIVES[loss]
    per_sample = []
    for row, label in zip(X, y.tolist(), strict=True):
        out = model(row)
        per_sample.append(objective.per_sample(out, label))
    engine_loss = losses.mean(lambda v, _: v, per_sample, [None] * 7).data
    assert evaluate(model, X, y, loss)[0] == pytest.approx(engine_loss, rel=1e-12)


def test_one_training_step_is_gradient_descent_on_the_mean_loss() -> None:
    X = np.array([[0.5, -1.0], [1.5, 2.0], [-0.3, 0.7]])
    y = np.array([1, 0, 1])
    model = MLP(2, [3, 1], seed=0)
    reference = MLP(2, [3, 1], seed=0)
    loss = losses.mean(losses.binary_cross_entropy, [reference(row) for row in X], y.tolist())
    loss.backward()
    expected = [p.data - 0.5 * p.grad for p in reference.parameters()]
    fit(
        model,
        X,
        y,
        loss="bce",
        optimizer=optim.SGD(model.parameters(), lr=0.5),
        epochs=1,
        progress=False,
    )
    assert [p.data for p in model.parameters()] == pytest.approx(expected, rel=1e-12)


def test_predictions() -> None:
    model = MLP(2, [1], seed=0)
    model.load_state_dict(
        {"layers.0.neurons.0.w.0": 1.0, "layers.0.neurons.0.w.1": 0.0, "layers.0.neurons.0.b": 0.0}
    )
    X = np.array([[2.0, 0.0], [-1.0, 5.0], [0.0, 0.0]])
    np.testing.assert_array_equal(predict(model, X), [1, 0, 0])
    np.testing.assert_allclose(predict_proba(model, X), 1 / (1 + np.exp(-X[:, 0])), rtol=1e-14)
    assert predict_proba(model, np.array([[1000.0, 0.0], [-1000.0, 0.0]])).tolist() == [1.0, 0.0]
    with pytest.raises(
        ValueError, match=re.escape("task must be 'classification' or 'regression'")
    ):
        predict(model, X, task="clustering")  # type: ignore[arg-type]


def test_fit_errors() -> None:
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    model = MLP(2, [2, 1], seed=0)
    cases = [
        (
            lambda: fit(model, X[:, :1], y, progress=False),
            "fit: X must have shape (n, 2) for this model",
        ),
        (lambda: fit(model, X, y[:3], progress=False), "fit: y must have shape (4,), got (3,)"),
        (lambda: fit(model, X, y + 1, progress=False), "labels for loss 'bce' must be 0 or 1"),
        (
            lambda: fit(model, X, y, loss="cross_entropy", progress=False),
            "needs a model with >= 2 outputs",
        ),
        (lambda: fit(model, X, y, loss="l3", progress=False), "unknown loss 'l3'"),
        (lambda: fit(model, X, y, epochs=0, progress=False), "epochs must be a positive integer"),
        (
            lambda: fit(model, X, y, batch_size=0, progress=False),
            "batch_size must be a positive integer",
        ),
        (lambda: fit(model, X, y, X_val=X, progress=False), "give both X_val and y_val"),
        (lambda: fit(model, X * np.nan, y, progress=False), "X and y must be finite"),
        (lambda: fit(model, X, y, l2=-1.0, progress=False), "l2 must be >= 0, got -1.0"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=re.escape(message)):
            call()


def test_fit_accepts_value_free_labels_and_leaves_inputs_untouched() -> None:
    X, y = datasets.xor(n=20, seed=0)
    X_before = X.copy()
    fit(MLP(2, [2, 1], seed=0), X, y, epochs=1, progress=False)
    np.testing.assert_array_equal(X, X_before)
    assert not any(isinstance(v, Value) for v in X.ravel().tolist())


# ----------------------------------------------------------------------
# Training with the tape (micrograd_edu.tape)
# ----------------------------------------------------------------------
TAPE_CASES = {
    "bce, SGD, full batch": ("moons", "bce", "sgd", {}),
    "bce, Adam, mini-batches, L2": ("moons", "bce", "adam", {"batch_size": 10, "l2": 1e-3}),
    "hinge, SGD, L1": ("moons", "hinge", "sgd", {"l1": 1e-3}),
    "hinge, SGD, L1 subgradient": ("moons", "hinge", "sgd", {"l1": 1e-3, "l1_step": "subgradient"}),
    "bce, Adam, mini-batches, L1 and L2": (
        "moons",
        "bce",
        "adam",
        {"batch_size": 10, "l1": 3e-3, "l2": 1e-3},
    ),
    "mse, Adam, mini-batches": ("plane", "mse", "adam", {"batch_size": 16}),
    "cross_entropy, SGD, validation": ("blobs", "cross_entropy", "sgd", {"validation": True}),
}


@pytest.mark.parametrize("case", sorted(TAPE_CASES))
def test_training_with_the_tape_gives_the_graph_engines_history(case: str) -> None:
    data_name, loss, optimizer_name, options = TAPE_CASES[case]
    options = dict(options)
    if data_name == "blobs":
        X, y = datasets.blobs(n=60, classes=3, seed=0)
        nouts = [8, 3]
    else:
        X, y = datasets.load(data_name, n=60, noise=0.1, seed=0)
        nouts = [8, 8, 1]
    if options.pop("validation", False):
        options.update(X_val=X[:20], y_val=y[:20])
    histories = {}
    for engine in ("graph", "tape"):
        model = MLP(X.shape[1], nouts, activation="tanh", seed=3)
        params = model.parameters()
        optimizer = SGD(params, lr=0.1) if optimizer_name == "sgd" else Adam(params, lr=0.02)
        histories[engine] = fit(
            model,
            X,
            y,
            loss,
            optimizer,
            epochs=25,
            seed=5,
            progress=False,
            engine=engine,
            **options,
        ).as_dict()
    for key, graph_values in histories["graph"].items():
        assert histories["tape"][key] == pytest.approx(graph_values, rel=1e-9, abs=0), key
    assert len(histories["tape"]["train_loss"]) == 25


def test_auto_uses_the_tape_for_a_plain_mlp_only(monkeypatch: pytest.MonkeyPatch) -> None:

    captured: list[object] = []
    real_capture = train.capture

    def counting_capture(fn: object, example: object) -> object:
        captured.append(fn)
        return real_capture(fn, example)  # type: ignore[arg-type]

    monkeypatch.setattr(train, "capture", counting_capture)
    X, y = datasets.moons(n=20, seed=0)

    class MyMLP(MLP):
        pass

    plain, subclass = MLP(2, [4, 1], seed=0), MyMLP(2, [4, 1], seed=0)
    fit(plain, X, y, epochs=1, progress=False)
    fit(subclass, X, y, epochs=1, progress=False)
    fit(plain, X, y, epochs=1, progress=False, engine="graph")
    assert captured == [plain]
    fit(subclass, X, y, epochs=1, progress=False, engine="tape")
    assert captured == [plain, subclass]


def test_engine_errors() -> None:
    X, y = datasets.moons(n=20, seed=0)
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(ValueError, match="engine must be 'auto', 'graph' or 'tape', got 'gpu'"):
        fit(model, X, y, epochs=1, progress=False, engine="gpu")  # type: ignore[arg-type]
    no_gradient = Objective(
        "my_bce", "binary", losses.binary_cross_entropy, OBJECTIVES["bce"].on_array
    )
    with pytest.raises(ValueError, match="engine='tape' needs the gradient of loss 'my_bce'"):
        fit(model, X, y, no_gradient, epochs=1, progress=False, engine="tape")
    history = fit(model, X, y, no_gradient, epochs=2, progress=False)  # auto: the graph
    assert history.epochs == 2


def test_a_frozen_layer_keeps_its_weights_with_both_engines_alike() -> None:
    """The optimizer updates the last layer only; with L2, both engines train it identically."""
    X, y = datasets.moons(n=40, seed=0)
    trained = {}
    for engine in ("graph", "tape"):
        model = MLP(2, [6, 1], seed=0)
        frozen = [p.data for p in model.layers[0].parameters()]
        optimizer = SGD(model.layers[1].parameters(), lr=0.5)
        fit(model, X, y, "bce", optimizer, epochs=5, l2=0.1, progress=False, engine=engine)
        assert [p.data for p in model.layers[0].parameters()] == frozen
        trained[engine] = [p.data for p in model.layers[1].parameters()]
    assert trained["tape"] == pytest.approx(trained["graph"], rel=1e-12)
    assert trained["graph"] != pytest.approx(
        [p.data for p in MLP(2, [6, 1], seed=0).layers[1].parameters()]
    )


# ----------------------------------------------------------------------
# L1: a proximal step (exact zeros, biases untouched) or the plain subgradient
# ----------------------------------------------------------------------
def _weights_and_biases(model: MLP) -> tuple[list[float], list[float]]:
    neurons = [neuron for layer in model.layers for neuron in layer.neurons]
    return [w.data for n in neurons for w in n.w], [n.b.data for n in neurons]


@pytest.mark.parametrize("engine", ["graph", "tape"])
def test_one_proximal_l1_step_is_the_data_step_then_soft_thresholding(engine: str) -> None:
    """fit(l1=...): the optimizer's step on the loss alone, then every weight moves lr·l1
    toward 0 and stops at exactly 0 if it would cross it; the biases only take the data step."""
    X, y = datasets.moons(n=30, noise=0.1, seed=0)
    lr, l1 = 0.1, 0.2
    runs = {}
    for rate in (0.0, l1):
        model = MLP(2, [6, 1], seed=2)
        fit(
            model,
            X,
            y,
            "bce",
            SGD(model.parameters(), lr),
            1,
            l1=rate,
            progress=False,
            engine=engine,
        )
        runs[rate] = _weights_and_biases(model)
    plain_weights, plain_biases = runs[0.0]
    weights, biases = runs[l1]
    assert biases == plain_biases  # not penalised
    expected = [0.0 if abs(w) <= lr * l1 else w - np.copysign(lr * l1, w) for w in plain_weights]
    assert weights == expected
    assert 0 < weights.count(0.0) < len(weights)


@pytest.mark.parametrize("engine", ["graph", "tape"])
def test_one_subgradient_l1_step_adds_l1_sign_w_to_the_weights_gradient(engine: str) -> None:
    X, y = datasets.moons(n=30, noise=0.1, seed=0)
    lr, l1 = 0.1, 0.2
    model = MLP(2, [6, 1], seed=2)
    start_weights, _ = _weights_and_biases(model)
    runs = {}
    for rate in (0.0, l1):
        model = MLP(2, [6, 1], seed=2)
        fit(
            model,
            X,
            y,
            "bce",
            SGD(model.parameters(), lr),
            1,
            l1=rate,
            l1_step="subgradient",
            progress=False,
            engine=engine,
        )
        runs[rate] = _weights_and_biases(model)
    assert runs[l1][1] == pytest.approx(runs[0.0][1], rel=1e-12, abs=1e-15)  # biases alike
    expected = [
        w - lr * l1 * np.sign(w0) for w, w0 in zip(runs[0.0][0], start_weights, strict=True)
    ]
    assert runs[l1][0] == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_l1_training_reaches_exact_zeros_that_the_subgradient_never_lands_on() -> None:
    """150 epochs with L1 0.01 (the live Playground's report): with the proximal step
    a good share of the weights are exactly 0 and the rest still classify; with the
    subgradient they hover around 0 without landing there."""
    X, y = datasets.load("circle", n=200, noise=0.1, seed=0)
    zeros = {}
    for step in ("proximal", "subgradient"):
        model = MLP(2, [8, 8, 1], seed=0)
        history = fit(
            model,
            X,
            y,
            "bce",
            SGD(model.parameters(), 0.1),
            150,
            batch_size=10,
            l1=0.01,
            l1_step=step,
            seed=0,
            progress=False,
        )  # type: ignore[arg-type]
        weights, biases = _weights_and_biases(model)
        zeros[step] = weights.count(0.0)
        assert biases.count(0.0) == 0
        assert history.train_accuracy[-1] >= 0.9
    assert zeros["proximal"] >= 20
    assert zeros["subgradient"] == 0


def test_a_frozen_layer_keeps_its_weights_under_proximal_l1() -> None:
    X, y = datasets.moons(n=40, seed=0)
    model = MLP(2, [6, 1], seed=0)
    frozen = [p.data for p in model.layers[0].parameters()]
    fit(
        model,
        X,
        y,
        "bce",
        SGD(model.layers[1].parameters(), lr=0.5),
        epochs=5,
        l1=1.0,
        progress=False,
    )
    assert [p.data for p in model.layers[0].parameters()] == frozen
    assert [w.data for n in model.layers[1].neurons for w in n.w] == [0.0] * 6


def test_l1_step_must_be_known() -> None:
    X, y = datasets.moons(n=20, seed=0)
    with pytest.raises(
        ValueError, match="l1_step must be 'proximal' or 'subgradient', got 'clipped'"
    ):
        fit(MLP(2, [1], seed=0), X, y, l1=0.1, l1_step="clipped", progress=False)  # type: ignore[arg-type]

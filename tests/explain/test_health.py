"""Training health (per-layer gradient norms, update ratios), one traced step, the layer view."""

from __future__ import annotations

import math

import numpy as np
import pytest

from micrograd_edu.explain.health import ParameterUpdate, layer_health, one_step
from micrograd_edu.explain.layerview import layer_views, project_2d
from micrograd_edu.nn import MLP
from micrograd_edu.train import evaluate

X = np.array([[0.5, -1.0], [1.0, 2.0], [-1.5, 0.3], [0.2, 0.1]])
Y = np.array([0.0, 1.0, 1.0, 0.0])


def numerical_grads(model: MLP, loss: str, h: float = 1e-6) -> dict[str, float]:
    """Central differences of the mean loss (computed with NumPy, no graph)."""
    grads = {}
    for name, p in model.named_parameters():
        original = p.data
        p.data = original + h
        up, _ = evaluate(model, X, Y, loss)
        p.data = original - h
        down, _ = evaluate(model, X, Y, loss)
        p.data = original
        grads[name] = (up - down) / (2 * h)
    return grads


@pytest.mark.parametrize("loss", ["bce", "hinge", "mse"])
def test_layer_norms_match_finite_differences(loss: str) -> None:
    model = MLP(2, [3, 2, 1], activation="tanh", seed=1)
    expected = numerical_grads(model, loss)
    health = layer_health(model, X, Y, loss, lr=0.1)
    assert [h.layer for h in health] == [1, 2, 3]
    for k, h in enumerate(health):
        names = [n for n, _ in model.named_parameters() if n.startswith(f"layers.{k}.")]
        params = dict(model.named_parameters())
        assert h.grad_norm == pytest.approx(math.hypot(*(expected[n] for n in names)), rel=1e-5)
        assert h.weight_norm == pytest.approx(math.hypot(*(params[n].data for n in names)))
        assert h.update_ratio == pytest.approx(0.1 * h.grad_norm / h.weight_norm, rel=1e-12)


def test_the_model_s_own_grads_are_left_alone() -> None:
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    for p in model.parameters():
        p.grad = 7.0
    layer_health(model, X, Y)
    one_step(model, X, Y, apply=False)
    assert all(p.grad == 7.0 for p in model.parameters())


def test_one_step_is_w_minus_lr_times_the_gradient() -> None:
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    before = model.state_dict()
    expected = numerical_grads(model, "bce")
    trace = one_step(model, X, Y, "bce", lr=0.5)
    assert trace.loss == pytest.approx(evaluate(MLP_copy(before), X, Y, "bce")[0], rel=1e-12)
    assert trace.outputs == pytest.approx(MLP_copy(before).forward_array(X)[:, 0].tolist())
    for update in trace.updates:
        assert update.before == before[update.name]
        assert update.grad == pytest.approx(expected[update.name], rel=1e-5, abs=1e-9)
        assert update.after == update.before - 0.5 * update.grad
    assert model.state_dict() == {u.name: u.after for u in trace.updates}
    assert trace.loss_after == pytest.approx(evaluate(model, X, Y, "bce")[0], rel=1e-12)
    assert trace.loss_after < trace.loss


def MLP_copy(state: dict[str, float]) -> MLP:  # noqa: N802 - reads as the constructor
    model = MLP(2, [3, 1], activation="tanh")
    model.load_state_dict(state)
    return model


def test_one_step_without_applying_it() -> None:
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    before = model.state_dict()
    trace = one_step(model, X, Y, lr=0.5, apply=False)
    assert model.state_dict() == before
    assert trace.loss_after < trace.loss


def test_the_update_formula_has_the_numbers() -> None:
    update = ParameterUpdate("layers.0.neurons.0.w.0", 0.5, 0.3, 0.1, 0.5 - 0.1 * 0.3)
    assert update.formula() == "w − lr·dL/dw = 0.5 − 0.1·0.3 = 0.47"


def test_bad_input_is_refused() -> None:
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match="unknown loss 'l2'; choose one of bce, hinge"):
        layer_health(model, X, Y, "l2")
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\), got shape \(4, 3\)"):
        layer_health(model, np.zeros((4, 3)), Y)
    with pytest.raises(ValueError, match=r"y must have shape \(4,\)"):
        one_step(model, X, Y[:3])
    with pytest.raises(ValueError, match="lr must be a positive number, got -1"):
        one_step(model, X, Y, lr=-1)


# ---------------------------------------------------------------------- the layer view
def test_two_neuron_layers_are_drawn_as_they_are() -> None:
    model = MLP(2, [2, 1, 3, 1], activation="tanh", seed=2)
    views = layer_views(model, X, Y, lines=3, resolution=4, extent=2.0)
    assert [(v.layer, v.width, v.projected) for v in views] == [
        (0, 2, False),
        (1, 2, False),
        (2, 1, False),
        (3, 3, True),
    ]
    outputs = model.layer_outputs_array(X)
    np.testing.assert_array_equal(views[0].points, X)
    np.testing.assert_array_equal(views[1].points, outputs[0])
    np.testing.assert_array_equal(views[2].points[:, 0], outputs[1][:, 0])
    np.testing.assert_array_equal(views[2].points[:, 1], 0.0)  # one neuron: a second axis of zeros
    assert len(views[0].lines) == 6 and all(line.shape == (4, 2) for line in views[0].lines)
    np.testing.assert_allclose(views[0].lines[0], [[-2, -2], [-2 / 3, -2], [2 / 3, -2], [2, -2]])
    np.testing.assert_array_equal(
        views[1].lines[0], model.layer_outputs_array(views[0].lines[0])[0]
    )


def test_wider_layers_are_projected_on_their_principal_components() -> None:
    rng = np.random.default_rng(0)
    outputs = rng.normal(size=(200, 4)) * [3.0, 2.0, 0.5, 0.1]
    coords, basis, explained = project_2d(outputs)
    eigenvalues = np.sort(np.linalg.eigvalsh(np.cov(outputs.T)))[::-1]
    assert explained == pytest.approx(eigenvalues[:2].sum() / eigenvalues.sum())
    np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-12)  # orthonormal axes
    variances = coords.var(axis=0, ddof=1)
    np.testing.assert_allclose(variances, eigenvalues[:2], rtol=1e-10)
    # points in a plane of 3-D space keep their distances exactly
    flat = rng.normal(size=(50, 2)) @ np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]])
    coords, _, explained = project_2d(flat)
    assert explained == pytest.approx(1.0)
    distance = np.linalg.norm
    assert distance(coords[3] - coords[7]) == pytest.approx(distance(flat[3] - flat[7]))


def test_layer_view_refuses_a_bad_grid() -> None:
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match="4 points but 3 labels"):
        layer_views(model, X, Y[:3])
    with pytest.raises(ValueError, match="lines ≥ 2 and resolution ≥ 2, got 1, 10"):
        layer_views(model, X, Y, lines=1, resolution=10)

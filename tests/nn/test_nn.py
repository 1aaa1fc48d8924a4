"""Neuron, Layer, MLP: micrograd's API, PyTorch's names, and gradients equal to PyTorch's."""

from __future__ import annotations

import re
from types import ModuleType

import numpy as np
import pytest

from micrograd_edu import Value
from micrograd_edu.explain.gradcheck import gradcheck
from micrograd_edu.io import to_torch
from micrograd_edu.nn import ACTIVATIONS, MLP, Layer, Neuron


def test_micrograd_signatures_and_defaults() -> None:
    relu_neuron = Neuron(3)
    linear_neuron = Neuron(3, nonlin=False)
    assert relu_neuron.activation.name == "relu" and relu_neuron.nonlin
    assert linear_neuron.activation.name == "linear" and not linear_neuron.nonlin
    layer = Layer(3, 4, nonlin=False)
    assert [n.activation.name for n in layer.neurons] == ["linear"] * 4
    model = MLP(2, [16, 16, 1])
    assert [layer.activation.name for layer in model.layers] == ["relu", "relu", "linear"]
    assert [(layer.nin, layer.nout) for layer in model.layers] == [(2, 16), (16, 16), (16, 1)]


def test_parameter_counts_and_names() -> None:
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1 == 337
    names = [name for name, _ in model.named_parameters()]
    assert names[:4] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert names[-1] == "layers.2.neurons.0.b"
    assert "layers.1.neurons.3.w.15" in names
    assert len(set(names)) == len(names)
    assert [name for name, _ in Neuron(2).named_parameters()] == ["w.0", "w.1", "b"]
    for module in (model, model.layers[1], model.layers[1].neurons[0]):
        named = [p for _, p in module.named_parameters()]
        assert all(a is b for a, b in zip(module.parameters(), named, strict=True))


def test_one_output_returns_a_value_several_return_a_list() -> None:
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [3, 4], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 4
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)
    assert isinstance(Neuron(2)([1.0, 2.0]), Value)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_each_activation_is_applied(activation: str) -> None:
    neuron = Neuron(2, activation=activation, seed=1)  # type: ignore[arg-type]
    for x in ([3.0, -2.0], [-3.0, 2.0]):
        z = sum(w.data * xi for w, xi in zip(neuron.w, x, strict=True)) + neuron.b.data
        expected = ACTIVATIONS[activation].on_array(np.array([z]))[0]
        assert neuron(x).data == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_seed_reproduces_the_network() -> None:
    assert MLP(2, [4, 1], seed=7).state_dict() == MLP(2, [4, 1], seed=7).state_dict()
    assert MLP(2, [4, 1], seed=7).state_dict() != MLP(2, [4, 1], seed=8).state_dict()


def test_initial_weights_are_bounded_like_pytorch_linear() -> None:
    model = MLP(16, [32, 1], seed=0)
    weights = np.array([p.data for p in model.layers[0].parameters()])
    assert np.all(np.abs(weights) <= 1 / np.sqrt(16))
    assert weights.std() > 0.1  # not all zero


def test_inputs_may_be_floats_values_or_numpy_rows() -> None:
    model = MLP(3, [4, 1], seed=0)
    expected = model([1.0, -2.0, 0.5]).data
    assert model([Value(1.0), Value(-2.0), Value(0.5)]).data == expected
    assert model(np.array([1.0, -2.0, 0.5])).data == expected
    assert model(np.array([[1.0, -2.0, 0.5]])[0]).data == expected
    assert model((1, -2, 0.5)).data == expected


def test_gradients_flow_into_value_inputs() -> None:
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    report = gradcheck(lambda a, b: model([a, b]), [0.5, -1.0], atol=1e-8, rtol=1e-6)
    assert report.ok, str(report)
    assert all(row.analytic != 0.0 for row in report.rows)


def test_wrong_input_width_names_both_widths() -> None:
    model = MLP(3, [4, 1])
    with pytest.raises(ValueError, match=re.escape("expected 3 inputs, got 2")):
        model([1.0, 2.0])
    with pytest.raises(ValueError, match=re.escape("expected 3 inputs, got 4")):
        Layer(3, 2)(np.zeros(4))
    with pytest.raises(ValueError, match=re.escape("got an array of shape (2, 3)")):
        model(np.zeros((2, 3)))
    with pytest.raises(TypeError, match=re.escape("got str")):
        model("abc")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: MLP(0, [1]), "nin must be a positive integer, got 0"),
        (lambda: MLP(2, []), "nouts must be a non-empty list of layer widths, got []"),
        (lambda: MLP(2, [3, 0]), "nouts[1] must be a positive integer, got 0"),
        (lambda: MLP(2, [1], activation="swish"), "unknown activation 'swish'"),
        (lambda: Neuron(2, seed=1, rng=np.random.default_rng(1)), "give either seed or rng"),
    ],
)
def test_bad_architecture(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        make()  # type: ignore[operator]


def test_weighted_sum_is_one_node_per_neuron() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    out = model([0.3, -0.7])
    order = out.topological_order()
    counts: dict[str, int] = {}
    for node in order:
        counts[node.op or "leaf"] = counts.get(node.op or "leaf", 0) + 1
    assert counts == {"leaf": 337, "dot": 33, "relu": 32}


def test_zero_grad_and_state_dict_round_trip() -> None:
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())
    other = MLP(2, [3, 1], seed=1)
    other.load_state_dict(model.state_dict())
    assert other([0.1, 0.2]).data == model([0.1, 0.2]).data


def test_load_state_dict_rejects_mismatches_before_changing_anything() -> None:
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    state = dict(before)
    del state["layers.0.neurons.0.b"]
    state["layers.9.neurons.0.b"] = 1.0
    with pytest.raises(ValueError, match=re.escape("missing ['layers.0.neurons.0.b']")):
        model.load_state_dict(state)
    bad = dict(before, **{"layers.0.neurons.0.b": "x"})
    with pytest.raises(
        TypeError, match=re.escape("state_dict['layers.0.neurons.0.b'] must be a number")
    ):
        model.load_state_dict(bad)
    assert model.state_dict() == before


def test_repr_is_readable() -> None:
    assert repr(MLP(2, [16, 16, 1], seed=0)) == (
        "MLP(nin=2, nouts=[16, 16, 1], activation='relu', parameters=337)"
    )
    assert repr(Layer(2, 3)) == "Layer(nin=2, nout=3, activation='relu')"
    assert repr(Neuron(2, activation="tanh")) == "Neuron(nin=2, activation='tanh')"


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_forward_array_matches_the_graph(activation: str) -> None:
    model = MLP(2, [5, 4, 3], activation=activation, seed=3)  # type: ignore[arg-type]
    X = np.random.default_rng(0).normal(size=(6, 2))
    expected = [[v.data for v in model(row)] for row in X]  # type: ignore[union-attr]
    np.testing.assert_allclose(model.forward_array(X), expected, rtol=1e-12, atol=1e-14)
    with pytest.raises(
        ValueError, match=re.escape("expected an array of shape (n, 2), got shape (6,)")
    ):
        model.forward_array(X[:, 0])


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_mlp_gradients_match_pytorch(torch: ModuleType, activation: str) -> None:
    model = MLP(3, [5, 4, 1], activation=activation, seed=2)  # type: ignore[arg-type]
    reference = to_torch(model)
    X = np.random.default_rng(1).normal(size=(4, 3))
    targets = [0.5, -1.0, 2.0, 0.0]
    loss = sum(((model(row) - t) ** 2 for row, t in zip(X, targets, strict=True)), Value(0.0))
    loss.backward()
    out = reference(torch.tensor(X))[:, 0]
    torch_loss = ((out - torch.tensor(targets)) ** 2).sum()
    torch_loss.backward()
    assert loss.data == pytest.approx(torch_loss.item(), rel=1e-12)
    torch_grads = []
    for module in reference:
        if isinstance(module, torch.nn.Linear):
            for row, b in zip(module.weight.grad.tolist(), module.bias.grad.tolist(), strict=True):
                torch_grads += [*row, b]
    assert [p.grad for p in model.parameters()] == pytest.approx(torch_grads, rel=1e-9, abs=1e-12)

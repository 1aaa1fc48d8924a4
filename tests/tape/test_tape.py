"""The tape: a captured graph replayed on one sample or a batch equals the engine's backward()."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from micrograd_edu import Value, datasets
from micrograd_edu.engine import MATH, OPS, ScalarMath, dot, sum_values
from micrograd_edu.nn import MLP
from micrograd_edu.optim import SGD
from micrograd_edu.tape import ARRAYS, Tape, capture

# ----------------------------------------------------------------------
# Random graphs that use every op of the table, reused nodes included.
# Operands of ops with a domain are shifted into it, for any inputs.
# ----------------------------------------------------------------------
UNARY: dict[str, Callable[[Value], Value]] = {
    "neg": lambda a: -a,
    "add number": lambda a: a + 0.75,
    "sub number": lambda a: a - 1.5,
    "rsub": lambda a: 2.0 - a,
    "mul number": lambda a: a * -1.25,
    "div number": lambda a: a / 3.0,
    "rdiv": lambda a: 2.0 / (a * a + 1.0),
    "square": lambda a: a**2,
    "cube": lambda a: a**3,
    "sqrt power": lambda a: (a * a + 0.5) ** 0.5,
    "number ** a": lambda a: 1.5 ** a.tanh(),
    "exp": lambda a: a.tanh().exp(),
    "log": lambda a: (a * a + 0.1).log(),
    "sqrt": lambda a: (a * a + 0.2).sqrt(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
    "leaky_relu": lambda a: a.leaky_relu(0.1),
    "abs": lambda a: abs(a),
}
BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / (b * b + 1.0),
    "Value ** Value": lambda a, b: (a * a + 0.5) ** b.tanh(),
    "sum": lambda a, b: sum_values([a, b, a, 1.5]),
    "dot, Value bias": lambda a, b: dot([a, b], [b, a], a),
    "dot, number input": lambda a, b: dot([a, b], [b, -0.5], 0.25),
}
OP_NAMES = sorted(UNARY) + sorted(BINARY)

finite = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)
graph_step = st.tuples(
    st.sampled_from(OP_NAMES),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=10_000),
)


def random_graph(
    steps: list[tuple[str, int, int]], params: list[Value]
) -> Callable[[list[Value]], Value]:
    """A function of its inputs that builds the same graph for any input numbers."""

    def fn(inputs: list[Value]) -> Value:
        nodes = [*inputs, *params]
        for name, i, j in steps:
            a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
            nodes.append(UNARY[name](a) if name in UNARY else BINARY[name](a, b))
        # A "layer": the same op on a run of nodes, and a weighted sum with parameter weights.
        layer = [node.tanh() for node in nodes[-3:]]
        out = dot(params[:3], layer, params[3])
        return sum_values([out, *nodes[-4:], *inputs])

    return fn


def engine_run(
    fn: Callable[[list[Value]], Value], row: list[float], params: list[Value]
) -> tuple[float, list[float], list[float]]:
    """The engine's output, parameter grads and input grads for one sample."""
    for p in params:
        p.grad = 0.0
    inputs = [Value(x) for x in row]
    out = fn(inputs)
    out.backward()
    return out.data, [p.grad for p in params], [x.grad for x in inputs]


def close(got: Any, expected: Any) -> bool:
    return bool(np.allclose(got, expected, rtol=1e-12, atol=1e-12, equal_nan=True))


@settings(max_examples=120, deadline=None)
@given(
    rows=st.lists(st.lists(finite, min_size=3, max_size=3), min_size=1, max_size=5),
    weights=st.lists(finite, min_size=4, max_size=4),
    steps=st.lists(graph_step, min_size=1, max_size=20),
)
def test_random_graphs_replay_like_the_engine_on_one_sample_and_on_a_batch(
    rows: list[list[float]], weights: list[float], steps: list[tuple[str, int, int]]
) -> None:
    params = [Value(w) for w in weights]
    fn = random_graph(steps, params)
    runs = [engine_run(fn, row, params) for row in rows]
    assume(all(math.isfinite(out) and abs(out) < 1e100 for out, _, _ in runs))
    tape = capture(fn, rows[0])

    for row, (out, param_grads, input_grads) in zip(rows, runs, strict=True):
        for p in params:
            p.grad = 0.0
        assert close(tape.forward(row), out)
        tape.backward()
        assert close([p.grad for p in params], param_grads)
        assert close(tape.input_grads, input_grads)

    for p in params:
        p.grad = 0.0
    outputs = tape.forward_batch(np.array(rows))
    tape.backward()
    assert outputs.shape == (len(rows), 1)
    assert close(outputs[:, 0], [out for out, _, _ in runs])
    assert close([p.grad for p in params], np.sum([g for _, g, _ in runs], axis=0))
    assert close(tape.input_grads, [g for _, _, g in runs])


@settings(max_examples=25, deadline=None)
@given(
    nin=st.integers(min_value=1, max_value=4),
    widths=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=3),
    activation=st.sampled_from(["relu", "tanh", "sigmoid", "leaky_relu", "linear"]),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_random_mlps_replay_like_the_engine(
    nin: int, widths: list[int], activation: Any, seed: int
) -> None:
    model = MLP(nin, widths, activation=activation, seed=seed)
    X = np.random.default_rng(seed).normal(size=(6, nin))
    tape = capture(model, np.zeros(nin))
    seed_grads = np.random.default_rng(seed + 1).normal(size=(6, widths[-1]))

    model.zero_grad()
    for row, seed_row in zip(X, seed_grads, strict=True):
        out = model(row)
        outs = [out] if isinstance(out, Value) else out
        total = sum_values([o * float(s) for o, s in zip(outs, seed_row, strict=True)])
        total.backward()
    expected = [p.grad for p in model.parameters()]

    model.zero_grad()
    assert close(tape.forward_batch(X), model.forward_array(X))
    tape.backward(seed_grads)
    assert close([p.grad for p in model.parameters()], expected)

    model.zero_grad()
    for row, seed_row in zip(X, seed_grads, strict=True):
        tape.forward(row)
        tape.backward(seed_row)
    assert close([p.grad for p in model.parameters()], expected)


def test_batched_mlp_gradients_equal_pytorch(torch: ModuleType) -> None:
    from micrograd_edu.io import to_torch

    model = MLP(2, [16, 16, 1], seed=0)
    X, _ = datasets.moons(n=100, noise=0.1, seed=0)
    tape = capture(model, [0.0, 0.0])
    model.zero_grad()
    out = tape.forward_batch(X)
    tape.backward(np.full((100, 1), 0.01))

    reference = to_torch(model)
    torch_out = reference(torch.tensor(X))
    (torch_out.sum() * 0.01).backward()
    torch_grads = np.concatenate(
        [
            np.concatenate([layer.weight.grad.numpy(), layer.bias.grad.numpy()[:, None]], axis=1)
            .ravel()
            .tolist()
            for layer in reference
            if isinstance(layer, torch.nn.Linear)
        ]
    )
    assert np.allclose(out, torch_out.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert np.allclose([p.grad for p in model.parameters()], torch_grads, rtol=1e-12, atol=1e-15)


def test_a_chain_of_the_same_op_is_not_fused_into_one_map() -> None:
    """tanh(tanh(x)): the second reads the first's output, so they cannot run as one block."""
    tape = capture(lambda x: x[0].tanh().tanh().tanh() + x[1].tanh(), [0.0, 0.0])
    X = np.array([[0.5, -1.0], [2.0, 0.25]])
    expected = np.tanh(np.tanh(np.tanh(X[:, 0]))) + np.tanh(X[:, 1])
    assert np.allclose(tape.forward_batch(X)[:, 0], expected, rtol=1e-15)


def test_a_layer_becomes_one_matrix_product_and_its_activations_one_map() -> None:
    tape = capture(MLP(3, [4, 5, 2], seed=0), [0.0, 0.0, 0.0])
    program = tape._batch
    kernels = [type(kernel).__name__ for kernel in program.kernels]
    assert kernels == ["Linear", "Map", "Linear", "Map", "Linear"]
    assert len(program.row) == 3 + 4 + 4 + 5 + 5 + 2  # no parameter needs a row of its own
    assert program.param_slots == []


# ----------------------------------------------------------------------
# Parameters, outputs, the listing
# ----------------------------------------------------------------------
def test_parameters_are_read_at_each_replay_and_grads_accumulate() -> None:
    w, b = Value(2.0), Value(0.5)
    tape = capture(lambda x: (w * x[0] + b).tanh(), [0.0])
    assert tape.parameters == [w, b]
    assert tape.forward([1.0]) == math.tanh(2.5)
    w.data = -1.0
    assert tape.forward([1.0]) == math.tanh(-0.5)
    tape.backward()
    tape.backward()  # like Value.backward(): leaves accumulate
    slope = 1.0 - math.tanh(-0.5) ** 2
    assert w.grad == pytest.approx(2 * slope * 1.0, rel=1e-15)
    assert b.grad == pytest.approx(2 * slope, rel=1e-15)
    SGD([w, b], lr=0.1).step()
    assert w.data == pytest.approx(-1.0 - 0.1 * 2 * slope, rel=1e-15)


def test_several_outputs_and_their_seeds() -> None:
    model = MLP(2, [3, 2], seed=1)
    tape = capture(model, [0.0, 0.0])
    outs = tape.forward([0.5, -1.0])
    assert isinstance(outs, list)
    assert outs == [v.data for v in model([0.5, -1.0])]  # type: ignore[union-attr]
    tape.backward([1.0, -2.0])
    with pytest.raises(ValueError, match=re.escape("backward: expected 2 seed(s), one per output")):
        tape.backward([1.0])
    tape.forward_batch(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=re.escape("the seed must have shape (4, 2), got (4,)")):
        tape.backward(np.ones(4))


def test_the_listing_reads_like_a_small_program() -> None:
    w = Value(0.5, label="w")
    tape = capture(lambda x: (dot([w, w], [x[0], x[1]], 1.0).relu() * 3 - x[0]) / 2, [1.0, 2.0])
    assert str(tape) == "\n".join(
        [
            "tape: 2 inputs, 1 parameter, 5 ops, 1 output",
            "  %0 … %1  inputs",
            "  %2  parameters (read from .data at each replay): %2 w",
            "  %3 = dot %2·%0 + %2·%1 + 1",
            "  %4 = relu %3",
            "  %5 = %4 * 3",
            "  %6 = %5 - %0",
            "  %7 = %6 / 2",
            "  output %7",
        ]
    )
    assert repr(tape) == "Tape(inputs=2, parameters=1, ops=5, outputs=1)"


def test_long_listings_are_shortened() -> None:
    tape = capture(MLP(2, [16, 16, 1], seed=0), [0.0, 0.0])
    lines = str(tape).splitlines()
    assert len(lines) == 3 + 60 + 1 + 1
    assert "  … 5 more ops …" in lines
    assert lines[3] == "  %339 = dot %2·%0 + %3·%1 + %4"
    assert lines[-2] == "  %403 = dot %322·%387 + %323·%388 + %324·%389 + … + %338  (17 terms)"
    assert len(tape.listing(max_ops=None).splitlines()) == 3 + 65 + 1


# ----------------------------------------------------------------------
# What a tape cannot do, said clearly
# ----------------------------------------------------------------------
def test_capture_refuses_what_it_cannot_record() -> None:
    with pytest.raises(TypeError, match="fn must return a Value or a non-empty list of Values"):
        capture(lambda x: 3.0, [1.0])
    with pytest.raises(TypeError, match="capture: fn must return Values, but output 1 is float"):
        capture(lambda x: [x[0], 3.0], [1.0])
    with pytest.raises(TypeError, match="fn must return a Value or a non-empty list of Values"):
        capture(lambda x: [], [1.0])
    with pytest.raises(ValueError, match="the output does not depend on the inputs"):
        capture(lambda x: Value(2.0) * 3, [1.0])
    with pytest.raises(ValueError, match=re.escape("example_inputs must be a non-empty list")):
        capture(lambda x: x[0], [])
    strange = Value(1.0)
    strange.op = "mystery"  # a computed node of an op the table does not know
    with pytest.raises(ValueError, match="cannot record a node with op 'mystery'"):
        capture(lambda x: x[0] + strange, [1.0])


def test_replaying_with_the_wrong_inputs_is_a_clear_error() -> None:
    tape = capture(MLP(2, [3, 1], seed=0), [0.0, 0.0])
    with pytest.raises(RuntimeError, match=re.escape("call forward() or forward_batch() before")):
        tape.backward()
    with pytest.raises(ValueError, match="forward: this tape has 2 inputs, got 3"):
        tape.forward([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=re.escape("use forward_batch() for many samples")):
        tape.forward(np.zeros((5, 2)))
    with pytest.raises(
        ValueError, match=re.escape("X must have shape (n, 2) with n >= 1, got shape (5, 3)")
    ):
        tape.forward_batch(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=re.escape("got shape (2,) (one sample? use forward()")):
        tape.forward_batch(np.zeros(2))
    with pytest.raises(TypeError, match="complex"):
        tape.forward_batch(np.zeros((2, 2), dtype=complex))


def test_a_failing_operation_is_named_in_scalar_replay_and_nan_in_a_batch() -> None:
    tape = capture(lambda x: x[0].log(), [1.0])
    with pytest.raises(ValueError, match=re.escape("tape: %1 = log %0 failed on this input")):
        tape.forward([-1.0])
    out = tape.forward_batch(np.array([[-1.0], [math.e]]))
    assert math.isnan(out[0, 0]) and out[1, 0] == 1.0
    root = capture(lambda x: x[0] ** 0.5 + x[0] ** x[1], [4.0, 0.5])
    with pytest.raises(ValueError, match=re.escape("tape: %2 = %0 ** 0.5 failed on this input")):
        root.forward([-4.0, 0.5])  # Python alone would give a complex number
    with pytest.raises(ValueError, match=re.escape("is not a real number")):
        capture(lambda x: x[0] ** x[1], [4.0, 0.5]).forward([-4.0, 0.5])
    assert np.isnan(root.forward_batch(np.array([[-4.0, 0.5]]))[0, 0])


def test_a_branch_on_the_data_is_recorded_as_taken_for_the_example() -> None:
    """The documented limit: the structure of the example's graph is replayed as it is."""

    def fn(x: list[Value]) -> Value:
        return x[0] * 2 if x[0].data > 0 else -x[0]

    tape = capture(fn, [1.0])
    assert tape.forward([-3.0]) == -6.0  # the engine would give 3.0: the branch was recorded


# ----------------------------------------------------------------------
# The op table's two namespaces agree
# ----------------------------------------------------------------------
special = st.sampled_from([0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan, 1e-300, 800.0])
number = st.one_of(st.floats(min_value=-50, max_value=50), special)


def same_number(got: float, expected: float) -> bool:
    """Equal to a few units in the last place (NumPy's and libm's exp and tanh may differ
    there), with the same infinities and NaNs."""
    if math.isnan(expected) or math.isinf(expected):
        return got == expected or (math.isnan(got) and math.isnan(expected))
    return math.isclose(got, expected, rel_tol=1e-15, abs_tol=1e-300)


@pytest.mark.parametrize("name", ["sigmoid", "step", "sign", "tanh", "abs"])
@given(a=number)
def test_array_functions_equal_the_scalar_ones(name: str, a: float) -> None:
    expected = getattr(MATH, name)(a)
    with np.errstate(all="ignore"):
        got = float(getattr(ARRAYS, name)(np.array([a]))[0])
    assert same_number(got, expected)


@given(x=number, k=st.sampled_from([-2.0, -0.5, 0.5, 2.0, 3.0]))
def test_array_power_and_divide_equal_the_scalar_ones(x: float, k: float) -> None:
    with np.errstate(all="ignore"):
        for name, args in (("pow", (abs(x), k)), ("divide", (k, x))):
            expected = getattr(ScalarMath, name)(*args)
            got = float(getattr(ARRAYS, name)(np.array([args[0]]), np.array([args[1]]))[0])
            assert same_number(got, expected), name


def test_every_op_of_the_engine_is_exercised_by_the_random_graphs() -> None:
    params = [Value(0.1 * i + 0.2) for i in range(4)]
    steps = [(name, 6 + t, 6 + t) for t, name in enumerate(OP_NAMES)]  # a chain: all used
    tape = capture(random_graph(steps, params), [0.3, -0.4, 0.5])
    assert {ins.op for ins in tape.instructions} == set(OPS)


def test_a_tape_holds_no_value_objects_for_its_operations() -> None:
    tape = capture(MLP(2, [4, 1], seed=0), [0.0, 0.0])
    assert isinstance(tape, Tape)
    inputs_and_params = tape.n_inputs + len(tape.parameters)
    assert tape.n_slots == inputs_and_params + len(tape.instructions)
    assert all(isinstance(v, float) for v in [tape.forward([1.0, 2.0])])


# ----------------------------------------------------------------------
# Repeated outputs and tied parameters: every seed and every use adds
# ----------------------------------------------------------------------
def engine_multi_run(
    fn: Callable[[list[Value]], list[Value]],
    row: list[float],
    seeds: list[float],
    params: list[Value],
) -> tuple[list[float], list[float], list[float]]:
    """The engine's outputs and the gradients of Σₖ seedₖ·outputₖ (outputs may repeat)."""
    for p in params:
        p.grad = 0.0
    inputs = [Value(x) for x in row]
    outs = fn(inputs)
    sum_values([out * s for out, s in zip(outs, seeds, strict=True)]).backward()
    return [out.data for out in outs], [p.grad for p in params], [x.grad for x in inputs]


def repeated_outputs_graph(
    steps: list[tuple[str, int, int]], weight_picks: list[int], pool: list[Value], picks: list[int]
) -> tuple[Callable[[list[Value]], list[Value]], list[Value]]:
    """A graph with outputs picked (with repeats) among its inputs, parameters, nodes and a
    layer of weighted sums whose weights are parameters picked with repeats (tied)."""
    params = [pool[i % len(pool)] for i in weight_picks]  # the same Value may come twice

    def fn(inputs: list[Value]) -> list[Value]:
        nodes = [*inputs, *params]
        for name, i, j in steps:
            a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
            nodes.append(UNARY[name](a) if name in UNARY else BINARY[name](a, b))
        layer_inputs = [nodes[-1], inputs[0], nodes[-1]]  # an input used twice in each sum
        for neuron in range(3):  # one _Linear kernel: weights from the tied parameters
            weights = [params[(neuron + k) % len(params)] for k in range(3)]
            nodes.append(dot(weights, layer_inputs, params[neuron % len(params)]))
        nodes.append(nodes[-1].relu())
        return [nodes[i % len(nodes)] for i in picks]

    return fn, list(dict.fromkeys(pool))


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(finite, min_size=2, max_size=2), min_size=1, max_size=4),
    pool=st.lists(finite, min_size=1, max_size=3),
    weight_picks=st.lists(st.integers(0, 5), min_size=1, max_size=5),
    steps=st.lists(graph_step, min_size=0, max_size=8),
    picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=6),
    seed=st.integers(0, 1000),
)
def test_repeated_outputs_and_tied_parameters_replay_like_the_engine(
    rows: list[list[float]],
    pool: list[float],
    weight_picks: list[int],
    steps: list[tuple[str, int, int]],
    picks: list[int],
    seed: int,
) -> None:
    """Outputs repeated ([y, z, y], an input, a parameter or a ReLU twice) and parameters
    shared by several weights: each seed adds, as in backward(), in both replays."""
    pool_values = [Value(w) for w in pool]
    picks = [*picks, picks[0]]  # at least one output repeated
    fn, params = repeated_outputs_graph(steps, weight_picks, pool_values, picks)
    seeds = np.random.default_rng(seed).normal(size=(len(rows), len(picks))).tolist()
    runs = [engine_multi_run(fn, row, s, params) for row, s in zip(rows, seeds, strict=True)]
    assume(all(np.all(np.isfinite(out)) and np.all(np.abs(out) < 1e100) for out, _, _ in runs))
    try:
        tape = capture(fn, rows[0])
    except ValueError:  # no output depends on the inputs: nothing to replay
        assume(False)
        return
    for row, s, (out, param_grads, input_grads) in zip(rows, seeds, runs, strict=True):
        for p in params:
            p.grad = 0.0
        assert close(tape.forward(row), out)
        tape.backward(s)
        assert close([p.grad for p in params], param_grads)
        assert close(tape.input_grads, input_grads)
    for p in params:
        p.grad = 0.0
    assert close(tape.forward_batch(np.array(rows)), [out for out, _, _ in runs])
    tape.backward(np.array(seeds))
    assert close([p.grad for p in params], np.sum([g for _, g, _ in runs], axis=0))
    assert close(tape.input_grads, [g for _, _, g in runs])


@pytest.mark.parametrize(
    ("name", "outputs", "w_grad", "x_grad"),
    [
        ("a product twice", lambda x, w: [x[0] * w] * 2, 6.0, 4.0),
        ("y, z, y", lambda x, w: (lambda y: [y, x[0] + w, y])(x[0] * w), 7.0, 5.0),
        ("an input twice", lambda x, w: [x[0], x[0], x[0] * w], 3.0, 4.0),
        ("a parameter twice", lambda x, w: [w, x[0] * w, w], 5.0, 2.0),
        ("a relu twice", lambda x, w: [(x[0] * w).relu()] * 2, 6.0, 4.0),
    ],
)
def test_a_node_that_is_an_output_twice_gets_both_seeds(
    name: str, outputs: Callable[[list[Value], Value], list[Value]], w_grad: float, x_grad: float
) -> None:
    """The issue's cases, x = 3 and w = 2: the batched replay lost all seeds but the last."""
    w = Value(2.0)
    tape = capture(lambda x: outputs(x, w), [1.0])
    tape.forward([3.0])
    tape.backward()
    assert (w.grad, tape.input_grads) == (w_grad, [x_grad])
    w.grad = 0.0
    tape.forward_batch([[3.0], [3.0]])
    tape.backward()
    assert w.grad == 2 * w_grad
    assert tape.input_grads.tolist() == [[x_grad], [x_grad]]  # type: ignore[union-attr]


def test_capture_accepts_values_as_example_inputs() -> None:
    w = Value(2.0)
    tape = capture(lambda x: x[0] * w + x[1], [Value(0.1), Value(0.2)])
    assert tape.n_inputs == 2
    assert tape.forward([3.0, 1.0]) == 7.0
    mixed = capture(lambda x: x[0] * x[1], (Value(0.5), 2))
    assert mixed.forward([3.0, 4.0]) == 12.0
    objects = capture(lambda x: x[0] - x[1], np.array([Value(1.0), Value(2.0)], dtype=object))
    assert objects.forward([5.0, 1.0]) == 4.0
    with pytest.raises(TypeError, match="example_inputs must hold real numbers"):
        capture(lambda x: x[0], ["a"])

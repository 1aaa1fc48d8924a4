"""Where a number comes from: value formulas and chain-rule texts, with the numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from micrograd_edu import Value
from micrograd_edu.engine import OPS, dot, make_methods, operation, sum_values
from micrograd_edu.explain.formulas import grad_formula, node_names, parent_edges, value_formula

W1, W2, X, B = 0.5, -1.0, 2.0, 0.1

CASES: list[tuple[Callable[[Value, Value, Value, Value], Value], str]] = [
    (
        lambda w1, w2, x, b: dot([w1, w2], [x, 3.0], b),
        "y = w1·x + w2·3 + b = 0.5·2 + -1·3 + 0.1 = -1.9",
    ),
    (lambda w1, w2, x, b: dot([w1, w2], [x, 3.0]), "y = w1·x + w2·3 = 0.5·2 + -1·3 = -2"),
    (lambda w1, w2, x, b: sum_values([w1, x, 2.0]), "y = w1 + x + 2 = 0.5 + 2 + 2 = 4.5"),
    (lambda w1, w2, x, b: 1.0 - x, "y = 1 − x = 1 − 2 = -1"),
    (lambda w1, w2, x, b: 2.0 / x, "y = 2 ÷ x = 2 ÷ 2 = 1"),
    (lambda w1, w2, x, b: x / w1, "y = x ÷ w1 = 2 ÷ 0.5 = 4"),
    (lambda w1, w2, x, b: -x, "y = −x = −(2) = -2"),
    (lambda w1, w2, x, b: x**3, "y = x ** 3 = 2 ** 3 = 8"),
    (lambda w1, w2, x, b: 2.0**x, "y = 2 ** x = 2 ** 2 = 4"),
    (lambda w1, w2, x, b: x**w1, "y = x ** w1 = 2 ** 0.5 = 1.414"),
    (lambda w1, w2, x, b: x.leaky_relu(0.1), "y = leaky_relu(x, 0.1) = leaky_relu(2, 0.1) = 2"),
    (lambda w1, w2, x, b: x.exp(), "y = exp(x) = exp(2) = 7.389"),
    (lambda w1, w2, x, b: w2.relu(), "y = relu(w2) = relu(-1) = 0"),
]


@pytest.mark.parametrize(("make", "expected"), CASES)
def test_value_formula_fills_in_the_numbers(
    make: Callable[[Value, Value, Value, Value], Value], expected: str
) -> None:
    leaves = (
        Value(W1, label="w1"),
        Value(W2, label="w2"),
        Value(X, label="x"),
        Value(B, label="b"),
    )
    y = make(*leaves)
    y.label = "y"
    assert value_formula(y, node_names(y)) == expected


def test_an_unlabelled_node_is_not_named_twice() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    assert value_formula(c, node_names(c)) == "a × b = 2 × -3 = -6"
    assert value_formula(a, node_names(c)) == "a = 2"


def test_a_gradient_with_one_parent_is_a_product() -> None:
    w, x, b = Value(0.5, label="w"), Value(2.0, label="x"), Value(0.1, label="b")
    z = dot([w], [x], b)
    z.label = "z"
    loss = z * 0.3
    loss.label = "L"
    loss.backward()
    names = node_names(loss)
    assert grad_formula(w, loss, names) == "dL/dw = dL/dz · dz/dw = 0.3 · 2 = 0.6"
    assert grad_formula(z, loss, names) == "dL/dz = dL/dL · dL/dz = 1 · 0.3 = 0.3"
    assert grad_formula(loss, loss, names) == (
        "dL/dL = 1 (the seed: where the backward pass starts)"
    )
    assert w.grad == pytest.approx(0.6)


def test_a_reused_node_sums_its_parents_contributions() -> None:
    a, b = Value(-2.0, label="a"), Value(3.0, label="b")
    d, e = a * b, a + b
    d.label, e.label = "d", "e"
    f = d * e
    f.label = "f"
    f.backward()
    names = node_names(f)
    assert (
        grad_formula(a, f, names) == "df/da = df/dd · dd/da + df/de · de/da = 1 · 3 + -6 · 1 = -3"
    )
    assert a.grad == -3.0
    # the same node used twice by one op: two terms
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    y.backward()
    assert (
        grad_formula(x, y, node_names(y))
        == "dy/dx = dy/dy · dy/dx + dy/dy · dy/dx = 1 · 3 + 1 · 3 = 6"
    )


def test_a_pass_in_progress_counts_only_the_parents_that_have_passed() -> None:
    a, b = Value(-2.0, label="a"), Value(3.0, label="b")
    d, e = a * b, a + b
    d.label, e.label = "d", "e"
    f = d * e
    f.label = "f"
    names = node_names(f)
    grads = {f: 1.0, d: 1.0, e: -6.0}
    edges = parent_edges(f)
    assert grad_formula(a, f, names, grads, passed={f, d}, edges=edges) == (
        "df/da = df/dd · dd/da = 1 · 3 = 3"
    )
    assert grad_formula(a, f, names, grads, passed={f}, edges=edges) == (
        "df/da = 0 so far (no parent has passed its gradient on yet)"
    )


def test_names_that_are_not_identifiers_are_bracketed() -> None:
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    p = x1 * w1
    p.label = "x1·w1"
    o = p.tanh()
    o.label = "o"
    o.backward()
    assert grad_formula(w1, o, node_names(o)).startswith("do/dw1 = do/d(x1·w1) · d(x1·w1)/dw1 = ")


def test_a_root_inside_a_network_is_written_with_the_loss() -> None:
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    z = w * x
    z.label = "z"
    o = z.tanh()
    o.label = "o"
    grads = {o: 0.25, z: 0.25 * (1 - o.data**2), w: 0.25 * (1 - o.data**2) * 2.0}
    names = node_names(o)
    assert grad_formula(o, o, names, grads) == (
        "dL/do = 0.25 (backpropagated from the loss L through the rest of the network)"
    )
    assert grad_formula(w, o, names, grads) == "dL/dw = dL/dz · dz/dw = 0.105 · 2 = 0.21"


def test_an_op_added_to_the_engine_is_written_as_a_call() -> None:
    """docs/add-an-op.md: a new op needs no entry here (draw_graph's tooltips use this)."""

    @operation("sin", arity=1)
    def sin(math: Any, a: Any) -> Any:
        return math.sin(a), (math.cos(a),)

    Value.sin = sin  # type: ignore[attr-defined]
    make_methods()
    try:
        x = Value(0.5, label="x")
        y = x.sin()  # type: ignore[attr-defined]
        y.label = "y"
        y.backward()
        names = node_names(y)
        assert value_formula(y, names) == "y = sin(x) = sin(0.5) = 0.4794"
        assert grad_formula(x, y, names) == "dy/dx = dy/dy · dy/dx = 1 · 0.8776 = 0.8776"
    finally:
        del OPS["sin"], Value.sin  # type: ignore[attr-defined]

"""Code from the micrograd README and the micrograd lecture runs unchanged."""

from __future__ import annotations

import math

import pytest

import micrograd_edu
import micrograd_edu.engine
from micrograd_edu import Value
from micrograd_edu.cli.demo import readme_expression


def test_both_import_paths_give_the_same_class() -> None:
    assert micrograd_edu.Value is micrograd_edu.engine.Value


def test_micrograd_readme_expression() -> None:
    nodes = readme_expression()
    g = nodes["g"]
    g.backward()
    assert f"{g.data:.4f}" == "24.7041"
    assert f"{nodes['a'].grad:.4f}" == "138.8338"
    assert f"{nodes['b'].grad:.4f}" == "645.5773"


def test_readme_expression_matches_pytorch(torch: object) -> None:
    import torch as t

    a = t.tensor([-4.0], dtype=t.float64, requires_grad=True)
    b = t.tensor([2.0], dtype=t.float64, requires_grad=True)
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    nodes = readme_expression()
    nodes["g"].backward()
    assert nodes["g"].data == pytest.approx(g.item(), rel=1e-12)
    assert nodes["a"].grad == pytest.approx(a.grad.item(), rel=1e-12)
    assert nodes["b"].grad == pytest.approx(b.grad.item(), rel=1e-12)


def _lecture_inputs() -> tuple[Value, Value, Value, Value, Value]:
    x1 = Value(2.0, label="x1")
    x2 = Value(0.0, label="x2")
    w1 = Value(-3.0, label="w1")
    w2 = Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    return x1, x2, w1, w2, b


def test_lecture_tanh_neuron() -> None:
    x1, x2, w1, w2, b = _lecture_inputs()
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    assert o.data == pytest.approx(math.sqrt(0.5), rel=1e-12)
    assert (x1.grad, w1.grad, x2.grad, w2.grad) == pytest.approx((-1.5, 1.0, 0.5, 0.0), abs=1e-12)
    assert b.grad == pytest.approx(0.5, abs=1e-12)


def test_lecture_tanh_neuron_written_with_exp() -> None:
    x1, x2, w1, w2, b = _lecture_inputs()
    n = x1 * w1 + x2 * w2 + b
    e = (2 * n).exp()
    o = (e - 1) / (e + 1)
    o.backward()
    assert o.data == pytest.approx(math.sqrt(0.5), rel=1e-12)
    assert (x1.grad, w1.grad, x2.grad, w2.grad) == pytest.approx((-1.5, 1.0, 0.5, 0.0), abs=1e-12)


def test_lecture_draw_dot_traversal_runs() -> None:
    # The lecture's trace() walks v._prev recursively and reads v._op.
    x1, x2, w1, w2, b = _lecture_inputs()
    o = (x1 * w1 + x2 * w2 + b).tanh()
    nodes: set[Value] = set()
    edges: set[tuple[Value, Value]] = set()

    def build(v: Value) -> None:
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(o)
    assert len(nodes) == 10  # 5 inputs, 2 products, 2 sums, tanh
    assert len(edges) == 9
    assert sorted(v._op for v in nodes if v._op) == ["*", "*", "+", "+", "tanh"]

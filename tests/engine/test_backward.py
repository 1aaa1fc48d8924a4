"""backward(): topological order, accumulation, repeated calls, very deep graphs."""

from __future__ import annotations

import gc
import math

import pytest

from micrograd_edu import Value


def test_reused_node_accumulates_gradient() -> None:
    a = Value(3.0, label="a")
    b = a + a  # two paths from b to a
    c = b * b  # two paths from c to b
    c.backward()
    # c = (2a)^2 = 4a^2, dc/da = 8a; dc/db = 2b
    assert c.data == 36.0
    assert b.grad == 12.0
    assert a.grad == 24.0


def test_topological_order_puts_children_first() -> None:
    # The root's first child is also a descendant of its second child: a plain
    # depth-first *pre*-order would visit it too early.
    x = Value(2.0)
    y = x * 3
    z = x + y
    order = z.topological_order()
    assert order.index(x) < order.index(y) < order.index(z)
    assert len(order) == 3
    z.backward()
    assert x.grad == 4.0  # dz/dx = 1 + 3


def test_diamond_graph_order_and_gradients() -> None:
    a = Value(1.5)
    left = a.tanh()
    right = a * left  # right depends on left
    out = right + left
    out.backward()
    t = math.tanh(1.5)
    dt = 1 - t * t
    # out = a·t + t, so dout/da = t + a·dt + dt
    assert a.grad == pytest.approx(t + 1.5 * dt + dt, rel=1e-14)


def test_leaf_root_backward_sets_its_own_gradient() -> None:
    a = Value(5.0)
    a.backward()
    assert a.grad == 1.0


def test_second_backward_doubles_leaf_grads_and_keeps_interior_grads() -> None:
    a, b = Value(2.0), Value(-3.0)
    hidden = (a * b).tanh()
    out = hidden * a
    out.backward()
    first = (a.grad, b.grad, hidden.grad, out.grad)
    out.backward()
    # Leaves accumulate, as in PyTorch...
    assert a.grad == pytest.approx(2 * first[0], rel=1e-15)
    assert b.grad == pytest.approx(2 * first[1], rel=1e-15)
    # ...computed nodes hold this call's gradient, not a sum.
    assert (hidden.grad, out.grad) == (first[2], first[3])


def test_zeroing_leaf_grads_between_calls_gives_the_same_gradient() -> None:
    a = Value(0.3)
    out = (a * a).exp()
    out.backward()
    first = a.grad
    a.grad = 0.0
    out.backward()
    assert a.grad == first


def test_lecture_style_manual_backward_steps() -> None:
    # The micrograd lecture seeds o.grad and calls _backward() node by node.
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    o = c.tanh()
    o.grad = 1.0
    o._backward()
    c._backward()
    expected_dc = 1 - math.tanh(-6.0) ** 2
    assert c.grad == pytest.approx(expected_dc, rel=1e-15)
    assert a.grad == pytest.approx(-3.0 * expected_dc, rel=1e-15)
    assert b.grad == pytest.approx(2.0 * expected_dc, rel=1e-15)
    assert c._prev == {a, b}
    assert o._op == "tanh"


@pytest.mark.slow
def test_million_node_chain_backpropagates() -> None:
    depth = 1_000_000
    factor = 1.0000001
    x0 = Value(1.0)
    x = x0
    for _ in range(depth):
        x = x * factor
    x.backward()
    assert x.data == pytest.approx(factor**depth, rel=1e-9)
    assert x0.grad == pytest.approx(factor**depth, rel=1e-9)
    del x  # freeing a million-deep chain must not overflow the C stack
    gc.collect()


def test_value_is_hashable_by_identity() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a != b
    assert a == a
    assert len({a, b, a}) == 2


def test_repr_shows_data_grad_and_label() -> None:
    a = Value(2.5, label="w1")
    assert repr(a) == "Value(data=2.5, grad=0, label='w1')"
    b = a * 2
    b.backward()
    assert repr(b) == "Value(data=5, grad=1)"
    assert repr(a) == "Value(data=2.5, grad=2, label='w1')"


def test_label_is_settable() -> None:
    a = Value(1.0)
    a.label = "x1"
    assert a.label == "x1"
    assert Value(1.0, label="b").label == "b"


def test_gc_paused_pauses_only_the_cyclic_collector_and_restores_it() -> None:
    import threading

    from micrograd_edu.engine import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("inside")
    assert gc.isenabled()
    gc.disable()  # a user who paused it already keeps it paused
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    # Two threads whose pauses overlap: enabled again only when both are done.
    first_in, second_done = threading.Event(), threading.Event()

    def first() -> None:
        with gc_paused():
            first_in.set()
            second_done.wait(120)

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert first_in.wait(120), "the first thread never paused the collector"
        with gc_paused():
            pass
        assert not gc.isenabled()  # the first thread is still inside
    finally:
        second_done.set()
        thread.join(120)
    assert not thread.is_alive()
    assert gc.isenabled()


def test_backward_and_fit_leave_the_collector_enabled() -> None:
    import numpy as np

    from micrograd_edu.nn import MLP
    from micrograd_edu.train import fit

    x = Value(2.0)
    (x * x).backward()
    assert gc.isenabled()
    fit(MLP(2, [3, 1], seed=0), np.zeros((4, 2)), [0, 1, 0, 1], epochs=2, progress=False)
    assert gc.isenabled()

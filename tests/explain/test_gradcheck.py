"""numerical_grad and gradcheck."""

from __future__ import annotations

import math
import re

import pytest

from micrograd_edu import Value
from micrograd_edu.explain.gradcheck import gradcheck, numerical_grad


def test_numerical_grad_of_a_polynomial() -> None:
    # f(a, b) = a²b + 3b, so df/da = 2ab = -12, df/db = a² + 3 = 7
    slopes = numerical_grad(lambda a, b: a * a * b + 3 * b, [2.0, -3.0])
    assert slopes == pytest.approx([-12.0, 7.0], abs=1e-7)


def test_numerical_grad_accepts_values_and_numbers() -> None:
    slopes = numerical_grad(lambda x: x.exp(), [Value(0.0)])
    assert slopes == pytest.approx([1.0], abs=1e-9)


def test_gradcheck_passes_on_a_correct_gradient() -> None:
    report = gradcheck(lambda a, b: (a * b).tanh() + b.sigmoid(), [0.3, -1.2])
    assert report.ok
    assert bool(report)
    assert report.mismatches == ()
    assert len(report.rows) == 2
    assert str(report).startswith("gradcheck: all gradients match")


def test_gradcheck_reports_a_wrong_gradient() -> None:
    def broken_square(x: Value) -> Value:
        out = x * x
        out.local_grads = (1.0, 1.0)  # wrong on purpose: the right ones are (x, x)
        return out

    report = gradcheck(broken_square, [3.0])
    assert not report.ok
    assert [row.index for row in report.mismatches] == [0]
    row = report.rows[0]
    assert row.analytic == 2.0
    assert row.numerical == pytest.approx(6.0, abs=1e-6)
    text = str(report)
    assert "1 of 1 gradients do NOT match" in text
    assert "<-- mismatch" in text


def test_gradcheck_input_errors() -> None:
    with pytest.raises(ValueError, match=re.escape("inputs is empty")):
        gradcheck(lambda: Value(1.0), [])
    with pytest.raises(
        TypeError, match=re.escape("inputs[1] must be a number or a Value, got str: 'x'")
    ):
        numerical_grad(lambda a, b: a * b, [1.0, "x"])
    with pytest.raises(ValueError, match=re.escape("eps must be a finite number > 0, got 0")):
        numerical_grad(lambda a: a, [1.0], eps=0)
    with pytest.raises(TypeError, match=re.escape("f must return a Value or a number, got str")):
        numerical_grad(lambda a: "no", [1.0])
    with pytest.raises(
        TypeError, match=re.escape("f must return a Value to be backpropagated, got float")
    ):
        gradcheck(lambda a: 1.0, [1.0])


def test_central_difference_error_shrinks_like_eps_squared() -> None:
    exact = math.exp(1.0)  # d/dx e^x at x = 1
    errors = [
        abs(numerical_grad(lambda x: x.exp(), [1.0], eps=eps)[0] - exact) for eps in (1e-2, 1e-3)
    ]
    assert errors[1] < errors[0] / 50  # ~100x smaller for a 10x smaller step

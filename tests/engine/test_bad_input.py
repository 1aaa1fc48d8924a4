"""The engine under bad input and faults: NaN, tiny divisors, odd types."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from micrograd_edu import Value

if TYPE_CHECKING:
    pass

NAN = float("nan")


def test_relu_propagates_nan_in_value_and_slope() -> None:
    x = Value(NAN)
    out = x.relu()
    out.backward()
    assert math.isnan(out.data) and math.isnan(out.local_grads[0]) and math.isnan(x.grad)


def test_division_by_a_tiny_divisor_does_not_underflow(torch: Any) -> None:
    a, b = Value(1.0), Value(1e-200)
    out = a / b
    out.backward()
    assert out.data == 1e200
    assert a.grad == 1e200 and b.grad == -math.inf  # -a/b² = -1e400: beyond float
    c = Value(1e-200)
    r = 1.0 / c
    r.backward()
    assert r.data == 1e200 and c.grad == -math.inf
    small = Value(3e-160)
    (2.0 / small).backward()
    reference = torch.tensor(3e-160, requires_grad=True)
    (2.0 / reference).backward()
    assert small.grad == pytest.approx(reference.grad.item(), rel=1e-12)


def test_leaky_relu_slope_must_be_a_number() -> None:
    with pytest.raises(TypeError, match=re.escape("leaky_relu: slope must be a number")):
        Value(-1.0).leaky_relu(Value(0.1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=re.escape("got str: 'x'")):
        Value(1.0).leaky_relu("x")  # type: ignore[arg-type]
    assert Value(-2.0).leaky_relu(np.float32(0.5)).data == -1.0

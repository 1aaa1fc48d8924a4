"""Networks and losses under bad input and faults: sizes, NaN, complex numbers."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from micrograd_edu import Value, datasets, losses
from micrograd_edu.nn import MAX_LAYERS, MAX_PARAMETERS, MLP

if TYPE_CHECKING:
    pass

NAN = float("nan")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: MLP(2, [2000, 1000]), "would have 2,007,000 parameters, more than the limit"),
        (lambda: MLP(2, [99999999999999999999]), "must be at most 1,000,000"),
        (lambda: MLP(2, [1] * (MAX_LAYERS + 1)), "at most 100 layers, got 101"),
    ],
)
def test_sizes_are_checked_before_anything_is_allocated(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
    assert MAX_PARAMETERS == 1_000_000


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "linear"])
def test_network_with_nan_input_agrees_with_forward_array(activation: str) -> None:
    model = MLP(2, [4, 1], activation=activation, seed=0)  # type: ignore[arg-type]
    out = model([NAN, 1.0])
    assert isinstance(out, Value)
    assert math.isnan(out.data)
    assert math.isnan(model.forward_array(np.array([[NAN, 1.0]]))[0, 0])


def test_losses_of_nan_are_nan() -> None:
    assert math.isnan(losses.hinge(Value(NAN), 1).data)
    assert math.isnan(losses.mse(Value(NAN), 1.0).data)
    assert math.isnan(losses.binary_cross_entropy(Value(NAN), 1).data)
    assert math.isnan(losses.cross_entropy([Value(NAN), Value(1.0)], 0).data)


def test_complex_input_is_refused() -> None:
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(TypeError, match=re.escape("expected real inputs, got complex numbers")):
        model(np.array([1 + 1j, 2]))
    X, _ = datasets.moons(n=10, seed=0)
    with pytest.raises(TypeError, match=re.escape("X must hold real numbers, got complex")):
        model.forward_array(X + 0j)

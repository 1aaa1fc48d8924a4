"""Bad input: an early, clear error of the exact type, naming the problem."""

from __future__ import annotations

import re

import pytest

from micrograd_edu import Value
from micrograd_edu.engine import dot, sum_values


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("3", "Value() needs a real number (int or float), got str: '3'"),
        (None, "Value() needs a real number (int or float), got NoneType: None"),
        (True, "Value() needs a real number (int or float), got bool: True"),
        ([1.0], "Value() needs a real number (int or float), got list: [1.0]"),
        (1 + 2j, "Value() needs a real number (int or float), got complex: (1+2j)"),
    ],
)
def test_value_rejects_non_numbers(bad: object, message: str) -> None:
    with pytest.raises(TypeError, match=re.escape(message)):
        Value(bad)  # type: ignore[arg-type]


def test_value_rejects_a_non_string_label() -> None:
    with pytest.raises(TypeError, match=re.escape("Value label must be a str, got int: 3")):
        Value(1.0, label=3)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["3", None, [1.0], True])
def test_arithmetic_with_a_non_number_names_the_type(bad: object) -> None:
    with pytest.raises(TypeError, match=re.escape(f"'Value' and '{type(bad).__name__}'")):
        Value(1.0) + bad  # type: ignore[operator]
    with pytest.raises(TypeError, match=re.escape(f"'{type(bad).__name__}' and 'Value'")):
        bad - Value(1.0)  # type: ignore[operator]


@pytest.mark.parametrize("x", [0.0, -1.5])
def test_log_outside_its_domain(x: float) -> None:
    with pytest.raises(
        ValueError, match=re.escape(f"log is defined only for x > 0, got x = {x!r}")
    ):
        Value(x).log()


def test_sqrt_of_a_negative_number() -> None:
    with pytest.raises(
        ValueError, match=re.escape("sqrt is defined only for x >= 0, got x = -2.0")
    ):
        Value(-2.0).sqrt()


def test_sqrt_at_zero_has_infinite_slope() -> None:
    x = Value(0.0)
    y = x.sqrt()
    y.backward()
    assert y.data == 0.0
    assert x.grad == float("inf")


def test_negative_base_with_fractional_exponent() -> None:
    with pytest.raises(
        ValueError, match=re.escape("pow: a negative base -8.0 needs an integer exponent, got 0.5")
    ):
        Value(-8.0) ** 0.5


def test_negative_base_with_value_exponent() -> None:
    with pytest.raises(
        ValueError,
        match=re.escape("pow: a negative base -2.0 cannot be raised to a Value exponent"),
    ):
        Value(-2.0) ** Value(2.0)
    with pytest.raises(
        ValueError,
        match=re.escape("pow: a negative base -2.0 cannot be raised to a Value exponent"),
    ):
        (-2.0) ** Value(2.0)


def test_zero_to_a_negative_power() -> None:
    with pytest.raises(
        ZeroDivisionError, match=re.escape("pow: 0.0 cannot be raised to a negative power (-1.0)")
    ):
        Value(0.0) ** -1


def test_pow_overflow_is_named() -> None:
    with pytest.raises(
        OverflowError, match=re.escape("pow overflow: 10.0 ** 400.0 exceeds the largest float")
    ):
        Value(10.0) ** 400


def test_division_by_a_zero_value() -> None:
    with pytest.raises(
        ZeroDivisionError,
        match=re.escape("division by zero in a / b: the divisor Value is 0.0 (a = 1.0)"),
    ):
        Value(1.0) / Value(0.0)
    with pytest.raises(
        ZeroDivisionError, match=re.escape("division by zero in a / b: the divisor is 0.0")
    ):
        Value(1.0) / 0
    with pytest.raises(
        ZeroDivisionError,
        match=re.escape("division by zero in c / a: the divisor Value is 0.0 (c = 3.0)"),
    ):
        3 / Value(0.0)


def test_exp_overflow_names_the_input() -> None:
    with pytest.raises(
        OverflowError, match=re.escape("exp overflow: exp(1000.0) exceeds the largest float")
    ) as info:
        Value(1000.0).exp()
    assert "math range error" not in str(info.value)


def test_dot_checks_widths_and_types() -> None:
    w = [Value(1.0), Value(2.0)]
    with pytest.raises(ValueError, match=re.escape("dot: 2 weights but 3 inputs; they must match")):
        dot(w, [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=re.escape("dot: weights must be Values, got float: 1.0")):
        dot([1.0, 2.0], [1.0, 2.0])  # type: ignore[list-item]
    with pytest.raises(
        TypeError, match=re.escape("dot: inputs must be Values or numbers, got str: 'x'")
    ):
        dot(w, [1.0, "x"])  # type: ignore[list-item]


def test_sum_values_rejects_non_numbers() -> None:
    with pytest.raises(
        TypeError, match=re.escape("sum_values() takes Values and numbers, got str: 'a'")
    ):
        sum_values([Value(1.0), "a"])  # type: ignore[list-item]


@pytest.mark.parametrize(
    "operation",
    [
        lambda v: v - "x",
        lambda v: "x" - v,
        lambda v: v * "x",
        lambda v: v / "x",
        lambda v: "x" / v,
        lambda v: v ** "x",
        lambda v: "x" ** v,
        lambda v: v + None,
    ],
)
def test_every_operator_rejects_a_non_number(operation: object) -> None:
    with pytest.raises(TypeError, match=r"unsupported operand type|can't multiply"):
        operation(Value(2.0))  # type: ignore[operator]


def test_pow_slope_overflow_is_infinite_not_an_error() -> None:
    # 1e-200 ** -1.5 = 1e300 is a float, but its slope -1.5 · 1e-200 ** -2.5 is not.
    x = Value(1e-200)
    y = x**-1.5
    y.backward()
    assert y.data == pytest.approx(1e300, rel=1e-12)
    assert x.grad == -float("inf")


def test_dot_rejects_a_non_number_bias() -> None:
    with pytest.raises(
        TypeError, match=re.escape("dot: bias must be a Value or a number, got str")
    ):
        dot([Value(1.0)], [1.0], bias="b")  # type: ignore[arg-type]

"""Notebook 1, derivatives and Value: 1.1 numerical_slope, 1.2 an expression of Values.

Standard library only (no NumPy): notebooks 1 and 2 also run in the browser.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from ..engine import Value
from .compare import diagnose, is_number
from .core import (
    Exercise,
    Guard,
    answer_and_backpropagate,
    require_value,
    run_check,
)
from .graphs import gradient_suspects
from .mistakes import WrongAnswerError, exercise

__all__ = ["EXERCISES", "check_expression", "check_numerical_slope"]

# ------------------------------------------------------------------ 1.1
# A function of the case: [kind, parameters]; "poly" [c3, c2, c1, c0], "sin" [a]: sin(a·x),
# "exp" [a]: exp(a·x).
FunctionSpec = list[Any]


def _function(spec: FunctionSpec) -> tuple[Callable[[float], float], Callable[[float], float]]:
    """f and its derivative."""
    kind, p = spec
    if kind == "poly":
        return (
            lambda x: ((p[0] * x + p[1]) * x + p[2]) * x + p[3],
            lambda x: (3 * p[0] * x + 2 * p[1]) * x + p[2],
        )
    if kind == "sin":
        return (lambda x: math.sin(p[0] * x), lambda x: p[0] * math.cos(p[0] * x))
    return (lambda x: math.exp(p[0] * x), lambda x: p[0] * math.exp(p[0] * x))


def _name(spec: FunctionSpec) -> str:
    kind, p = spec
    if kind == "poly":
        terms = [(p[0], "x³"), (p[1], "x²"), (p[2], "x"), (p[3], "")]
        text = " + ".join(f"{c:g}{t}" for c, t in terms if c)
        return text.replace("+ -", "− ").replace("1x", "x") or "0"
    return f"{kind}({p[0]:g}x)" if p[0] != 1 else f"{kind}(x)"


def _slope_case() -> dict[str, Any]:
    return {
        "functions": [
            [["poly", [0, 1, 0, 0]], 3.0],
            [["poly", [1, 0, -2, 0]], -1.0],
            [["sin", [1]], 0.5],
            [["exp", [1]], 1.0],
        ]
    }


def _hidden_slope_case(rng: random.Random) -> dict[str, Any]:
    functions: list[Any] = []
    while len(functions) < 4:
        kind = ("poly", "poly", "sin", "exp")[len(functions)]
        params = (
            [rng.randint(-3, 3) or 1, rng.randint(-3, 3), rng.randint(-4, 4), rng.randint(-2, 2)]
            if kind == "poly"
            else [round(rng.uniform(0.4, 1.6) * rng.choice((-1, 1)), 2)]
        )
        x = round(rng.uniform(-2.0, 2.0), 2)
        if abs(_function([kind, params])[1](x)) > 0.2:  # a slope whose sign shows
            functions.append([[kind, params], x])
    return {"functions": functions}


def _probe_slope(case: dict[str, Any], guard: Guard, numerical_slope: Any) -> list[Any]:
    results = []
    for spec, x in case["functions"]:
        f = _function(spec)[0]
        points: list[float] = []

        def recorded(
            t: float, f: Callable[[float], float] = f, points: list[float] = points
        ) -> float:
            points.append(t)
            return f(t)

        with guard():
            slope = numerical_slope(recorded, x)
        results.append({"slope": slope, "points": points[:20]})
    return results


def _judge_slope(case: dict[str, Any], data: Any) -> str:
    functions = case["functions"]
    if not isinstance(data, list) or len(data) != len(functions):
        raise WrongAnswerError("1.1", "the probe's answer has the wrong form")
    for (spec, x), got in zip(functions, data, strict=True):
        slope = _function(spec)[1](x)
        where = f"numerical_slope(f, {x}) with f(x) = {_name(spec)}"
        points = got.get("points") if isinstance(got, dict) else None
        answer = got.get("slope") if isinstance(got, dict) else got
        if isinstance(points, list) and x in points and len(points) >= 2:
            raise WrongAnswerError(
                "1.1",
                f"{where} evaluated f at x itself",
                mistake="forward-difference",
                input=f"f was evaluated at {sorted(p for p in points if is_number(p))}",
                hint="use f(x + h) and f(x - h), symmetric around x",
            )
        diagnose(
            "1.1",
            slope,
            answer,
            {"divided-by-h": 2 * slope, "sign-error": -slope},
            problem=f"{where} is not the slope there",
            input=f"x = {x}",
            tol=1e-4,
            hint="(the change of f) / (the change of x), over a small step on each side of x",
        )
    return (
        "numerical_slope matches the true derivatives of "
        + ", ".join(_name(spec) for spec, _ in functions)
        + "."
    )


SLOPE = Exercise(
    number="1.1",
    what="numerical_slope",
    notebook_case=_slope_case,
    hidden_case=_hidden_slope_case,
    probe=_probe_slope,
    judge=_judge_slope,
    switch=(("micrograd_edu.explain.gradcheck", "numerical_grad"),),
)


@exercise("1.1")
def check_numerical_slope(
    numerical_slope: Callable[[Callable[[float], float], float], float],
) -> None:
    """Exercise 1.1: ``numerical_slope(f, x)`` estimates f'(x) by a central difference.

    The functions given to the student's code record where they are evaluated,
    so a forward difference (which evaluates f at x itself) is recognised even
    when its number happens to be close.
    """
    run_check("1.1", numerical_slope)


# ------------------------------------------------------------------ 1.2
def _f(x: Any) -> Any:
    return 2 * x**3 - 5 * x + 1


def _probe_expression(case: dict[str, Any], guard: Guard, build: Any) -> list[Any]:
    results = []
    for x in case["xs"]:
        v = Value(x, label="x")
        described = answer_and_backpropagate(guard, build, v)
        results.append({"out": described, "grad": v.grad})
    return results


def _judge_expression(case: dict[str, Any], data: Any) -> str:
    xs = case["xs"]
    if not isinstance(data, list) or len(data) != len(xs):
        raise WrongAnswerError("1.2", "the probe's answer has the wrong form")
    for x, got in zip(xs, data, strict=True):
        got = got if isinstance(got, dict) else {}
        value = require_value("1.2", f"build(Value({x}))", got.get("out"))
        diagnose(
            "1.2",
            _f(x),
            value,
            problem="f(x) has the wrong value",
            input=f"x = {x}",
            tol=1e-12,
            hint="f(x) = 2x³ − 5x + 1",
        )
        if got.get("grad") == 0.0:
            raise WrongAnswerError(
                "1.2",
                "the result does not depend on the Value x: after backward(), x.grad is 0",
                mistake="float-not-value",
                input=f"x = {x}",
                expected=6 * x**2 - 5,
                got=0.0,
                hint="build f from x itself, not from x.data",
            )
        leaf = Value(x, label="x")
        suspects = gradient_suspects(_f(leaf), [leaf])
        diagnose(
            "1.2",
            suspects.pop("expected"),
            [got.get("grad")],
            suspects,
            problem="df/dx is wrong",
            input=f"x = {x}",
            hint="build f from x with the Values' operators only",
        )
    return "f(x) = 2x³ − 5x + 1 has the right values and df/dx = 6x² − 5."


def _hidden_xs(rng: random.Random) -> dict[str, Any]:
    return {"xs": [round(rng.uniform(-2.5, 2.5), 2) for _ in range(3)]}


EXPRESSION = Exercise(
    number="1.2",
    what="the expression",
    notebook_case=lambda: {"xs": [2.0, -1.5, 0.5]},
    hidden_case=_hidden_xs,
    probe=_probe_expression,
    judge=_judge_expression,
)


@exercise("1.2")
def check_expression(build: Callable[[Value], Value]) -> None:
    """Exercise 1.2: ``build(x)`` returns f(x) = 2x³ − 5x + 1 made of Values."""
    run_check("1.2", build)


EXERCISES = {e.number: e for e in (SLOPE, EXPRESSION)}

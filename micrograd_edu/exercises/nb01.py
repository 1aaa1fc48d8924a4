"""Notebook 1, derivatives and Value: 1.1 numerical_slope, 1.2 an expression of Values.

Standard library only (no NumPy): notebooks 1 and 2 also run in the browser.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from ..engine import Value
from .compare import close, diagnose, is_number
from .core import (
    Exercise,
    Guard,
    answer_and_backpropagate,
    require_value,
    run_check,
)
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


def _read_slopes(data: Any, n: int) -> list[tuple[Any, list[float]]]:
    """(the slope, where f was evaluated) for each function, from the probe's data."""
    if not isinstance(data, list) or len(data) != n:
        raise WrongAnswerError("1.1", "the probe's answer has the wrong form")
    rows = []
    for got in data:
        got = got if isinstance(got, dict) else {"slope": got}
        points = got.get("points")
        numbers = [p for p in points if is_number(p)] if isinstance(points, list) else []
        rows.append((got.get("slope"), numbers))
    return rows


def _slope_suspects(
    f: Callable[[float], float], x: float, points: list[float]
) -> dict[str, float | None]:
    """What each mistake gives for f at x, with the step h the student's code used.

    h is read off where f was evaluated: x − h and x + h (central), or x and
    one neighbour (one-sided). None where the points show no such step.
    """
    others = sorted({p for p in points if p != x})
    central = one_sided = None
    if len(others) == 2 and x not in points and math.isclose(sum(others) / 2, x, abs_tol=1e-12):
        h = (others[1] - others[0]) / 2
        central = (f(x + h) - f(x - h)) / (2 * h)
    elif len(others) == 1 and x in points:
        h = abs(others[0] - x)
        one_sided = (f(others[0]) - f(x)) / (others[0] - x)
    else:
        h = None
    return {
        "forward-difference": one_sided,
        "divided-by-h": None if central is None else 2 * central,
        "sign-error": None if central is None else -central,
        "step-too-large": central if h is not None and h >= 1e-3 else None,
    }


def _judge_slope(case: dict[str, Any], data: Any) -> str:
    functions = case["functions"]
    rows = _read_slopes(data, len(functions))
    expected, slopes, where = [], [], []
    suspects: dict[str, list[Any]] = {}
    for (spec, x), (slope, points) in zip(functions, rows, strict=True):
        f, df = _function(spec)
        expected.append(df(x))
        slopes.append(slope)
        where.append(f"f(x) = {_name(spec)} at x = {x}")
        for code, value in _slope_suspects(f, x, points).items():
            suspects.setdefault(code, []).append(value)
    sided = suspects["forward-difference"]
    if any(s is not None for s in sided) and all(
        s is None or close(got, s, 1e-6) for got, s in zip(slopes, sided, strict=True)
    ):  # evaluated at x itself: close to the slope for a small h, but one-sided
        first = next(i for i, s in enumerate(sided) if s is not None)
        raise WrongAnswerError(
            "1.1",
            "numerical_slope evaluated f at x itself",
            mistake="forward-difference",
            where=where[first],
            input="f was evaluated at " + ", ".join(f"{p:.10g}" for p in sorted(rows[first][1])),
        )
    tiny = any(len(points) == 2 and abs(points[1] - points[0]) < 2e-9 for _, points in rows)
    diagnose(
        "1.1",
        expected,
        slopes,
        suspects,
        problem="numerical_slope(f, x) is not the slope",
        entry=lambda path: where[path[0]],
        tol=1e-4,
        suspect_tol=1e-6,
        hint="h is so small that f(x + h) − f(x − h) is mostly rounding error: try h = 1e-6"
        if tiny
        else "the change of f divided by the change of x, over a small step on each side of x",
        formula="(f(x + h) − f(x − h)) / (2h)",
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
    rows = [got if isinstance(got, dict) else {} for got in data]
    values = [
        require_value("1.2", f"build(Value({x}))", got.get("out"))
        for x, got in zip(xs, rows, strict=True)
    ]
    at = {i: f"x = {x}" for i, x in enumerate(xs)}
    diagnose(
        "1.2",
        [_f(x) for x in xs],
        values,
        problem="f(x) has the wrong value",
        entry=lambda path: at[path[0]],
        tol=1e-12,
        hint="build f from x with the Values' operators: *, +, − and ** for the power",
        formula="f(x) = 2x³ − 5x + 1",
    )
    grads = [got.get("grad") for got in rows]
    if all(g == 0.0 for g in grads):
        raise WrongAnswerError(
            "1.2",
            "the result does not depend on the Value x: after backward(), x.grad is 0",
            mistake="float-not-value",
            input=at[0],
        )
    diagnose(
        "1.2",
        [6 * x**2 - 5 for x in xs],
        grads,
        problem="df/dx is wrong",
        entry=lambda path: at[path[0]],
        hint="every term must be built from the Value x: a term made of x.data is a plain "
        "number, and no gradient flows through it",
        formula="df/dx = 6x² − 5",
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

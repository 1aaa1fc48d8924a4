"""Optimizer steps against torch.optim on the same parameters and gradients."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from micrograd_edu import Value, optim

START = [0.5, -1.5, 2.0, 0.1]


def _loss(params: list[Any]) -> Any:
    # A non-quadratic loss, so that gradients change from step to step.
    a, b, c, d = params
    return (a * b - 1.0) ** 2 + (c - d).tanh() * 3.0 + d**4 + a * c


def _run_ours(make: Callable[[list[Value]], optim.Optimizer], steps: int) -> list[float]:
    params = [Value(x) for x in START]
    opt = make(params)
    for _ in range(steps):
        opt.zero_grad()
        _loss(params).backward()
        opt.step()
    return [p.data for p in params]


def _run_torch(torch: ModuleType, make: Callable[[list[Any]], Any], steps: int) -> list[float]:
    params = [torch.tensor(x, requires_grad=True) for x in START]
    opt = make(params)
    for _ in range(steps):
        opt.zero_grad()
        _loss(params).backward()
        opt.step()
    return [p.item() for p in params]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 0.05},
        {"lr": 0.05, "momentum": 0.9},
        {"lr": 0.05, "weight_decay": 0.1},
        {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.01},
    ],
)
def test_sgd_matches_torch(torch: ModuleType, kwargs: dict[str, float]) -> None:
    ours = _run_ours(lambda p: optim.SGD(p, **kwargs), steps=8)
    theirs = _run_torch(torch, lambda p: torch.optim.SGD(p, **kwargs), steps=8)
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-14)
    assert ours != pytest.approx(START)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"lr": 0.05},
        {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6},
        {"lr": 0.01, "weight_decay": 0.1},
    ],
)
def test_adam_matches_torch(torch: ModuleType, kwargs: dict[str, Any]) -> None:
    ours = _run_ours(lambda p: optim.Adam(p, **kwargs), steps=10)
    theirs = _run_torch(torch, lambda p: torch.optim.Adam(p, **kwargs), steps=10)
    assert ours == pytest.approx(theirs, rel=1e-10, abs=1e-13)


def test_adam_defaults_are_pytorchs() -> None:
    opt = optim.Adam([Value(1.0)])
    assert (opt.lr, opt.betas, opt.eps, opt.weight_decay) == (0.001, (0.9, 0.999), 1e-8, 0.0)


def test_linear_lr_matches_torch(torch: ModuleType) -> None:
    ours_opt = optim.SGD([Value(1.0)], lr=1.0)
    ours = optim.LinearLR(ours_opt, start_factor=1.0, end_factor=0.1, total_iters=10)
    param = torch.tensor(1.0, requires_grad=True)
    theirs_opt = torch.optim.SGD([param], lr=1.0)
    theirs = torch.optim.lr_scheduler.LinearLR(
        theirs_opt, start_factor=1.0, end_factor=0.1, total_iters=10
    )
    rates = []
    for _ in range(14):
        rates.append((ours_opt.lr, theirs_opt.param_groups[0]["lr"]))
        theirs_opt.step()
        ours.step()
        theirs.step()
    for mine, reference in rates:
        assert mine == pytest.approx(reference, rel=1e-12)
    assert ours_opt.lr == pytest.approx(0.1, rel=1e-15)


def test_zero_grad_clears_every_parameter() -> None:
    params = [Value(1.0), Value(2.0)]
    (params[0] * params[1]).backward()
    opt = optim.SGD(params, lr=0.1)
    opt.zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: optim.SGD([], lr=0.1), ValueError, "optimizer got an empty parameter list"),
        (lambda: optim.SGD([Value(1.0)], lr=0), ValueError, "lr must be > 0, got 0"),
        (lambda: optim.SGD([Value(1.0)], lr=-1.0), ValueError, "lr must be > 0, got -1.0"),
        (
            lambda: optim.SGD([Value(1.0)], lr=float("nan")),
            ValueError,
            "lr must be a finite number",
        ),
        (
            lambda: optim.SGD([Value(1.0)], lr=0.1, momentum=1.0),
            ValueError,
            "momentum must be in [0, 1)",
        ),
        (lambda: optim.SGD([1.0], lr=0.1), TypeError, "params[0] must be a Value, got float"),
        (lambda: optim.Adam([Value(1.0)], betas=(0.9,)), ValueError, "betas must be a pair"),
        (lambda: optim.LinearLR("opt"), TypeError, "LinearLR needs an Optimizer, got str"),
    ],
)
def test_optimizer_errors(make: Callable[[], object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        make()


def test_soft_threshold_moves_toward_zero_and_stops_there() -> None:
    """The proximal step of t·|w|: argmin_v (v − w)²/2 + t·|v|, checked on a fine grid."""
    values = [0.3, -0.3, 0.05, -0.05, 0.1, -0.1, 0.0, -0.0, 2.5]
    params = [Value(v) for v in values]
    assert optim.soft_threshold(params, 0.1) == 6
    assert [p.data for p in params] == [
        0.19999999999999998,
        -0.19999999999999998,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        2.4,
    ]
    grid = np.linspace(-3, 3, 60001)
    for v, p in zip(values, params, strict=True):
        best = grid[np.argmin((grid - v) ** 2 / 2 + 0.1 * np.abs(grid))]
        assert p.data == pytest.approx(best, abs=1e-4)
    nan = Value(float("nan"))
    assert optim.soft_threshold([nan], 0.1) == 0 and math.isnan(nan.data)
    for bad, message in (
        (-0.1, "threshold must be >= 0, got -0.1"),
        (float("inf"), "threshold must be a finite number, got inf"),
    ):
        with pytest.raises(ValueError, match=re.escape(message)):
            optim.soft_threshold(params, bad)

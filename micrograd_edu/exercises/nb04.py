"""Notebook 4: checks not yet split into probe and judge (interim)."""

from typing import Any

from ._legacy import (
    CURVE_CAUSES,
    LOSS_TARGET,
    check_loss_diagnosis,
    check_probability_loss,
    check_sgd_step,
    check_training_loop,
    loss_curves,
)

__all__ = [
    "CURVE_CAUSES",
    "EXERCISES",
    "LOSS_TARGET",
    "check_loss_diagnosis",
    "check_probability_loss",
    "check_sgd_step",
    "check_training_loop",
    "loss_curves",
]

EXERCISES: dict[str, Any] = {}

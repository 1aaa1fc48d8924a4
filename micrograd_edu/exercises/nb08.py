"""Notebook 8: checks not yet split into probe and judge (interim)."""

from typing import Any

from ._legacy import (
    check_discounted_returns,
    check_policy_gradient_loss,
    check_policy_gradient_step,
)

__all__ = [
    "EXERCISES",
    "check_discounted_returns",
    "check_policy_gradient_loss",
    "check_policy_gradient_step",
]

EXERCISES: dict[str, Any] = {}

"""Notebook 7: checks not yet split into probe and judge (interim)."""

from typing import Any

from ._legacy import check_batch_seed, check_torch_loss

__all__ = ["EXERCISES", "check_batch_seed", "check_torch_loss"]

EXERCISES: dict[str, Any] = {}

"""Notebook 3: checks not yet split into probe and judge (interim)."""

from typing import Any

from ._legacy import check_collapse_linear_layers, check_neuron_forward

__all__ = ["EXERCISES", "check_collapse_linear_layers", "check_neuron_forward"]

EXERCISES: dict[str, Any] = {}

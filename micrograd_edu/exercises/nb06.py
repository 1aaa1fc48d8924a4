"""Notebook 6: checks not yet split into probe and judge (interim)."""

from typing import Any

from ._legacy import check_circle_features

__all__ = ["EXERCISES", "check_circle_features"]

EXERCISES: dict[str, Any] = {}

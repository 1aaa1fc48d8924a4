"""Shared fixtures: PyTorch as the reference engine."""

from __future__ import annotations

import os
from types import ModuleType

import pytest


def _import_torch() -> ModuleType:
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the environment
        message = "PyTorch is not installed; `make test` installs torch==2.13.0 (CPU)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}, and under CI the comparisons must run")
        pytest.skip(message)
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    return torch


@pytest.fixture(scope="session")
def torch() -> ModuleType:
    """The ``torch`` module, in float64, single-threaded."""
    return _import_torch()

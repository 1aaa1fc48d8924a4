"""What a training run leaves: its :class:`History`, its :class:`TrainingRun`, or the
:class:`TrainingDivergedError` that stopped it (used by :func:`micrograd_edu.train.fit`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from . import datasets
from .nn import MLP

__all__ = ["History", "TrainingDivergedError", "TrainingRun"]

FloatArray = npt.NDArray[np.float64]


@dataclass
class History:
    """Per-epoch loss and accuracy on the training set and, if given, the validation set.

    Accuracies are empty lists for regression. ``interrupted`` is True when
    Ctrl-C stopped :func:`fit` early: its last entry then describes the
    weights after the last completed step of the unfinished epoch.
    """

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    interrupted: bool = False

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    def as_dict(self) -> dict[str, list[float]]:
        return {
            "train_loss": self.train_loss,
            "train_accuracy": self.train_accuracy,
            "val_loss": self.val_loss,
            "val_accuracy": self.val_accuracy,
        }


class TrainingDivergedError(FloatingPointError):
    """The loss became infinite or NaN during :func:`fit`: training stopped.

    The model's weights are restored to the last finite ones (those at the end
    of the previous epoch). ``epoch`` is the epoch (from 1) in which it
    happened and ``history`` holds the epochs completed before it.
    """

    def __init__(self, message: str, epoch: int, history: History) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.history = history


@dataclass
class TrainingRun:
    """A trained model with its data and history, as the command line produces it.

    ``X_train`` and ``X_test`` hold the raw 2-D points; the model reads
    ``inputs(X)``, their Playground ``features``.
    """

    model: MLP
    history: History
    loss: str
    features: tuple[str, ...]
    X_train: FloatArray
    y_train: npt.NDArray[Any]
    X_test: FloatArray
    y_test: npt.NDArray[Any]

    def inputs(self, points: npt.ArrayLike) -> FloatArray:
        """The model's inputs for 2-D points: their feature map."""
        return datasets.features(points, self.features)

"""The pictures of a training run, for ``python -m micrograd_edu train`` (an entry point).

micrograd_edu finds this function through the ``micrograd_edu.pictures``
entry point, so the library never imports ``micrograd_edu.visualize`` itself.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from micrograd_edu.train import TrainingRun

from .curves import plot_history
from .figures import save_figure
from .planes import plot_decision_boundary, plot_regression

__all__ = ["write_training_pictures"]


def write_training_pictures(run: TrainingRun, out: Path) -> list[Path]:
    """Write the decision boundary (or regression surface) and the loss curves into ``out``."""
    import numpy as np

    X = np.concatenate([run.X_train, run.X_test])
    y = np.concatenate([run.y_train, run.y_test])
    if run.loss == "mse":
        surface, name = plot_regression(run.model, X, y, transform=run.inputs), "regression.png"
    else:
        surface, name = (
            plot_decision_boundary(run.model, X, y, transform=run.inputs),
            "decision_boundary.png",
        )
    written = [save_figure(surface, out / name)]
    history = plot_history(run.history)
    written.append(save_figure(history, out / "loss.png"))
    plt.close(surface)
    plt.close(history)
    return written

"""Training: the loop of forward pass, loss, backward pass and update, and predictions.

One epoch of (mini-batch) stochastic gradient descent::

    for each mini-batch of samples:
        predictions = [model(x) for x in batch]        # feed forward
        loss = mean(loss_fn(p, y)) + penalty           # how wrong?
        optimizer.zero_grad()
        loss.backward()                                # backpropagation
        optimizer.step()                               # w ← w − lr·∂L/∂w

:func:`fit` runs that loop, shows a progress bar, and records the loss and
accuracy after every epoch in a :class:`History`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from . import datasets, losses
from .engine import Value, sum_values
from .nn import ACTIVATIONS, MLP
from .optim import SGD, LinearLR, Optimizer

__all__ = [
    "OBJECTIVES",
    "History",
    "Objective",
    "TrainingRun",
    "evaluate",
    "fit",
    "predict",
    "predict_proba",
]

FloatArray = npt.NDArray[np.float64]
Kind = Literal["binary", "multiclass", "regression"]


def _bce_array(z: FloatArray, y: FloatArray) -> FloatArray:
    return np.logaddexp(0.0, z) - y * z  # softplus(z) − y·z


def _hinge_array(z: FloatArray, y: FloatArray) -> FloatArray:
    return np.maximum(0.0, 1.0 - (2.0 * y - 1.0) * z)


def _mse_array(z: FloatArray, y: FloatArray) -> FloatArray:
    return (z - y) ** 2


def _cross_entropy_array(z: FloatArray, y: FloatArray) -> FloatArray:
    m = z.max(axis=1, keepdims=True)
    log_total = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    losses_per_sample: FloatArray = log_total - z[np.arange(len(z)), y.astype(np.int64)]
    return losses_per_sample


@dataclass(frozen=True)
class Objective:
    """A loss with what it needs to know about its task.

    ``per_sample(output, label)`` builds the loss graph for one sample, given the
    data set's label (0/1 class, class index or value); ``on_array`` computes
    the same loss for many samples with NumPy, for fast evaluation.
    """

    name: str
    kind: Kind
    per_sample: Callable[[Any, Any], Value]
    on_array: Callable[[FloatArray, FloatArray], FloatArray]


OBJECTIVES: dict[str, Objective] = {
    "bce": Objective("bce", "binary", losses.binary_cross_entropy, _bce_array),
    # hinge wants targets ±1: class 1 → +1, class 0 → −1
    "hinge": Objective(
        "hinge", "binary", lambda out, label: losses.hinge(out, 2.0 * label - 1.0), _hinge_array
    ),
    "cross_entropy": Objective(
        "cross_entropy", "multiclass", losses.cross_entropy, _cross_entropy_array
    ),
    "mse": Objective("mse", "regression", losses.mse, _mse_array),
}
"""The losses :func:`fit` knows by name; labels are 0/1 (binary), 0..k−1, or values."""


@dataclass
class History:
    """Per-epoch loss and accuracy on the training set and, if given, the validation set.

    Accuracies are empty lists for regression.
    """

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

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


def _objective(loss: str | Objective) -> Objective:
    if isinstance(loss, Objective):
        return loss
    if loss not in OBJECTIVES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(OBJECTIVES)}")
    return OBJECTIVES[loss]


def _check_data(
    model: MLP, X: npt.ArrayLike, y: npt.ArrayLike, objective: Objective, what: str
) -> tuple[FloatArray, FloatArray]:
    X_arr = np.asarray(X, dtype=np.float64)
    y_arr = np.asarray(y, dtype=np.float64)
    if X_arr.ndim != 2 or X_arr.shape[1] != model.nin:
        raise ValueError(
            f"{what}: X must have shape (n, {model.nin}) for this model, got {X_arr.shape}"
        )
    if y_arr.shape != (len(X_arr),):
        raise ValueError(f"{what}: y must have shape ({len(X_arr)},), got {y_arr.shape}")
    if len(X_arr) == 0:
        raise ValueError(f"{what}: the data set is empty")
    if not np.all(np.isfinite(X_arr)) or not np.all(np.isfinite(y_arr)):
        raise ValueError(f"{what}: X and y must be finite (found NaN or inf)")
    if objective.kind == "multiclass":
        if model.nout < 2:
            raise ValueError(
                f"loss {objective.name!r} needs a model with >= 2 outputs, got {model.nout}"
            )
        if not np.all((y_arr == np.round(y_arr)) & (y_arr >= 0) & (y_arr < model.nout)):
            raise ValueError(f"{what}: labels must be class indices 0..{model.nout - 1}")
    else:
        if model.nout != 1:
            raise ValueError(
                f"loss {objective.name!r} needs a model with 1 output, got {model.nout}"
            )
        if objective.kind == "binary" and not np.all((y_arr == 0) | (y_arr == 1)):
            raise ValueError(f"{what}: labels for loss {objective.name!r} must be 0 or 1")
    return X_arr, y_arr


def _accuracy(objective: Objective, outputs: FloatArray, y: FloatArray) -> float | None:
    if objective.kind == "regression":
        return None
    return float(np.mean(_classes(outputs) == y))


def _classes(outputs: FloatArray) -> npt.NDArray[np.int64]:
    classes: npt.NDArray[np.int64] = (
        (outputs[:, 0] > 0) if outputs.shape[1] == 1 else np.argmax(outputs, axis=1)
    ).astype(np.int64)
    return classes


def evaluate(
    model: MLP, X: npt.ArrayLike, y: npt.ArrayLike, loss: str | Objective
) -> tuple[float, float | None]:
    """The mean loss and the accuracy (None for regression) of ``model`` on ``(X, y)``.

    Computed with NumPy from the current weights, without building a graph.
    """
    objective = _objective(loss)
    X_arr, y_arr = _check_data(model, X, y, objective, "evaluate")
    return _evaluate_checked(model, X_arr, y_arr, objective)


def _evaluate_checked(
    model: MLP, X: FloatArray, y: FloatArray, objective: Objective
) -> tuple[float, float | None]:
    """:func:`evaluate` for data that :func:`_check_data` has already accepted."""
    outputs = model.forward_array(X)
    z = outputs[:, 0] if objective.kind != "multiclass" else outputs
    return float(np.mean(objective.on_array(z, y))), _accuracy(objective, outputs, y)


def fit(
    model: MLP,
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    loss: str | Objective = "bce",
    optimizer: Optimizer | None = None,
    epochs: int = 100,
    batch_size: int | None = None,
    X_val: npt.ArrayLike | None = None,
    y_val: npt.ArrayLike | None = None,
    *,
    l1: float = 0.0,
    l2: float = 0.0,
    scheduler: LinearLR | None = None,
    seed: int | None = None,
    progress: bool = True,
) -> History:
    """Train ``model`` on ``(X, y)`` by mini-batch gradient descent.

    Parameters
    ----------
    model:
        An :class:`~micrograd_edu.nn.MLP` with ``X.shape[1]`` inputs.
    X, y:
        Samples of shape (n, nin) and labels of shape (n,): 0/1 for ``"bce"`` and
        ``"hinge"``, class indices for ``"cross_entropy"``, values for ``"mse"``.
    loss:
        ``"bce"``, ``"hinge"``, ``"cross_entropy"`` or ``"mse"``.
    optimizer:
        Defaults to ``SGD(model.parameters(), lr=0.1)``.
    epochs:
        Passes over the training data.
    batch_size:
        Samples per gradient step; ``None`` uses the whole set (full-batch
        gradient descent), 1 is "pure" stochastic gradient descent.
    X_val, y_val:
        Optional validation data, evaluated after every epoch.
    l1, l2:
        Rates of the L1 penalty Σ|w| and the L2 penalty Σw² added to the loss.
    scheduler:
        Optional learning-rate schedule (e.g. :class:`~micrograd_edu.optim.LinearLR`),
        stepped once per epoch.
    seed:
        Seeds the shuffling of the mini-batches.
    progress:
        Show a progress bar with the loss and the accuracy.
    """
    objective = _objective(loss)
    X_arr, y_arr = _check_data(model, X, y, objective, "fit")
    has_val = X_val is not None or y_val is not None
    if has_val:
        if X_val is None or y_val is None:
            raise ValueError("give both X_val and y_val, or neither")
        X_val_arr, y_val_arr = _check_data(model, X_val, y_val, objective, "fit (validation)")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    n = len(X_arr)
    size = n if batch_size is None else batch_size
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"batch_size must be a positive integer or None, got {batch_size!r}")
    for name, rate in (("l1", l1), ("l2", l2)):
        if not isinstance(rate, (int, float)) or not rate >= 0:
            raise ValueError(f"{name} must be a number >= 0, got {rate!r}")
    params = model.parameters()
    opt = optimizer if optimizer is not None else SGD(params, lr=0.1)
    rng = np.random.default_rng(seed)
    rows = X_arr.tolist()
    labels = y_arr.astype(np.int64).tolist() if objective.kind == "multiclass" else y_arr.tolist()
    history = History()

    bar = tqdm(range(epochs), disable=not progress, unit="epoch", leave=True)
    for _ in bar:
        order = rng.permutation(n) if size < n else np.arange(n)
        for start in range(0, n, size):
            batch = order[start : start + size].tolist()
            terms = [objective.per_sample(model(rows[i]), labels[i]) for i in batch]
            total = sum_values(terms) * (1.0 / len(batch))
            if l1:
                total = total + l1 * losses.l1(params)
            if l2:
                total = total + l2 * losses.l2(params)
            opt.zero_grad()
            total.backward()
            opt.step()
        if scheduler is not None:
            scheduler.step()
        _record(history, model, objective, X_arr, y_arr, "train")
        if has_val:
            _record(history, model, objective, X_val_arr, y_val_arr, "val")
        bar.set_postfix(_postfix(history))
    bar.close()
    return history


def _record(
    history: History,
    model: MLP,
    objective: Objective,
    X: FloatArray,
    y: FloatArray,
    split: Literal["train", "val"],
) -> None:
    loss, accuracy = _evaluate_checked(model, X, y, objective)
    getattr(history, f"{split}_loss").append(loss)
    if accuracy is not None:
        getattr(history, f"{split}_accuracy").append(accuracy)


def _postfix(history: History) -> dict[str, str]:
    shown = {"loss": f"{history.train_loss[-1]:.4f}"}
    if history.train_accuracy:
        shown["acc"] = f"{history.train_accuracy[-1]:.1%}"
    if history.val_loss:
        shown["val_loss"] = f"{history.val_loss[-1]:.4f}"
    if history.val_accuracy:
        shown["val_acc"] = f"{history.val_accuracy[-1]:.1%}"
    return shown


def predict_proba(model: MLP, X: npt.ArrayLike) -> FloatArray:
    """Class probabilities: shape (n,) P(class 1) = σ(z) for a one-output model,
    shape (n, k) softmax probabilities for a k-output model."""
    outputs = model.forward_array(X)
    if outputs.shape[1] == 1:
        return ACTIVATIONS["sigmoid"].on_array(outputs[:, 0])
    shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
    probabilities: FloatArray = shifted / shifted.sum(axis=1, keepdims=True)
    return probabilities


def predict(
    model: MLP, X: npt.ArrayLike, task: Literal["classification", "regression"] = "classification"
) -> npt.NDArray[Any]:
    """Predicted classes (shape (n,): output > 0 for one output, else the arg-max),
    or with ``task="regression"`` the predicted values (shape (n,) or (n, k))."""
    outputs = model.forward_array(X)
    if task == "classification":
        return _classes(outputs)
    if task == "regression":
        return outputs[:, 0] if outputs.shape[1] == 1 else outputs
    raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")

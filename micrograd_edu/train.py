"""Training: the loop of forward pass, loss, backward pass and update, and predictions.

One epoch of (mini-batch) stochastic gradient descent::

    for each mini-batch of samples:
        predictions = [model(x) for x in batch]        # feed forward
        loss = mean(loss_fn(p, y)) + penalty           # how wrong?
        optimizer.zero_grad()
        loss.backward()                                # backpropagation
        optimizer.step()                               # w ← w − lr·∂L/∂w

:func:`fit` runs that loop, shows a progress bar, and records the loss and
accuracy after every epoch in a :class:`History`. It stops early, and says so,
when the loss becomes infinite or NaN (:class:`TrainingDivergedError`) or when the
user presses Ctrl-C (``History.interrupted``).
"""

from __future__ import annotations

import math
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from types import FrameType
from typing import Any, Literal, NoReturn

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from . import losses
from ._support import validation
from .engine import Value, gc_paused, sum_values
from .history import History, TrainingDivergedError, TrainingRun
from .nn import MLP, classes, predict, predict_proba
from .optim import SGD, LinearLR, Optimizer, soft_threshold
from .tape import Tape, capture

__all__ = [
    "MAX_EPOCHS",
    "OBJECTIVES",
    "History",
    "Objective",
    "TrainingDivergedError",
    "TrainingRun",
    "evaluate",
    "fit",
    "predict",
    "predict_proba",
]

FloatArray = npt.NDArray[np.float64]
Kind = losses.Kind
EngineName = Literal["auto", "graph", "tape"]
L1Step = Literal["proximal", "subgradient"]

MAX_EPOCHS = 1_000_000
"""The most epochs :func:`fit` accepts (the history keeps one entry per epoch)."""


Objective = losses.Loss
"""A loss with what it needs to know about its task (:class:`micrograd_edu.losses.Loss`)."""

OBJECTIVES = losses.LOSSES
"""The losses :func:`fit` knows by name (:data:`micrograd_edu.losses.LOSSES`)."""


def _objective(loss: str | Objective) -> Objective:
    if isinstance(loss, Objective):
        return loss
    if loss not in OBJECTIVES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(OBJECTIVES)}")
    return OBJECTIVES[loss]


def _check_data(
    model: MLP, X: npt.ArrayLike, y: npt.ArrayLike, objective: Objective, what: str
) -> tuple[FloatArray, FloatArray]:
    X_arr = validation.real_array(f"{what}: X", X)
    y_arr = validation.real_array(f"{what}: y", y)
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
    return float(np.mean(classes(outputs) == y))


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
    with np.errstate(all="ignore"):  # a diverged model gives inf/NaN; fit reports it
        outputs = model.forward_array(X)
        z = outputs[:, 0] if objective.kind != "multiclass" else outputs
        loss = float(np.mean(objective.on_array(z, y)))
    return loss, _accuracy(objective, outputs, y)


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
    l1_step: L1Step = "proximal",
    scheduler: LinearLR | None = None,
    seed: int | None = None,
    progress: bool = True,
    engine: EngineName = "auto",
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
        Rates of the L1 penalty Σ|w| over the weights (not the biases) and of
        the L2 penalty Σw² over all the parameters, added to the loss.
    l1_step:
        How L1 is applied. ``"proximal"`` (the default, as the TensorFlow
        Playground does): after each optimizer step, every weight the optimizer
        updates moves ``lr · l1`` toward 0 and stops at exactly 0 if it would
        cross it (:func:`~micrograd_edu.optim.soft_threshold`), so that
        unneeded weights become exactly 0. ``"subgradient"``: the gradient
        l1·sign(w) is added to the loss's, which moves weights toward 0 but
        overshoots it, so they oscillate around 0 instead of reaching it.
    scheduler:
        Optional learning-rate schedule (e.g. :class:`~micrograd_edu.optim.LinearLR`),
        stepped once per epoch.
    seed:
        Seeds the shuffling of the mini-batches.
    progress:
        Show a progress bar with the loss and the accuracy.
    engine:
        ``"graph"`` builds a graph of Values for every mini-batch and calls
        ``loss.backward()``, as the lectures do. ``"tape"`` captures the
        model's graph once (:mod:`micrograd_edu.tape`) and replays it on each
        mini-batch with NumPy: the same gradients (to rounding), the same
        data order and optimizer, 10-60 times faster. ``"auto"`` (the
        default) uses the tape for a plain :class:`~micrograd_edu.nn.MLP` and
        a loss whose gradient is known (all of :data:`OBJECTIVES`), else the graph.

    Notes
    -----
    **Stopping early.** If the loss becomes infinite or NaN (too high a learning
    rate, usually), ``fit`` restores the weights of the end of the previous epoch
    and raises :class:`TrainingDivergedError`, which names the epoch and carries
    the history so far. Pressing Ctrl-C (interrupting the kernel) stops training
    after the current step and returns the history with ``interrupted=True``; a
    second Ctrl-C interrupts at once.
    """
    objective = _objective(loss)
    X_arr, y_arr = _check_data(model, X, y, objective, "fit")
    has_val = X_val is not None or y_val is not None
    if has_val:
        if X_val is None or y_val is None:
            raise ValueError("give both X_val and y_val, or neither")
        X_val_arr, y_val_arr = _check_data(model, X_val, y_val, objective, "fit (validation)")
    epochs = validation.integer("epochs", epochs, maximum=MAX_EPOCHS)
    n = len(X_arr)
    size = n if batch_size is None else validation.integer("batch_size", batch_size)
    l1, l2 = _check_penalties(l1, l2, l1_step)
    params = model.parameters()
    opt = optimizer if optimizer is not None else SGD(params, lr=0.1)
    _check_optimizer(opt, params)
    tape = _training_tape(model, objective, engine)
    penalties = _Penalties.of(model, tape, l1 if l1_step == "subgradient" else 0.0, l2)
    shrunk = _updated_weights(model, opt) if l1 and l1_step == "proximal" else []
    rng = np.random.default_rng(seed)
    rows = X_arr.tolist()
    labels = y_arr.astype(np.int64).tolist() if objective.kind == "multiclass" else y_arr.tolist()
    history = History()
    last_finite = [p.data for p in params]

    def diverged(epoch: int, step: int | None, what: str) -> NoReturn:
        _diverged(history, params, last_finite, opt.lr, epoch, step, what)

    bar = tqdm(range(epochs), disable=not progress, unit="epoch", leave=True)
    with _stop_on_interrupt() as interrupt:
        for epoch in bar:
            order = rng.permutation(n) if size < n else np.arange(n)
            for step, start in enumerate(range(0, n, size), start=1):
                batch = order[start : start + size].tolist()
                stop = partial(diverged, epoch, step)  # stop("the loss became inf") raises
                if tape is not None:
                    _tape_step(tape, objective, X_arr[batch], y_arr[batch], penalties, opt, stop)
                else:
                    samples = ([rows[i] for i in batch], [labels[i] for i in batch])
                    _graph_step(model, objective, samples, penalties, opt, stop)
                if shrunk:
                    soft_threshold(shrunk, opt.lr * l1)
                if interrupt.is_set():
                    history.interrupted = True
                    break
            if scheduler is not None and not history.interrupted:
                scheduler.step()
            train_result = _evaluate_checked(model, X_arr, y_arr, objective)
            weights = [p.data for p in params]
            if not all(map(math.isfinite, weights)):
                diverged(epoch, None, "the weights became infinite or NaN")
            if not math.isfinite(train_result[0]):
                diverged(epoch, None, f"the loss became {train_result[0]}")
            last_finite = weights
            _record(history, "train", *train_result)
            if has_val:
                _record(history, "val", *_evaluate_checked(model, X_val_arr, y_val_arr, objective))
            bar.set_postfix(_postfix(history))
            if history.interrupted:
                break
    bar.close()
    return history


@dataclass(frozen=True)
class _Penalties:
    """The penalties added to each mini-batch's loss: l1·Σ|w| over the weights (in
    ``"subgradient"`` mode; 0 otherwise) and l2·Σw² over all the parameters."""

    l1: float
    l2: float
    weights: list[Value]
    """The parameters L1 applies to: the weights, not the biases."""
    tape_mask: npt.NDArray[np.bool_] | None
    """Which of the tape's parameters are weights (None without a tape)."""

    @staticmethod
    def of(model: MLP, tape: Tape | None, l1: float, l2: float) -> _Penalties:
        weights = _weights(model)
        ids = {id(w) for w in weights}
        mask = None if tape is None else np.array([id(p) in ids for p in tape.parameters])
        return _Penalties(l1, l2, weights, mask)


def _check_penalties(l1: float, l2: float, l1_step: str) -> tuple[float, float]:
    """The penalty rates as floats, after checking them and the L1 rule."""
    if l1_step not in ("proximal", "subgradient"):
        raise ValueError(f"l1_step must be 'proximal' or 'subgradient', got {l1_step!r}")
    return validation.real("l1", l1, low=0.0), validation.real("l2", l2, low=0.0)


def _weights(model: MLP) -> list[Value]:
    """The model's weights, without the biases (the parameters L1 applies to)."""
    return [w for layer in model.layers for neuron in layer.neurons for w in neuron.w]


def _updated_weights(model: MLP, optimizer: Optimizer) -> list[Value]:
    """The weights ``optimizer`` updates (a frozen layer's keep their values)."""
    updated = {id(p) for p in optimizer.params}
    return [w for w in _weights(model) if id(w) in updated]


def _graph_step(
    model: MLP,
    objective: Objective,
    batch: tuple[list[list[float]], list[Any]],
    penalties: _Penalties,
    optimizer: Optimizer,
    stop: Callable[[str], NoReturn],
) -> None:
    """One step with the graph engine: build the batch's loss graph, backward, update."""
    rows, labels = batch
    with gc_paused():  # a step builds a large graph without cycles
        try:
            total = _batch_loss(model, objective, rows, labels, penalties)
        except OverflowError as error:
            stop(f"the loss overflowed ({error})")
        if not math.isfinite(total.data):
            stop(f"the loss became {total.data}")
        optimizer.zero_grad()
        total.backward()
        optimizer.step()


def _batch_loss(
    model: MLP,
    objective: Objective,
    rows: list[list[float]],
    labels: list[Any],
    penalties: _Penalties,
) -> Value:
    """The mean loss over one mini-batch, plus the penalties: the graph to backpropagate."""
    terms = [
        objective.per_sample(model(row), label) for row, label in zip(rows, labels, strict=True)
    ]
    total = sum_values(terms) * (1.0 / len(rows))
    if penalties.l1:
        total = total + penalties.l1 * losses.l1(penalties.weights)
    if penalties.l2:
        total = total + penalties.l2 * losses.l2(model.parameters())
    return total


def _training_tape(model: MLP, objective: Objective, engine: str) -> Tape | None:
    """The tape :func:`fit` trains with, or None for the graph engine."""
    if engine not in ("auto", "graph", "tape"):
        raise ValueError(f"engine must be 'auto', 'graph' or 'tape', got {engine!r}")
    if engine == "graph":
        return None
    if objective.gradient_array is None:
        if engine == "tape":
            raise ValueError(
                f"engine='tape' needs the gradient of loss {objective.name!r} on arrays "
                "(Objective.gradient_array); use engine='graph'"
            )
        return None
    if engine == "auto" and type(model) is not MLP:
        return None  # a subclass may build a graph that depends on the data
    return capture(model, np.zeros(model.nin))


def _tape_step(
    tape: Tape,
    objective: Objective,
    X: FloatArray,
    y: FloatArray,
    penalties: _Penalties,
    optimizer: Optimizer,
    stop: Callable[[str], NoReturn],
) -> None:
    """One step with the tape: replay it on the batch, the loss's gradient, backward, update.

    The same mathematics as :func:`_graph_step`: mean loss + l1·Σ|w| (weights)
    + l2·Σw², whose gradient in the outputs z is ``gradient_array(z, y) / n``.
    """
    assert objective.gradient_array is not None  # checked by _training_tape
    outputs = tape.forward_batch(X)
    z = outputs if objective.kind == "multiclass" else outputs[:, 0]
    penalty_grads: list[float] = []
    l1, l2, mask = penalties.l1, penalties.l2, penalties.tape_mask
    assert mask is not None  # made with the tape
    with np.errstate(all="ignore"):
        total = float(np.mean(objective.on_array(z, y)))
        if l1 or l2:  # the weights are read only for a penalty
            weights = np.array([p.data for p in tape.parameters])
            signs = np.where(mask, np.sign(weights), 0.0) if l1 else 0.0
            if l1:
                total += l1 * float(np.abs(weights[mask]).sum())
            if l2:
                total += l2 * float((weights * weights).sum())
            penalty_grads = (l1 * signs + 2.0 * (l2 * weights)).tolist()
    if not math.isfinite(total):
        stop(f"the loss became {total}")
    optimizer.zero_grad()
    seed = objective.gradient_array(z, y) * (1.0 / len(X))
    tape.backward(seed)
    if penalty_grads:
        for p, g in zip(tape.parameters, penalty_grads, strict=True):
            p.grad += g
    optimizer.step()


def _check_optimizer(optimizer: Optimizer, params: list[Value]) -> None:
    """The optimizer must update this model's parameters, not another model's."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizer must be an Optimizer such as SGD or Adam, got {type(optimizer).__name__}"
        )
    own = {id(p) for p in params}
    foreign = sum(1 for p in optimizer.params if id(p) not in own)
    if foreign:
        raise ValueError(
            f"the optimizer updates {foreign} Value(s) that are not parameters of this model, "
            "so training would change nothing: build it from this model, "
            "e.g. SGD(model.parameters(), lr=0.1)"
        )


def _diverged(
    history: History,
    params: list[Value],
    last_finite: list[float],
    lr: float,
    epoch: int,
    step: int | None,
    what: str,
) -> NoReturn:
    """Restore the last finite weights and raise :class:`TrainingDivergedError`."""
    for p, value in zip(params, last_finite, strict=True):
        p.data = value
        p.grad = 0.0
    where = f"epoch {epoch + 1}" + (f", step {step}" if step is not None else "")
    kept = f"the end of epoch {epoch}" if epoch else "their initial values"
    raise TrainingDivergedError(
        f"training diverged in {where}: {what}. The weights are restored to "
        f"{kept}, the last finite ones. Try a smaller learning rate (lr is {lr:g}).",
        epoch + 1,
        history,
    )


@contextmanager
def _stop_on_interrupt() -> Iterator[threading.Event]:
    """Turn the first Ctrl-C (SIGINT) into a request to stop after the current step.

    Only in the main thread, and only when SIGINT has Python's default handler
    (the one that raises KeyboardInterrupt); the second Ctrl-C raises as usual.
    """
    flag = threading.Event()
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield flag
        return

    def request_stop(signum: int, frame: FrameType | None) -> None:
        flag.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    signal.signal(signal.SIGINT, request_stop)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _record(
    history: History, split: Literal["train", "val"], loss: float, accuracy: float | None
) -> None:
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

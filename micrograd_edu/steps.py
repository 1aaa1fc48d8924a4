"""The pieces training loops are built from: :func:`~micrograd_edu.train.fit`, the
:class:`~micrograd_edu.train.Trainer` and REINFORCE (:func:`micrograd_edu.rl.reinforce`).

Every training loop of the package ends its step the same way, in PyTorch's
order (:func:`gradient_step`)::

    optimizer.zero_grad()   # gradients accumulate: clear last step's
    backward()              # fill p.grad for every parameter
    optimizer.step()        # move the parameters

A supervised step computes the mini-batch's loss one of two ways: with a graph
of Values and ``loss.backward()`` (:func:`graph_step`, as the lectures do), or
with the model's graph captured once and replayed on the whole batch with NumPy
(:func:`tape_step`, :mod:`micrograd_edu.tape`): the same mathematics, mean loss
+ l1·Σ|w| (the weights) + l2·Σw² (every parameter), 10-60 times faster.

The rest is what a loop needs around its steps: :func:`check_data` and
:func:`check_optimizer` (checked once, before the first step; an optimizer built
from another model trains nothing), :func:`evaluate_arrays` and :func:`record` (an
epoch's loss and accuracy, with NumPy), :func:`restore_weights` (keep the last
good weights when training diverges) and :func:`stop_on_interrupt` (Ctrl-C stops
after the current step).
"""

from __future__ import annotations

import copy
import math
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any, Literal, NoReturn

import numpy as np
import numpy.typing as npt

from . import losses
from ._support import validation
from .engine import Value, gc_paused, sum_values
from .history import History, TrainingDivergedError
from .nn import MLP, classes
from .optim import Optimizer
from .tape import Tape

__all__ = [
    "Penalties",
    "batch_loss",
    "check_data",
    "check_optimizer",
    "check_penalties",
    "divergence",
    "evaluate_arrays",
    "gradient_step",
    "graph_step",
    "model_weights",
    "objective_of",
    "progress_postfix",
    "record",
    "restore_weights",
    "saved_state",
    "stop_on_interrupt",
    "tape_step",
    "updated_weights",
]

FloatArray = npt.NDArray[np.float64]
Stop = Callable[[str], NoReturn]
"""What a step calls when its loss is not finite: it restores weights and raises."""


# ---------------------------------------------------------------------- checked once
def objective_of(loss: str | losses.Loss) -> losses.Loss:
    """The loss named ``loss`` (a key of :data:`micrograd_edu.losses.LOSSES`), or ``loss``.

    >>> objective_of("bce").kind
    'binary'
    >>> objective_of("l3")
    Traceback (most recent call last):
    ValueError: unknown loss 'l3'; choose one of bce, hinge, cross_entropy, mse
    """
    if isinstance(loss, losses.Loss):
        return loss
    if loss not in losses.LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(losses.LOSSES)}")
    return losses.LOSSES[loss]


def check_data(
    model: MLP, X: npt.ArrayLike, y: npt.ArrayLike, objective: losses.Loss, what: str
) -> tuple[FloatArray, FloatArray]:
    """``(X, y)`` as float arrays of shapes (n, model.nin) and (n,), once checked against
    the model and the loss: not empty, finite, labels the loss can read (0/1, class
    indices below ``model.nout``), as many outputs as the loss needs. ``what`` starts
    every message ("fit: X must have shape (n, 2) for this model, got (3, 1)")."""
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


def check_penalties(l1: float, l2: float, l1_step: str) -> tuple[float, float]:
    """The penalty rates as floats (finite, >= 0), after checking the L1 rule
    (``"proximal"`` or ``"subgradient"``)."""
    if l1_step not in ("proximal", "subgradient"):
        raise ValueError(f"l1_step must be 'proximal' or 'subgradient', got {l1_step!r}")
    return validation.real("l1", l1, low=0.0), validation.real("l2", l2, low=0.0)


def gradient_step(optimizer: Optimizer, backward: Callable[[], object]) -> None:
    """``optimizer.zero_grad()``, then ``backward()`` (which fills the grads), then
    ``optimizer.step()``: one update, in PyTorch's order.

    >>> from micrograd_edu.optim import SGD
    >>> w = Value(2.0)
    >>> w.grad = 5.0  # left over from an earlier step: zero_grad clears it
    >>> loss = w * w
    >>> gradient_step(SGD([w], lr=0.1), loss.backward)  # dL/dw = 2w = 4
    >>> round(w.data, 12)
    1.6
    """
    optimizer.zero_grad()
    backward()
    optimizer.step()


def check_optimizer(
    optimizer: Optimizer,
    params: Sequence[Value],
    owner: str = "model",
    example: str = "SGD(model.parameters(), lr=0.1)",
) -> None:
    """Refuse an optimizer that is not an :class:`~micrograd_edu.optim.Optimizer`
    (``TypeError``) or that updates Values other than ``params`` (``ValueError``):
    training would change nothing. A subset of ``params`` (a frozen layer) is fine.

    ``owner`` and ``example`` word the message ("this model", "SGD(...)").

    >>> from micrograd_edu.optim import SGD
    >>> check_optimizer(SGD([Value(1.0)], lr=0.1), [Value(1.0)])
    Traceback (most recent call last):
    ValueError: the optimizer updates 1 Value(s) that are not parameters of this model, so training would change nothing: build it from this model, e.g. SGD(model.parameters(), lr=0.1)
    """  # noqa: E501
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizer must be an Optimizer such as SGD or Adam, got {type(optimizer).__name__}"
        )
    own = {id(p) for p in params}
    foreign = sum(1 for p in optimizer.params if id(p) not in own)
    if foreign:
        raise ValueError(
            f"the optimizer updates {foreign} Value(s) that are not parameters of this {owner}, "
            f"so training would change nothing: build it from this {owner}, e.g. {example}"
        )


def divergence(
    what: str, where: tuple[int, int | None], lr: float, history: History
) -> TrainingDivergedError:
    """The error to raise when training diverged: ``what`` happened in ``where``, the
    epoch (from 0) and the step (from 1; None after the epoch's steps), whose weights
    were restored to those of the end of the epoch before.

    >>> print(divergence("the loss became nan", (2, 5), 10.0, History()))
    training diverged in epoch 3, step 5: the loss became nan. The weights are restored to the end of epoch 2, the last finite ones. Try a smaller learning rate (lr is 10).
    """  # noqa: E501
    epoch, step = where
    at = f"epoch {epoch + 1}" + (f", step {step}" if step is not None else "")
    kept = f"the end of epoch {epoch}" if epoch else "their initial values"
    return TrainingDivergedError(
        f"training diverged in {at}: {what}. The weights are restored to "
        f"{kept}, the last finite ones. Try a smaller learning rate (lr is {lr:g}).",
        epoch + 1,
        history,
    )


def saved_state(owner: object, params: Sequence[Value]) -> Callable[[], None]:
    """Save an optimizer's or a scheduler's state now (its attributes: momentum, Adam's
    moments, a schedule's progress); the function returned puts it back, each time it
    is called. The model's parameters and the optimizer are shared, never copied.

    >>> from micrograd_edu.optim import Adam
    >>> w = Value(1.0)
    >>> adam = Adam([w], lr=0.1)
    >>> restore = saved_state(adam, [w])
    >>> w.grad = 1.0
    >>> adam.step()
    >>> adam.steps, adam.m[0] > 0
    (1, True)
    >>> restore()
    >>> adam.steps, adam.m, adam.params[0] is w
    (0, [0.0], True)
    """
    shared: dict[int, object] = {id(p): p for p in params}
    shared.update({id(v): v for v in vars(owner).values() if isinstance(v, Optimizer)})
    saved = copy.deepcopy(vars(owner), dict(shared))

    def restore() -> None:
        vars(owner).update(copy.deepcopy(saved, dict(shared)))

    return restore


def restore_weights(params: Sequence[Value], values: Sequence[float]) -> None:
    """Put ``values`` back into ``params`` (``p.data``) and clear their grads, which
    belonged to other weights."""
    for p, value in zip(params, values, strict=True):
        p.data = value
        p.grad = 0.0


def model_weights(model: MLP) -> list[Value]:
    """The model's weights, without the biases (the parameters L1 applies to).

    >>> len(model_weights(MLP(2, [3, 1], seed=0)))  # 2·3 + 3·1
    9
    """
    return [w for layer in model.layers for neuron in layer.neurons for w in neuron.w]


def updated_weights(model: MLP, optimizer: Optimizer) -> list[Value]:
    """The weights ``optimizer`` updates (a frozen layer's keep their values)."""
    updated = {id(p) for p in optimizer.params}
    return [w for w in model_weights(model) if id(w) in updated]


@dataclass(frozen=True)
class Penalties:
    """The penalties added to each mini-batch's loss: ``l1``·Σ|w| over the weights (in
    ``"subgradient"`` mode; 0 otherwise) and ``l2``·Σw² over all the parameters."""

    l1: float
    l2: float
    weights: list[Value]
    """The parameters L1 applies to: the weights, not the biases."""
    tape_mask: npt.NDArray[np.bool_] | None
    """Which of the tape's parameters are weights (None without a tape)."""

    @staticmethod
    def of(model: MLP, tape: Tape | None, l1: float, l2: float) -> Penalties:
        """The penalties of ``model`` (and of its ``tape``, if it trains with one)."""
        weights = model_weights(model)
        ids = {id(w) for w in weights}
        mask = None if tape is None else np.array([id(p) in ids for p in tape.parameters])
        return Penalties(l1, l2, weights, mask)


def graph_step(
    model: MLP,
    objective: losses.Loss,
    batch: tuple[list[list[float]], list[Any]],
    penalties: Penalties,
    optimizer: Optimizer,
    stop: Stop,
) -> float:
    """One step with the graph engine: build the batch's loss graph, backward, update.

    ``batch`` is (rows, labels) as lists; returns the batch's loss (penalties
    included) before the update. A loss that overflows or is not finite calls
    ``stop`` (which raises) before anything is updated.
    """
    rows, labels = batch
    with gc_paused():  # a step builds a large graph without cycles
        try:
            total = batch_loss(model, objective, rows, labels, penalties)
        except OverflowError as error:
            stop(f"the loss overflowed ({error})")
        if not math.isfinite(total.data):
            stop(f"the loss became {total.data}")
        gradient_step(optimizer, total.backward)
    return total.data


def batch_loss(
    model: MLP,
    objective: losses.Loss,
    rows: list[list[float]],
    labels: list[Any],
    penalties: Penalties,
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


def tape_step(
    tape: Tape,
    objective: losses.Loss,
    X: FloatArray,
    y: FloatArray,
    penalties: Penalties,
    optimizer: Optimizer,
    stop: Stop,
) -> float:
    """One step with the tape: replay it on the batch, the loss's gradient, backward, update.

    The same mathematics as :func:`graph_step`: mean loss + l1·Σ|w| (weights)
    + l2·Σw², whose gradient in the outputs z is ``gradient_array(z, y) / n``.
    ``X`` has shape (n, nin), ``y`` shape (n,); returns the batch's loss.
    """
    gradient, mask = objective.gradient_array, penalties.tape_mask
    if gradient is None:
        raise ValueError(
            f"loss {objective.name!r} has no gradient on arrays (gradient_array): "
            "train with graph_step"
        )
    if mask is None:
        raise ValueError("the penalties were made without the tape: Penalties.of(model, tape, ...)")
    outputs = tape.forward_batch(X)
    z = outputs if objective.kind == "multiclass" else outputs[:, 0]
    penalty_grads: list[float] = []
    l1, l2 = penalties.l1, penalties.l2
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

    def backward() -> None:
        tape.backward(gradient(z, y) * (1.0 / len(X)))
        if penalty_grads:
            for p, g in zip(tape.parameters, penalty_grads, strict=True):
                p.grad += g

    gradient_step(optimizer, backward)
    return total


@contextmanager
def stop_on_interrupt() -> Iterator[threading.Event]:
    """Turn the first Ctrl-C (SIGINT) into a request to stop after the current step.

    Yields an event that is set when Ctrl-C came. Only in the main thread, and
    only when SIGINT has Python's default handler (the one that raises
    KeyboardInterrupt); the second Ctrl-C raises as usual.
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


# ------------------------------------------------------------------ after an epoch
def evaluate_arrays(
    model: MLP, X: FloatArray, y: FloatArray, objective: losses.Loss
) -> tuple[float, float | None]:
    """The mean loss and the accuracy (None for regression) on data that
    :func:`check_data` has accepted, with NumPy from the current weights (no graph).

    A diverged model gives inf or NaN here, without a warning: the loop reports it.
    """
    with np.errstate(all="ignore"):
        outputs = model.forward_array(X)
        z = outputs[:, 0] if objective.kind != "multiclass" else outputs
        loss = float(np.mean(objective.on_array(z, y)))
    if objective.kind == "regression":
        return loss, None
    return loss, float(np.mean(classes(outputs) == y))


def record(
    history: History, split: Literal["train", "val"], loss: float, accuracy: float | None
) -> None:
    """Append an epoch's loss (and accuracy, unless None) to ``history``'s ``split`` lists."""
    getattr(history, f"{split}_loss").append(loss)
    if accuracy is not None:
        getattr(history, f"{split}_accuracy").append(accuracy)


def progress_postfix(history: History) -> dict[str, str]:
    """The last epoch's numbers, as a progress bar shows them.

    >>> progress_postfix(History(train_loss=[0.25], train_accuracy=[0.875]))
    {'loss': '0.2500', 'acc': '87.5%'}
    """
    shown = {"loss": f"{history.train_loss[-1]:.4f}"}
    if history.train_accuracy:
        shown["acc"] = f"{history.train_accuracy[-1]:.1%}"
    if history.val_loss:
        shown["val_loss"] = f"{history.val_loss[-1]:.4f}"
    if history.val_accuracy:
        shown["val_acc"] = f"{history.val_accuracy[-1]:.1%}"
    return shown

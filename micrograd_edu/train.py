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

:func:`fit` is a thin loop over a :class:`Trainer`, which checks the data and the
optimizer and captures the tape once, then trains a mini-batch at a time
(:meth:`Trainer.step`) or a pass at a time (:meth:`Trainer.epoch`), with a learning
rate that may change between steps: what the live Playground holds while it plays.
The step itself (graph or tape, the penalties, ``zero_grad``/``backward``/``step``)
is in :mod:`micrograd_edu.steps`.
"""

from __future__ import annotations

import math
import threading
from functools import partial
from typing import Any, ClassVar, Literal, NamedTuple, NoReturn

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from . import losses, steps
from ._support import validation
from .history import History, TrainingDivergedError, TrainingRun
from .nn import MLP, predict, predict_proba
from .optim import SGD, LinearLR, Optimizer, soft_threshold
from .tape import Tape, capture

__all__ = [
    "MAX_EPOCHS",
    "OBJECTIVES",
    "EpochResult",
    "History",
    "Objective",
    "Trainer",
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


def evaluate(
    model: MLP, X: npt.ArrayLike, y: npt.ArrayLike, loss: str | Objective
) -> tuple[float, float | None]:
    """The mean loss and the accuracy (None for regression) of ``model`` on ``(X, y)``.

    Computed with NumPy from the current weights, without building a graph.
    """
    objective = steps.objective_of(loss)
    X_arr, y_arr = steps.check_data(model, X, y, objective, "evaluate")
    return steps.evaluate_arrays(model, X_arr, y_arr, objective)


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
    """Train ``model`` on ``(X, y)`` for ``epochs`` passes of mini-batch gradient descent.

    ``X`` holds samples of shape (n, nin) and ``y`` their labels of shape (n,), as
    :class:`Trainer` says for each ``loss``; ``epochs`` (1 to :data:`MAX_EPOCHS`) passes
    run under a progress bar (``progress``). Every other parameter is :class:`Trainer`'s,
    documented there: ``fit`` makes a ``Trainer`` and runs its epochs (use a ``Trainer``
    to train a step or an epoch at a time, with the same numbers).

    If the loss becomes infinite or NaN (too high a learning rate, usually), ``fit``
    restores the weights of the end of the previous epoch and raises
    :class:`TrainingDivergedError`, which names the epoch and carries the history so far.
    Ctrl-C (interrupting the kernel) stops training after the current step and returns
    the history with ``interrupted=True``; a second Ctrl-C interrupts at once.

    >>> from micrograd_edu import datasets
    >>> X, y = datasets.moons(n=40, seed=0)
    >>> history = fit(MLP(2, [8, 1], seed=0), X, y, epochs=3, seed=0, progress=False)
    >>> history.epochs, round(history.train_loss[-1], 4)
    (3, 0.6304)
    """
    trainer = _FitTrainer(
        epochs,
        model,
        X,
        y,
        loss,
        optimizer,
        batch_size,
        X_val,
        y_val,
        l1=l1,
        l2=l2,
        l1_step=l1_step,
        scheduler=scheduler,
        seed=seed,
        engine=engine,
    )
    return trainer.run(progress)


class EpochResult(NamedTuple):
    """What one epoch of a :class:`Trainer` left: the mean loss and the accuracy on the
    training data, and on the validation data if it has some, with the weights at
    the end of the epoch. Accuracies are None for regression (no classes)."""

    train_loss: float
    train_accuracy: float | None
    val_loss: float | None
    val_accuracy: float | None


class Trainer:
    """Mini-batch gradient descent on one model and data set, a step or an epoch at a time.

    :func:`fit` takes the same parameters (and ``epochs``, ``progress``) and gives the
    same numbers: ``Trainer(...)`` then ``epoch()`` n times gives the weights and
    history of ``fit(..., epochs=n)`` with the same seed. Everything is checked once,
    here, as :func:`fit` checks it (the messages start with "Trainer"); the tape
    (``engine``) is captured once. :meth:`step` trains one
    mini-batch, :meth:`epoch` the rest of a pass over the data. :attr:`lr` may
    change between steps (the TensorFlow Playground's learning rate changes the
    running network); :meth:`use_data` trains on new data from the next step on
    (the model, the optimizer and the history stay); :meth:`reset` starts again
    from where the trainer began.

    ``current_epoch`` counts the epochs completed and ``global_step`` the mini-batches
    trained (PyTorch Lightning's names); ``history`` holds each epoch's numbers, as
    :func:`fit` returns them.

    A loss or weight that becomes infinite or NaN restores the weights of the end
    of the previous epoch and raises :class:`TrainingDivergedError` (the next
    step starts a new pass; the optimizer's running state, such as momentum, is
    not restored). Ctrl-C is :func:`fit`'s to handle, not the trainer's.

    Parameters
    ----------
    model:
        An :class:`~micrograd_edu.nn.MLP` with ``X.shape[1]`` inputs.
    X, y:
        Samples of shape (n, nin) and labels of shape (n,): 0/1 for ``"bce"`` and
        ``"hinge"``, class indices for ``"cross_entropy"``, values for ``"mse"``.
    loss:
        ``"bce"``, ``"hinge"``, ``"cross_entropy"`` or ``"mse"`` (:data:`OBJECTIVES`).
    optimizer:
        Defaults to ``SGD(model.parameters(), lr=0.1)``.
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
    engine:
        ``"graph"`` builds a graph of Values for every mini-batch and calls
        ``loss.backward()``, as the lectures do. ``"tape"`` captures the
        model's graph once (:mod:`micrograd_edu.tape`) and replays it on each
        mini-batch with NumPy: the same gradients (to rounding), the same
        data order and optimizer, 10-60 times faster. ``"auto"`` (the
        default) uses the tape for a plain :class:`~micrograd_edu.nn.MLP` and
        a loss whose gradient is known (all of :data:`OBJECTIVES`), else the graph.
    keep_history:
        ``False`` keeps no per-epoch list (:meth:`epoch` still returns each epoch's
        numbers): for a run without end, such as the live Playground's.

    Examples
    --------
    >>> from micrograd_edu import datasets
    >>> X, y = datasets.moons(n=40, seed=0)
    >>> trainer = Trainer(MLP(2, [8, 1], seed=0), X, y, batch_size=10, seed=0)
    >>> trainer.steps_per_epoch
    4
    >>> round(trainer.step(), 4)  # one mini-batch: its loss, before the update
    0.6699
    >>> round(trainer.epoch().train_loss, 4)  # the other 3 mini-batches, then the evaluation
    0.6226
    >>> trainer.current_epoch, trainer.global_step, trainer.history.epochs
    (1, 4, 1)
    >>> trainer.lr = 0.5  # the next step moves the weights 5 times further
    >>> round(trainer.epoch().train_loss, 4)
    0.5073
    """

    _caller: ClassVar[str] = "Trainer"
    """How the data's error messages start ("fit" when :func:`fit` makes the trainer)."""

    def __init__(
        self,
        model: MLP,
        X: npt.ArrayLike,
        y: npt.ArrayLike,
        loss: str | Objective = "bce",
        optimizer: Optimizer | None = None,
        batch_size: int | None = None,
        X_val: npt.ArrayLike | None = None,
        y_val: npt.ArrayLike | None = None,
        *,
        l1: float = 0.0,
        l2: float = 0.0,
        l1_step: L1Step = "proximal",
        scheduler: LinearLR | None = None,
        seed: int | None = None,
        engine: EngineName = "auto",
        keep_history: bool = True,
    ) -> None:
        self.model = model
        self.objective = steps.objective_of(loss)
        self.use_data(X, y, X_val, y_val)
        self._after_data_checked()
        self.batch_size = (
            None if batch_size is None else validation.integer("batch_size", batch_size)
        )
        self.l1, self.l2 = steps.check_penalties(l1, l2, l1_step)
        self.params = model.parameters()
        self.optimizer = optimizer if optimizer is not None else SGD(self.params, lr=0.1)
        steps.check_optimizer(self.optimizer, self.params)
        self.scheduler = scheduler
        self.tape = _training_tape(model, self.objective, engine)
        subgradient_l1 = self.l1 if l1_step == "subgradient" else 0.0
        self._penalties = steps.Penalties.of(model, self.tape, subgradient_l1, self.l2)
        proximal = self.l1 and l1_step == "proximal"
        self._shrunk = steps.updated_weights(model, self.optimizer) if proximal else []
        self.seed = seed
        self.keep_history = keep_history
        self._start = (
            [p.data for p in self.params],
            steps.saved_state(self.optimizer, self.params),
            None if scheduler is None else steps.saved_state(scheduler, self.params),
        )
        self._begin()

    def _after_data_checked(self) -> None:
        """What a subclass checks after the data (fit: its ``epochs``, where it always did)."""

    def _begin(self) -> None:
        """Epoch 0, step 0, an empty history, the shuffling from the seed."""
        self.history = History()
        self.current_epoch = 0
        self.global_step = 0
        self._rng = np.random.default_rng(self.seed)
        self._order: npt.NDArray[np.int64] | None = None  # this pass's order; None between
        self._position = 0  # the first sample of the next mini-batch in _order
        self._last_finite = [p.data for p in self.params]

    # ------------------------------------------------------------------ settings
    def use_data(
        self,
        X: npt.ArrayLike,
        y: npt.ArrayLike,
        X_val: npt.ArrayLike | None = None,
        y_val: npt.ArrayLike | None = None,
    ) -> None:
        """Train on ``(X, y)`` (validate on ``(X_val, y_val)``) from the next step on.

        Checked as :func:`fit` checks them. The model, the optimizer, the tape and
        the history stay; an epoch in progress starts again on the new data.
        """
        what = self._caller
        X_arr, y_arr = steps.check_data(self.model, X, y, self.objective, what)
        val: tuple[FloatArray | None, FloatArray | None] = (None, None)
        if X_val is not None or y_val is not None:
            if X_val is None or y_val is None:
                raise ValueError("give both X_val and y_val, or neither")
            val = steps.check_data(self.model, X_val, y_val, self.objective, f"{what} (validation)")
        self.X, self.y = X_arr, y_arr
        self.X_val, self.y_val = val
        labels = y_arr.astype(np.int64) if self.objective.kind == "multiclass" else y_arr
        self._samples = (X_arr.tolist(), labels.tolist())  # for the graph engine
        self._order = None

    @property
    def lr(self) -> float:
        """The optimizer's learning rate; set it to change the steps from the next one on.

        Refused (``ValueError``) when a scheduler sets the rate.
        """
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        if self.scheduler is not None:
            raise ValueError(
                f"the learning rate follows the scheduler ({type(self.scheduler).__name__}); "
                "train without a scheduler to set it by hand"
            )
        self.optimizer.lr = validation.real("lr", value, low=0.0, low_open=True)

    @property
    def steps_per_epoch(self) -> int:
        """Mini-batches in one pass over the training data."""
        return -(-len(self.X) // self._batch())

    def _batch(self) -> int:
        return len(self.X) if self.batch_size is None else self.batch_size

    def reset(self) -> None:
        """Start again from where this trainer began: its first weights, the optimizer's
        and the scheduler's state of then (momentum, Adam's moments, the schedule's
        progress), an empty history, the shuffling from the seed. The learning rate
        stays as set now, unless a scheduler sets it."""
        weights, restore_optimizer, restore_scheduler = self._start
        steps.restore_weights(self.params, weights)
        lr = self.optimizer.lr
        restore_optimizer()
        if restore_scheduler is not None:
            restore_scheduler()  # and the rate it had set
        else:
            self.optimizer.lr = lr
        self._begin()

    # ------------------------------------------------------------------ training
    def step(self) -> float:
        """Train one mini-batch: forward, loss, backward, update.

        Returns the mini-batch's loss (penalties included) before the update. The
        step that completes a pass over the data also ends the epoch, as
        :meth:`epoch` does (evaluated, recorded, the scheduler stepped).
        """
        loss = self._step()
        if self._position >= len(self.X):
            self._end_epoch(interrupted=False)
        return loss

    def epoch(self) -> EpochResult:
        """Train the rest of the current pass over the data (a whole pass between epochs),
        then evaluate the model on the training and validation data and record it."""
        return self._run_epoch(None)

    def _run_epoch(self, interrupt: threading.Event | None) -> EpochResult:
        """Steps to the end of the pass, or until ``interrupt`` is set (then the epoch ends
        early: ``history.interrupted``)."""
        while True:
            self._step()
            if interrupt is not None and interrupt.is_set():
                return self._end_epoch(interrupted=True)
            if self._position >= len(self.X):
                return self._end_epoch(interrupted=False)

    def _step(self) -> float:
        n, size = len(self.X), self._batch()
        if self._order is None:
            self._order = self._rng.permutation(n) if size < n else np.arange(n)
            self._position = 0
        batch = self._order[self._position : self._position + size].tolist()
        stop = partial(self._diverged, self._position // size + 1)
        if self.tape is not None:
            X, y = self.X[batch], self.y[batch]
            loss = steps.tape_step(
                self.tape, self.objective, X, y, self._penalties, self.optimizer, stop
            )
        else:
            rows, labels = self._samples
            samples = ([rows[i] for i in batch], [labels[i] for i in batch])
            loss = steps.graph_step(
                self.model, self.objective, samples, self._penalties, self.optimizer, stop
            )
        if self._shrunk:
            soft_threshold(self._shrunk, self.optimizer.lr * self.l1)
        self._position += size
        self.global_step += 1
        return loss

    def _end_epoch(self, interrupted: bool) -> EpochResult:
        """Step the scheduler, evaluate, check the weights and the loss, record."""
        self._order = None
        if interrupted:
            self.history.interrupted = True
        elif self.scheduler is not None:
            self.scheduler.step()
        train_loss, train_accuracy = steps.evaluate_arrays(
            self.model, self.X, self.y, self.objective
        )
        weights = [p.data for p in self.params]
        if not all(map(math.isfinite, weights)):
            self._diverged(None, "the weights became infinite or NaN")
        if not math.isfinite(train_loss):
            self._diverged(None, f"the loss became {train_loss}")
        self._last_finite = weights
        val_loss = val_accuracy = None
        if self.X_val is not None and self.y_val is not None:
            val_loss, val_accuracy = steps.evaluate_arrays(
                self.model, self.X_val, self.y_val, self.objective
            )
        result = EpochResult(train_loss, train_accuracy, val_loss, val_accuracy)
        if self.keep_history:
            steps.record(self.history, "train", train_loss, train_accuracy)
            if val_loss is not None:
                steps.record(self.history, "val", val_loss, val_accuracy)
        self.current_epoch += 1
        return result

    def _diverged(self, step: int | None, what: str) -> NoReturn:
        """Restore the last finite weights and raise :class:`TrainingDivergedError`."""
        self._order = None
        steps.restore_weights(self.params, self._last_finite)
        where = (self.current_epoch, step)
        raise steps.divergence(what, where, self.optimizer.lr, self.history)


class _FitTrainer(Trainer):
    """:func:`fit`'s trainer: its messages say "fit", and it checks ``epochs`` after the
    data and before the batch size, where :func:`fit` always did."""

    _caller = "fit"

    def __init__(self, epochs: int, *args: Any, **kwargs: Any) -> None:
        self._epochs = epochs
        super().__init__(*args, **kwargs)

    def _after_data_checked(self) -> None:
        self.epochs = validation.integer("epochs", self._epochs, maximum=MAX_EPOCHS)

    def run(self, progress: bool) -> History:
        """Train ``epochs`` epochs under a progress bar; Ctrl-C ends the epoch and the run."""
        bar = tqdm(range(self.epochs), disable=not progress, unit="epoch", leave=True)
        with steps.stop_on_interrupt() as interrupt:
            for _ in bar:
                self._run_epoch(interrupt)
                bar.set_postfix(steps.progress_postfix(self.history))
                if self.history.interrupted:
                    break
        bar.close()
        return self.history


def _training_tape(model: MLP, objective: Objective, engine: str) -> Tape | None:
    """The tape :class:`Trainer` trains with, or None for the graph engine."""
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

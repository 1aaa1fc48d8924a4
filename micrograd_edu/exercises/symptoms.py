"""Training mistakes recognised from their symptoms: runs with one mistake injected.

Each of the six catalogued training mistakes (:data:`TRAINING_MISTAKES`, see
:data:`micrograd_edu.exercises.mistakes.CATALOGUE`) leaves a fingerprint on a training
run: on the loss curve, on the gradient norm, on the accuracy and so on the
decision boundary. :func:`training_run` trains a small network on the moons
(standardised) with one mistake injected into an ordinary training loop (or none), and
:func:`features` measures the run; :data:`SYMPTOMS` says, for each mistake,
what its fingerprint is, in words and as :class:`Condition` s a run's
features must meet, and tests whether a run shows it.

:func:`mystery_runs` gives notebook 9's six mystery runs, each hiding one
mistake; which is which is not stored anywhere: the check of exercise 9.1
(:mod:`micrograd_edu.exercises.nb09`) derives it from the runs' symptoms,
and the grader draws other runs per submission.

>>> run = training_run("update-sign", steps=10)
>>> run.loss[-1] > run.loss[0]  # gradient ascent: the loss climbs
True
"""

from __future__ import annotations

import itertools
import math
import operator
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal

import numpy as np

from .. import datasets, losses
from ..nn import MLP

__all__ = [
    "SYMPTOMS",
    "TRAINING_MISTAKES",
    "Condition",
    "Features",
    "Run",
    "Symptom",
    "cached_run",
    "features",
    "mistake_shown",
    "mystery_runs",
    "network",
    "training_run",
]

TRAINING_MISTAKES = (
    "missing-zero-grad",
    "update-sign",
    "exploding-lr",
    "sum-not-mean",
    "step-before-backward",
    "missing-target",
)
"""The six training mistakes, by their codes in :data:`~.mistakes.CATALOGUE`."""

LEARNING_RATE = 3.5
"""The learning rate of the correct run (full-batch gradient descent).

Chosen so that the correct run is the best of the seven at the notebook's settings: on
standardised inputs it falls without a rise and fits the moons in :data:`STEPS` steps.
A smaller one leaves it short of that (at 0.5 it ended at a loss of 0.34, 82 %), and
then the mistakes that enlarge the steps ("sum instead of mean", and "missing
zero_grad", whose piled-up gradients act as momentum) ended better than it: the
lesson reversed. A larger one makes the correct run itself bounce."""
TOO_HIGH = 120.0
"""The learning rate of the "learning rate too high" run (about 34 × :data:`LEARNING_RATE`)."""
N_SAMPLES = 40
STEPS = 60
HIDDEN = 8
"""Hidden tanh neurons of the runs' network (2 inputs, one output logit)."""


@dataclass(frozen=True, eq=False)
class Run:
    """One training run: what the loop printed at each step, and the model at the end.

    ``loss[t]`` is the loss the loop computed at step t (before that step's
    update), ``grad_norm[t]`` the norm of every parameter's ``grad`` after that
    step's ``backward()`` (what ``print`` would show), ``accuracy[t]`` the
    training accuracy after the update. ``mistake`` is None for the correct run.
    """

    mistake: str | None
    loss: list[float]
    grad_norm: list[float]
    accuracy: list[float]
    model: MLP
    X: np.ndarray
    y: np.ndarray


def _check_mistake(mistake: str | None) -> None:
    if mistake is not None and mistake not in TRAINING_MISTAKES:
        raise ValueError(
            f"unknown training mistake {mistake!r}: use None (the correct run) or one of "
            + ", ".join(TRAINING_MISTAKES)
        )


def _batch_loss(model: MLP, X: np.ndarray, y: np.ndarray, mistake: str | None) -> Any:
    logits = [model(row) for row in X]
    if mistake == "missing-target":  # softplus(z) − y·z without its − y·z: the label left out
        terms = [losses.softplus(z) for z in logits]  # type: ignore[arg-type]
    else:
        terms = [losses.binary_cross_entropy(z, t) for z, t in zip(logits, y, strict=True)]  # type: ignore[arg-type]
    total = sum(terms[1:], terms[0])
    return total if mistake == "sum-not-mean" else total * (1.0 / len(terms))


def training_run(mistake: str | None, steps: int = STEPS, seed: int = 0, n: int = N_SAMPLES) -> Run:
    """Train a 2-8-1 tanh network on ``n`` moons by full-batch gradient descent, one mistake in.

    The moons are standardised (each input shifted and scaled to mean 0 and standard
    deviation 1), as a careful set-up does before training; the learning rate is
    :data:`LEARNING_RATE`.

    The loop is the course's: ``zero_grad()``, the mean binary cross-entropy,
    ``backward()``, ``p.data -= lr * p.grad``; ``mistake`` changes one thing:

    * ``"missing-zero-grad"``: no ``zero_grad()``;
    * ``"update-sign"``: ``p.data += lr * p.grad``;
    * ``"exploding-lr"``: the learning rate is :data:`TOO_HIGH`;
    * ``"sum-not-mean"``: the loss is the sum over the batch, not the mean;
    * ``"step-before-backward"``: the update runs before ``backward()``;
    * ``"missing-target"``: the loss leaves the label out (softplus(z) instead
      of softplus(z) − y·z: its slope is σ(z), not σ(z) − y).

    ``seed`` draws the data set's noise and the initial weights.
    Raises ValueError for an unknown mistake.
    """
    _check_mistake(mistake)
    X, y = datasets.moons(n=n, noise=0.1, seed=seed)
    X = _standardised(X)
    model = network(seed)
    params = model.parameters()
    lr = TOO_HIGH if mistake == "exploding-lr" else LEARNING_RATE
    sign = 1.0 if mistake == "update-sign" else -1.0
    loss_curve, norms, accuracy = [], [], []
    for _ in range(steps):
        if mistake != "missing-zero-grad":
            model.zero_grad()
        loss = _batch_loss(model, X, y, mistake)
        if mistake == "step-before-backward":
            for p in params:
                p.data += sign * lr * p.grad
            loss.backward()
        else:
            loss.backward()
            for p in params:
                p.data += sign * lr * p.grad
        loss_curve.append(loss.data)
        norms.append(math.sqrt(math.fsum(p.grad * p.grad for p in params)))
        accuracy.append(_accuracy(model, X, y))
    return Run(mistake, loss_curve, norms, accuracy, model, X, y)


def _standardised(X: datasets.FloatArray) -> datasets.FloatArray:
    """``X`` with each column shifted and scaled to mean 0 and standard deviation 1.

    Shape ``(n, d)`` in and out; ValueError for a constant column (nothing to scale).

    >>> _standardised(np.array([[1.0, 10.0], [3.0, 30.0]])).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    """
    spread = X.std(axis=0)
    if not np.all(spread > 0.0):
        raise ValueError("a column of X is constant (standard deviation 0)")
    scaled: datasets.FloatArray = (X - X.mean(axis=0)) / spread
    return scaled


def network(seed: int = 0) -> MLP:
    """The runs' network: 2 inputs, :data:`HIDDEN` tanh neurons, one output logit, its
    initial weights drawn from ``seed``."""
    return MLP(2, [HIDDEN, 1], activation="tanh", seed=seed)


def _accuracy(model: MLP, X: np.ndarray, y: np.ndarray) -> float:
    logits = model.forward_array(X)[:, 0]
    return float(np.mean((logits > 0.0) == (y > 0.5)))


# ---------------------------------------------------------------------- features
@dataclass(frozen=True)
class Features:
    """The numbers a symptom is read from (all from one :class:`Run`).

    Losses that are not finite count as 1e300. ``rises`` is how many of the
    first five steps raised the loss; ``reversals`` how often the loss curve
    changes direction; ``norm_growth`` the last gradient norm over the first;
    ``final_accuracy`` a fraction (0.5: chance); ``n`` the number of samples.
    """

    first_loss: float
    last_loss: float
    min_loss: float
    max_loss: float
    ln2: float  # the first loss of a mean cross-entropy: ln 2 per sample, times n for a sum
    flat: bool
    rises: int
    rises_at_once: bool
    reversals: int
    norm_growth: float
    final_accuracy: float
    n: int


FIRST_STEPS = 5
"""How many of the first steps must raise the loss for "it rises from the very first step"."""


def features(run: Run) -> Features:
    """Measure ``run``: loss levels, how the curve moves, gradient growth, accuracy.

    >>> f = features(training_run("step-before-backward", steps=5))
    >>> f.flat, f.first_loss == f.last_loss, f.n
    (True, True, 40)
    """
    loss = [x if math.isfinite(x) else 1e300 for x in run.loss]
    steps = np.diff(loss)
    signs = np.sign(steps[np.abs(steps) > 1e-9 * max(1.0, abs(loss[0]))])
    norms = run.grad_norm
    rises = sum(b > a for a, b in itertools.pairwise(loss[: FIRST_STEPS + 1]))
    return Features(
        first_loss=loss[0],
        last_loss=loss[-1],
        min_loss=min(loss),
        max_loss=max(loss),
        ln2=math.log(2.0),
        flat=_spread(loss) <= _flat_bound(loss[0]),
        rises=rises,
        rises_at_once=rises == min(FIRST_STEPS, len(loss) - 1),
        reversals=int(np.sum(signs[1:] != signs[:-1])) if len(signs) > 1 else 0,
        norm_growth=norms[-1] / norms[0] if norms[0] else math.inf,
        final_accuracy=run.accuracy[-1],
        n=len(run.y),
    )


def _spread(loss: list[float]) -> float:
    return max(loss) - min(loss)


def _flat_bound(first: float) -> float:
    return 1e-12 * max(1.0, abs(first))


# ---------------------------------------------------------------------- symptoms
Relation = Literal[">", "<", ">=", "<="]
_RELATIONS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}


@dataclass(frozen=True)
class Condition:
    """One part of a symptom: ``measure(f) relation bound(f)`` on a run's :class:`Features`.

    ``fails`` says what a run shows when the condition does not hold, with the
    numbers in ``{value}`` (the measure), ``{bound}`` and ``{n}`` (the samples):
    :meth:`failure` fills them in with digits enough to tell them apart, so that
    the quoted numbers themselves show that the condition fails.

    >>> growth = SYMPTOMS["missing-zero-grad"].conditions[0]
    >>> f = features(training_run("step-before-backward", steps=5))
    >>> growth.holds(f), growth.failure(f)
    (False, 'its gradient norm ends 1 times where it started, not more than 1.5 times')
    """

    measure: Callable[[Features], float]
    relation: Relation
    bound: Callable[[Features], float]
    fails: str

    def holds(self, f: Features) -> bool:
        """Whether ``f`` meets this condition."""
        return _RELATIONS[self.relation](self.measure(f), self.bound(f))

    def numbers(self, f: Features) -> tuple[str, str]:
        """The measure and the bound as :meth:`failure` quotes them (3 significant digits,
        more until they differ)."""
        value, bound = float(self.measure(f)), float(self.bound(f))
        for digits in range(3, 18):
            shown = (_number(value, digits), _number(bound, digits))
            if shown[0] != shown[1]:
                break
        return shown

    def failure(self, f: Features) -> str:
        """What the run shows instead, its numbers quoted (meant for a run that fails it)."""
        value, bound = self.numbers(f)
        return self.fails.format(value=value, bound=bound, n=f.n)


def _number(x: float, digits: int) -> str:
    return f"{x:.{digits}g}"


@dataclass(frozen=True)
class Symptom:
    """What a mistake looks like, in words, and the :class:`Condition` s a run showing it meets."""

    looks_like: str
    conditions: tuple[Condition, ...]

    def shows(self, f: Features) -> bool:
        """Whether a run with features ``f`` shows this symptom: every condition holds."""
        return all(condition.holds(f) for condition in self.conditions)

    def failed(self, f: Features) -> Condition:
        """The first condition ``f`` does not meet; ValueError if it shows the symptom."""
        for condition in self.conditions:
            if not condition.holds(f):
                return condition
        raise ValueError("the run shows this symptom: every condition holds")

    def instead(self, f: Features) -> str:
        """What a run that does not show the symptom shows instead, with its numbers."""
        return self.failed(f).failure(f)


_MEAN_SCALE = Condition(
    lambda f: f.first_loss,
    "<",
    lambda f: 3.0 * f.ln2,
    "its first loss is {value}, not below {bound} (3 · ln 2), where a mean loss starts",
)
_ENDS_LOWER = Condition(
    lambda f: f.last_loss,
    "<",
    lambda f: f.first_loss,
    "its loss ends at {value}, not below where it started ({bound})",
)
_ENDS_HIGHER = Condition(
    lambda f: f.last_loss,
    ">",
    lambda f: f.first_loss,
    "its loss ends at {value}, not above where it started ({bound})",
)

SYMPTOMS: dict[str, Symptom] = {
    "missing-zero-grad": Symptom(
        "the gradient norm grows instead of shrinking (old gradients pile up instead of being "
        "cleared), while the loss, after a fast start, swings up and down and never settles",
        (
            Condition(
                lambda f: f.norm_growth,
                ">",
                lambda f: 1.5,
                "its gradient norm ends {value} times where it started, "
                "not more than {bound} times",
            ),
            _ENDS_LOWER,
            _MEAN_SCALE,
        ),
    ),
    "update-sign": Symptom(
        "the loss rises from the very first step and keeps rising: every step climbs the loss",
        (
            Condition(
                lambda f: f.rises,
                ">=",
                lambda f: FIRST_STEPS,
                "its loss rises at {value} of its first {bound} steps, not at every one",
            ),
            Condition(
                lambda f: f.reversals,
                "<=",
                lambda f: 3,
                "its loss changes direction {value} times, more than {bound}: it does not "
                "keep rising",
            ),
            Condition(
                lambda f: f.last_loss,
                ">",
                lambda f: 2.0 * f.first_loss,
                "its loss ends at {value}, not above twice its first loss ({bound})",
            ),
            _MEAN_SCALE,
        ),
    ),
    "exploding-lr": Symptom(
        "the loss starts where a mean loss starts (about ln 2 = 0.69), then jumps up and down "
        "from the first steps on, far above where it began: every step overshoots",
        (
            Condition(
                lambda f: f.reversals,
                ">=",
                lambda f: 4,
                "its loss changes direction {value} times, fewer than {bound}",
            ),
            _ENDS_HIGHER,
            Condition(
                lambda f: f.rises,
                "<",
                lambda f: FIRST_STEPS,
                "its loss rises at {value} of its first {bound} steps: it climbs from the "
                "start, it does not jump",
            ),
            _MEAN_SCALE,
        ),
    ),
    "sum-not-mean": Symptom(
        "the loss starts n times too high (n · ln 2 for n samples, not ln 2 ≈ 0.69) and the "
        "steps are n times too large",
        (
            Condition(
                lambda f: f.first_loss,
                ">",
                lambda f: 0.5 * f.n * f.ln2,
                "its first loss is {value}, not above {bound}, half of n · ln 2 for its "
                "n = {n} samples",
            ),
        ),
    ),
    "step-before-backward": Symptom(
        "the loss does not move at all although the gradients are not zero: every update "
        "used gradients that were still zero",
        (
            Condition(
                lambda f: f.max_loss - f.min_loss,
                "<=",
                lambda f: _flat_bound(f.first_loss),
                "its loss moves, by {value} between its lowest and its highest point",
            ),
        ),
    ),
    "missing-target": Symptom(
        "the loss falls smoothly towards 0 but the accuracy stays at chance (about 50 %): "
        "the network learns to call everything one class",
        (
            Condition(
                lambda f: 100.0 * f.final_accuracy,
                "<",
                lambda f: 65.0,
                "its accuracy ends at {value} %, not below {bound} %",
            ),
            Condition(
                lambda f: f.last_loss,
                "<",
                lambda f: 0.5 * f.first_loss,
                "its loss ends at {value}, not below half its first loss ({bound})",
            ),
        ),
    ),
}
"""Each training mistake's fingerprint: in words, and as the conditions a run's
:class:`Features` meet when it shows it (the first one that fails says why not)."""


def mistake_shown(run: Run) -> str | None:
    """The one training mistake whose symptom ``run`` shows; None for none or several.

    >>> mistake_shown(training_run("sum-not-mean", steps=20))
    'sum-not-mean'
    """
    f = features(run)
    shown = [code for code, symptom in SYMPTOMS.items() if symptom.shows(f)]
    return shown[0] if len(shown) == 1 else None


# ---------------------------------------------------------------------- mystery runs
LETTERS = "ABCDEF"
MYSTERY_SEED = 1
"""The data set and initial weights of notebook 9's mystery runs (the demonstrations use 0)."""


@lru_cache(maxsize=128)
def cached_run(mistake: str | None, seed: int, n: int = N_SAMPLES) -> Run:
    """:func:`training_run` for ``mistake``, ``seed`` and ``n``, computed once per process."""
    return training_run(mistake, seed=seed, n=n)


@cache
def mystery_runs() -> dict[str, Run]:
    """Notebook 9's runs A–F, each hiding one training mistake, each mistake once.

    Their ``mistake`` field is blanked: read the curves, not the answer. The
    same runs every time (:data:`MYSTERY_SEED`, :data:`N_SAMPLES` samples).
    """
    order = list(TRAINING_MISTAKES)
    random.Random(f"notebook 9 mystery runs {MYSTERY_SEED}").shuffle(order)
    runs = {}
    for letter, mistake in zip(LETTERS, order, strict=True):
        run = cached_run(mistake, MYSTERY_SEED)
        runs[letter] = Run(None, run.loss, run.grad_norm, run.accuracy, run.model, run.X, run.y)
    return runs

"""Training mistakes recognised from their symptoms: runs with one mistake injected.

Each of the six catalogued training mistakes (:data:`TRAINING_MISTAKES`, see
:data:`micrograd_edu.exercises.mistakes.CATALOGUE`) leaves a fingerprint on a training
run: on the loss curve, on the gradient norm, on the accuracy and so on the
decision boundary. :func:`training_run` trains a small network on the moons
with one mistake injected into an ordinary training loop (or none), and
:func:`features` measures the run; :data:`SYMPTOMS` says, for each mistake,
what its fingerprint is and tests whether a run shows it.

The mystery runs of notebook 9 are built here too: :func:`mystery_runs` trains
one run per mistake, in an order drawn from a seed, and :func:`judge_guesses`
names each run's mistake back, or refuses a wrong guess with the symptom that
mistake would have shown. :func:`probe_guesses` and :func:`judge_guesses` are
exercise 9.1's probe and judge (:mod:`micrograd_edu.exercises.nb09`; the
grader runs the probe in the student's kernel and the judge in its own process).

>>> run = training_run("update-sign", steps=10)
>>> run.loss[-1] > run.loss[0]  # gradient ascent: the loss climbs
True
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .. import datasets, losses
from ..nn import MLP
from .mistakes import CATALOGUE, WrongAnswerError

__all__ = [
    "SYMPTOMS",
    "TRAINING_MISTAKES",
    "Features",
    "Run",
    "Symptom",
    "features",
    "judge_guesses",
    "mystery_case",
    "mystery_runs",
    "probe_guesses",
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

LEARNING_RATE = 0.5
"""The learning rate of the correct run (full-batch gradient descent)."""
TOO_HIGH = 60.0
"""The learning rate of the "learning rate too high" run."""
N_SAMPLES = 40
STEPS = 60


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
    model = MLP(2, [8, 1], activation="tanh", seed=seed)
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


def _accuracy(model: MLP, X: np.ndarray, y: np.ndarray) -> float:
    logits = model.forward_array(X)[:, 0]
    return float(np.mean((logits > 0.0) == (y > 0.5)))


# ---------------------------------------------------------------------- symptoms
@dataclass(frozen=True)
class Features:
    """The numbers a symptom is read from (all from one :class:`Run`)."""

    first_loss: float
    last_loss: float
    min_loss: float
    ln2: float  # the first loss of a mean cross-entropy: ln 2 per sample, times n for a sum
    flat: bool
    rises_at_once: bool
    reversals: int
    norm_growth: float
    final_accuracy: float
    n: int


def features(run: Run) -> Features:
    """Measure ``run``: loss levels, how the curve moves, gradient growth, accuracy."""
    loss = [x if math.isfinite(x) else 1e300 for x in run.loss]
    steps = np.diff(loss)
    signs = np.sign(steps[np.abs(steps) > 1e-9 * max(1.0, abs(loss[0]))])
    norms = run.grad_norm
    return Features(
        first_loss=loss[0],
        last_loss=loss[-1],
        min_loss=min(loss),
        ln2=math.log(2.0),
        flat=max(loss) - min(loss) <= 1e-12 * max(1.0, abs(loss[0])),
        rises_at_once=all(b > a for a, b in itertools.pairwise(loss[:6])),
        reversals=int(np.sum(signs[1:] != signs[:-1])) if len(signs) > 1 else 0,
        norm_growth=norms[-1] / norms[0] if norms[0] else math.inf,
        final_accuracy=run.accuracy[-1],
        n=len(run.y),
    )


@dataclass(frozen=True)
class Symptom:
    """What a mistake looks like, a test of a run's features, and what a run shows instead."""

    looks_like: str
    shows: Callable[[Features], bool]
    instead: Callable[[Features], str]


def _mean_scale(f: Features) -> bool:
    """The first loss is about ln 2, the mean cross-entropy of an untrained network."""
    return f.first_loss < 3.0 * f.ln2


SYMPTOMS: dict[str, Symptom] = {
    "missing-zero-grad": Symptom(
        "the gradient norm grows and grows (old gradients pile up instead of being cleared), "
        "while the loss, after a fast start, swings up and down",
        lambda f: _mean_scale(f) and f.norm_growth > 2.5 and f.last_loss < f.first_loss,
        lambda f: f"its gradient norm ends {f.norm_growth:.2g} times where it started",
    ),
    "update-sign": Symptom(
        "the loss rises from the very first step and keeps rising: every step climbs the loss",
        lambda f: _mean_scale(f) and f.rises_at_once and f.last_loss > 2.0 * f.first_loss,
        lambda f: (
            f"its loss goes from {f.first_loss:.3g} to {f.last_loss:.3g} (lowest {f.min_loss:.3g})"
        ),
    ),
    "exploding-lr": Symptom(
        "the loss starts where a mean loss starts (about ln 2 = 0.69), then jumps up and down, "
        "far above where it began: every step overshoots",
        lambda f: _mean_scale(f) and f.reversals >= 4 and f.last_loss > f.first_loss,
        lambda f: (
            f"its loss goes from {f.first_loss:.3g} to {f.last_loss:.3g}, changing "
            f"direction {f.reversals} times"
        ),
    ),
    "sum-not-mean": Symptom(
        "the loss starts n times too high (n · ln 2 for n samples, not ln 2 ≈ 0.69) and the "
        "steps are n times too large",
        lambda f: f.first_loss > 0.5 * f.n * f.ln2,
        lambda f: (
            f"its first loss is {f.first_loss:.3g}, for n = {f.n} samples "
            f"(n · ln 2 = {f.n * f.ln2:.3g})"
        ),
    ),
    "step-before-backward": Symptom(
        "the loss does not move at all although the gradients are not zero: every update "
        "used gradients that were still zero",
        lambda f: f.flat,
        lambda f: f"its loss goes from {f.first_loss:.6g} to {f.last_loss:.6g}",
    ),
    "missing-target": Symptom(
        "the loss falls smoothly towards 0 but the accuracy stays at chance (about 50 %): "
        "the network learns to call everything one class",
        lambda f: f.last_loss < 0.5 * f.first_loss and f.final_accuracy < 0.65,
        lambda f: (
            f"its loss ends at {f.last_loss:.3g} with accuracy {100 * f.final_accuracy:.0f} %"
        ),
    ),
}
"""Each training mistake's fingerprint, in words and as a test of a run's :class:`Features`."""


# ---------------------------------------------------------------------- mystery runs
LETTERS = "ABCDEF"


def mystery_case(seed: int = 0) -> dict[str, Any]:
    """The mystery exercise's case: which mistake each run A–F hides, drawn from ``seed``.

    ``"_answers"`` starts with ``_``: the grader keeps it out of the student's kernel.

    >>> sorted(mystery_case(0)["_answers"].values()) == sorted(TRAINING_MISTAKES)
    True
    """
    order = list(TRAINING_MISTAKES)
    random.Random(seed).shuffle(order)
    return {"seed": seed, "_answers": dict(zip(LETTERS, order, strict=True))}


@lru_cache(maxsize=36)
def _cached_run(mistake: str, seed: int) -> Run:
    return training_run(mistake, seed=seed)


def mystery_runs(seed: int = 0) -> dict[str, Run]:
    """Runs A–F, each with one hidden training mistake (see :func:`mystery_case`).

    The runs' ``mistake`` field is blanked: read the curves, not the answer.
    """
    answers = mystery_case(seed)["_answers"]
    runs = {}
    for letter, mistake in answers.items():
        run = _cached_run(mistake, seed)
        runs[letter] = Run(None, run.loss, run.grad_norm, run.accuracy, run.model, run.X, run.y)
    return runs


def _short(x: object, limit: int = 80) -> str:
    """``repr(x)`` cut to ``limit`` characters: an answer of any size quoted in a message."""
    text = repr(x)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _as_code(guess: object) -> str | None:
    """A guess as a catalogue code: the code itself or the mistake's name, any case."""
    if not isinstance(guess, str):
        return None
    text = guess.strip().lower()
    for code in TRAINING_MISTAKES:
        if text in (code, CATALOGUE[code].name.lower()):
            return code
    return None


def probe_guesses(case: Any, guard: Any, guesses: object) -> dict[str, str]:
    """The probe: the student's guesses as plain strings, letter by letter.

    ``guard`` is unused (no student code runs: the answer is data). Raises
    NotImplementedError while a guess is still None (the exercise is not done).
    """
    if not isinstance(guesses, dict):
        return {"_type": type(guesses).__name__}
    if any(guess is None for guess in guesses.values()):
        raise NotImplementedError("a guess is still None")
    return {str(letter): str(guess)[:100] for letter, guess in guesses.items()}


def judge_guesses(case: Any, data: Any, number: str = "9.1") -> str:
    """The judge: each run's mistake named back, or the first wrong guess refused.

    A wrong guess is refused with that mistake's symptom and what the run
    shows instead (:class:`~micrograd_edu.exercises.mistakes.WrongAnswerError`).
    """
    answers: dict[str, str] = case["_answers"]
    if not isinstance(data, dict) or set(data) != set(answers):
        raise WrongAnswerError(
            number,
            f"give a dict with one mistake for each run {', '.join(sorted(answers))}",
            got=_short(data),
        )
    named = []
    for letter in sorted(answers):
        code = _as_code(data[letter])
        if code is None:
            raise WrongAnswerError(
                number,
                f"run {letter}: {_short(data[letter])} is not one of the six training mistakes",
                expected=" / ".join(TRAINING_MISTAKES),
                got=_short(data[letter]),
            )
        if code != answers[letter]:
            shown = features(_cached_run(answers[letter], case["seed"]))
            raise WrongAnswerError(
                number,
                f"run {letter} is not '{CATALOGUE[code].name}'",
                hint=f"'{CATALOGUE[code].name}' looks like this: {SYMPTOMS[code].looks_like}. "
                f"Run {letter} does not: {SYMPTOMS[code].instead(shown)}.",
            )
        mistake = CATALOGUE[code]
        named.append(f"run {letter}: {mistake.name} — {mistake.explanation}")
    return "every mistake recognised:\n  " + "\n  ".join(named)

"""Notebook 9, training mistakes recognised from their symptoms: 9.1 name a run's mistake.

The student writes ``name_mistake(run)``: it reads one training run's numbers (the
loss, the gradient norm and the accuracy at every step, its samples) and returns
the code, or the name, of the one training mistake the run hides.

* **The notebook's case** is the six mystery runs A–F of
  :func:`~micrograd_edu.exercises.symptoms.mystery_runs`. Which mistake each hides is
  stored nowhere: the judge derives it at check time from the run's symptoms
  (:func:`~micrograd_edu.exercises.symptoms.mistake_shown`).
* **The grader's hidden case** holds six other runs, one per mistake in a random
  order, each trained on its own data set with its own initial weights (a 62-bit
  seed) and its own number of samples (30 to 50), all drawn from the
  submission's seed, which the kernel never sees. A run is drawn again until its
  symptom is its own mistake's and no other's. The key (``"_answers"``) stays in
  the grader's process.
* **The probe** calls the student's function on every run, twice (on fresh
  copies), while the library's own reading of the symptoms is switched off
  (:data:`SYMPTOM_READERS`): the rules are the student's to write.
* **The judge** names each run's mistake back, or says which run is named
  wrong and, from the second attempt, the symptom the named mistake shows and
  the run's own numbers that show it does not.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from .code_errors import StudentCodeError
from .compare import NO_RETURN, show
from .core import Exercise, Guard, plain, run_check
from .mistakes import CATALOGUE, WrongAnswerError, exercise
from .symptoms import (
    LETTERS,
    SYMPTOMS,
    TRAINING_MISTAKES,
    Run,
    cached_run,
    features,
    mistake_shown,
    mystery_runs,
    network,
)

__all__ = [
    "EXERCISES",
    "SAMPLES",
    "SYMPTOM_READERS",
    "check_mystery_runs",
    "mistake_code",
    "run_from_data",
    "run_to_data",
]

SAMPLES = (30, 50)
"""The fewest and the most samples of a hidden run (the notebook's runs have 40)."""

MAX_DRAWS = 50
"""Draws of one hidden run before giving up (a run shows its own symptom alone more than 9
times in 10, for each mistake: 302 draws gave the 300 runs of 50 cases)."""

SYMPTOM_READERS: tuple[tuple[str, str], ...] = (
    ("micrograd_edu.exercises.symptoms", "features"),
    ("micrograd_edu.exercises.symptoms", "mistake_shown"),
    ("micrograd_edu.exercises.symptoms:Symptom", "shows"),
    ("micrograd_edu.exercises.symptoms:Symptom", "failed"),
    ("micrograd_edu.exercises.symptoms:Symptom", "instead"),
    ("micrograd_edu.exercises.symptoms:Condition", "holds"),
)
"""The library's own reading of a run's symptoms, switched off while ``name_mistake`` runs."""

READING_ORDER = (
    "read a run in this order: its first loss (the scale: a mean loss starts near "
    "ln 2 ≈ 0.69), then the shape of its loss curve (flat, rising from the first step, "
    "jumping up and down), then a second number beside the loss (how much the gradient "
    "norm grows, the final accuracy)"
)
"""The third stage of a misnamed run's feedback: how to read any run, never which mistake."""

SECOND_CALL = "when called again on the same runs (the first time it went through)"
"""Added to an error of the student's code in the probe's second round of calls."""

STATE_HINT = (
    "something from an earlier call was kept: a variable outside the function (a set of "
    "the mistakes already named, say), a default argument such as seen=[], or the run "
    "changed in place"
)


# ---------------------------------------------------------------------- runs as data
def run_to_data(run: Run) -> dict[str, Any]:
    """``run`` as JSON data: its curves, its data set and its network's final parameters.

    Its ``mistake`` is left out. :func:`run_from_data` gives the run back.
    """
    return {
        "loss": [float(x) for x in run.loss],
        "grad_norm": [float(x) for x in run.grad_norm],
        "accuracy": [float(x) for x in run.accuracy],
        "X": np.asarray(run.X, dtype=float).tolist(),
        "y": np.asarray(run.y, dtype=float).tolist(),
        "parameters": [p.data for p in run.model.parameters()],
    }


def run_from_data(data: Any) -> Run:
    """The :class:`~micrograd_edu.exercises.symptoms.Run` of :func:`run_to_data`'s data
    (its ``mistake`` None). Raises ValueError when ``data`` is not a run's.

    >>> from micrograd_edu.exercises.symptoms import training_run
    >>> run = training_run("update-sign", steps=3)
    >>> again = run_from_data(run_to_data(run))
    >>> again.loss == run.loss, again.mistake, again.X.shape
    (True, None, (40, 2))
    """
    try:
        model = network()
        params = model.parameters()
        values = [float(x) for x in data["parameters"]]
        if len(values) != len(params):
            raise ValueError(f"{len(values)} parameters for a network of {len(params)}")
        for p, value in zip(params, values, strict=True):
            p.data = value
        X = np.asarray(data["X"], dtype=float).reshape(-1, 2)
        y = np.asarray(data["y"], dtype=float)
        curves = [[float(x) for x in data[key]] for key in ("loss", "grad_norm", "accuracy")]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"not a training run's data: {type(error).__name__}: {error}") from None
    if len(X) != len(y) or not curves[0] or len({len(c) for c in curves}) != 1:
        raise ValueError("not a training run's data: its curves or its samples disagree in length")
    return Run(None, curves[0], curves[1], curves[2], model, X, y)


# ---------------------------------------------------------------------- cases
@cache
def _notebook_runs() -> tuple[dict[str, Any], ...]:
    return tuple(run_to_data(run) for run in mystery_runs().values())


def _notebook_case() -> dict[str, Any]:
    """The mystery runs A–F as data, without their mistakes (derived from their symptoms)."""
    return {"names": [f"run {letter}" for letter in LETTERS], "runs": list(_notebook_runs())}


def _finite(run: Run) -> bool:
    numbers = [*run.loss, *run.grad_norm, *(p.data for p in run.model.parameters())]
    return all(math.isfinite(x) for x in numbers)


def _hidden_run(rng: random.Random, mistake: str) -> Run:
    """A run with ``mistake``, drawn until it shows that mistake's symptom and no other."""
    for _ in range(MAX_DRAWS):
        seed, n = rng.getrandbits(62), rng.randint(*SAMPLES)
        run = cached_run(mistake, seed, n)
        if _finite(run) and mistake_shown(run) == mistake:
            return run
    raise RuntimeError(f"no run clearly showing {mistake!r} in {MAX_DRAWS} draws")


def _hidden_case(rng: random.Random) -> dict[str, Any]:
    """Six runs drawn from ``rng``, one per mistake in a random order; the key kept apart."""
    order = list(TRAINING_MISTAKES)
    rng.shuffle(order)
    runs = [run_to_data(_hidden_run(rng, mistake)) for mistake in order]
    names = [f"hidden run {i}" for i in range(1, len(runs) + 1)]
    return {"names": names, "runs": runs, "_answers": order}


def _key(case: dict[str, Any]) -> list[str]:
    """Each run's mistake: the grader's secret key, or (the notebook's runs) their symptoms'."""
    if "_answers" in case:
        return list(case["_answers"])
    key = [mistake_shown(run_from_data(data)) for data in case["runs"]]
    unclear = [name for name, code in zip(case["names"], key, strict=True) if code is None]
    if unclear:
        raise ValueError(f"{', '.join(unclear)} shows no single symptom")
    return [code for code in key if code is not None]


# ---------------------------------------------------------------------- probe and judge
def _probe(case: dict[str, Any], guard: Guard, name_mistake: Any) -> dict[str, Any]:
    if not callable(name_mistake):
        raise WrongAnswerError(
            "9.1",
            f"name_mistake must be a function of one run, not a {type(name_mistake).__name__}",
            hint="def name_mistake(run): read run.loss, run.grad_norm, run.accuracy and "
            "len(run.y), and return a mistake's code such as 'update-sign'",
        )
    first = _answers(case, guard, name_mistake)
    try:  # again, on fresh runs: what the first call kept or changed shows
        again = _answers(case, guard, name_mistake)
    except StudentCodeError as error:
        raise StudentCodeError(
            "9.1", f"{error.message} {SECOND_CALL}", error.line, error.code
        ) from None
    return {"names": first, "again": again}


def _answers(case: dict[str, Any], guard: Guard, name_mistake: Callable[[Run], Any]) -> list[Any]:
    answers = []
    for run in [run_from_data(data) for data in case["runs"]]:
        with guard():
            answer = name_mistake(run)
        answers.append(plain(answer))  # now: a later call may change what it returned
    return answers


def mistake_code(answer: object) -> str | None:
    """The training mistake ``answer`` names: its code or its catalogue name, in any case,
    with ``-``, ``_`` and spaces alike; None if it names none.

    >>> mistake_code("Update-Sign"), mistake_code("missing zero grad"), mistake_code(3)
    ('update-sign', 'missing-zero-grad', None)
    >>> mistake_code("+= instead of -= in the update")
    'update-sign'
    """
    if not isinstance(answer, str):
        return None
    text = _spelling(answer)
    for code in TRAINING_MISTAKES:
        if text in (_spelling(code), _spelling(CATALOGUE[code].name)):
            return code
    return None


def _spelling(text: str) -> str:
    for dash in "-_−":
        text = text.replace(dash, " ")
    return " ".join(text.lower().split())


def _quoted(answer: object) -> str:
    text = repr(answer) if isinstance(answer, str) else show(answer)
    return text if len(text) <= 60 else text[:59] + "…"


def _judge(case: dict[str, Any], data: Any) -> str:
    names, runs = case["names"], case["runs"]
    answers = data.get("names") if isinstance(data, dict) else None
    if not isinstance(answers, list) or len(answers) != len(runs):
        raise WrongAnswerError("9.1", "the probe's answer has the wrong form")
    codes = []
    for name, answer in zip(names, answers, strict=True):
        code = mistake_code(answer)
        if code is None:
            raise _not_a_mistake(name, answer)
        codes.append(code)
    key = _key(case)
    wrong = [i for i, (code, truth) in enumerate(zip(codes, key, strict=True)) if code != truth]
    if wrong:
        first = wrong[0]
        raise _misnamed(names[first], codes[first], runs[first], len(wrong), len(runs))
    _same_again(names, answers, data.get("again"))
    lines = [
        f"{name}: {CATALOGUE[code].name} — {CATALOGUE[code].explanation}"
        for name, code in zip(names, codes, strict=True)
    ]
    return f"all {len(runs)} runs named right.\n  " + "\n  ".join(lines)


def _not_a_mistake(name: str, answer: object) -> WrongAnswerError:
    return WrongAnswerError(
        "9.1",
        f"{name}: name_mistake returned {_quoted(answer)}, not one of the six training mistakes",
        expected=" / ".join(repr(code) for code in TRAINING_MISTAKES),
        got=_quoted(answer) + (NO_RETURN if answer is None else ""),
        hint="return one mistake's code as a string (or the mistake's name), for every run: "
        "a rule for each of the six mistakes",
    )


def _misnamed(
    name: str, code: str, data: dict[str, Any], count: int, total: int
) -> WrongAnswerError:
    """A run named with the wrong mistake: that mistake's symptom, and the run's numbers
    that show it does not have it (the first of the symptom's conditions it fails)."""
    mistake, symptom = CATALOGUE[code], SYMPTOMS[code]
    more = f" ({count} of the {total} runs are named wrong)" if count > 1 else ""
    shown = symptom.instead(features(run_from_data(data)))
    return WrongAnswerError(
        "9.1",
        f"{name} is not '{mistake.name}'{more}",
        hint=f"'{mistake.name}' looks like this: {symptom.looks_like}. "
        f"{name[0].upper()}{name[1:]} does not: {shown}.",
        formula=READING_ORDER,
    )


def _same_again(names: list[str], first: list[Any], again: Any) -> None:
    if isinstance(again, list) and again == first:
        return
    if not isinstance(again, list) or len(again) != len(first):
        raise WrongAnswerError("9.1", "the probe's answer has the wrong form")
    i = next(i for i, (a, b) in enumerate(zip(first, again, strict=True)) if a != b)
    raise WrongAnswerError(
        "9.1",
        f"name_mistake named {names[i]} {_quoted(first[i])} the first time and "
        f"{_quoted(again[i])} when called again on the same run",
        hint=STATE_HINT,
    )


MYSTERY_RUNS = Exercise(
    number="9.1",
    what="name_mistake",
    notebook_case=_notebook_case,
    hidden_case=_hidden_case,
    probe=_probe,
    judge=_judge,
    switch=SYMPTOM_READERS,
)


@exercise("9.1")
def check_mystery_runs(name_mistake: Callable[[Run], str]) -> None:
    """Exercise 9.1: ``name_mistake(run)`` names the training mistake a run hides.

    ``run`` is a :class:`~micrograd_edu.exercises.symptoms.Run`; the answer is a
    mistake's code (``"update-sign"``) or its name (``"+= instead of −= in the
    update"``). Checked on the mystery runs A–F (each hides one mistake: which is
    derived from its symptoms); when grading, on six runs drawn per submission.
    Prints "✓ ..." naming each run's mistake back; a run named wrong raises
    :class:`~micrograd_edu.exercises.mistakes.WrongAnswerError` saying which, and
    from the second attempt the symptom that mistake shows and the run's numbers
    that show it does not. While ``name_mistake`` runs, the library's own reading of
    symptoms is switched off (:data:`SYMPTOM_READERS`).
    """
    run_check("9.1", name_mistake)


EXERCISES = {"9.1": MYSTERY_RUNS}

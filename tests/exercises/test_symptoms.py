"""Training mistakes recognised from their symptoms, and the mystery-run exercise (9.1)."""

from __future__ import annotations

import math

import pytest

from micrograd_edu.exercises import check_mystery_runs
from micrograd_edu.exercises.mistakes import CATALOGUE, EXERCISES, RESULTS, WrongAnswerError
from micrograd_edu.exercises.symptoms import (
    SYMPTOMS,
    TRAINING_MISTAKES,
    features,
    judge_guesses,
    mystery_case,
    mystery_runs,
    probe_guesses,
    training_run,
)


def test_the_six_mistakes_are_in_the_catalogue() -> None:
    assert set(TRAINING_MISTAKES) == set(SYMPTOMS)
    assert all(code in CATALOGUE for code in TRAINING_MISTAKES)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_each_run_shows_its_own_symptom_and_no_other(seed: int) -> None:
    for mistake in (None, *TRAINING_MISTAKES):
        shown = [
            code
            for code, symptom in SYMPTOMS.items()
            if symptom.shows(features(training_run(mistake, seed=seed)))
        ]
        assert shown == ([mistake] if mistake else []), (seed, mistake)


def test_fingerprints_measured_on_real_runs() -> None:
    correct = training_run(None, steps=30)
    assert correct.loss[0] == pytest.approx(0.6667, abs=1e-3)  # about ln 2 = 0.693: untrained
    assert correct.loss[-1] < 0.6 * correct.loss[0]
    flat = training_run("step-before-backward", steps=30)
    assert flat.loss == [correct.loss[0]] * 30  # the update always saw zero gradients
    assert flat.grad_norm == [correct.grad_norm[0]] * 30  # though backward() computed them
    summed = training_run("sum-not-mean", steps=1)
    assert summed.loss[0] == pytest.approx(40 * correct.loss[0])  # n = 40 samples
    assert summed.grad_norm[0] == pytest.approx(40 * correct.grad_norm[0])
    piled = training_run("missing-zero-grad", steps=30)
    assert piled.loss[:2] == correct.loss[:2]  # the same first step: nothing to pile up yet
    assert piled.grad_norm[-1] > 2.5 * piled.grad_norm[0]
    unlabelled = training_run("missing-target", steps=30)
    assert unlabelled.accuracy[-1] == 0.5  # everything called one class
    assert unlabelled.loss[-1] < 0.1


def test_an_unknown_mistake_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown training mistake 'typo': use None"):
        training_run("typo")


def test_mystery_runs_hide_their_mistake() -> None:
    runs = mystery_runs(0)
    assert sorted(runs) == list("ABCDEF")
    assert all(run.mistake is None for run in runs.values())
    answers = mystery_case(0)["_answers"]
    assert runs["A"].loss == training_run(answers["A"]).loss


def test_every_mistake_is_named_back() -> None:
    case = mystery_case(0)
    message = judge_guesses(case, case["_answers"])
    for letter, code in case["_answers"].items():
        mistake = CATALOGUE[code]
        assert f"run {letter}: {mistake.name} — {mistake.explanation}" in message


def test_every_wrong_guess_is_refused_with_its_symptom() -> None:
    case = mystery_case(0)
    answers = case["_answers"]
    for letter, truth in answers.items():
        for guess in TRAINING_MISTAKES:
            if guess == truth:
                continue
            with pytest.raises(WrongAnswerError) as raised:
                judge_guesses(case, {**answers, letter: guess})
            error = raised.value
            assert error.problem == f"run {letter} is not '{CATALOGUE[guess].name}'"
            assert error.hint is not None
            assert error.hint.startswith(
                f"'{CATALOGUE[guess].name}' looks like this: {SYMPTOMS[guess].looks_like}. "
                f"Run {letter} does not: its "
            )
            assert truth not in str(error) and CATALOGUE[truth].name not in str(error)


def test_the_refusal_quotes_the_run_s_numbers() -> None:
    case = mystery_case(0)
    answers = case["_answers"]
    flat = next(letter for letter, code in answers.items() if code == "step-before-backward")
    with pytest.raises(WrongAnswerError) as raised:
        judge_guesses(case, {**answers, flat: "exploding-lr"})
    first = training_run("step-before-backward").loss[0]
    assert raised.value.hint is not None
    assert raised.value.hint.endswith(
        f"Run {flat} does not: its loss goes from {first:.3g} to {first:.3g}, "
        "changing direction 0 times."
    )


def test_names_and_codes_are_both_accepted() -> None:
    case = mystery_case(0)
    by_name = {letter: CATALOGUE[code].name.upper() for letter, code in case["_answers"].items()}
    assert judge_guesses(case, by_name).startswith("every mistake recognised")


def test_malformed_answers_are_refused() -> None:
    case = mystery_case(0)
    with pytest.raises(WrongAnswerError, match="give a dict with one mistake for each run A, B"):
        judge_guesses(case, {"A": "update-sign"})
    with pytest.raises(WrongAnswerError, match="run B: 'overfitting' is not one of the six"):
        judge_guesses(case, {**case["_answers"], "B": "overfitting"})
    with pytest.raises(NotImplementedError, match="a guess is still None"):
        probe_guesses(case, None, {**case["_answers"], "C": None})
    assert probe_guesses(case, None, ["A"]) == {"_type": "list"}


def test_the_check_is_exercise_9_1_and_records_its_outcome(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert EXERCISES["check_mystery_runs"] == "9.1"
    answers = mystery_case(0)["_answers"]
    check_mystery_runs(dict(answers))
    assert capsys.readouterr().out.startswith("✓ every mistake recognised:\n  run A: ")
    assert RESULTS["9.1"].status == "passed"
    with pytest.raises(NotImplementedError, match=r"Exercise 9\.1 is not done yet"):
        check_mystery_runs(dict.fromkeys(answers))
    assert RESULTS["9.1"].status == "not done"
    wrong = {**answers, "A": "update-sign" if answers["A"] != "update-sign" else "sum-not-mean"}
    with pytest.raises(WrongAnswerError):
        check_mystery_runs(wrong)
    assert RESULTS["9.1"].status == "wrong"


def test_losses_stay_finite() -> None:
    for mistake in TRAINING_MISTAKES:
        assert all(math.isfinite(x) for x in training_run(mistake, steps=20).loss), mistake


def test_answers_of_any_size_or_type_are_quoted_short() -> None:
    case = mystery_case(0)
    for data in (
        "x" * 1_000_000,
        {**case["_answers"], "A": "x" * 1_000_000},
        {**case["_answers"], "A": 3},
    ):
        with pytest.raises(WrongAnswerError) as raised:
            judge_guesses(case, data)
        assert len(str(raised.value)) < 500

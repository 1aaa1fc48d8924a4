"""Exercise 9.1, the mystery runs: hidden variants, a key out of reach, hints that teach.

The corpus itself (tests/exercises/corpus/nb09.py) runs through the notebook check and the
grader on the notebook's runs in test_corpus.py; here every answer is also graded on a hidden
case in the quick suite (the point of 9.1's hidden variants), and the rest of what 9.1
promises is tested: runs drawn per submission, no key in the package or the kernel, the
staged feedback, and hints whose every number supports what it claims.
"""

from __future__ import annotations

import contextlib
import io
import json
import operator
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from exercise_answers import RIGHT

from micrograd_edu import exercises as ex
from micrograd_edu.exercises import grading_cases, judge, probe_cell
from micrograd_edu.exercises.mistakes import ATTEMPTS, CATALOGUE, RESULTS, WrongAnswerError
from micrograd_edu.exercises.nb09 import (
    EXERCISES,
    READING_ORDER,
    SAMPLES,
    mistake_code,
    run_from_data,
    run_to_data,
)
from micrograd_edu.exercises.symptoms import (
    SYMPTOMS,
    TRAINING_MISTAKES,
    Condition,
    Features,
    features,
    mistake_shown,
    mystery_runs,
    training_run,
)

from .corpus import Answer, nb09
from .test_corpus import cell_namespace, expected, grader_outcome, notebook_outcome

SEEDS = (0, 1, 2, 3)
EXERCISE = EXERCISES["9.1"]
RELATIONS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}


@pytest.fixture(autouse=True)
def first_attempt() -> None:
    ATTEMPTS.clear()


def _notebook_case() -> dict[str, Any]:
    return json.loads(json.dumps(EXERCISE.notebook_case()))


def _answers_for(case: dict[str, Any], name_mistake: Callable[[Any], str]) -> dict[str, Any]:
    """The probe's data for a function, as the kernel would send it."""
    answers = [name_mistake(run_from_data(data)) for data in case["runs"]]
    return {"data": {"names": answers, "again": answers}}


def _key(case: dict[str, Any]) -> list[str]:
    if "_answers" in case:
        return list(case["_answers"])
    return [str(mistake_shown(run_from_data(data))) for data in case["runs"]]


# ---------------------------------------------------------------------- the corpus, hidden
@pytest.mark.parametrize("item", [pytest.param(i, id=i.id) for i in nb09.ANSWERS])
def test_the_corpus_on_a_hidden_case(item: Answer) -> None:
    """Each answer's verdict on runs drawn for a submission: an answer that remembers the
    notebook's runs passes the notebook and fails here."""
    outcome = grader_outcome(item, grading_cases("9.1", 3))
    assert (outcome.status, outcome.mistake) == expected(item, hidden=True), outcome.feedback


def test_the_corpus_has_what_the_exercise_needs() -> None:
    right = [i for i in nb09.ANSWERS if i.verdict == "passed" and i.hidden is None]
    assert len(right) >= 3
    wrong = [i for i in nb09.ANSWERS if i.verdict != "passed" or i.hidden not in (None, "passed")]
    assert len(wrong) >= 8
    verdicts = {i.hidden or i.verdict for i in wrong}
    assert {"wrong", "not done", "error", "library-call"} <= verdicts
    assert any(i.verdict == "passed" and i.hidden == "wrong" for i in nb09.ANSWERS)


# ---------------------------------------------------------------------- hidden variants
@pytest.mark.slow  # by count or by processes: out of the quick subset
def test_each_submission_gets_its_own_runs_the_same_every_time() -> None:
    cases = [grading_cases("9.1", seed) for seed in SEEDS]
    assert grading_cases("9.1", 1) == cases[1]  # the same file: the same runs, the same grade
    orders = {tuple(case["_answers"]) for case in cases}
    assert len(orders) == len(SEEDS)  # a neighbour's answers, run by run, are not mine
    first_losses = {data["loss"][0] for case in cases for data in case["runs"]}
    assert len(first_losses) == 6 * len(SEEDS)  # every run its own data set and weights
    notebook = _notebook_case()
    assert not first_losses & {data["loss"][0] for data in notebook["runs"]}


@pytest.mark.parametrize("seed", SEEDS)
def test_every_hidden_run_shows_its_own_mistake_alone(seed: int) -> None:
    case = grading_cases("9.1", seed)
    assert sorted(case["_answers"]) == sorted(TRAINING_MISTAKES)
    assert case["names"] == [f"hidden run {i}" for i in range(1, 7)]
    for data, mistake in zip(case["runs"], case["_answers"], strict=True):
        run = run_from_data(data)
        assert mistake_shown(run) == mistake
        assert SAMPLES[0] <= len(run.y) <= SAMPLES[1] and len(run.loss) == 60
    outcome = judge("9.1", case, _answers_for(case, RIGHT["9.1"]["name_mistake"]))
    assert (outcome.status, outcome.message) == ("passed", "all 6 runs named right."), outcome


def test_a_run_travels_as_data_unchanged() -> None:
    run = training_run("missing-zero-grad", steps=8, n=33)
    again = run_from_data(json.loads(json.dumps(run_to_data(run))))
    assert (again.loss, again.grad_norm, again.accuracy) == (run.loss, run.grad_norm, run.accuracy)
    assert again.X.tolist() == run.X.tolist() and again.y.tolist() == run.y.tolist()
    assert again.model.forward_array(run.X).tolist() == run.model.forward_array(run.X).tolist()
    assert again.mistake is None and "mistake" not in run_to_data(run)
    for broken, why in (
        ({}, "KeyError"),
        ({**run_to_data(run), "parameters": [1.0]}, "1 parameters for a network of 33"),
        ({**run_to_data(run), "loss": [1.0]}, "disagree in length"),
    ):
        with pytest.raises(ValueError, match=f"not a training run's data: .*{why}"):
            run_from_data(broken)


# ---------------------------------------------------------------------- the key out of reach
def test_the_kernel_never_sees_the_key() -> None:
    for seed in SEEDS:
        case = grading_cases("9.1", seed)
        cell = probe_cell({"9.1": case})
        assert "_answers" in case and "_answers" not in cell
        for code in TRAINING_MISTAKES:  # no mistake named anywhere in what the kernel gets
            assert code not in cell and CATALOGUE[code].name not in cell
    notebook = EXERCISE.notebook_case()
    assert set(notebook) == {"names", "runs"}  # the notebook's key is derived, not stored
    assert json.dumps(ex.common_case("9.1")) == json.dumps(_notebook_case())


_SCAN = r"""
import importlib, json, pkgutil, sys, types
import micrograd_edu

secrets = [tuple(order) for order in json.loads(sys.argv[1])]
for info in pkgutil.walk_packages(micrograd_edu.__path__, "micrograd_edu."):
    if ".course" in info.name or "__main__" in info.name:
        continue
    try:
        importlib.import_module(info.name)
    except Exception:  # an optional dependency missing: nothing of it is importable anyway
        pass
from micrograd_edu.exercises.symptoms import mystery_runs

mystery_runs()  # as the notebook has run them
found, seen = [], set()

def walk(value, where, depth):
    if id(value) in seen or depth > 6:
        return
    seen.add(id(value))
    if isinstance(value, (list, tuple)) and tuple(value) in secrets:
        found.append(where)
    if isinstance(value, dict):
        if tuple(value.values()) in secrets:
            found.append(where)
        for key, item in list(value.items())[:5000]:
            walk(item, f"{where}[{key!r}]", depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for i, item in enumerate(list(value)[:5000]):
            walk(item, f"{where}[{i}]", depth + 1)
    elif isinstance(value, types.FunctionType):
        walk(value.__defaults__ or (), where + ".__defaults__", depth + 1)
        for cell in value.__closure__ or ():
            try:
                walk(cell.cell_contents, where + ".<closure>", depth + 1)
            except ValueError:
                pass

for name, module in list(sys.modules.items()):
    if name.startswith("micrograd_edu"):
        walk(vars(module), name, 0)
print(json.dumps(found))
"""


@pytest.mark.slow  # by count or by processes: out of the quick subset
def test_importing_the_package_reveals_no_hidden_answers() -> None:
    """A student's kernel imports the whole package: nothing in it holds the order of any
    submission's hidden runs (only the grader's process, with the submission's seed, has it),
    nor the key of the notebook's runs."""
    secrets = [grading_cases("9.1", seed)["_answers"] for seed in SEEDS]
    secrets.append(_key(_notebook_case()))  # nor the notebook's runs' key, once they have run
    assert all(order != list(TRAINING_MISTAKES) for order in secrets)  # the scan can tell
    found = subprocess.run(
        [sys.executable, "-c", _SCAN, json.dumps(secrets)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert json.loads(found.stdout.strip().splitlines()[-1]) == []


def test_no_public_function_names_the_notebook_s_runs() -> None:
    """The old ``mystery_case(0)["_answers"]`` is gone: the runs come without their mistakes."""
    import micrograd_edu.exercises.nb09 as nb
    import micrograd_edu.exercises.symptoms as symptoms

    assert not hasattr(symptoms, "mystery_case") and not hasattr(symptoms, "judge_guesses")
    assert all(run.mistake is None for run in mystery_runs().values())
    for module in (symptoms, nb):
        for name in module.__all__:
            assert "answer" not in name.lower() and "key" not in name.lower(), name


def test_the_library_s_reading_of_symptoms_is_switched_off_while_the_student_s_code_runs() -> None:
    """Every route to the library's verdict: the classifier, the measurements, and the symptom
    tests themselves on features measured before the probe (kept from outside the function)."""
    case = _notebook_case()
    kept: Features = features(mystery_runs()["A"])
    readers: list[Callable[[Any], Any]] = [
        lambda run: mistake_shown(run),
        lambda run: features(run),
        lambda run: [c for c, s in SYMPTOMS.items() if s.shows(kept)],
        lambda run: SYMPTOMS["update-sign"].conditions[0].holds(kept),
        lambda run: SYMPTOMS["update-sign"].failed(kept),
        lambda run: SYMPTOMS["update-sign"].instead(kept),
    ]
    for reader in readers:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(probe_cell({"9.1": case}), {"name_mistake": reader, "__name__": "__main__"})
        record = json.loads(printed.getvalue()[len(ex.PROBE_MARKER) :])["9.1"]
        outcome = judge("9.1", case, record)
        assert (outcome.status, outcome.mistake) == ("wrong", "library-call"), outcome.feedback
        assert outcome.message.startswith("exercise 9.1 asks you to write name_mistake yourself")
    assert mistake_shown(mystery_runs()["A"]) in TRAINING_MISTAKES  # on again after the probe


# ---------------------------------------------------------------------- feedback
def _misnamed_cases() -> list[tuple[dict[str, Any], int, str]]:
    """(case, run index, a wrong mistake) for every run of the notebook and two hidden cases."""
    cases = [_notebook_case(), grading_cases("9.1", 0), grading_cases("9.1", 1)]
    return [
        (case, i, guess)
        for case in cases
        for i, truth in enumerate(_key(case))
        for guess in TRAINING_MISTAKES
        if guess != truth
    ]


def _wrong_at(case: dict[str, Any], i: int, guess: str) -> WrongAnswerError:
    answers = _key(case)
    answers[i] = guess
    with pytest.raises(WrongAnswerError) as raised:
        EXERCISE.judge(case, {"names": answers, "again": answers})
    return raised.value


def test_every_number_a_hint_quotes_supports_its_claim() -> None:
    """For each run named with each wrong mistake: the hint quotes a condition of that mistake's
    symptom the run fails, and its numbers, as shown, fail it too (never a number that would
    argue the other way, as "ends 6.3 times where it started" once did)."""
    checked = 0
    for case, i, guess in _misnamed_cases():
        error = _wrong_at(case, i, guess)
        f = features(run_from_data(case["runs"][i]))
        condition: Condition = SYMPTOMS[guess].failed(f)
        assert not condition.holds(f)
        value, bound = condition.numbers(f)
        assert not RELATIONS[condition.relation](float(value), float(bound)), (value, bound)
        quoted = condition.failure(f)
        assert quoted in str(error.hint)
        assert value in quoted and (bound in quoted) == ("{bound}" in condition.fails)
        numbers = re.findall(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", quoted)
        allowed = {value, bound, str(f.n), "3", "2", "0.69"}
        assert set(numbers) <= allowed, (quoted, numbers)
        checked += 1
    assert checked == 3 * 6 * 5


def test_a_misnamed_run_is_taught_in_stages_and_never_given_away() -> None:
    case = _notebook_case()
    truths = _key(case)
    for i, truth in enumerate(truths):
        guess = next(code for code in TRAINING_MISTAKES if code != truth)
        error = _wrong_at(case, i, guess)
        name, wrong_name = case["names"][i], CATALOGUE[guess].name
        assert error.problem == f"{name} is not '{wrong_name}'"
        stage_1 = error.feedback(1)
        assert stage_1.splitlines() == [
            f"✗ Exercise 9.1: {name} is not '{wrong_name}'",
            "  more:     run the check again for a hint",
        ]
        stage_2 = error.feedback(2)
        assert f"  hint:     '{wrong_name}' looks like this: {SYMPTOMS[guess].looks_like}." in (
            stage_2
        )
        assert f"{name[0].upper()}{name[1:]} does not: " in stage_2
        assert error.feedback(3).endswith(f"  formula:  {READING_ORDER}")
        for text in (stage_1, stage_2, error.feedback(3)):  # the run's own mistake: never
            assert truth not in text and CATALOGUE[truth].name not in text


def test_several_runs_named_wrong_are_counted() -> None:
    case = _notebook_case()
    answers = ["exploding-lr"] * 6
    with pytest.raises(WrongAnswerError) as raised:
        EXERCISE.judge(case, {"names": answers, "again": answers})
    first = next(i for i, code in enumerate(_key(case)) if code != "exploding-lr")
    assert raised.value.problem == (
        f"{case['names'][first]} is not 'learning rate too high' (5 of the 6 runs are named wrong)"
    )


def test_an_answer_that_changes_on_the_second_call_is_refused() -> None:
    case = _notebook_case()
    first = _key(case)
    again = [*first[:-1], "sum-not-mean" if first[-1] != "sum-not-mean" else "update-sign"]
    with pytest.raises(WrongAnswerError) as raised:
        EXERCISE.judge(case, {"names": first, "again": again})
    assert raised.value.problem == (
        f"name_mistake named run F {first[-1]!r} the first time and {again[-1]!r} when called "
        "again on the same run"
    )
    assert "a variable outside the function" in str(raised.value.hint)


def test_an_error_only_on_the_second_call_says_so() -> None:
    item = next(i for i in nb09.ANSWERS if i.label == "crossed-off")
    outcome, shown = notebook_outcome(item)
    assert outcome.status == "error"
    assert shown.startswith(
        "✗ Exercise 9.1: your code raised IndexError: list index out of range when called "
        "again on the same runs (the first time it went through)\n"
        "  line 17 of your cell:  code = left[0]  # the one not named yet"
    )


def test_spellings_a_mistake_is_accepted_in() -> None:
    for code in TRAINING_MISTAKES:
        name = CATALOGUE[code].name
        for spelling in (code, code.upper(), code.replace("-", "_"), f"  {name} ", name.title()):
            assert mistake_code(spelling) == code, spelling
    assert mistake_code("+= instead of -= in the update") == "update-sign"  # ASCII minus
    for other in ("overfitting", "", "update", None, 3, ["update-sign"]):
        assert mistake_code(other) is None


def test_every_mistake_is_named_back_with_what_it_does(capsys: pytest.CaptureFixture[str]) -> None:
    ex.check_mystery_runs(RIGHT["9.1"]["name_mistake"])
    printed = capsys.readouterr().out
    assert printed.startswith("✓ all 6 runs named right.\n")
    for letter, code in zip("ABCDEF", _key(_notebook_case()), strict=True):
        mistake = CATALOGUE[code]
        assert f"  run {letter}: {mistake.name} — {mistake.explanation}\n" in printed
    assert RESULTS["9.1"].status == "passed"


def test_answers_of_any_size_or_type_are_quoted_short() -> None:
    case = _notebook_case()
    for answer in ("x" * 1_000_000, {"a": 1}, [1.5] * 100, 3):
        answers = [answer] * 6
        with pytest.raises(WrongAnswerError) as raised:
            EXERCISE.judge(case, {"names": answers, "again": answers})
        assert len(str(raised.value)) < 700
        assert raised.value.problem.startswith("run A: name_mistake returned ")
    for data in (None, [], {"names": ["update-sign"]}, {"names": "x" * 9}):
        with pytest.raises(WrongAnswerError, match="the probe's answer has the wrong form"):
            EXERCISE.judge(case, data)


def test_the_notebook_solution_is_the_corpus_s() -> None:
    namespace = cell_namespace(nb09.ANSWERS[0])
    runs = mystery_runs()
    assert [namespace["name_mistake"](run) for run in runs.values()] == list(nb09.NOTEBOOK_KEY)
    assert [mistake_shown(run) for run in runs.values()] == list(nb09.NOTEBOOK_KEY)


def test_the_notebook_says_what_the_grader_draws() -> None:
    from pathlib import Path

    notebook = json.loads(
        (Path(__file__).parents[2] / "notebooks" / "09_training_mistakes.ipynb").read_text()
    )
    text = "".join(next(c for c in notebook["cells"] if c.get("id") == "ex-9-1-md")["source"])
    assert f"between {SAMPLES[0]} and {SAMPLES[1]} samples" in text
    assert "`features`, `SYMPTOMS`" in text and "switched off" in text
    for code in TRAINING_MISTAKES:
        assert f'`"{code}"`' in text

"""Exercise 2.6, build your own Value: its corpus through the notebook check and the grader.

Every answer of :mod:`value_class_answers` runs twice: through
``exercises.check_value_class`` (the notebook's feedback) and through the
grader's round trip (the probe cell run in a namespace like a kernel's, on
hidden graphs of several seeds, judged outside it). Both must give the answer's
verdict: right answers pass, each wrong one gets its mistake's code (or none,
"wrong" with a generic message, where no catalogued mistake fits).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from value_class_answers import NOT_DONE, RIGHT, WRONG, answer

from micrograd_edu import Value
from micrograd_edu import exercises as ex
from micrograd_edu.exercises import PROBE_MARKER, grading_cases, judge, probe_cell
from micrograd_edu.exercises.mistakes import CATALOGUE, RESULTS, WrongAnswerError
from micrograd_edu.exercises.value_class import CHAIN_LENGTH, VALUE_CLASS
from micrograd_edu.exercises.value_mistakes import (
    SIMULATED,
    build,
    expanded,
    matching_mistake,
    simulations,
)

SEEDS = (0, 1, 2)


@pytest.fixture(autouse=True)
def recursion_limit() -> Iterator[None]:
    """Each answer meets Python's default limit: one that raises it does not help the next."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    yield
    sys.setrecursionlimit(limit)


def grade(source: str, seed: int) -> Any:
    """The grader's verdict on a cell holding ``source``, on the hidden case of ``seed``."""
    case = grading_cases("2.6", seed)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(probe_cell({"2.6": case}), answer(source))
    text = printed.getvalue()
    assert text.count("\n") == 1 and text.startswith(PROBE_MARKER), text[:300]
    return judge("2.6", case, json.loads(text[len(PROBE_MARKER) :])["2.6"])


def test_the_corpus_is_large_enough() -> None:
    assert len(RIGHT) >= 3 and len(WRONG) >= 8
    named = {wrong.mistake for wrong in WRONG.values()}
    assert set(SIMULATED) | {"number-not-wrapped", "missing-reflected-op"} <= named
    assert {"recursion-depth", "library-call", None} <= named


@pytest.mark.parametrize("name", RIGHT)
def test_right_answers_pass_the_notebook_check(name: str, capsys: Any) -> None:
    ex.check_value_class(answer(RIGHT[name], name)["MyValue"])
    assert capsys.readouterr().out.startswith("✓ your Value agrees with the engine on every node")
    assert RESULTS["2.6"].status == "passed"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", RIGHT)
def test_right_answers_pass_in_grading(name: str, seed: int) -> None:
    outcome = grade(RIGHT[name], seed)
    assert (outcome.status, outcome.mistake) == ("passed", None), outcome.feedback


@pytest.mark.parametrize("name", WRONG)
def test_wrong_answers_get_their_verdict_in_the_notebook(name: str) -> None:
    wrong = WRONG[name]
    with pytest.raises(WrongAnswerError) as caught:
        ex.check_value_class(answer(wrong.source, name)["MyValue"])
    error = caught.value
    assert (error.mistake.code if error.mistake else None) == wrong.mistake, str(error)
    assert wrong.says in error.problem, error.problem
    assert str(error).startswith("✗ Exercise 2.6: ")
    assert (RESULTS["2.6"].status, RESULTS["2.6"].mistake) == ("wrong", wrong.mistake)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", WRONG)
def test_wrong_answers_get_their_verdict_in_grading(name: str, seed: int) -> None:
    outcome = grade(WRONG[name].source, seed)
    assert (outcome.status, outcome.mistake) == ("wrong", WRONG[name].mistake), outcome.feedback


def test_the_handed_out_cell_is_not_done() -> None:
    with pytest.raises(NotImplementedError, match=r"Exercise 2\.6 is not done yet"):
        ex.check_value_class(answer(NOT_DONE)["MyValue"])
    assert grade(NOT_DONE, 0).status == "not done"


def test_an_error_in_the_students_code_names_its_type_line_and_message() -> None:
    with pytest.raises(WrongAnswerError) as caught:
        ex.check_value_class(answer(WRONG["math.tanh of the Value itself"].source)["MyValue"])
    line = (
        WRONG["math.tanh of the Value itself"]
        .source.splitlines()
        .index("        t = math.tanh(self)")
    )
    assert caught.value.problem == (
        f"your code raised TypeError in MyValue.tanh (line {line + 1} of your cell) while "
        "building the graph: must be real number, not MyValue"
    )
    assert "Traceback" not in str(caught.value) and "value_class.py" not in str(caught.value)


def test_the_recursion_limit_is_named_only_on_the_deep_chain() -> None:
    # an infinite recursion on a small graph is an error of its own, not "recursion too deep"
    source = RIGHT["closures, an explicit stack"].replace(
        "    def __rmul__(self, other):\n        return self * other",
        "    def __rmul__(self, other):\n        return other * self",
    )
    outcome = grade(source, 0)
    assert (outcome.status, outcome.mistake) == ("wrong", None)
    assert outcome.message.startswith("your code raised RecursionError in MyValue.__rmul__")


def test_a_gradient_mistake_is_not_named_when_its_numbers_do_not_match() -> None:
    # = instead of += in __add__ only, and an extra factor in __mul__: two mistakes at once
    source = WRONG["an extra factor of 2 in the product"].source.replace(
        "child.grad += local * node.grad", "child.grad = local * node.grad"
    )
    with pytest.raises(WrongAnswerError) as caught:
        ex.check_value_class(answer(source)["MyValue"])
    assert caught.value.mistake is None
    assert caught.value.hint is not None and "local derivative" in caught.value.hint


@pytest.mark.parametrize("seed", [None, *range(8)])
def test_each_simulated_mistake_is_told_apart_on_the_cases(seed: int | None) -> None:
    """On the notebook's graphs and every hidden variant, each mistake's own numbers are named as
    that mistake (no earlier one gives them too) and differ from the right ones."""
    case = VALUE_CLASS.notebook_case() if seed is None else grading_cases("2.6", seed)
    found = simulations(case["graphs"])
    expected = found.pop("expected")
    for code in SIMULATED:
        own = [options[0] for options in found[code]]
        assert own != [options[0] for options in expected], code
        assert matching_mistake(found, own) == code


def test_the_simulations_are_the_answers_mistakes() -> None:
    """The simulated = instead of += is what the corpus's = answer gives, for some order."""
    case = VALUE_CLASS.notebook_case()
    cls = answer(WRONG["= instead of += in the closures"].source)["MyValue"]
    got = []
    for spec in map(expanded, case["graphs"]):
        nodes, root = build(cls, spec)
        root.backward()
        got.append({name: nodes[name].grad for name in spec.get("watch", list(nodes))})
    assert matching_mistake({"assign": simulations(case["graphs"])["assign-not-accumulate"]}, got)


def test_the_chain_is_deeper_than_the_recursion_limit_and_agrees_with_the_engine() -> None:
    spec = expanded(VALUE_CLASS.notebook_case()["graphs"][-1])
    assert len(spec["nodes"]) == CHAIN_LENGTH >= 2 * sys.getrecursionlimit()
    nodes, root = build(Value, spec)
    root.backward()
    x = nodes["x"]
    h = 1e-6
    plus, _ = build(Value, {**spec, "leaves": [["x", x.data + h]]})
    minus, _ = build(Value, {**spec, "leaves": [["x", x.data - h]]})
    slope = (plus[spec["nodes"][-1][0]].data - minus[spec["nodes"][-1][0]].data) / (2 * h)
    assert math.isclose(x.grad, slope, rel_tol=1e-6)
    assert 0.01 < abs(x.grad) < 10  # neither vanishing nor exploding


def test_hidden_cases_differ_by_seed_and_keep_the_telling_graphs() -> None:
    names = [spec["name"] for spec in VALUE_CLASS.notebook_case()["graphs"]]
    for seed in SEEDS:
        case = grading_cases("2.6", seed)
        assert [spec["name"] for spec in case["graphs"]] == [
            *names[:-1],
            "a random graph",
            names[-1],
        ]
    assert len({json.dumps(grading_cases("2.6", seed)) for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize(
    "data",
    [
        None,
        3,
        "x",
        [],
        {},
        {"forms": 3},
        {"forms": [], "graphs": [None] * 20},
        {"forms": [{"raised": 7}] * 4, "graphs": []},
        {"forms": [{"returned": "x"}] * 4},
    ],
)
def test_the_judge_never_crashes_on_malformed_data(data: Any) -> None:
    case = grading_cases("2.6", 0)
    outcome = judge("2.6", case, {"data": data})
    assert outcome.status == "wrong" and outcome.message
    assert "unexpected form" not in outcome.message  # the judge itself said what is wrong


def test_every_new_mistake_is_catalogued() -> None:
    for code in (*SIMULATED, "number-not-wrapped", "missing-reflected-op", "recursion-depth"):
        assert code in CATALOGUE

"""Exercise 2.6, build your own Value: what its corpus (tests/exercises/corpus/value_class.py,
run by test_corpus.py) does not show — the simulations tell every mistake apart on every case,
the chain is deep and right, the staged feedback of its own mistakes, where an error is shown,
no feedback gives the class away, and the judge's robustness."""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any

import pytest

from micrograd_edu import Value
from micrograd_edu import exercises as ex
from micrograd_edu.exercises.compare import close
from micrograd_edu.exercises.mistakes import ATTEMPTS, CATALOGUE, GRADER_STAGE, WrongAnswerError
from micrograd_edu.exercises.value_catalogue import VALUE_CLASS_MISTAKES
from micrograd_edu.exercises.value_class import CHAIN_LENGTH, VALUE_CLASS
from micrograd_edu.exercises.value_mistakes import (
    FORMS,
    SIMULATED,
    build,
    expanded,
    form_spec,
    simulations,
)

from .corpus import value_class as corpus
from .test_corpus import cell_namespace, grader_outcome, notebook_outcome

SEEDS = (0, 1, 2)
OWN = [entry["code"] for entry in VALUE_CLASS_MISTAKES]


@pytest.fixture(autouse=True)
def first_attempt() -> None:
    ATTEMPTS.clear()


def _answer(label: str) -> Any:
    return next(item for item in corpus.ANSWERS if item.label == label)


def _specs(case: dict[str, Any]) -> list[dict[str, Any]]:
    a, k = case["forms"]
    return [form_spec(form, a, k) for form in FORMS] + [expanded(s) for s in case["graphs"]]


def _probe_data(case: dict[str, Any], grads: list[dict[str, float]]) -> dict[str, Any]:
    """What the probe returns for a class computing the engine's data and ``grads``."""
    records = []
    for spec, grad in zip(_specs(case), grads, strict=True):
        nodes, _ = build(Value, spec)
        data = {name: nodes[name].data for name in spec.get("watch", list(nodes))}
        records.append({"data": data, "grad": grad})
    return {"forms": records[: len(FORMS)], "graphs": records[len(FORMS) :]}


@pytest.mark.parametrize(
    "seed", [None, 0, 1, *(pytest.param(seed, marks=pytest.mark.slow) for seed in range(2, 8))]
)
def test_the_judge_names_each_simulated_mistake_from_its_numbers(seed: int | None) -> None:
    """On the notebook's graphs and hidden ones: each mistake's own gradients (any order its
    sort can give) are named as that mistake, never another, and the engine's pass."""
    case = VALUE_CLASS.notebook_case() if seed is None else ex.grading_cases("2.6", seed)
    found = simulations(_specs(case))
    right = [options[0] for options in found.pop("expected")]
    assert ex.judge("2.6", case, {"data": _probe_data(case, right)}).status == "passed"
    for code in SIMULATED:
        for choice in (0, -1):  # the first and the last order the simulation lists
            grads = [options[choice] for options in found[code]]
            assert not close(grads, right, 1e-6), code
            outcome = ex.judge("2.6", case, {"data": _probe_data(case, grads)})
            assert (outcome.status, outcome.mistake) == ("wrong", code), outcome.feedback


def test_the_chain_is_deeper_than_the_recursion_limit_and_agrees_with_the_engine() -> None:
    spec = expanded(VALUE_CLASS.notebook_case()["graphs"][-1])
    assert len(spec["nodes"]) == CHAIN_LENGTH >= 2 * 1000  # Python's default limit
    nodes, root = build(Value, spec)
    root.backward()
    x, h, last = nodes["x"], 1e-6, spec["nodes"][-1][0]
    plus, _ = build(Value, {**spec, "leaves": [["x", x.data + h]]})
    minus, _ = build(Value, {**spec, "leaves": [["x", x.data - h]]})
    slope = (plus[last].data - minus[last].data) / (2 * h)
    assert math.isclose(x.grad, slope, rel_tol=1e-6)
    assert 0.01 < abs(x.grad) < 10  # neither vanishing nor exploding


def test_hidden_cases_differ_by_seed_and_keep_the_telling_graphs() -> None:
    names = [spec["name"] for spec in VALUE_CLASS.notebook_case()["graphs"]]
    for seed in SEEDS:
        case = ex.grading_cases("2.6", seed)
        assert [spec["name"] for spec in case["graphs"]] == [
            *names[:-1],
            "a random graph",
            names[-1],
        ]
    assert len({json.dumps(ex.grading_cases("2.6", seed)) for seed in SEEDS}) == len(SEEDS)


def test_the_probe_puts_back_the_recursion_limit_the_student_s_code_changed() -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        outcome, _ = notebook_outcome(_answer("closures-recursive-sort-higher-limit"))
        assert outcome.status == "passed"  # its backward() set the limit to 10,000
        assert sys.getrecursionlimit() == 1000
    finally:
        sys.setrecursionlimit(limit)


def test_its_own_mistakes_state_the_rule_in_words_and_the_formula_apart() -> None:
    assert set(OWN) <= set(CATALOGUE)
    assert len(OWN) == 6 and "product-rule-swapped" not in CATALOGUE  # 2.1's own-factor
    for code in OWN:
        mistake = CATALOGUE[code]
        assert mistake.formula and mistake.formula not in mistake.explanation, code
        assert not re.search(r"=|d\(|×|\+=|__", mistake.explanation), (code, mistake.explanation)


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("number-not-wrapped", "number-not-wrapped"),
        ("no-rmul", "missing-reflected-op"),
        ("the-lecture-s-recursive-sort", "recursion-depth"),
        ("children-in-a-dict", "reused-operand-lost"),
    ],
)
def test_its_feedback_is_staged_and_the_grader_shows_the_rule_only(label: str, code: str) -> None:
    item, mistake = _answer(label), CATALOGUE[code]
    texts = []
    for _ in range(3):
        with pytest.raises(WrongAnswerError) as caught:
            ex.check_value_class(cell_namespace(item)["MyValue"])
        texts.append(str(caught.value))
    first, second, third = texts
    assert f"  mistake:  {mistake.name}\n" in first
    assert mistake.explanation not in first and mistake.formula not in first
    assert f"  mistake:  {mistake.name} — {mistake.explanation}\n" in second
    assert mistake.formula not in second
    assert f"  formula:  {mistake.formula}" in third
    graded = grader_outcome(item, ex.grading_cases("2.6", 1))
    assert GRADER_STAGE == 2 and mistake.explanation in graded.feedback
    assert mistake.formula not in graded.feedback and "more:" not in graded.feedback


_SOLUTION = [
    "isinstance(other",
    "MyValue(other)",
    "__rmul__ = __mul__",
    "return self * other",
    "out._backward = _backward",
    "self.grad += out.grad",
    "* out.grad",
    "visited.add(",
    "reversed(topo)",
]
"""Lines of the class itself: no feedback of the check may hold one."""


@pytest.mark.slow  # by count or by processes: out of the quick subset
@pytest.mark.parametrize(
    "item", [a for a in corpus.ANSWERS if a.verdict != "passed"], ids=lambda a: a.label
)
def test_no_feedback_gives_the_class_away(item: Any) -> None:
    """Three attempts in the notebook and the grader's feedback: no line of the class, except
    the student's own line that raised, quoted back to them."""
    cls = cell_namespace(item)["MyValue"]
    texts = []
    for _ in range(3):
        with pytest.raises((WrongAnswerError, NotImplementedError)) as caught:
            ex.check_value_class(cls)
        texts.append(str(caught.value))
    texts.append(grader_outcome(item, ex.grading_cases("2.6", 0)).feedback)
    for text in texts:
        told = "\n".join(line for line in text.splitlines() if " of your cell:  " not in line)
        assert not [line for line in _SOLUTION if line in told], text


def test_an_error_shows_the_line_of_the_cell_in_both_paths() -> None:
    item = _answer("math-tanh-of-the-node")
    outcome, text = notebook_outcome(item)
    number = item.source.splitlines().index("        t = math.tanh(self)") + 1
    assert text.splitlines()[:2] == [
        "✗ Exercise 2.6: your code raised TypeError: must be real number, not MyValue",
        f"  line {number} of your cell:  t = math.tanh(self)",
    ]
    assert (outcome.status, outcome.message) == (
        "error",
        "TypeError: must be real number, not MyValue",
    )
    graded = grader_outcome(item, ex.grading_cases("2.6", 0))
    assert (graded.status, graded.message) == ("error", outcome.message)
    assert graded.feedback.splitlines()[:2] == text.splitlines()[:2]


def test_an_error_without_a_line_of_the_student_s_says_what_the_check_computed() -> None:
    """A method the class lacks is missing where the check calls it: no line of the cell."""
    _, text = notebook_outcome(_answer("no-tanh"))
    assert text.splitlines()[:3] == [
        "✗ Exercise 2.6: your code raised AttributeError: 'MyValue' object has no attribute 'tanh'",
        "  while building a diamond:  p = s.tanh()",
        "  more:     run the check again for a hint",
    ]
    item = _answer("rmul-recursing-forever")
    _, text = notebook_outcome(item)
    number = item.source.splitlines().index("        return other * self") + 1
    assert f"  line {number} of your cell:  return other * self" in text.splitlines()
    assert "RecursionError" in text and "mistake:" not in text  # not the deep chain's


def test_a_number_error_is_not_named_when_wrapping_the_number_does_not_help() -> None:
    """The simulation of "a number not wrapped" is the operator with the number wrapped."""
    source = corpus.CLOSURES.replace(
        "        other = other if isinstance(other, MyValue) else MyValue(other)\n"
        "        out = MyValue(self.data + other.data, (self, other))",
        "        out = MyValue(self.data + other.data.real(), (self, other))",
    )
    item = corpus.answer("2.6", "wrapped-or-not-a-bug", "error", source)
    outcome, text = notebook_outcome(item)
    assert (outcome.status, outcome.mistake) == ("error", None), text
    first = (
        "✗ Exercise 2.6: your code raised AttributeError: 'float' object has no attribute 'data'"
    )
    assert text.startswith(first)
    code = "out = MyValue(self.data + other.data.real(), (self, other))"
    number = item.source.splitlines().index(f"        {code}") + 1
    line = f"  line {number} of your cell:  {code}"
    assert text.splitlines()[1] == line
    graded = grader_outcome(item, ex.grading_cases("2.6", 2))  # the judge's verdict: an error
    assert (graded.status, graded.mistake) == ("error", None)
    assert graded.feedback.splitlines()[:2] == [first, line]


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
        {"forms": [{"data": {}, "grad": {}}] * 4, "graphs": [{"data": 1}] * 8},
        {"forms": [{"raised": "TypeError: x", "wrapped": 1, "class": [1]}]},
        {"forms": [{"data": {}, "grad": {}}] * 4, "graphs": [{"raised": "x", "node": 3}] * 8},
    ],
)
def test_the_judge_never_crashes_on_malformed_data(data: Any) -> None:
    case = ex.grading_cases("2.6", 0)
    outcome = ex.judge("2.6", case, {"data": data})
    assert outcome.status in ("wrong", "error") and outcome.message
    assert "unexpected form" not in outcome.message  # the judge itself said what is wrong

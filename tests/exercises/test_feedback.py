"""What a student reads: staged hints that never give the answer away, their own errors with
the line of their cell, what is left to do, numbers with enough digits to differ."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from typing import Any

import numpy as np
import pytest
from exercise_answers import RIGHT, sigmoid

from micrograd_edu import datasets
from micrograd_edu import exercises as ex
from micrograd_edu.exercises.code_errors import StudentCodeError, from_record
from micrograd_edu.exercises.compare import diagnose, shown
from micrograd_edu.exercises.jupyter import install_feedback
from micrograd_edu.exercises.mistakes import (
    ATTEMPTS,
    CATALOGUE,
    GRADER_STAGE,
    RESULTS,
    NotDoneError,
    WrongAnswerError,
)
from micrograd_edu.exercises.probing import probe_one

from .test_corpus import ANSWERS, cell_namespace, grader_outcome, notebook_outcome


@pytest.fixture(autouse=True)
def first_attempt() -> None:
    ATTEMPTS.clear()


def _answer(label: str) -> Any:
    return next(item for item in ANSWERS if item.id == label)


def _attempts(check: Any, answer: Any, times: int = 3) -> list[str]:
    """What the student reads on each of ``times`` runs of the same wrong answer."""
    texts = []
    for _ in range(times):
        with pytest.raises(WrongAnswerError) as caught:
            check(answer)
        texts.append(str(caught.value))
    return texts


def test_each_stage_adds_to_the_last_and_a_new_exercise_starts_at_the_first() -> None:
    wrong = {**RIGHT["2.1"]["my_grads"], "a": -4.0}
    first, second, third = _attempts(ex.check_backprop_by_hand, wrong)
    rule, formula = CATALOGUE["own-factor"].explanation, CATALOGUE["own-factor"].formula
    assert "  mistake:  a product's derivative taken as its own factor\n" in first
    assert rule not in first and formula not in first
    assert rule in second and formula not in second
    assert rule in third and f"  formula:  {formula}" in third
    assert ATTEMPTS == {"2.1": 3}
    with pytest.raises(WrongAnswerError) as caught:  # another exercise: its own count
        ex.check_division_local_grads(lambda a, b: (1 / b, -a / b))
    assert "why" not in str(caught.value) and " — " not in str(caught.value)


def test_the_by_hand_answer_is_never_shown() -> None:
    """2.1's numbers are worked out by hand: no stage shows an expected number."""
    for wrong in ({"b": 7.0}, {"a": -6.0}, {"e": 1.0}, {"f": "4"}, {"c": 3.0, "d": 1.5}):
        ATTEMPTS.clear()
        for text in _attempts(ex.check_backprop_by_hand, {**RIGHT["2.1"]["my_grads"], **wrong}):
            assert "expected:" not in text, text
            assert not re.search(r"\{'?[a-zL]'?: ", text), text  # no dict of gradients


def test_a_wrong_answer_shows_its_first_wrong_entry_not_the_whole_answer() -> None:
    with pytest.raises(WrongAnswerError) as caught:
        ex.check_discounted_returns(lambda episodes, gamma: [r[::-1] for r in episodes])
    lines = str(caught.value).splitlines()
    assert lines[:2] == ["✗ Exercise 8.1: the returns are wrong", "  where:    episode 0, G0"]
    assert "  expected: 0.81" in lines and "  got:      1" in lines


def test_the_circle_s_first_hints_do_not_state_the_feature() -> None:
    texts = _attempts(ex.check_circle_features, lambda X: datasets.features(X, ["x1", "x2"]))
    assert all("x1²" not in text and "x2²" not in text for text in texts[:2])
    assert "one neuron draws a straight line" in texts[1]
    assert "x1² + x2²" in texts[2]  # the formula, on the third attempt


def test_the_grader_shows_the_rule_but_never_the_formula() -> None:
    item = _answer("2.4-assign")
    outcome = grader_outcome(item, ex.grading_cases("2.4", 0))
    mistake = CATALOGUE["assign-not-accumulate"]
    assert GRADER_STAGE == 2
    assert f"  mistake:  {mistake.name} — {mistake.explanation}" in outcome.feedback
    assert mistake.formula not in outcome.feedback and "more:" not in outcome.feedback


def test_an_error_in_the_student_s_code_names_its_line_in_both_paths() -> None:
    item = _answer("2.2-typo")
    outcome, text = notebook_outcome(item)
    assert text.splitlines() == [
        "✗ Exercise 2.2: your code raised NameError: name 'bb' is not defined",
        "  line 2 of your cell:  return 1 / b, -a / bb**2",
        "  more:     run the check again for a hint",
    ]
    assert (outcome.status, outcome.message) == ("error", "NameError: name 'bb' is not defined")
    graded = grader_outcome(item, ex.grading_cases("2.2", 0))
    assert (graded.status, graded.message) == ("error", "NameError: name 'bb' is not defined")
    assert graded.feedback.splitlines()[:2] == text.splitlines()[:2]
    assert "Traceback" not in text and "core.py" not in text


def test_an_error_raised_by_the_call_itself_names_the_function_s_line() -> None:
    item = _answer("2.5-local-arity")
    _, text = notebook_outcome(item)
    assert text.splitlines()[:2] == [
        "✗ Exercise 2.5: your code raised TypeError: <lambda>() takes 1 positional argument but "
        "2 were given",
        '  line 9 of your cell:  OPS["log"] = (math.log, lambda a: 1 / a)',
    ]


def test_the_probe_s_record_of_an_error_keeps_the_grader_s_one_line_message() -> None:
    """tests/grade reads the message "raised NameError: ..."; the line travels after it."""
    error = StudentCodeError("2.2", "NameError: name 'bb' is not defined", "line 2 of x.py", "bb")
    text = error.record_text()
    assert text.splitlines() == ["NameError: name 'bb' is not defined", "line 2 of x.py:  bb"]
    back = from_record("2.2", text)
    assert (back.message, back.line, back.code) == (error.message, error.line, error.code)
    assert from_record("2.2", "KeyError: 'oops'").line is None


@pytest.mark.parametrize(
    ("label", "left"),
    [
        ("2.1-none-left-raise-removed", "my_grads['d'] is still None"),
        ("2.5-template-left", "OPS['exp'] still holds None"),
        ("4.3-rate-left-none", "learning_rate is still None"),
    ],
)
def test_a_none_left_is_named_in_both_paths(label: str, left: str) -> None:
    item = _answer(label)
    outcome, text = notebook_outcome(item)
    assert text == (
        f"✗ Exercise {item.number} is not done yet: {left}: put your answer in its place, "
        "then run the cell again."
    )
    assert (outcome.status, outcome.message) == ("not done", left)
    graded = grader_outcome(item, json.loads(json.dumps(ex.grading_cases(item.number, 0))))
    assert (graded.status, graded.feedback) == ("not done", text)
    assert graded.message == "the exercise's stub is still there"  # the teachers' summary


def test_numbers_are_shown_with_enough_digits_to_differ() -> None:
    assert shown(0.819908412, 0.819908423) == ("0.81990841", "0.81990842")
    assert shown(1.0, 1.0 + 2e-16) == ("1", "1.0000000000000002")
    assert shown(2.5, -2.5) == ("2.5", "-2.5")
    with pytest.raises(WrongAnswerError) as caught:
        diagnose("9.9", [1.0, 0.123456789], [1.0, 0.123456712], problem="off")
    assert str(caught.value).splitlines()[1:] == [
        "  where:    [1]",
        "  expected: 0.1234568",
        "  got:      0.1234567",
    ]


def test_a_float32_answer_names_its_dtype() -> None:
    def seed(z: np.ndarray, y: np.ndarray) -> np.ndarray:
        return ((sigmoid(z) - y) / len(z)).astype(np.float32)

    with pytest.raises(WrongAnswerError) as caught:
        ex.check_batch_seed(seed)
    lines = str(caught.value).splitlines()
    assert (
        lines[0]
        == "✗ Exercise 7.2: the seed agrees only to about 7 digits: it was computed in float32"
    )
    expected, got = (line.split(":", 1)[1].strip() for line in lines[2:4])
    assert expected.endswith("(float64)") and got.endswith("(float32)")
    assert expected.split()[0] != got.split()[0]


def test_never_expected_none() -> None:
    error = WrongAnswerError("9.9", "train must return the list of the losses", got="None")
    assert "expected" not in str(error) and "  got:      None" in str(error)


def test_an_answer_the_judge_cannot_read_is_wrong_in_both_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A judge meeting data it did not foresee: "wrong" with the same message, no traceback."""
    from micrograd_edu.exercises import nb02

    def confused(case: Any, data: Any) -> str:
        raise KeyError("surprise")

    broken = dataclasses.replace(nb02.EXERCISES["2.3"], judge=confused)
    monkeypatch.setitem(nb02.EXERCISES, "2.3", broken)
    with pytest.raises(WrongAnswerError) as caught:
        ex.check_topological_sort(RIGHT["2.3"]["topological_sort"])
    message = "the answer has an unexpected form (KeyError)"
    assert caught.value.problem == message
    assert (RESULTS["2.3"].status, RESULTS["2.3"].message) == ("wrong", message)
    graded = ex.judge("2.3", ex.grading_cases("2.3", 0), {"data": [[], []]})
    assert (graded.status, graded.message) == ("wrong", message)


def test_in_jupyter_feedback_shows_alone_and_not_done_keeps_its_name() -> None:
    published: list[tuple[Any, str, list[str]]] = []

    class Shell:
        def set_custom_exc(self, types: tuple[type, ...], handler: Any) -> None:
            self.types, self.handler = types, handler

        def _showtraceback(self, etype: type, value: BaseException, stb: list[str]) -> None:
            published.append((etype, str(value), stb))

    shell = Shell()
    import IPython

    real = IPython.get_ipython
    IPython.get_ipython = lambda: shell  # type: ignore[assignment]
    try:
        assert install_feedback()
    finally:
        IPython.get_ipython = real  # type: ignore[assignment]
    assert set(shell.types) == {WrongAnswerError, NotDoneError}
    done = NotDoneError("2.4")
    shell.handler(shell, NotDoneError, done, None)
    wrong = WrongAnswerError("2.4", "backward gave wrong gradients")
    shell.handler(shell, WrongAnswerError, wrong, None)
    assert published == [
        (NotImplementedError, str(done), [str(done)]),  # the name the course's stubs raise
        (WrongAnswerError, str(wrong), [str(wrong)]),
    ]


def test_policy_zero_grad_is_the_module_s() -> None:
    namespace = cell_namespace(_answer("8.3-policy-zero-grad"))
    ex.check_policy_gradient_step(namespace["gradient_of"])
    assert RESULTS["8.3"].status == "passed"


def test_an_object_the_probe_cannot_carry_is_named_by_its_type_never_a_dict() -> None:
    """A generator (or any object plain data cannot hold) is described by its type: the
    probe's stand-in ``{"type": ...}`` is not what the student returned."""
    _, shown = notebook_outcome(_answer("8.3-a-generator"))
    assert "a generator where a list of 20 is expected" in shown, shown
    assert "dict" not in shown, shown


def test_a_fraction_is_a_number() -> None:
    outcome, shown = notebook_outcome(_answer("2.1-fractions"))
    assert outcome.status == "passed", shown


@pytest.mark.torch
def test_backward_called_inside_torch_loss_is_named() -> None:
    _, shown = notebook_outcome(_answer("7.1-backward-inside"))
    assert "torch_loss called backward() itself" in shown, shown
    assert "your cell" not in shown and "RuntimeError" not in shown, shown


def test_exercise_7_1_without_pytorch_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without PyTorch the check says what is missing and how to install its CPU build."""
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now fails

    def torch_loss(sequential: Any, X: Any, y: Any) -> Any:
        raise AssertionError("never called: the check needs PyTorch first")

    with pytest.raises(WrongAnswerError) as caught:
        ex.check_torch_loss(torch_loss)
    assert str(caught.value).startswith(
        "✗ Exercise 7.1: exercise 7.1 needs PyTorch, which is not installed"
    ), caught.value
    ATTEMPTS.clear()
    record = probe_one("7.1", ex.grading_cases("7.1", 0), {"torch_loss": torch_loss})
    assert "needs PyTorch" in record["error"], record


@pytest.mark.parametrize("number", ["1.2", "3.1", "4.1", "5.1", "8.2"])
def test_backward_called_by_the_answer_is_named(number: str) -> None:
    """A right formula whose function also calls backward(): the message says so, instead of
    gradients "twice the expected" that send the student hunting for a factor 2."""
    outcome, shown = notebook_outcome(_answer(f"{number}-backward-inside"))
    assert outcome.status == "wrong" and outcome.mistake is None, shown
    assert "called backward() on its result" in shown, shown


def test_the_wrong_order_rule_reads_right_in_the_topological_sort_too() -> None:
    """2.3 names "wrong order" for a reversed list: its rule speaks of the order itself, not
    only of gradients passed on (which 2.3 does not do)."""
    ATTEMPTS.clear()
    namespace = cell_namespace(_answer("2.3-reversed"))
    with pytest.raises(WrongAnswerError):
        ex.check_topological_sort(namespace["topological_sort"])
    with pytest.raises(WrongAnswerError) as caught:
        ex.check_topological_sort(namespace["topological_sort"])
    assert "each node after the nodes it was computed from" in str(caught.value)


def test_a_backward_that_resets_the_leaves_passes_with_a_note() -> None:
    """Resetting every node (the leaves too) is accepted, but differs from root.backward(),
    which the notebook's text asks for: the ✓ says so; the engine's behaviour gets no note."""
    _, resets_all = notebook_outcome(_answer("2.4-notebook"))
    _, like_the_engine = notebook_outcome(_answer("2.4-like-the-engine"))
    assert resets_all.startswith("✓ ") and "resets the leaves' grads" in resets_all
    assert like_the_engine.startswith("✓ ") and "note" not in like_the_engine


def test_an_answer_that_changes_its_input_lists_is_told_so() -> None:
    outcome, shown = notebook_outcome(_answer("3.1-bias-appended-to-the-inputs"))
    assert outcome.status == "wrong", shown
    assert "neuron_forward changed the list w it was given" in shown, shown


def test_returns_of_that_reverses_the_episodes_in_place_is_told_so() -> None:
    outcome, shown = notebook_outcome(_answer("8.1-episodes-reversed-in-place"))
    assert outcome.status == "wrong", shown
    assert "returns_of changed the episodes it was given" in shown, shown


def test_a_loop_that_steps_with_the_global_rate_is_told_so() -> None:
    outcome, shown = notebook_outcome(_answer("4.3-the-global-rate"))
    assert outcome.status == "wrong" and outcome.mistake is None, shown
    assert "with learning_rate = 0.5, not with its argument lr = 0.1" in shown, shown

"""The notebook self-checks: right answers pass, stubs say so, every classic mistake is named,
and the library's own version is switched off where the exercise asks to write it."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from exercise_answers import MISTAKES, RIGHT, backward, sigmoid, topological, torch_loss, train

from micrograd_edu import Value, datasets, rl
from micrograd_edu import exercises as ex
from micrograd_edu.exercises.curves import CURVE_CAUSES, synthetic_curves
from micrograd_edu.exercises.mistakes import ATTEMPTS, CATALOGUE, RESULTS, WrongAnswerError
from micrograd_edu.exercises.registry import ENTRIES

NO_TORCH = [number for number in ENTRIES if number != "7.1"]


@pytest.fixture(autouse=True)
def first_attempt() -> None:
    """Each test starts at the first attempt (the kernel counts them per exercise)."""
    ATTEMPTS.clear()


def _stub(*args: Any) -> Any:
    raise NotImplementedError


def check(number: str, answer: dict[str, Any]) -> None:
    """Call exercise ``number``'s check with the student's objects, in the registry's order."""
    entry = ENTRIES[number]
    getattr(ex, entry.check)(*(answer[name] for name in entry.names))


@pytest.mark.parametrize("number", NO_TORCH)
def test_right_answers_pass(number: str, capsys: pytest.CaptureFixture[str]) -> None:
    check(number, RIGHT[number])
    assert capsys.readouterr().out.startswith("✓ ")
    assert RESULTS[number].status == "passed"


@pytest.mark.parametrize("number", [n for n in NO_TORCH if n not in ("2.1", "2.5")])
def test_stubs_name_the_exercise(number: str) -> None:
    answer = dict(RIGHT[number])
    answer[ENTRIES[number].names[0]] = _stub
    with pytest.raises(NotImplementedError, match=re.escape(f"Exercise {number} is not done yet")):
        check(number, answer)
    assert RESULTS[number].status == "not done"


@pytest.mark.parametrize(
    ("number", "answer", "left"),
    [
        ("2.1", {"my_grads": {"L": 1.0, "f": None, "d": None, "a": None}}, "my_grads['f']"),
        ("2.5", {"OPS": {**RIGHT["2.5"]["OPS"], "tanh": (None, None)}}, "OPS['tanh']"),
        ("4.3", {"train": train, "learning_rate": None}, "learning_rate"),
    ],
)
def test_unfilled_templates_are_not_done_and_name_what_is_left(
    number: str, answer: dict[str, Any], left: str
) -> None:
    """The student removed the `raise` line but left a None: the message names it."""
    with pytest.raises(NotImplementedError) as caught:
        check(number, answer)
    text = str(caught.value)
    assert text.startswith(f"✗ Exercise {number} is not done yet: {left}")
    assert "raise NotImplementedError" not in text
    assert RESULTS[number].status == "not done"


@pytest.mark.parametrize(
    ("code", "number", "answer"), MISTAKES, ids=[f"{m[1]}-{m[0]}" for m in MISTAKES]
)
def test_each_mistake_is_named(code: str, number: str, answer: dict[str, Any]) -> None:
    with pytest.raises(WrongAnswerError) as caught:
        check(number, answer)
    error = caught.value
    assert error.mistake is not None, str(error)
    assert error.mistake.code == code, str(error)
    assert error.exercise == number
    assert str(error).startswith(f"✗ Exercise {number}: ")
    assert f"\n  mistake:  {CATALOGUE[code].name}\n" in str(error)  # the rule comes later
    assert RESULTS[number].status == "wrong" and RESULTS[number].mistake == code


def test_every_catalogued_mistake_has_a_test() -> None:
    covered = {code for code, _, _ in MISTAKES} | {"broadcast-shapes", "float32"}  # torch's
    assert covered == set(CATALOGUE)


def test_the_library_is_switched_off_and_says_so_then_restored() -> None:
    with pytest.raises(WrongAnswerError) as caught:
        ex.check_backward(lambda root: root.backward())
    assert caught.value.problem == (
        "exercise 2.4 asks you to write backward yourself: `Value.backward` is switched off here"
    )
    assert RESULTS["2.4"].mistake == "library-call"
    v = Value(3.0)
    (v * v).backward()  # restored after the error
    assert v.grad == 6.0
    assert Value.backward.__name__ == "backward"


def test_a_caught_switched_off_error_is_still_caught() -> None:
    def sneaky(root: Value) -> None:
        try:
            root.backward()
        except Exception:
            backward(root)

    with pytest.raises(WrongAnswerError, match=re.escape("`Value.backward` is switched off here")):
        ex.check_backward(sneaky)


def test_names_imported_from_the_library_are_switched_off_too() -> None:
    namespace: dict[str, Any] = {"discounted_returns": rl.discounted_returns}
    exec(  # a notebook that did `from micrograd_edu.rl import discounted_returns`
        "def returns_of(episodes, gamma):\n"
        "    return [discounted_returns(r, gamma) for r in episodes]\n",
        namespace,
    )
    with pytest.raises(WrongAnswerError) as caught:
        ex.check_discounted_returns(namespace["returns_of"])
    assert caught.value.problem == (
        "exercise 8.1 asks you to write the discounted returns yourself: "
        "`rl.discounted_returns` is switched off here"
    )
    assert namespace["discounted_returns"] is rl.discounted_returns  # restored


@pytest.mark.torch
def test_the_broadcasting_mistake_is_named(torch: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ex.check_torch_loss(torch_loss)
    assert capsys.readouterr().out.startswith("✓ PyTorch and micrograd_edu agree")

    def broadcast(sequential: Any, X: np.ndarray, y: np.ndarray) -> Any:
        return ((sequential(torch.tensor(X)) - torch.tensor(y)) ** 2).mean()

    for answer, code in (
        (broadcast, "broadcast-shapes"),
        (lambda s, X, y: torch_loss(s, X, y) * 8, "sum-not-mean"),
    ):
        with pytest.raises(WrongAnswerError) as caught:
            ex.check_torch_loss(answer)
        assert caught.value.mistake is not None and caught.value.mistake.code == code
    with pytest.raises(NotImplementedError, match=re.escape("Exercise 7.1 is not done yet")):
        ex.check_torch_loss(_stub)


def test_feedback_names_the_mistake_and_where_then_the_rule_then_the_formula() -> None:
    ATTEMPTS.pop("2.4", None)
    shown = []
    for _ in range(4):
        with pytest.raises(WrongAnswerError) as caught:
            ex.check_backward(lambda r: backward(r, accumulate=False))
        shown.append(str(caught.value).splitlines())
    first = [
        "✗ Exercise 2.4: backward gave wrong gradients",
        "  mistake:  = instead of +=",
        "  where:    d out/dx after call 1 on out = x · x",
        "  input:    every node's grad is 0.4 before the first call; backward(out) runs twice",
        "  expected: -4",
        "  got:      -2",
    ]
    rule = CATALOGUE["assign-not-accumulate"].explanation
    assert shown[0] == [*first, "  more:     run the check again for a hint"]
    assert shown[1] == [
        first[0],
        f"  mistake:  = instead of += — {rule}",
        *first[2:],
        "  more:     run the check again for the formula",
    ]
    assert shown[2] == [*shown[1][:-1], "  formula:  child.grad += local_grad × node.grad"]
    assert shown[3] == shown[2]  # the last stage stays
    assert ATTEMPTS["2.4"] == 4


def test_wrong_answers_that_match_no_mistake_still_explain() -> None:
    cases: list[tuple[str, str, Callable[[], None]]] = [
        (
            "4.2",
            "each parameter moves by lr × its own gradient",
            lambda: ex.check_sgd_step(
                lambda ps, lr: [setattr(p, "data", 0.0) for p in ps] and None
            ),
        ),
        (
            "3.2",
            "A @ B needs A's number of columns = B's number of rows",
            lambda: ex.check_collapse_linear_layers(lambda W1, b1, W2, b2: (W1 @ W2, b1)),
        ),
        (
            "6.1",
            "one neuron draws a straight line",
            lambda: ex.check_circle_features(lambda X: datasets.features(X, ["x1", "x2"])),
        ),
        (
            "2.3",
            "append a node only after all of its children",
            lambda: ex.check_topological_sort(
                lambda r: (lambda o: [*o[:2], o[3], o[2], *o[4:]])(topological(r))
            ),
        ),
        (
            "2.1",
            "multiply the gradient that arrived at e by the local derivative of e in b",
            lambda: ex.check_backprop_by_hand({**RIGHT["2.1"]["my_grads"], "b": 7.0}),
        ),
        (
            "7.2",
            "differentiate one sample's loss log(1 + e^z) − y·z in z",
            lambda: ex.check_batch_seed(lambda z, y: (z - y) / len(z)),
        ),
        (
            "7.2",
            "a list of 3 items where 8 are expected",
            lambda: ex.check_batch_seed(lambda z, y: np.ones(3)),
        ),
        (
            "7.2",
            "plain numbers",
            lambda: ex.check_batch_seed(lambda z, y: [Value(float(v)) for v in z]),
        ),
    ]
    for number, text, call in cases:
        ATTEMPTS[number] = 1  # the second attempt: the hint is shown
        with pytest.raises(WrongAnswerError) as caught:
            call()
        assert text in str(caught.value), str(caught.value)
        assert caught.value.mistake is None and RESULTS[number].mistake is None


def test_a_batch_seed_of_shape_n_by_1_is_fine(capsys: pytest.CaptureFixture[str]) -> None:
    ex.check_batch_seed(lambda z, y: ((sigmoid(z) - y) / len(z))[:, None])
    assert capsys.readouterr().out.startswith("✓ from your seed the tape's backward pass")


def test_a_wrong_diagnosis_says_what_that_diagnosis_looks_like() -> None:
    def always(cause: str) -> Callable[[list[float], list[float]], str]:
        return lambda train, validation: cause

    ATTEMPTS["4.4"] = 1
    with pytest.raises(WrongAnswerError) as caught:
        ex.check_loss_diagnosis(always("rate too low"))
    assert caught.value.problem == "curve A is not 'rate too low'"
    assert "smooth but very slow" in str(caught.value)
    with pytest.raises(WrongAnswerError, match=re.escape("'slow' is not one of the diagnoses")):
        ex.check_loss_diagnosis(always("slow"))


def test_loss_curves_show_their_problems() -> None:
    curves = ex.loss_curves()
    overfit, too_low, too_high, no_zero = curves["B"], curves["D"], curves["C"], curves["A"]
    assert overfit["train"][-1] < overfit["train"][20]
    assert overfit["validation"][-1] > min(overfit["validation"])
    assert too_low["train"][0] - too_low["train"][-1] < 0.05
    assert max(too_high["train"]) > 3 * too_high["train"][0]
    lowest = int(np.argmin(no_zero["train"]))
    assert max(no_zero["train"][lowest:]) > 1.1 * no_zero["train"][lowest]  # it turns back up


@pytest.mark.parametrize("seed", range(20))
def test_drawn_curves_show_their_problems(seed: int) -> None:
    import random

    runs, key = synthetic_curves(random.Random(seed), 6)
    assert set(key) == set(CURVE_CAUSES) and len(runs) == 6
    for run, cause in zip(runs, key, strict=True):
        train_, validation = run["train"], run["validation"]
        assert len(train_) == len(validation) >= 30
        start, end, lowest = train_[0], train_[-1], min(train_)
        if cause == "rate too high":
            assert max(train_) >= 4 * start
        elif cause == "rate too low":
            assert 0 < start - end <= 0.02 * start and max(train_) == start
        elif cause == "overfitting":
            assert all(b < a for a, b in itertools.pairwise(train_))  # keeps falling
            assert validation[-1] > 1.2 * min(validation)
        else:
            assert end > 1.1 * lowest and start - end > 0.15 * start  # turned back up


def test_tiny_engine_matches_the_real_one() -> None:
    ours, engine = ex.tiny_engine_gradients(RIGHT["2.5"]["OPS"])
    assert ours == pytest.approx(engine, rel=1e-12)
    x, y = Value(0.8), Value(2.5)
    q = ((x.tanh() / y.log()).sigmoid() ** 2) * x.exp()
    q.backward()
    assert engine == [x.grad, y.grad]
    h = 1e-6
    f = lambda a, b: (1 / (1 + math.exp(-math.tanh(a) / math.log(b)))) ** 2 * math.exp(a)  # noqa: E731
    assert engine[0] == pytest.approx((f(0.8 + h, 2.5) - f(0.8 - h, 2.5)) / (2 * h), rel=1e-7)


def test_switched_off_restores_inherited_and_own_attributes_even_on_error() -> None:
    from micrograd_edu import optim
    from micrograd_edu.exercises.switch import SwitchedOffError, resolve, switched_off

    targets = resolve(
        [
            ("micrograd_edu.optim:SGD", "zero_grad"),  # inherited from Optimizer
            ("micrograd_edu.optim:SGD", "step"),  # SGD's own
            ("micrograd_edu.nowhere", "step"),  # no such module: skipped
            ("micrograd_edu.optim:Nothing", "step"),  # no such class: skipped
        ]
    )
    assert [shown for _, _, shown in targets] == ["SGD.zero_grad", "SGD.step"]
    own_step = vars(optim.SGD)["step"]
    assert "zero_grad" not in vars(optim.SGD)
    calls: list[list[str]] = []

    def student_code() -> None:
        with switched_off("4.2", "the SGD step", targets) as made:
            calls.append(made)  # filled as the calls happen
            with pytest.raises(SwitchedOffError, match=re.escape("`SGD.zero_grad`")):
                optim.SGD([Value(1.0)], lr=0.1).zero_grad()
            raise RuntimeError("the student's own error")

    with pytest.raises(RuntimeError, match="the student's own error"):
        student_code()
    assert calls == [["SGD.zero_grad"]]
    assert "zero_grad" not in vars(optim.SGD) and vars(optim.SGD)["step"] is own_step
    p = Value(1.0)
    p.grad = 2.0
    optimizer = optim.SGD([p], lr=0.25)
    optimizer.step()
    optimizer.zero_grad()
    assert (p.data, p.grad) == (0.5, 0.0)

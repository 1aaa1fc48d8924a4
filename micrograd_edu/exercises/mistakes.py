"""The catalogue of classic backpropagation mistakes, and feedback that names them.

A wrong answer to an exercise raises :class:`WrongAnswerError`, which carries
the exercise, the :class:`Mistake` recognised (only when the answer matches
that mistake simulated on the same input), the input that showed it, the
first wrong entry and hints that do not hand over the solution. Feedback is
*staged* (:func:`exercise` counts each exercise's wrong attempts in the
kernel): the first attempt names the mistake and where it shows, the second
adds the rule in words, the third the formula. In IPython and Jupyter it is
shown as a short block, without a traceback through the checker
(:func:`~micrograd_edu.exercises.jupyter.install_feedback`); plain Python gets
the same text as the exception's message.

Every check records its outcome in :data:`RESULTS` (passed, not done, wrong
with the mistake, error) for the notebook's own use. A grade must not come
from there (the student's kernel owns it): the grader judges every exercise
in its own process, on hidden inputs (:mod:`micrograd_edu.exercises.grading`),
and gets the same :class:`Outcome`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal, ParamSpec, TypeVar

from .value_catalogue import VALUE_CLASS_MISTAKES

__all__ = [
    "ATTEMPTS",
    "CATALOGUE",
    "EXERCISES",
    "GRADER_STAGE",
    "RESULTS",
    "Mistake",
    "NotDoneError",
    "Outcome",
    "WrongAnswerError",
    "exercise",
    "not_done",
]


@dataclass(frozen=True)
class Mistake:
    """A classic mistake: a short code, its name, the rule it breaks in words, and the formula.

    ``explanation`` is what a student reads on the second attempt, ``formula``
    (possibly empty) on the third: never the exercise's whole answer.
    """

    code: str
    name: str
    explanation: str
    formula: str = ""


_MISTAKES = [
    Mistake(
        "assign-not-accumulate",
        "= instead of +=",
        "a reused node got only one path's share of the gradient: the shares of every path must "
        "be added up, and = keeps only the last one",
        "child.grad += local_grad × node.grad",
    ),
    Mistake(
        "wrong-order",
        "wrong order",
        "the order runs the wrong way: a topological order lists each node after the nodes it "
        "was computed from, and backward walks it backwards, from the output to the inputs, so "
        "that a node passes its gradient on only once every node that uses it has passed theirs",
        "for node in reversed(order): ...",
    ),
    Mistake(
        "no-seed",
        "no seed",
        "the output's own gradient was never set, so nothing flowed back: backward starts at the "
        "output, whose gradient with respect to itself is 1",
        "root.grad = 1",
    ),
    Mistake("sign-error", "sign error", "the answer has the right size but the opposite sign"),
    Mistake(
        "divided-by-h",
        "divided by h, not 2h",
        "the slope is exactly twice the true one: a central difference spans two steps, "
        "from x − h to x + h",
        "(f(x + h) − f(x − h)) / (2h)",
    ),
    Mistake(
        "forward-difference",
        "a one-sided instead of a central difference",
        "comparing f at x with a neighbour on one side only leaves an error that shrinks like h; "
        "looking at both sides of x, the errors cancel and shrink like h²",
        "(f(x + h) − f(x − h)) / (2h)",
    ),
    Mistake(
        "step-too-large",
        "h too large",
        "the formula is right but the step is too big: the curve bends between x − h and x + h, "
        "and the bending shows in the slope; a tiny h such as 1e-6 gives the derivative",
    ),
    Mistake(
        "sum-not-mean",
        "sum instead of mean",
        "the result is n times too large: a mean divides the sum by the number of samples",
        "mean = (x₁ + … + xₙ) / n",
    ),
    Mistake(
        "rmse",
        "RMSE instead of MSE",
        "the square root of the mean squared error is the RMSE, another number: the MSE stops "
        "at the mean of the squares",
        "MSE = (1/n) Σ (ŷᵢ − yᵢ)²",
    ),
    Mistake(
        "n-minus-one",
        "÷ (n − 1) instead of ÷ n",
        "dividing by n − 1 is the correction of a sample variance; a mean divides by n, the "
        "number of samples",
        "mean = (x₁ + … + xₙ) / n",
    ),
    Mistake(
        "tanh-missing-square",
        "1 − tanh instead of 1 − tanh²",
        "the derivative of tanh is one minus the square of its output",
        "d tanh(x)/dx = 1 − tanh(x)²",
    ),
    Mistake(
        "derivative-from-input",
        "derivative from the input instead of the output",
        "the local derivative was computed from the input x where the rule uses the stored output",
        "exp: d/dx = out;  sigmoid: out·(1 − out);  tanh: 1 − out²",
    ),
    Mistake(
        "division-missing-square",
        "d(a/b)/db missing the square",
        "a/b = a · b⁻¹, and the power rule lowers the exponent −1 to −2: b appears squared",
        "d(b⁻¹)/db = −b⁻²",
    ),
    Mistake(
        "division-missing-sign",
        "d(a/b)/db missing the sign",
        "increasing b makes a/b smaller when a/b > 0: the derivative in b has the opposite sign "
        "of a/b",
        "d(b⁻¹)/db = −b⁻²",
    ),
    Mistake(
        "power-missing-factor",
        "power rule without the exponent",
        "the exponent comes down as a factor when a power is differentiated",
        "d(aᵏ)/da = k·aᵏ⁻¹",
    ),
    Mistake(
        "power-exponent-not-lowered",
        "power rule without lowering the exponent",
        "the exponent comes down as a factor and the power left behind is one lower",
        "d(aᵏ)/da = k·aᵏ⁻¹",
    ),
    Mistake(
        "swapped-pair",
        "the pair in the wrong order",
        "the answer has the right numbers in the wrong places: the derivative in a comes first, "
        "then the one in b",
    ),
    Mistake(
        "own-factor",
        "a product's derivative taken as its own factor",
        "nudging a changes a·b by b times the nudge: the local derivative of a product in one "
        "factor is the other factor",
        "d(a·b)/da = b",
    ),
    Mistake(
        "missing-chain",
        "the local derivative without the chain",
        "a gradient multiplies the local derivative by the gradient that arrived at the node "
        "above: the chain rule multiplies along the whole path from L",
        "dL/dx = dL/d(node) × d(node)/dx",
    ),
    Mistake(
        "stale-grads",
        "grads not reset before backward",
        "a node's grad still held an earlier value when the chain rule added to it: reset the "
        "computed nodes' grads to 0 before seeding the output",
        "for node in order: node.grad = 0",
    ),
    Mistake(
        "float-not-value",
        "a float where a Value is needed",
        "a plain number (or .data) carries no graph, so no gradient can flow back through it: "
        "compute with the Values themselves",
    ),
    Mistake(
        "list-not-tuple",
        "a list where a tuple or a Value is needed",
        "the answer has the right numbers in the wrong container",
    ),
    Mistake(
        "broadcast-shapes",
        "(n, 1) against (n,)",
        "subtracting an (n,) array from an (n, 1) one broadcasts to an (n, n) table: n² "
        "differences instead of n; flatten the predictions (or reshape the targets) first",
    ),
    Mistake(
        "float32",
        "float32 instead of float64",
        "float32 keeps about 7 significant digits, float64 about 16: the numbers were rounded "
        "to float32 on the way, so the result differs after the 7th digit; keep float64",
        "torch.tensor(array) of a float64 NumPy array is float64",
    ),
    Mistake(
        "missing-zero-grad",
        "missing zero_grad",
        "gradients accumulate across backward() calls: without zero_grad() each step adds the "
        "new gradient to all the old ones, and the steps grow",
        "zero_grad(), then loss.backward(), then the step",
    ),
    Mistake(
        "exploding-lr",
        "learning rate too high",
        "each step overshoots the minimum by more than it gains: the loss grows instead of "
        "shrinking",
    ),
    Mistake(
        "updated-grad-not-data",
        "updated p.grad instead of p.data",
        "the step must change the parameter's value (p.data); the gradient only says which way",
        "p.data −= lr × p.grad",
    ),
    Mistake(
        "rebinding",
        "a new Value instead of updating p.data",
        "the parameters kept their values: p = p − lr·g (or a new list) makes new Values and only "
        "moves the name; change each parameter's .data in place",
        "p.data −= lr × p.grad",
    ),
    Mistake(
        "update-sign",
        "+= instead of −= in the update",
        "moving along the gradient climbs the loss; gradient descent moves against it",
        "p.data −= lr × p.grad",
    ),
    Mistake(
        "returns-reversed",
        "returns in the wrong order",
        "Gₜ collects the rewards from t onwards: compute it backwards, from the last reward, "
        "and keep the returns in the order of the steps",
        "Gₜ = rₜ + γ·Gₜ₊₁",
    ),
    Mistake(
        "gamma-on-current-reward",
        "γ applied to the current reward",
        "the reward of step t counts in full: only the future is discounted",
        "Gₜ = rₜ + γ·Gₜ₊₁",
    ),
    Mistake(
        "running-sum-not-reset",
        "running sum not reset between episodes",
        "the previous episode's return leaked into this one's: start every episode's "
        "running sum at 0",
    ),
    Mistake(
        "advantages-ignored",
        "advantages ignored",
        "without the advantages every action taken is made more likely, the good and the bad "
        "alike: weight each log-probability by its advantage",
        "L = −(1/T) Σₜ log π(aₜ | sₜ) · Âₜ",
    ),
    Mistake(
        "missing-target",
        "the label left out",
        "σ(z) is the predicted probability, not the loss's slope: the slope in the logit says "
        "how far the probability is from the label",
        "d/dz log(1 + eᶻ) = σ(z)",
    ),
    Mistake(
        "library-call",
        "the library's own version called",
        "this exercise asks you to write it yourself: the library's version is switched off "
        "while your code runs, so build it from the simpler pieces the notebook shows",
    ),
    Mistake(
        "step-before-backward",
        "step before backward",
        "the step used the gradients of the previous batch (or none at all): "
        "backward() must run before optimizer.step()",
    ),
]
_MISTAKES += [Mistake(**fields) for fields in VALUE_CLASS_MISTAKES]  # exercise 2.6's own
CATALOGUE: dict[str, Mistake] = {mistake.code: mistake for mistake in _MISTAKES}
"""Every named mistake, by code."""

_HERE = Path(__file__).resolve().parent

MAX_STAGE = 3
"""Stage 1: the problem, the mistake's name and where; 2: + the rule in words; 3: + the formula."""
GRADER_STAGE = 2
"""The stage of the grader's feedback (a submission is judged once: the rule, never the formula)."""


class WrongAnswerError(Exception):
    """An exercise's answer is wrong; says which mistake, where, and hints by stage.

    ``where`` names the first wrong entry ("d out/dx after call 1 on out = x · x");
    ``expected`` and ``got`` are shown as given (None: not shown); ``hint`` is
    the rule in words (stage 2), ``formula`` the formula (stage 3), both shown
    when no mistake is named (a named mistake brings its own). ``str(error)``
    is the whole feedback block at :attr:`stage` (None: every stage).
    """

    status: ClassVar[str] = "wrong"

    def __init__(
        self,
        exercise: str,
        problem: str,
        *,
        mistake: str | None = None,
        where: str | None = None,
        input: str | None = None,
        expected: object = None,
        got: object = None,
        hint: str | None = None,
        formula: str | None = None,
    ) -> None:
        if mistake is not None and mistake not in CATALOGUE:
            raise KeyError(f"unknown mistake {mistake!r}")
        self.exercise = exercise
        self.problem = problem
        self.mistake = CATALOGUE[mistake] if mistake else None
        self.where = where
        self.input = input
        self.expected = expected
        self.got = got
        self.hint = hint
        self.formula = formula
        self.stage: int | None = None
        super().__init__(self.feedback())

    def at_stage(self, stage: int | None) -> WrongAnswerError:
        """This error, its message now the feedback of ``stage`` (1, 2, 3; None: all)."""
        self.stage = stage
        self.args = (self.feedback(),)
        return self

    def details(self) -> list[str]:
        """The lines after the problem and the mistake: where, input, expected, got."""
        lines = []
        if self.where is not None:
            lines.append(f"  where:    {self.where}")
        if self.input is not None:
            lines.append(f"  input:    {self.input}")
        if self.expected is not None:
            lines.append(f"  expected: {_show(self.expected)}")
        if self.got is not None:
            lines.append(f"  got:      {_show(self.got)}")
        return lines

    @property
    def summary(self) -> str:
        """The one-line message of the outcome (:attr:`Outcome.message`)."""
        return self.problem

    def feedback(self, stage: int | None = None, more: bool = True) -> str:
        """The block a student reads at ``stage`` (default :attr:`stage`; None: everything).

        Stage 1 names the problem, the mistake and where; stage 2 adds the
        mistake's rule in words (or the hint); stage 3 the formula. ``more``:
        a last line says that checking again shows more (not in a grade).
        """
        stage = self.stage if stage is None else stage
        level = MAX_STAGE if stage is None else max(1, stage)
        lines = [f"✗ Exercise {self.exercise}: {self.problem}"]
        rule, formula = self.hint, self.formula
        if self.mistake is not None:
            rule, formula = self.mistake.explanation, self.mistake.formula
            why = f" — {rule}" if level >= 2 else ""
            lines.append(f"  mistake:  {self.mistake.name}{why}")
        lines += self.details()
        if self.mistake is None and rule and level >= 2:
            lines.append(f"  hint:     {rule}")
        if formula and level >= 3:
            lines.append(f"  formula:  {formula}")
        if not more or stage is None:
            pass
        elif rule and level < 2:
            lines.append("  more:     run the check again for a hint")
        elif formula and level < 3:
            lines.append("  more:     run the check again for the formula")
        return "\n".join(lines)


def _show(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


class NotDoneError(NotImplementedError):
    """An exercise is not done yet: its stub is still there, or a ``None`` was left in it.

    A ``NotImplementedError`` (as the stub raises), so that ``except
    NotImplementedError`` still catches it; Jupyter shows its message alone.
    """

    def __init__(self, exercise: str, detail: str | None = None) -> None:
        self.exercise = exercise
        self.detail = detail
        stub = "replace the `raise NotImplementedError` line with your code"
        what = f"{detail}: put your answer in its place" if detail else stub
        super().__init__(f"✗ Exercise {exercise} is not done yet: {what}, then run the cell again.")


def not_done(detail: str) -> NotImplementedError:
    """What a probe raises for an answer with a ``None`` left: ``detail`` names the entry.

    >>> str(not_done("my_grads['b'] is still None"))
    "my_grads['b'] is still None"
    """
    return NotImplementedError(detail)


def unfinished_detail(error: NotImplementedError) -> str | None:
    """What is left to do, from a NotImplementedError raised here (:func:`not_done`); None
    for the student's stub, which says nothing useful."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    ours = tb is not None and Path(tb.tb_frame.f_code.co_filename).resolve().is_relative_to(_HERE)
    return str(error)[:200] if ours and str(error) else None


# ---------------------------------------------------------------------- results
Status = Literal["passed", "not done", "wrong", "error", "missing"]


@dataclass(frozen=True)
class Outcome:
    """What a check (or the grader's judge) concluded about one exercise.

    ``status`` is "passed", "wrong" (``mistake`` names the catalogued mistake
    when one was recognised), "not done" (the stub is still there, or a None),
    "error" (the student's code raised) or "missing" (the exercise's function
    is not in the notebook). ``message`` is one line; ``feedback`` is the whole
    block a student reads (problem, mistake, input, expected, got, hints).
    """

    exercise: str
    status: Status
    mistake: str | None = None
    message: str = ""
    feedback: str = ""


RESULTS: dict[str, Outcome] = {}
"""The latest outcome of every exercise checked in this Python process."""

ATTEMPTS: dict[str, int] = {}
"""How many times each exercise's check has failed in this Python process (the hint's stage)."""

EXERCISES: dict[str, str] = {}
"""Every check function's name and its exercise number, e.g. ``"check_backward": "2.4"``."""

P = ParamSpec("P")
R = TypeVar("R")


def exercise(number: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a check function as exercise ``number``: stubs, stages and outcomes are handled here.

    A ``NotImplementedError`` becomes :class:`NotDoneError` ("✗ Exercise N.M: ...
    is not done yet"); each failure counts as an attempt, whose number sets the
    stage of the feedback; every outcome is recorded in :data:`RESULTS`.
    """

    def decorate(check: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(check)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                result = check(*args, **kwargs)
            except WrongAnswerError as error:
                ATTEMPTS[number] = ATTEMPTS.get(number, 0) + 1
                error.at_stage(min(ATTEMPTS[number], MAX_STAGE))
                code = error.mistake.code if error.mistake else None
                status: Status = "error" if error.status == "error" else "wrong"
                RESULTS[number] = Outcome(number, status, code, error.summary, str(error))
                raise
            except NotImplementedError as error:
                detail = unfinished_detail(error)
                RESULTS[number] = Outcome(number, "not done", message=detail or "")
                raise NotDoneError(number, detail) from None
            RESULTS[number] = Outcome(number, "passed")
            return result

        EXERCISES[check.__name__] = number
        return run

    return decorate

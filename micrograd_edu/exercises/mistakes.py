"""The catalogue of classic backpropagation mistakes, and feedback that names them.

A wrong answer to an exercise raises :class:`WrongAnswerError`, which carries
the exercise, the :class:`Mistake` recognised (when the checks could tell
which one it is), the input that showed it, the expected and the obtained
values and a hint that does not hand over the solution. In IPython and
Jupyter it is shown as a short block, without a traceback through the
checker (:func:`install_feedback`); plain Python gets the same text as the
exception's message.

Every check records its outcome in :data:`RESULTS` (passed, not done, wrong
with the mistake) for the notebook's own use. A grade must not come from
there (the student's kernel owns it): the grader judges every exercise in its
own process, on hidden inputs (:mod:`micrograd_edu.exercises.grading`), and
gets the same :class:`Outcome`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, ParamSpec, TypeVar

__all__ = [
    "CATALOGUE",
    "EXERCISES",
    "RESULTS",
    "Mistake",
    "Outcome",
    "WrongAnswerError",
    "exercise",
    "install_feedback",
]


@dataclass(frozen=True)
class Mistake:
    """A classic mistake: a short code, what it is, and why it gives what it gives."""

    code: str
    name: str
    explanation: str


_MISTAKES = [
    Mistake(
        "assign-not-accumulate",
        "= instead of +=",
        "a reused node got only one path's share of the gradient: gradients from every path "
        "must be added up, so use child.grad += ...",
    ),
    Mistake(
        "wrong-order",
        "wrong order",
        "a node passed its gradient on before all of its parents had passed theirs to it: walk "
        "the topological order backwards, from the output to the inputs",
    ),
    Mistake(
        "no-seed",
        "no seed",
        "the output's own gradient was never set: backward starts with d out/d out = 1",
    ),
    Mistake("sign-error", "sign error", "the answer has the right size but the opposite sign"),
    Mistake(
        "divided-by-h",
        "divided by h, not 2h",
        "the slope is exactly twice the true one: a central difference spans 2h, "
        "from x − h to x + h",
    ),
    Mistake(
        "forward-difference",
        "forward instead of central difference",
        "(f(x + h) − f(x)) / h looks at one side only; its error shrinks like h, "
        "the central difference's like h²",
    ),
    Mistake(
        "sum-not-mean",
        "sum instead of mean",
        "the result is n times too large: a mean divides the sum by the number of samples",
    ),
    Mistake(
        "tanh-missing-square",
        "1 − tanh instead of 1 − tanh²",
        "the derivative of tanh is 1 − tanh², the square of the output",
    ),
    Mistake(
        "derivative-from-input",
        "derivative from the input instead of the output",
        "the local derivative was computed from the input x where the formula uses the stored "
        "output (eˣ for exp, σ(x)(1 − σ(x)) for sigmoid, 1 − tanh² for tanh)",
    ),
    Mistake(
        "division-missing-square",
        "d(a/b)/db missing the square",
        "d(a/b)/db = −a/b²: b appears squared",
    ),
    Mistake(
        "division-missing-sign",
        "d(a/b)/db missing the sign",
        "d(a/b)/db = −a/b²: increasing b makes a/b smaller when a/b > 0",
    ),
    Mistake(
        "power-missing-factor",
        "power rule without the exponent",
        "d(aᵏ)/da = k·aᵏ⁻¹: the exponent comes down as a factor",
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
        "subtracting an (n,) array from an (n, 1) one broadcasts to (n, n): n² differences "
        "instead of n; flatten the predictions (or reshape the targets) first",
    ),
    Mistake(
        "missing-zero-grad",
        "missing zero_grad",
        "gradients accumulate across backward() calls: without zero_grad() each step adds the "
        "new gradient to all the old ones, and the steps grow",
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
    ),
    Mistake(
        "update-sign",
        "+= instead of −= in the update",
        "moving along the gradient climbs the loss; gradient descent moves against it",
    ),
    Mistake(
        "returns-reversed",
        "returns in the wrong order",
        "Gₜ collects the rewards from t onwards: compute it backwards, from the last reward, "
        "and keep the returns in the order of the steps",
    ),
    Mistake(
        "gamma-on-current-reward",
        "γ applied to the current reward",
        "the reward of step t counts in full: Gₜ = rₜ + γ·Gₜ₊₁, only the future is discounted",
    ),
    Mistake(
        "running-sum-not-reset",
        "running sum not reset between episodes",
        "the previous episode's return leaked into this one's: start every episode's "
        "running sum at 0",
    ),
    Mistake(
        "missing-target",
        "the label left out",
        "σ(z) is the predicted probability, not the loss's slope: the cross-entropy's "
        "derivative in the logit is σ(z) − y, how far the probability is from the label",
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
    # Exercise 2.6, your own Value (micrograd_edu.exercises.value_class).
    Mistake(
        "number-not-wrapped",
        "a number not wrapped in a Value",
        "in a + 1 your operator got the plain number 1, which has no .data and no .grad: "
        "turn a number into a Value (a leaf, no children) before using it",
    ),
    Mistake(
        "missing-reflected-op",
        "no reflected operator for a number on the left",
        "2 * a asks the number first; a float does not know your class, so Python then calls "
        "the reflected method of a (rmul; radd for 1 + a), which your class must define",
    ),
    Mistake(
        "reused-operand-lost",
        "a node used twice by one operation counted once",
        "in a + a and a · a the same node is both operands, and each operand passes its own "
        "share back: keep the children in a tuple (a set or a dict keyed by node keeps one)",
    ),
    Mistake(
        "closure-wrong-grad",
        "the closure used the wrong node's grad",
        "no gradient reached below the output: each local derivative is multiplied by the "
        "output's grad (out.grad), not by the child's own grad, which is still 0 when the "
        "closure runs (and each operation must keep its closure on the node it returns)",
    ),
    Mistake(
        "product-rule-swapped",
        "d(a·b)/da taken as a",
        "in a product each factor's local derivative is the other factor: "
        "d(a·b)/da = b and d(a·b)/db = a",
    ),
    Mistake(
        "topological-no-visited",
        "topological sort without a visited set",
        "a node reached along several paths was put in the order once per path, so it passed "
        "its gradient on more than once (and the list grows exponentially with reuse): "
        "remember the nodes already visited",
    ),
    Mistake(
        "recursion-depth",
        "recursion too deep",
        "a recursive sort nests one call per node along a path; Python stops at about 1,000 "
        "nested calls, so a chain of 2,000 nodes ends in RecursionError: visit the graph with a "
        "loop instead",
    ),
]
CATALOGUE: dict[str, Mistake] = {mistake.code: mistake for mistake in _MISTAKES}
"""Every named mistake, by code."""


class WrongAnswerError(Exception):
    """An exercise's answer is wrong; says which mistake, where, and a hint.

    ``str(error)`` is the whole feedback block: plain Python shows it as the
    message, Jupyter (after :func:`install_feedback`) shows it alone.
    """

    def __init__(
        self,
        exercise: str,
        problem: str,
        *,
        mistake: str | None = None,
        input: str | None = None,
        expected: object = None,
        got: object = None,
        hint: str | None = None,
    ) -> None:
        if mistake is not None and mistake not in CATALOGUE:
            raise KeyError(f"unknown mistake {mistake!r}")
        self.exercise = exercise
        self.problem = problem
        self.mistake = CATALOGUE[mistake] if mistake else None
        self.input = input
        self.expected = expected
        self.got = got
        self.hint = hint
        super().__init__(self.feedback())

    def feedback(self) -> str:
        """The block a student reads."""
        lines = [f"✗ Exercise {self.exercise}: {self.problem}"]
        if self.mistake is not None:
            lines.append(f"  mistake:  {self.mistake.name} — {self.mistake.explanation}")
        if self.input is not None:
            lines.append(f"  input:    {self.input}")
        if self.expected is not None or self.got is not None:
            lines.append(f"  expected: {_show(self.expected)}")
            lines.append(f"  got:      {_show(self.got)}")
        if self.hint:
            lines.append(f"  hint:     {self.hint}")
        return "\n".join(lines)


def _show(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


# ---------------------------------------------------------------------- results
Status = Literal["passed", "not done", "wrong", "error", "missing"]


@dataclass(frozen=True)
class Outcome:
    """What a check (or the grader's judge) concluded about one exercise.

    ``status`` is "passed", "wrong" (``mistake`` names the catalogued mistake
    when one was recognised), "not done" (the stub is still there), "error"
    (the student's code raised) or "missing" (the exercise's function is not
    in the notebook). ``message`` is one line; ``feedback`` is the whole block
    a student reads (problem, mistake, input, expected, got, hint).
    """

    exercise: str
    status: Status
    mistake: str | None = None
    message: str = ""
    feedback: str = ""


RESULTS: dict[str, Outcome] = {}
"""The latest outcome of every exercise checked in this Python process."""

EXERCISES: dict[str, str] = {}
"""Every check function's name and its exercise number, e.g. ``"check_backward": "2.4"``."""

P = ParamSpec("P")
R = TypeVar("R")


def exercise(number: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a check function as exercise ``number``: stubs and outcomes are handled here.

    A ``NotImplementedError`` raised by the student's stub becomes "Exercise N.M
    is not done yet"; every outcome is recorded in :data:`RESULTS`.
    """

    def decorate(check: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(check)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                result = check(*args, **kwargs)
            except WrongAnswerError as error:
                code = error.mistake.code if error.mistake else None
                RESULTS[number] = Outcome(number, "wrong", code, error.problem, error.feedback())
                raise
            except NotImplementedError:
                RESULTS[number] = Outcome(number, "not done")
                raise NotImplementedError(
                    f"Exercise {number} is not done yet: replace the `raise NotImplementedError` "
                    "line with your code, then run the cell again."
                ) from None
            RESULTS[number] = Outcome(number, "passed")
            return result

        EXERCISES[check.__name__] = number
        return run

    return decorate


# ---------------------------------------------------------------------- Jupyter
def _show_feedback(
    shell: Any, etype: type[BaseException], value: BaseException, tb: Any, tb_offset: Any = None
) -> list[str]:
    """IPython's handler for WrongAnswerError: the feedback block, no traceback.

    ``_showtraceback`` is how IPython itself shows an error: the terminal
    prints it, a Jupyter kernel publishes it as the cell's error output (with
    the exception's name), so graders and front ends still see the error.
    """
    shell._showtraceback(etype, value, [str(value)])
    return []


def install_feedback() -> bool:
    """In IPython/Jupyter, show a wrong answer as its feedback block, without a traceback.

    Returns whether a shell was found. Called when :mod:`micrograd_edu.exercises`
    is imported; harmless elsewhere.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((WrongAnswerError,), _show_feedback)
    return True

"""Notebook 9: 9.1 name_mistake, the mystery runs.

``name_mistake(run)`` reads one training run and returns the code (or the name)
of the mistake it hides. The notebook checks it on the runs A–F, the grader on
six runs drawn per submission (other data sets, 30 to 50 samples).
"""

from __future__ import annotations

import textwrap

from exercise_answers import MYSTERY_KEY

from micrograd_edu.exercises.symptoms import TRAINING_MISTAKES

from . import Answer, answer

_HEAD = """\
def name_mistake(run):
    loss, grad_norm, accuracy = run.loss, run.grad_norm, run.accuracy
    n = len(run.y)
"""

_RULES = """\
if loss[0] > 0.5 * n * math.log(2):
    return "sum-not-mean"
if max(loss) == min(loss):
    return "step-before-backward"
if accuracy[-1] < 0.65 and loss[-1] < 0.5 * loss[0]:
    return "missing-target"
if grad_norm[-1] > 1.5 * grad_norm[0] and loss[-1] < loss[0]:
    return "missing-zero-grad"
if all(loss[t + 1] > loss[t] for t in range(5)):
    return "update-sign"
return "exploding-lr"
"""
"""The notebook's solution: one rule per mistake, the scale first."""


def _rules(label: str, verdict: str, rules: str, *, hidden: str | None = None) -> Answer:
    """``name_mistake`` with ``rules`` as its body after the notebook's first lines."""
    if label != "notebook" and rules.strip() == _RULES.strip():
        raise ValueError(f"9.1 {label}: the edit left the notebook's solution unchanged")
    body = textwrap.indent(textwrap.dedent(rules).strip("\n"), "    ")
    return answer("9.1", label, verdict, f"{_HEAD}{body}\n", hidden=hidden)


NOTEBOOK_KEY = MYSTERY_KEY
"""The mistakes of runs A–F, as a student who named them by eye would type them."""

_REMEMBERED = f"""\
KEY = {list(NOTEBOOK_KEY)!r}
NOTEBOOK = {{round(run.loss[-1], 6): code for run, code in zip(mystery_runs().values(), KEY)}}


def name_mistake(run):
    return NOTEBOOK.get(round(run.loss[-1], 6))  # the run looked up by its last loss
"""


_ALWAYS = [
    answer(
        "9.1",
        f"always-{code}",
        "wrong",
        f"def name_mistake(run):\n    return {code!r}\n",
    )
    for code in TRAINING_MISTAKES
]
"""Each mistake named for runs that do not hide it (five of the six runs, every time)."""

ANSWERS = [
    # ------------------------------------------------------------ 9.1 right
    _rules("notebook", "passed", _RULES),
    _rules(
        "catalogue-names",
        "passed",
        _RULES.replace('"sum-not-mean"', '"SUM INSTEAD OF MEAN"')
        .replace('"step-before-backward"', '"  step before backward "')
        .replace('"missing-target"', '"The label left out"')
        .replace('"missing-zero-grad"', '"missing zero_grad"')
        .replace('"update-sign"', '"+= instead of -= in the update"')
        .replace('"exploding-lr"', '"learning rate too high"'),
    ),
    answer(
        "9.1",
        "numpy-other-order",
        "passed",
        """
        def name_mistake(run):
            loss, norm = np.array(run.loss), np.array(run.grad_norm)
            turns = np.count_nonzero(np.diff(np.sign(np.diff(loss))))
            if loss[0] / len(run.y) > 0.3:  # ln 2 ≈ 0.69 per sample: a sum
                return "sum_not_mean"
            if np.ptp(loss) == 0:
                return "Step-Before-Backward"
            if np.all(np.diff(loss[:6]) > 0):  # the first five steps all climb
                return "update sign"
            if turns >= 4 and loss[-1] > loss[0]:
                return "exploding_lr"
            if run.accuracy[-1] <= 0.6:
                return "missing target"
            return "missing zero grad"
        """,
    ),
    answer(
        "9.1",
        "reads-the-boundary",
        "passed",
        """
        import statistics


        def name_mistake(run):
            loss, norm = run.loss, run.grad_norm
            says = run.model.forward_array(run.X)[:, 0] > 0  # class 1 where the logit is > 0
            if loss[0] > 10 * statistics.mean([0.69, 0.69]):
                return "sum-not-mean"
            if len(set(loss)) == 1:
                return "step-before-backward"
            if loss[:6] == sorted(loss[:6]):  # not once lower in the first five steps
                return "update-sign"
            if loss[-1] > loss[0]:
                return "exploding-lr"
            if says.all() or not says.any():  # one class everywhere, and the loss fell
                return "missing-target"
            return "missing-zero-grad"
        """,
    ),
    # ------------------------------------------------------------ 9.1 wrong
    *_ALWAYS,
    _rules(
        "two-swapped",
        "wrong",
        _RULES.replace('"update-sign"', '"SWAP"')
        .replace('"exploding-lr"', '"update-sign"')
        .replace('"SWAP"', '"exploding-lr"'),
    ),
    _rules(
        "rises-before-jumps",  # a loss that ends higher is not always a climb from step 1
        "wrong",
        _RULES.replace(
            "if all(loss[t + 1] > loss[t] for t in range(5)):",
            "if loss[-1] > loss[0]:",
        ),
    ),
    _rules(
        "no-rule-for-one-run",  # the label left out has no rule, and no last return
        "wrong",
        _RULES.replace(
            'if accuracy[-1] < 0.65 and loss[-1] < 0.5 * loss[0]:\n    return "missing-target"\n',
            "",
        ).replace(
            'return "exploding-lr"\n',
            'if loss[-1] > loss[0]:\n    return "exploding-lr"\n',
        ),
    ),
    _rules("a-number", "wrong", "return 3\n"),
    _rules("not-a-training-mistake", "wrong", 'return "overfitting"\n'),
    answer(
        "9.1",
        "a-dict-of-guesses",  # the runs named by letter, as a dict, not a function
        "wrong",
        f"name_mistake = {dict(zip('ABCDEF', NOTEBOOK_KEY, strict=True))!r}\n",
    ),
    _rules("none-left", "wrong", "mistake = None  # which one?\nreturn mistake\n"),
    answer(
        "9.1",
        "stub",
        "not done",
        """
        def name_mistake(run):
            raise NotImplementedError("write your code here, in place of this line")
        """,
    ),
    _rules("exception", "error", "return run.losses[0]\n"),
    answer(
        "9.1",
        "the-library",
        "library-call",
        """
        def name_mistake(run):
            found = features(run)
            return next(code for code, s in SYMPTOMS.items() if s.shows(found))
        """,
    ),
    answer(
        "9.1",
        "the-library-saved-before",
        "library-call",
        """
        def name_mistake(run, symptoms=SYMPTOMS, measure=features):
            return [code for code, s in symptoms.items() if s.shows(measure(run))][0]
        """,
    ),
    answer(
        "9.1",
        "crossed-off",  # right once; the second time nothing is left to cross off
        "error",
        """
        left = list(TRAINING_MISTAKES)  # each mistake hides in one run: cross it off


        def name_mistake(run):
            loss, accuracy, n = run.loss, run.accuracy, len(run.y)
            if loss[0] > 0.5 * n * math.log(2):
                code = "sum-not-mean"
            elif max(loss) == min(loss):
                code = "step-before-backward"
            elif accuracy[-1] < 0.65 and loss[-1] < 0.5 * loss[0]:
                code = "missing-target"
            elif all(b > a for a, b in zip(loss[:5], loss[1:6])):
                code = "update-sign"
            elif loss[-1] > loss[0]:
                code = "exploding-lr"
            else:
                code = left[0]  # the one not named yet
            if code in left:
                left.remove(code)
            return code
        """,
    ),
    answer("9.1", "remembers-the-notebook", "passed", _REMEMBERED, hidden="wrong"),
    _rules(
        "a-number-read-off-run-a",  # run A's first loss (23.4), not n · ln 2: n is not always 40
        "passed",
        _RULES.replace("0.5 * n * math.log(2)", "23"),
        hidden="wrong",
    ),
]

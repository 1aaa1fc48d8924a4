"""The notebooks' text never hands over an exercise's answer.

For every exercise of the course, :data:`ANSWERS` lists its answer's
*fingerprints*: what a student must find themselves, in the forms a text
would write it (code, LaTeX, plain Unicode maths), after :func:`normalized`
has put all of them in one spelling (no spaces, no ``$``, ``\\frac{a}{b}`` as
``(a)/(b)``, ``σ`` for ``\\sigma``, no subscripts' underscores). No markdown
cell of the exercise's notebook before its check, nor the first markdown cell
after it, may hold one. The formula an exercise *gives* as its premise (the
central difference of 1.1, the MSE of 5.1, the policy-gradient loss of 8.2)
is not a fingerprint; its code is.

Each fingerprint list is tested to find the exercise's own solution (or, where
the answer is not code, a sentence that gives it away), so a stale list fails
instead of finding nothing forever.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from exercise_answers import MYSTERY_KEY

from micrograd_edu.exercises.mistakes import CATALOGUE
from micrograd_edu.exercises.registry import ENTRIES

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

_LATEX = [
    (r"\\(?:d|t)?frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)"),
    (r"\\(?:left|right|,|;|!|quad|qquad)", ""),
    (r"\\(?:text|mathbf|mathrm|operatorname|hat|underbrace)\{([^{}]*)\}", r"\1"),
    (r"_\{([^{}]*)\}", r"\1"),
    (r"\^\{([^{}]*)\}", r"^\1"),
]
_SYMBOLS = {
    "\\sigma": "σ",
    "\\partial": "∂",
    "\\cdot": "*",
    "\\times": "*",
    "·": "*",
    "×": "*",
    "−": "-",
    "²": "^2",
    "³": "^3",
    "\\sum": "∑",
    "\\gamma": "γ",
}


def normalized(text: str) -> str:
    """``text`` in one spelling: LaTeX and Unicode maths as plain symbols, no spaces.

    >>> normalized(r"$\\frac{\\sigma(z_i) - y_i}{n}$ and `(σ(z) − y) / n`")
    '(σ(zi)-yi)/(n)and(σ(z)-y)/n'
    """
    for _ in range(3):  # nested braces, innermost first
        for pattern, replacement in _LATEX:
            text = re.sub(pattern, replacement, text)
    for symbol, plain in _SYMBOLS.items():
        text = text.replace(symbol, plain)
    text = re.sub(r"[\s$`]", "", text)
    return re.sub(r"(?<=[A-Za-zσ])_(?=\w)", "", text)


def _names(code: str) -> str:
    return CATALOGUE[code].name if code in CATALOGUE else code


def _mystery_fingerprints() -> list[str]:
    """Each run's letter next to its mistake (code or name): the notebook's own key; and the
    rules of the notebook's ``name_mistake``."""
    fingerprints = [
        "0.5*n*math.log(2)",
        "max(loss)==min(loss)",
        "accuracy[-1]<0.65",
        "grad_norm[-1]>2.5*grad_norm[0]",
    ]
    for letter, code in zip("ABCDEF", MYSTERY_KEY, strict=True):
        for said in {code, _names(code)}:
            word = re.escape(normalized(said))
            fingerprints.append(rf're:(?i:run|"){letter}"?(?:is|:|=|—|-|was)+"?(?i:{word})')
    return fingerprints


ANSWERS: dict[str, list[str]] = {
    "1.1": ["(f(x+h)-f(x-h))/(2*h)"],
    "1.2": ["2*x**3-5*x+1"],
    "2.1": [
        f"{form}"
        for name, value in (("a", "6"), ("b", "-4"), ("f", "4"), ("e", "-2"))
        for form in (
            f"dL/d{name}={value}",
            f"(∂L)/(∂{name})={value}",
            f"∂L/∂{name}={value}",
            f"{name}.grad={value}",
            f'"{name}":{value}',
        )
    ],
    "2.2": ["-a/b**2", "-a/b^2", "(-a)/(b^2)", "-(a)/(b^2)", "-a/(b*b)", "(1/b,"],
    "2.3": ["visited.add(", "ifnodenotinvisited"],
    "2.4": ["fornodeinreversed(order):forchild,local_gradinzip("],
    "2.5": ["lambdaa,out:1-out**2", "lambdaa,out:out*(1-out)", "k*a**(k-1)", "-a/b**2)"],
    "2.6": [
        "self.grad+=out.grad",
        "self.grad+=other.data*out.grad",
        "(1-t**2)*out.grad",
        "__rmul__=__mul__",
        "elseMyValue(other)",
    ],
    "3.1": ["z+wi*xi", "wi*xiforwi,xiinzip(w,x)"],
    "3.2": ["W2@W1", "W2@b1+b2", "(W2W1)", "W2b1+b2"],
    "4.1": ["y*p.log()+(1-y)*(1-p).log()"],
    "4.2": ["p.data-=lr*p.grad"],
    "4.3": ["loss.backward()sgd_step(", "model.zero_grad()loss.backward()"],
    "4.4": [
        r"re:(?i:curve)[A-D][^.]{0,40}(?i:ratetoohigh|ratetoolow|overfitting|nozerograd)",
        r"re:(?:max|min)\(train\)[<>]",
    ],
    "5.1": ["(p-t)**2", "/len(preds)", "**2).mean()"],
    "6.1": ["x1^2+x2^2", "x1**2+x2**2", '["x1^2","x2^2"]'],
    "7.1": ["**2).mean()", "mse_loss("],
    "7.2": ["σ(z)-y", "σ(zi)-yi", "sigmoid(z)-y", "probabilities-y"],
    "8.1": ["reward+gamma*running", "r+gamma*g"],
    "8.2": ["-total/len(log_probs)", "lp*afor"],
    "8.3": ["zero_grad()loss.backward()", "loss.backward()return[p.gradfor"],
    "9.1": _mystery_fingerprints(),
}
"""Per exercise, its answer as a text could give it (``re:``: a pattern on the normalized text)."""

GIVEN_AWAY = {
    "4.4": "Curve A is overfitting: its validation loss turns up.",
}
"""Where the answer is not code in the solution cell: a sentence that gives it away."""


def _found(fingerprints: list[str], text: str) -> list[str]:
    flat = normalized(text)
    return [
        f
        for f in fingerprints
        if (re.search(f[3:], flat) if f.startswith("re:") else normalized(f) in flat)
    ]


def _cells(stem: str) -> list[dict[str, str]]:
    notebook = json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text(encoding="utf-8"))
    return [
        {"type": cell["cell_type"], "source": "".join(cell["source"])} for cell in notebook["cells"]
    ]


def _check_cell(cells: list[dict[str, str]], number: str) -> int:
    call = f"exercises.{ENTRIES[number].check}("
    found = [i for i, cell in enumerate(cells) if cell["type"] == "code" and call in cell["source"]]
    assert len(found) == 1, f"exercise {number}: {len(found)} cells call {call}"
    return found[0]


def test_every_exercise_has_fingerprints() -> None:
    assert set(ANSWERS) == set(ENTRIES)
    assert all(ANSWERS.values())


@pytest.mark.parametrize("number", list(ENTRIES))
def test_the_fingerprints_find_the_answer(number: str) -> None:
    cells = _cells(ENTRIES[number].notebook)
    solution = GIVEN_AWAY.get(number) or cells[_check_cell(cells, number)]["source"]
    assert _found(ANSWERS[number], solution), f"no fingerprint of {number} in {solution[:300]}"


@pytest.mark.parametrize("number", list(ENTRIES))
def test_no_markdown_cell_states_the_answer_before_or_right_after_the_exercise(
    number: str,
) -> None:
    cells = _cells(ENTRIES[number].notebook)
    check = _check_cell(cells, number)
    after = [i for i in range(check + 1, len(cells)) if cells[i]["type"] == "markdown"][:1]
    for index in [i for i in range(check) if cells[i]["type"] == "markdown"] + after:
        found = _found(ANSWERS[number], cells[index]["source"])
        assert not found, (
            f"markdown cell {index} of {ENTRIES[number].notebook} states the answer of "
            f"exercise {number}: {found}"
        )


def test_the_detector_catches_the_ways_a_text_states_an_answer() -> None:
    """7.2's answer as the notebook's text once wrote it, and in LaTeX."""
    for text in (
        "The tape starts from exercise 7.2's seed, $(\\sigma(z) - y)/n$;",
        "its seed is $\\dfrac{\\sigma(z_i) - y_i}{n}$",
        "the slope σ(z) − y, divided by n",
    ):
        assert _found(ANSWERS["7.2"], text), text
    assert not _found(ANSWERS["7.2"], "$L = \\frac{1}{n} \\sum_i [\\log(1 + e^{z_i}) - y_i z_i]$")
    assert _found(ANSWERS["6.1"], "the features $x_1^2 + x_2^2$ make it linear")
    assert not _found(ANSWERS["6.1"], '`"x1"`, `"x2"`, `"x1^2"`, `"x2^2"`, `"x1*x2"`')
    assert _found(ANSWERS["9.1"], 'Run A: "sum instead of mean": its first loss is n · ln 2.')
    assert _found(ANSWERS["9.1"], "run B = `missing-zero-grad`")

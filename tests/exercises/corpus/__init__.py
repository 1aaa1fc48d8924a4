"""The corpus: answers students write to each exercise, and the verdict each must get.

Each :class:`Answer` is the source of the student's cell (as they would type
it in the notebook, the solution's names included) and its verdict:

* ``"passed"``, ``"not done"`` (the stub, or a None left), ``"error"`` (the
  student's own code raised);
* ``"wrong"``: wrong, and no catalogued mistake explains it (the check must
  not name one);
* a mistake's code from the catalogue: wrong, and that mistake is named.

``hidden`` is the verdict on the grader's hidden cases when it differs (an
answer that only remembers the notebook's numbers). The cell runs after its
notebook's :data:`PREAMBLES` (the notebook's imports and the earlier
exercises' right answers), in a file the checks take for a Jupyter cell.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

__all__ = ["PREAMBLES", "VERDICTS", "Answer", "answer"]

VERDICTS = ("passed", "not done", "error", "wrong")
"""The verdicts that are not a mistake's code."""


@dataclass(frozen=True)
class Answer:
    """One student's answer to one exercise, and the verdict it must get."""

    number: str
    label: str
    verdict: str
    source: str
    hidden: str | None = None
    torch: bool = False

    @property
    def id(self) -> str:
        return f"{self.number}-{self.label}"


def answer(
    number: str,
    label: str,
    verdict: str,
    source: str,
    *,
    hidden: str | None = None,
    torch: bool = False,
) -> Answer:
    """An :class:`Answer`, its source dedented."""
    return Answer(number, label, verdict, textwrap.dedent(source).strip() + "\n", hidden, torch)


_COMMON = """\
import math
import numpy as np
from micrograd_edu import Value, datasets, exercises, losses, rl
from micrograd_edu.engine import sum_values
"""

PREAMBLES = {
    "1": _COMMON,
    "2": _COMMON
    + """\
def topological_sort(root):
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for child in node.children:
                visit(child)
            order.append(node)

    visit(root)
    return order
""",
    "3": _COMMON,
    "4": _COMMON
    + """\
def sgd_step(params, lr):
    for p in params:
        p.data -= lr * p.grad
""",
    "5": _COMMON,
    "6": _COMMON,
    "7": _COMMON + "import torch\n",
    "8": _COMMON,
    "9": _COMMON
    + """\
from micrograd_edu.exercises.mistakes import CATALOGUE
from micrograd_edu.exercises.symptoms import (
    SYMPTOMS,
    TRAINING_MISTAKES,
    features,
    mystery_runs,
    training_run,
)
from micrograd_edu.visualize.symptoms import plot_runs
""",
}
"""What runs before the cell, by notebook: its imports and earlier right answers."""

"""Every number explained: gradient paths, formulas, gradient checks, training health, layer views.

Importing the package gives the gradient paths (:mod:`~micrograd_edu.explain.paths`);
the others are imported by name: :mod:`~micrograd_edu.explain.formulas`,
:mod:`~micrograd_edu.explain.gradcheck`, :mod:`~micrograd_edu.explain.health`,
:mod:`~micrograd_edu.explain.layerview`, :mod:`~micrograd_edu.explain.optable`.

>>> from micrograd_edu import Value
>>> from micrograd_edu.explain import explain_grad
>>> a = Value(2.0, label="a")
>>> explain_grad(a * a, a).gradient
4.0
"""

from .paths import (
    INFIX_SYMBOLS,
    MAX_PATHS,
    GradExplanation,
    GradPath,
    TooManyPathsError,
    count_paths,
    explain_grad,
    format_number,
    node_names,
    operand_texts,
)

__all__ = [
    "INFIX_SYMBOLS",
    "MAX_PATHS",
    "GradExplanation",
    "GradPath",
    "TooManyPathsError",
    "count_paths",
    "explain_grad",
    "format_number",
    "node_names",
    "operand_texts",
]

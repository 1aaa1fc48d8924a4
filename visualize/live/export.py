"""The trained network as a plain Python function: source text that needs only ``math``.

The Playground's networks are small enough to read: one line per neuron,
its weights written out. The function computes the same numbers as
:meth:`~micrograd_edu.nn.MLP.forward_array` (the network's outputs: a logit
for a ``bce`` or ``hinge`` network, one logit per class for
``cross_entropy``, the value for regression).
"""

from __future__ import annotations

from collections.abc import Sequence

from micrograd_edu import datasets
from micrograd_edu.nn import MLP

__all__ = ["FEATURE_CODE", "OUTPUTS", "python_function"]

FEATURE_CODE = {
    "x1": "x1",
    "x2": "x2",
    "x1^2": "x1 * x1",
    "x2^2": "x2 * x2",
    "x1*x2": "x1 * x2",
    "sin(x1)": "math.sin(x1)",
    "sin(x2)": "math.sin(x2)",
}
"""Each Playground feature as a Python expression of ``x1`` and ``x2``."""

if set(FEATURE_CODE) != set(datasets.FEATURES):  # a new feature needs its expression here
    raise RuntimeError(f"FEATURE_CODE must cover {sorted(datasets.FEATURES)}")

_ACTIVATION_CODE = {
    "tanh": "math.tanh({})",
    "relu": "max(0.0, {})",
    "sigmoid": "0.5 * (1.0 + math.tanh(0.5 * ({})))",
    "leaky_relu": "_leaky_relu({})",
    "linear": "{}",
}
_LEAKY = "\n\ndef _leaky_relu(z):\n    return z if z > 0 else 0.01 * z\n"


def _weighted_sum(weights: Sequence[float], names: Sequence[str], bias: float) -> str:
    terms = [f"{w!r} * {name}" for w, name in zip(weights, names, strict=True)]
    return " + ".join([*terms, repr(bias)])


OUTPUTS = {
    "bce": "a logit z: P(class 1) = 1 / (1 + math.exp(-z)); class 1 if z > 0",
    "hinge": "a score: class 1 if it is > 0, class 0 otherwise",
    "cross_entropy": "one logit per class: the class of the largest; softmax for probabilities",
    "mse": "the predicted value",
}
"""What the function returns, per loss (written into its docstring)."""


def python_function(
    model: MLP, features: Sequence[str], name: str = "predict", loss: str | None = None
) -> str:
    """Source of ``def name(x1, x2)`` returning the network's output(s) for the point.

    One output: a float; several: a list. Only ``math`` is imported. With
    ``loss`` (a key of :data:`OUTPUTS`), the docstring says what the output means.

    >>> model = MLP(2, [1], seed=0)
    >>> namespace = {}
    >>> exec(python_function(model, ("x1", "x2")), namespace)
    >>> round(namespace["predict"](1.0, 2.0) - float(model.forward_array([[1.0, 2.0]])[0, 0]), 12)
    0.0
    """
    unknown = [f for f in features if f not in FEATURE_CODE]
    if unknown or len(features) != model.nin:
        raise ValueError(f"features {list(features)} do not fit a network of {model.nin} inputs")
    activation = _ACTIVATION_CODE[model.hidden_activation]
    summary = f"The trained network ({model.nin} inputs, layers {model.nouts}) at (x1, x2)."
    meaning = f"\n\n    Returns {OUTPUTS[loss]}.\n    " if loss in OUTPUTS else ""
    lines = [f"def {name}(x1, x2):", f'    """{summary}{meaning}"""']
    names = []
    for k, feature in enumerate(features):
        names.append(f"f{k + 1}")
        lines.append(f"    f{k + 1} = {FEATURE_CODE[feature]}  # {feature}")
    last = len(model.layers) - 1
    for k, layer in enumerate(model.layers):
        outputs = []
        for j, neuron in enumerate(layer.neurons):
            total = _weighted_sum([w.data for w in neuron.w], names, neuron.b.data)
            out = f"out{j + 1}" if k == last else f"h{k + 1}_{j + 1}"
            lines.append(f"    {out} = {total if k == last else activation.format(total)}")
            outputs.append(out)
        names = outputs
    lines.append(f"    return {names[0] if len(names) == 1 else '[' + ', '.join(names) + ']'}")
    helper = _LEAKY if model.hidden_activation == "leaky_relu" else ""
    return "import math\n" + helper + "\n\n" + "\n".join(lines) + "\n"

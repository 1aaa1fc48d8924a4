"""Training health: each layer's gradient norm and update/weight ratio, and one step traced.

The numbers CS231n tells students to watch beside the loss curve:

* the **gradient norm** of each layer, ‖∂L/∂θ‖ over its weights and biases:
  when the first layers' norms are orders of magnitude below the last
  layer's, those layers have stopped learning (*vanishing gradients*);
* the **update/weight ratio**, ‖lr · ∂L/∂θ‖ / ‖θ‖: how much one SGD step
  changes the layer, relative to its size. About 1e-3 is healthy; much
  lower, the layer barely moves; much higher, it is thrown around.

:func:`one_step` traces one training step end to end -- forward, loss,
backward, update -- keeping every number, with each weight's update as
``w − lr·dL/dw`` written out.

>>> import numpy as np
>>> from micrograd_edu.nn import MLP
>>> model = MLP(2, [3, 1], activation="tanh", seed=0)
>>> X, y = np.array([[0.5, -1.0], [1.0, 2.0]]), np.array([0.0, 1.0])
>>> [h.layer for h in layer_health(model, X, y, "bce", lr=0.1)]
[1, 2]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..engine import Value, sum_values
from ..nn import MLP
from ..train import OBJECTIVES

__all__ = ["LayerHealth", "ParameterUpdate", "StepTrace", "batch_loss", "layer_health", "one_step"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LayerHealth:
    """One layer's numbers for one batch (``layer`` counts from 1, the output layer last)."""

    layer: int
    weight_norm: float
    grad_norm: float
    update_ratio: float


def _check(
    model: MLP, X: npt.ArrayLike, y: npt.ArrayLike, loss: str
) -> tuple[FloatArray, FloatArray]:
    if loss not in OBJECTIVES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(OBJECTIVES)}")
    inputs = np.asarray(X, dtype=np.float64)
    labels = np.asarray(y, dtype=np.float64)
    if inputs.ndim != 2 or inputs.shape[1] != model.nin:
        raise ValueError(f"X must have shape (n, {model.nin}), got shape {inputs.shape}")
    if labels.shape != (len(inputs),) or len(inputs) == 0:
        raise ValueError(
            f"y must have shape ({len(inputs)},) and the batch at least one sample, "
            f"got y of shape {labels.shape}"
        )
    return inputs, labels


def batch_loss(model: MLP, X: FloatArray, y: FloatArray, loss: str) -> tuple[Value, list[Value]]:
    """The mean loss over the batch as a graph, and the network's outputs (one per sample)."""
    objective = OBJECTIVES[loss]
    outputs = []
    terms = []
    for row, label in zip(X, y, strict=True):
        out = model(row)
        outputs.append(out if isinstance(out, Value) else out[0])
        terms.append(objective.per_sample(out, int(label) if loss == "cross_entropy" else label))
    return sum_values(terms) * (1.0 / len(terms)), outputs


def _gradients(
    model: MLP, X: FloatArray, y: FloatArray, loss: str
) -> tuple[Value, list[Value], list[float]]:
    """Backpropagate the batch's mean loss; the parameters' own grads are left as they were."""
    params = model.parameters()
    saved = [p.grad for p in params]
    model.zero_grad()
    total, outputs = batch_loss(model, X, y, loss)
    total.backward()
    grads = [p.grad for p in params]
    for p, g in zip(params, saved, strict=True):
        p.grad = g
    return total, outputs, grads


def layer_health(
    model: MLP, X: npt.ArrayLike, y: npt.ArrayLike, loss: str = "bce", lr: float = 0.03
) -> list[LayerHealth]:
    """Each layer's weight norm, gradient norm and SGD update/weight ratio on the batch ``(X, y)``.

    The gradient is that of the mean loss over the batch, computed with a
    fresh backward pass (the model's ``grad`` fields are left as they were).
    Raises ValueError for an unknown loss or data of the wrong shape.
    """
    inputs, labels = _check(model, X, y, loss)
    _, _, grads = _gradients(model, inputs, labels, loss)
    report = []
    start = 0
    for k, layer in enumerate(model.layers, start=1):
        params = layer.parameters()
        layer_grads = grads[start : start + len(params)]
        start += len(params)
        weight_norm = math.sqrt(math.fsum(p.data * p.data for p in params))
        grad_norm = math.sqrt(math.fsum(g * g for g in layer_grads))
        ratio = lr * grad_norm / weight_norm if weight_norm else math.inf
        report.append(LayerHealth(k, weight_norm, grad_norm, ratio))
    return report


@dataclass(frozen=True)
class ParameterUpdate:
    """One parameter's SGD step: ``after = before − lr · grad``."""

    name: str
    before: float
    grad: float
    lr: float
    after: float

    def formula(self) -> str:
        """The update with its numbers, e.g. ``w − lr·dL/dw = 0.5 − 0.1·0.3 = 0.47``."""
        return (
            f"w − lr·dL/dw = {self.before:.4g} − {self.lr:.4g}·{self.grad:.4g} = {self.after:.4g}"
        )


@dataclass(frozen=True)
class StepTrace:
    """One training step, stage by stage: forward → loss → backward → update.

    ``outputs[i]`` is the network's output for sample i (its first output when
    it has several), ``loss`` the batch's
    mean loss before the step and ``loss_after`` after it, ``updates`` one
    :class:`ParameterUpdate` per parameter (named as ``model.named_parameters()``).
    """

    X: FloatArray
    y: FloatArray
    outputs: list[float]
    loss: float
    updates: list[ParameterUpdate]
    loss_after: float


def one_step(
    model: MLP,
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    loss: str = "bce",
    lr: float = 0.03,
    apply: bool = True,
) -> StepTrace:
    """One step of plain SGD on the batch ``(X, y)``, with every number kept.

    With ``apply=False`` the model's weights are left unchanged (the trace
    says what the step would do). The model's ``grad`` fields are left as
    they were. Raises ValueError for a bad loss, data or learning rate.
    """
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    inputs, labels = _check(model, X, y, loss)
    total, outputs, grads = _gradients(model, inputs, labels, loss)
    named = list(model.named_parameters())
    updates = [
        ParameterUpdate(name, p.data, g, float(lr), p.data - lr * g)
        for (name, p), g in zip(named, grads, strict=True)
    ]
    new = {u.name: u.after for u in updates}
    old = model.state_dict()
    model.load_state_dict(new)
    after, _ = batch_loss(model, inputs, labels, loss)
    if not apply:
        model.load_state_dict(old)
    return StepTrace(inputs, labels, [o.data for o in outputs], total.data, updates, after.data)

"""Loss functions: how wrong is one prediction? And penalties on the weights.

Each loss takes ONE sample's network output and its target and returns a
:class:`Value`; :func:`mean` averages them over a batch. Backpropagating the
loss tells every weight which way to move to make the prediction less wrong.

* Regression ("the network outputs the predicted value"): :func:`mse`.
* Two classes ("the network outputs the probability of each class"): the
  network outputs one score z, the *logit*; P(class 1) = σ(z).
  :func:`binary_cross_entropy` is −log of the probability given to the true
  class; :func:`hinge` is micrograd's max-margin alternative.
* k classes: k logits; :func:`softmax` turns them into probabilities and
  :func:`cross_entropy` is −log of the probability of the true class.

:data:`LOSSES` holds each loss as one record (:class:`Loss`): on Values, on
NumPy arrays (a whole batch), and its gradient on arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .engine import Value, ValueLike, real_number, sum_values

__all__ = [
    "LOSSES",
    "Loss",
    "binary_cross_entropy",
    "cross_entropy",
    "hinge",
    "l1",
    "l2",
    "log_softmax",
    "mean",
    "mse",
    "sigmoid_array",
    "softmax",
    "softmax_array",
    "softplus",
]


def _as_value(x: object, what: str) -> Value:
    if isinstance(x, Value):
        return x
    if isinstance(x, list) and len(x) == 1 and isinstance(x[0], Value):
        return x[0]
    raise TypeError(f"{what} must be a Value (one network output), got {type(x).__name__}")


def _number(x: object, what: str) -> float:
    number = x.data if isinstance(x, Value) else real_number(x)
    if number is None:
        raise TypeError(f"{what} must be a number, got {type(x).__name__}: {x!r}")
    return number


def mse(prediction: Value, target: ValueLike) -> Value:
    """Squared error (ŷ − y)²; averaged over a batch by :func:`mean` it is the MSE.

    d/dŷ = 2(ŷ − y): the further off, the harder the push.
    """
    pred = _as_value(prediction, "mse: prediction")
    if isinstance(target, Value):
        return (pred - target) ** 2
    return (pred - _number(target, "mse: target")) ** 2


def softplus(z: Value) -> Value:
    """log(1 + eᶻ), computed without overflow for any z.

    For z > 0 it is rewritten as z + log(1 + e⁻ᶻ), so the exponential is
    always of a non-positive number. d/dz = σ(z).
    """
    if z.data > 0.0:
        return z + ((-z).exp() + 1.0).log()
    return (z.exp() + 1.0).log()


def binary_cross_entropy(logit: Value, target: float) -> Value:
    """Cross-entropy of a two-class prediction, from its logit z; target y ∈ [0, 1].

    With p = σ(z):  L = −[y log p + (1 − y) log(1 − p)] = softplus(z) − y·z,
    stable for any logit (no log of 0). d/dz = σ(z) − y.
    """
    z = _as_value(logit, "binary_cross_entropy: logit")
    y = _number(target, "binary_cross_entropy: target")
    if not 0.0 <= y <= 1.0:
        raise ValueError(f"binary_cross_entropy: target must be in [0, 1] (a class 0/1), got {y!r}")
    return softplus(z) - z * y


def hinge(score: Value, target: float) -> Value:
    """Max-margin loss max(0, 1 − y·s) with y = ±1 (the loss of the micrograd demo).

    Zero once the score is on the right side with a margin of 1.
    """
    s = _as_value(score, "hinge: score")
    y = _number(target, "hinge: target")
    if y not in (-1.0, 1.0):
        raise ValueError(f"hinge: target must be -1 or +1, got {y!r}")
    return (1.0 - s * y).relu()


def _logits(logits: Sequence[Value], what: str) -> list[Value]:
    if isinstance(logits, Value) or not isinstance(logits, Sequence) or len(logits) == 0:
        raise TypeError(f"{what}: logits must be a non-empty list of Values, one per class")
    for i, z in enumerate(logits):
        if not isinstance(z, Value):
            raise TypeError(f"{what}: logits[{i}] must be a Value, got {type(z).__name__}")
    return list(logits)


def _log_sum_exp(zs: list[Value]) -> Value:
    """log Σⱼ e^zⱼ, computed stably.

    The largest logit m (a plain number) is taken out first:
    log Σ e^zⱼ = m + log Σ e^(zⱼ − m), and no e^(zⱼ − m) can overflow.
    """
    m = max(z.data for z in zs)
    return sum_values([(z - m).exp() for z in zs]).log() + m


def log_softmax(logits: Sequence[Value]) -> list[Value]:
    """log pᵢ = zᵢ − log Σⱼ e^zⱼ, computed stably."""
    zs = _logits(logits, "log_softmax")
    log_total = _log_sum_exp(zs)
    return [z - log_total for z in zs]


def softmax(logits: Sequence[Value]) -> list[Value]:
    """Class probabilities pᵢ = e^zᵢ / Σⱼ e^zⱼ (they are positive and sum to 1).

    Stable for any logits: the largest is subtracted first, which does not
    change the result.
    """
    zs = _logits(logits, "softmax")
    m = max(z.data for z in zs)
    exps = [(z - m).exp() for z in zs]
    total = sum_values(exps)
    return [e / total for e in exps]


def cross_entropy(logits: Sequence[Value], target: int) -> Value:
    """−log p_target for k logits and an integer class index target ∈ {0, …, k−1}.

    = log Σⱼ e^zⱼ − z_target (log-sum-exp, stable). d/dzᵢ = pᵢ − [i = target].
    """
    zs = _logits(logits, "cross_entropy")
    if isinstance(target, bool) or not isinstance(target, int):
        index = _number(target, "cross_entropy: target")
        if not index.is_integer():
            raise TypeError(f"cross_entropy: target must be a class index (int), got {target!r}")
        target = int(index)
    if not 0 <= target < len(zs):
        raise ValueError(
            f"cross_entropy: target class {target} is out of range for {len(zs)} logits "
            f"(classes 0..{len(zs) - 1})"
        )
    return _log_sum_exp(zs) - zs[target]


def _params(params: Sequence[Value], what: str) -> list[Value]:
    out = list(params)
    for i, p in enumerate(out):
        if not isinstance(p, Value):
            raise TypeError(f"{what}: params[{i}] must be a Value, got {type(p).__name__}")
    return out


def l1(params: Sequence[Value]) -> Value:
    """The L1 penalty Σ|w| (pass the weights: penalising biases is not customary).

    Its gradient sign(w) pulls every weight toward zero by the same amount
    whatever its size, so the weights a task does not need go to zero (a
    sparse network) where L2's pull, proportional to w, only shrinks them. With
    plain gradient steps a weight overshoots 0 and oscillates around it; to
    land on *exactly* 0, apply L1 as a proximal step instead
    (:func:`micrograd_edu.optim.soft_threshold`, what ``fit(..., l1=...)``
    does by default).

    >>> from micrograd_edu import Value
    >>> l1([Value(0.5), Value(-2.0)]).data
    2.5
    """
    return sum_values([abs(p) for p in _params(params, "l1")])


def l2(params: Sequence[Value]) -> Value:
    """The L2 penalty Σw²: keeps weights small (smoother decision boundaries)."""
    return sum_values([p * p for p in _params(params, "l2")])


def mean(
    loss: Callable[[Any, Any], Value], predictions: Sequence[Any], targets: Sequence[Any]
) -> Value:
    """The average of ``loss(prediction, target)`` over a batch.

    >>> from micrograd_edu import Value
    >>> mean(mse, [Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    if len(predictions) != len(targets):
        raise ValueError(
            f"mean: {len(predictions)} predictions but {len(targets)} targets; they must match"
        )
    if len(predictions) == 0:
        raise ValueError("mean: the batch is empty")
    return sum_values([loss(p, t) for p, t in zip(predictions, targets, strict=True)]) * (
        1.0 / len(predictions)
    )


# ----------------------------------------------------------------------
# The same losses on arrays: one row per sample, with their gradients in the
# network's outputs z (what a batched tape needs to start its backward pass).
# ----------------------------------------------------------------------
if TYPE_CHECKING:  # NumPy is imported by the array functions only: Values need none
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]

Kind = Literal["binary", "multiclass", "regression"]


def sigmoid_array(z: FloatArray) -> FloatArray:
    """σ(z) elementwise, without overflow (the engine's sigmoid, on arrays).

    >>> import numpy as np
    >>> sigmoid_array(np.array([0.0, 1000.0, -1000.0]))
    array([0.5, 1. , 0. ])
    """
    import numpy as np

    e = np.exp(-np.abs(z))
    result: FloatArray = np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
    return result


def softmax_array(z: FloatArray) -> FloatArray:
    """Softmax of each row of ``z`` (shape (n, k), or (k,) for one row).

    >>> import numpy as np
    >>> softmax_array(np.array([[0.0, 0.0], [1000.0, 0.0]]))
    array([[0.5, 0.5],
           [1. , 0. ]])
    """
    import numpy as np

    shifted = np.exp(z - z.max(axis=-1, keepdims=True))
    result: FloatArray = shifted / shifted.sum(axis=-1, keepdims=True)
    return result


def _bce_array(z: FloatArray, y: FloatArray) -> FloatArray:
    import numpy as np

    return np.logaddexp(0.0, z) - y * z  # softplus(z) − y·z


def _bce_gradient(z: FloatArray, y: FloatArray) -> FloatArray:
    return sigmoid_array(z) - y  # d/dz [softplus(z) − y·z] = σ(z) − y


def _hinge_array(z: FloatArray, y: FloatArray) -> FloatArray:
    import numpy as np

    return np.maximum(0.0, 1.0 - (2.0 * y - 1.0) * z)  # labels 0/1 → targets −1/+1


def _hinge_gradient(z: FloatArray, y: FloatArray) -> FloatArray:
    import numpy as np

    sign = 2.0 * y - 1.0  # d/dz max(0, 1 − s·z) = −s where the margin is violated, else 0
    gradient: FloatArray = -sign * np.heaviside(1.0 - sign * z, 0.0)
    return gradient


def _mse_array(z: FloatArray, y: FloatArray) -> FloatArray:
    return (z - y) ** 2


def _mse_gradient(z: FloatArray, y: FloatArray) -> FloatArray:
    return 2.0 * (z - y)  # d/dz (z − y)²


def _cross_entropy_array(z: FloatArray, y: FloatArray) -> FloatArray:
    import numpy as np

    m = z.max(axis=1, keepdims=True)
    log_total = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    per_sample: FloatArray = log_total - z[np.arange(len(z)), y.astype(np.int64)]
    return per_sample


def _cross_entropy_gradient(z: FloatArray, y: FloatArray) -> FloatArray:
    import numpy as np

    gradient = softmax_array(z)
    gradient[np.arange(len(z)), y.astype(np.int64)] -= 1.0  # d/dzᵢ = pᵢ − [i = target]
    return gradient


@dataclass(frozen=True)
class Loss:
    """One loss, in one place: on Values, on arrays, and its gradient on arrays.

    ``per_sample(output, label)`` builds the loss graph for one sample, given the
    data set's label (0/1 class, class index or value); ``on_array(z, y)`` the
    same loss for many samples with NumPy (fast evaluation); ``gradient_array(z,
    y)`` its derivative in the network's outputs z, for training with a tape
    (None if unknown).

    >>> import numpy as np
    >>> record = LOSSES["mse"]
    >>> record.per_sample(Value(3.0), 1.0).data, record.on_array(np.array([3.0]), np.array([1.0]))
    (4.0, array([4.]))
    >>> record.gradient_array(np.array([3.0]), np.array([1.0]))
    array([4.])
    """

    name: str
    kind: Kind
    per_sample: Callable[[Any, Any], Value]
    on_array: Callable[[FloatArray, FloatArray], FloatArray]
    gradient_array: Callable[[FloatArray, FloatArray], FloatArray] | None = None


def _hinge_on_label(out: Value, label: float) -> Value:
    return hinge(out, 2.0 * label - 1.0)  # hinge wants targets ±1: class 1 → +1, 0 → −1


LOSSES: dict[str, Loss] = {
    "bce": Loss("bce", "binary", binary_cross_entropy, _bce_array, _bce_gradient),
    "hinge": Loss("hinge", "binary", _hinge_on_label, _hinge_array, _hinge_gradient),
    "cross_entropy": Loss(
        "cross_entropy",
        "multiclass",
        cross_entropy,
        _cross_entropy_array,
        _cross_entropy_gradient,
    ),
    "mse": Loss("mse", "regression", mse, _mse_array, _mse_gradient),
}
"""The losses :func:`~micrograd_edu.train.fit` knows by name; labels are 0/1
(binary), 0..k−1 (multiclass), or values (regression)."""

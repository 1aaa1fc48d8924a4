"""Optimizers: turn gradients into weight updates, with PyTorch's names and rules.

Gradient descent moves every parameter a small step *against* its gradient,
downhill on the loss::

    w ← w − lr · ∂L/∂w

*Stochastic* gradient descent computes ∂L/∂w on a random mini-batch instead
of the whole data set: cheaper steps, a little noise, and it still goes
downhill on average. The learning rate ``lr`` sets the step size: too small
and training crawls, too large and the loss jumps around or blows up.

A training step, as in PyTorch::

    optimizer.zero_grad()   # gradients accumulate: clear last step's
    loss.backward()         # fill p.grad for every parameter
    optimizer.step()        # move the parameters
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ._support import validation
from .engine import Value

__all__ = ["SGD", "Adam", "LinearLR", "Optimizer", "soft_threshold"]


def _check_rate(
    name: str, value: float, *, allow_zero: bool = False, below_one: bool = False
) -> float:
    """A finite rate: > 0 (or >= 0 with ``allow_zero``), and < 1 with ``below_one``."""
    return validation.real(
        name,
        value,
        low=0.0,
        low_open=not allow_zero,
        high=1.0 if below_one else None,
        high_open=True,
    )


class Optimizer:
    """The base class: holds the parameters and clears their gradients.

    ``params`` must be a non-empty list of Values (``ValueError``, ``TypeError``
    otherwise); ``lr`` a finite number > 0.

    >>> SGD([], lr=0.1)
    Traceback (most recent call last):
    ValueError: optimizer got an empty parameter list
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"params[{i}] must be a Value, got {type(p).__name__}")
        self.lr = _check_rate("lr", lr)

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0.

        >>> w = Value(1.0)
        >>> w.grad = 3.0
        >>> SGD([w], lr=0.1).zero_grad()
        >>> w.grad
        0.0
        """
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its grad (each optimizer defines its rule).

        >>> Optimizer([Value(1.0)], lr=0.1).step()
        Traceback (most recent call last):
        NotImplementedError
        """
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with PyTorch's update rule.

    g = ∂L/∂w + weight_decay · w
    v = momentum · v + g        (v = g at the first step; no momentum: v = g)
    w ← w − lr · v

    Momentum keeps a running direction, which speeds up travel along long,
    shallow valleys of the loss and damps zig-zags across steep ones.
    ``weight_decay`` adds the gradient of an L2 penalty (λ/2)·Σw².

    Examples
    --------
    >>> w = Value(1.0)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> w.grad = 2.0
    >>> opt.step()  # v = 2, w = 1 − 0.1·2
    >>> round(w.data, 12)
    0.8
    >>> opt.step()  # the same gradient again: v = 0.9·2 + 2 = 3.8, w = 0.8 − 0.38
    >>> round(w.data, 12)
    0.42
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _check_rate("momentum", momentum, allow_zero=True, below_one=True)
        self.weight_decay = _check_rate("weight_decay", weight_decay, allow_zero=True)
        self.velocity: list[float] | None = None

    def step(self) -> None:
        """One update of every parameter from its grad (``w ← w − lr · v``).

        >>> w = Value(1.0)
        >>> w.grad = 0.5
        >>> SGD([w], lr=0.1).step()
        >>> w.data
        0.95
        """
        lr, momentum, decay = self.lr, self.momentum, self.weight_decay
        grads = (
            [p.grad + decay * p.data for p in self.params]
            if decay
            else [p.grad for p in self.params]
        )
        if momentum:
            if self.velocity is None:
                self.velocity = grads
            else:
                self.velocity = [
                    momentum * v + g for v, g in zip(self.velocity, grads, strict=True)
                ]
            grads = self.velocity
        for p, g in zip(self.params, grads, strict=True):
            p.data -= lr * g


class Adam(Optimizer):
    """Adam, with PyTorch's update rule and defaults.

    m = β₁m + (1 − β₁)g        a running mean of the gradient
    v = β₂v + (1 − β₂)g²       a running mean of its square
    w ← w − lr · m̂ / (√v̂ + ε)  with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)

    Each weight gets its own step size, about ``lr`` whatever the scale of its
    gradient: a robust default when plain SGD is hard to tune.

    Examples
    --------
    >>> w = Value(1.0)
    >>> opt = Adam([w], lr=0.1)
    >>> w.grad = 0.5
    >>> opt.step()  # the first step is about lr, whatever the gradient's size
    >>> round(w.data, 6)
    0.9
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, tuple) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _check_rate("betas[0]", betas[0], allow_zero=True, below_one=True),
            _check_rate("betas[1]", betas[1], allow_zero=True, below_one=True),
        )
        self.eps = _check_rate("eps", eps)
        self.weight_decay = _check_rate("weight_decay", weight_decay, allow_zero=True)
        self.steps = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        """One update of every parameter from its grad and the running means.

        >>> w = Value(1.0)
        >>> opt = Adam([w], lr=0.01)
        >>> for _ in range(3):
        ...     w.grad = 100.0  # a large gradient: the step is still about lr
        ...     opt.step()
        >>> round(w.data, 6)
        0.97
        """
        beta1, beta2 = self.betas
        self.steps += 1
        step_size = self.lr / (1.0 - beta1**self.steps)
        bias_correction2_sqrt = math.sqrt(1.0 - beta2**self.steps)
        for i, p in enumerate(self.params):
            g = p.grad + self.weight_decay * p.data if self.weight_decay else p.grad
            self.m[i] = beta1 * self.m[i] + (1.0 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1.0 - beta2) * g * g
            denominator = math.sqrt(self.v[i]) / bias_correction2_sqrt + self.eps
            p.data -= step_size * self.m[i] / denominator


def soft_threshold(params: Iterable[Value], threshold: float) -> int:
    """The proximal step of an L1 penalty: move each parameter ``threshold`` toward 0,
    and set it to exactly 0 if the move would cross 0.

    w ← sign(w) · max(|w| − threshold, 0)

    Called after an optimizer's step with ``threshold = lr · l1`` (what
    :func:`~micrograd_edu.train.fit` does with ``l1``), it is *proximal gradient
    descent* on loss + l1·Σ|w|: the gradient step handles the loss, this step the
    penalty. Unlike the penalty's gradient l1·sign(w), which overshoots 0 and
    oscillates around it, it leaves weights at exactly 0 (a sparse network); the
    TensorFlow Playground's L1 does the same. A NaN stays NaN. Returns how many of
    ``params`` are exactly 0 afterwards. ``threshold`` is a finite number >= 0.

    >>> from micrograd_edu import Value
    >>> w = [Value(0.5), Value(-0.02), Value(0.01), Value(-0.25)]
    >>> soft_threshold(w, 0.05)
    2
    >>> [p.data for p in w]
    [0.45, 0.0, 0.0, -0.2]
    """
    threshold = validation.real("threshold", threshold, low=0.0)
    zeros = 0
    for p in params:
        w = p.data
        if abs(w) <= threshold:
            p.data = 0.0
            zeros += 1
        else:
            p.data = w - math.copysign(threshold, w)
    return zeros


class LinearLR:
    """Scale the learning rate linearly from ``start_factor`` to ``end_factor``.

    After ``total_iters`` calls of :meth:`step` the rate stays at
    ``end_factor × the initial lr`` (PyTorch's ``lr_scheduler.LinearLR``).
    micrograd's demo decays 1.0 → 0.1 over 100 steps:
    ``LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=100)``.

    Examples
    --------
    >>> opt = SGD([Value(0.0)], lr=1.0)
    >>> schedule = LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=100)
    >>> for _ in range(50):
    ...     schedule.step()
    >>> round(opt.lr, 12)  # half way from 1.0 to 0.1
    0.55
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3.0,
        end_factor: float = 1.0,
        total_iters: int = 5,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"LinearLR needs an Optimizer, got {type(optimizer).__name__}")
        _check_rate("start_factor", start_factor)
        _check_rate("end_factor", end_factor, allow_zero=True)
        total_iters = validation.integer("total_iters", total_iters)
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.start_factor = float(start_factor)
        self.end_factor = float(end_factor)
        self.total_iters = total_iters
        self.last_epoch = 0
        optimizer.lr = self.base_lr * self.start_factor

    def factor(self, iteration: int) -> float:
        """The multiplier of the base lr after ``iteration`` steps.

        >>> LinearLR(SGD([Value(0.0)], lr=1.0), 1.0, 0.5, total_iters=10).factor(20)
        0.5
        """
        fraction = min(iteration, self.total_iters) / self.total_iters
        return self.start_factor + (self.end_factor - self.start_factor) * fraction

    def step(self) -> None:
        """Advance one iteration (call it once per epoch, after ``optimizer.step()``).

        >>> opt = SGD([Value(0.0)], lr=1.0)
        >>> schedule = LinearLR(opt, start_factor=0.5, end_factor=1.0, total_iters=2)
        >>> opt.lr
        0.5
        >>> schedule.step()
        >>> opt.lr
        0.75
        """
        self.last_epoch += 1
        self.optimizer.lr = self.base_lr * self.factor(self.last_epoch)

"""The base class of every network: parameters, their gradients and their values.

As in PyTorch, a :class:`Module` lists its parameters (``parameters()``,
``named_parameters()``), zeroes their gradients and saves or loads their
values by name (``state_dict()``, ``load_state_dict()``).
:class:`~micrograd_edu.nn.Neuron`, :class:`~micrograd_edu.nn.Layer` and
:class:`~micrograd_edu.nn.MLP` are Modules.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .engine import Value, real_number

__all__ = ["Module"]


class Module:
    """The base class: a container of parameters, named as PyTorch names them.

    >>> from micrograd_edu.nn import MLP, Neuron

    >>> model = MLP(2, [3, 1], seed=0)
    >>> model.num_parameters(), len(model.parameters())
    (13, 13)
    """

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """Yield ``(name, parameter)`` pairs, e.g. ``("layers.0.neurons.3.w.1", value)``.

        >>> from micrograd_edu.nn import MLP, Neuron

        >>> [name for name, _ in Neuron(2, seed=0).named_parameters()]
        ['w.0', 'w.1', 'b']
        """
        return iter(())

    def parameters(self) -> list[Value]:
        """Every parameter (weight or bias), in a fixed order: that of :meth:`named_parameters`.

        >>> from micrograd_edu.nn import MLP, Neuron

        >>> neuron = Neuron(2, seed=0)
        >>> neuron.parameters() == [*neuron.w, neuron.b]
        True
        """
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (before each backward pass: grads accumulate).

        >>> from micrograd_edu.nn import MLP, Neuron

        >>> neuron = Neuron(2, activation="linear", seed=0)
        >>> neuron([1.0, 2.0]).backward()
        >>> neuron.b.grad
        1.0
        >>> neuron.zero_grad()
        >>> neuron.b.grad
        0.0
        """
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """The parameters' values by name: everything needed to restore the weights.

        >>> from micrograd_edu.nn import MLP, Neuron

        >>> neuron = Neuron(1, seed=0)
        >>> neuron.w[0].data, neuron.b.data = 0.5, -1.0
        >>> neuron.state_dict()
        {'w.0': 0.5, 'b': -1.0}
        """
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set every parameter from ``state`` (as returned by :meth:`state_dict`).

        The names must match exactly; a missing or unexpected name
        (``ValueError``), or a value that is not a real number (``TypeError``),
        raises before anything is changed.

        >>> from micrograd_edu.nn import MLP, Neuron

        >>> neuron = Neuron(1, seed=0)
        >>> neuron.load_state_dict({"w.0": 2.0, "b": 0.5})
        >>> neuron.w[0].data, neuron.b.data
        (2.0, 0.5)
        >>> neuron.load_state_dict({"w.0": 2.0})
        Traceback (most recent call last):
        ValueError: state_dict does not fit this Neuron: missing ['b'], unexpected []
        """
        params = dict(self.named_parameters())
        missing = [name for name in params if name not in state]
        unexpected = [name for name in state if name not in params]
        if missing or unexpected:
            raise ValueError(
                f"state_dict does not fit this {type(self).__name__}: "
                f"missing {missing[:5]}{' ...' if len(missing) > 5 else ''}, "
                f"unexpected {unexpected[:5]}{' ...' if len(unexpected) > 5 else ''}"
            )
        numbers = {}
        for name, value in state.items():
            number = real_number(value)
            if number is None:
                raise TypeError(
                    f"state_dict[{name!r}] must be a number, got {type(value).__name__}"
                )
            numbers[name] = number
        for name, p in params.items():
            p.data = numbers[name]

    def num_parameters(self) -> int:
        """How many parameters the module has.

        >>> from micrograd_edu.nn import MLP, Neuron

        >>> MLP(2, [16, 16, 1]).num_parameters()  # (2 + 1)·16 + (16 + 1)·16 + (16 + 1)·1
        337
        """
        return sum(1 for _ in self.named_parameters())

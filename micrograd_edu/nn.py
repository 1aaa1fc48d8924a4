"""Neurons, layers and multi-layer perceptrons built from :class:`Value`.

A neuron computes a weighted sum of its inputs plus a bias, then an
*activation function*::

    out = f(w₁x₁ + w₂x₂ + … + wₙxₙ + b)

The weights ``w`` and the bias ``b`` are the **parameters**: training adjusts
them. The activation ``f`` adds nonlinearity; without it a stack of layers
would collapse into a single linear map. A :class:`Layer` is several neurons
reading the same inputs; an :class:`MLP` feeds each layer's outputs into the
next.

The weighted sum is one graph node (:func:`~micrograd_edu.engine.dot`) with
n + 1 children, not 2n binary nodes: the graph stays readable and backward
has far less to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from . import losses
from ._support import validation
from .architecture import (
    MAX_LAYERS,
    MAX_PARAMETERS,
    check_architecture,
    count_parameters,
    positive_int,
)
from .engine import Value, ValueLike, dot, real_number
from .module import Module

__all__ = [
    "ACTIVATIONS",
    "MAX_LAYERS",
    "MAX_PARAMETERS",
    "MLP",
    "Activation",
    "Layer",
    "Module",
    "Neuron",
    "check_architecture",
    "classes",
    "count_parameters",
    "predict",
    "predict_proba",
]

ActivationName = Literal["relu", "tanh", "sigmoid", "leaky_relu", "linear"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Activation:
    """An activation function, for Values and for NumPy arrays.

    >>> relu = ACTIVATIONS["relu"]
    >>> relu.on_value(Value(-2.0)).data, relu.on_array(np.array([-2.0, 3.0])).tolist()
    (0.0, [0.0, 3.0])
    """

    name: str
    on_value: Callable[[Value], Value]
    on_array: Callable[[FloatArray], FloatArray]


def _identity(v: Value) -> Value:
    return v


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("relu", Value.relu, lambda z: np.maximum(z, 0.0)),
    "tanh": Activation("tanh", Value.tanh, np.tanh),
    "sigmoid": Activation("sigmoid", Value.sigmoid, losses.sigmoid_array),
    "leaky_relu": Activation(
        "leaky_relu", Value.leaky_relu, lambda z: np.where(z > 0, z, 0.01 * z)
    ),
    "linear": Activation("linear", _identity, lambda z: z),
}
"""The activations a neuron accepts, by name."""


def _activation(name: str) -> Activation:
    if name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(map(repr, ACTIVATIONS))}"
        )
    return ACTIVATIONS[name]


def _rng(seed: int | None, rng: np.random.Generator | None) -> np.random.Generator:
    if rng is not None and seed is not None:
        raise ValueError("give either seed or rng, not both")
    return rng if rng is not None else np.random.default_rng(seed)


def as_inputs(x: object, width: int) -> list[ValueLike]:
    """Check one sample and return it as a list of ``width`` numbers or Values.

    Accepts a list or tuple of numbers/Values or a 1-D NumPy array; raises
    ``ValueError`` for the wrong width or a 2-D array, ``TypeError`` for
    anything else (complex numbers included).

    >>> as_inputs(np.array([1.0, 2.0]), 2)
    [1.0, 2.0]
    >>> as_inputs([1.0], 2)
    Traceback (most recent call last):
    ValueError: expected 2 inputs, got 1
    """
    if isinstance(x, np.ndarray):
        if x.dtype.kind == "c":
            raise TypeError(f"expected real inputs, got complex numbers (dtype {x.dtype})")
        if x.ndim != 1:
            raise ValueError(
                f"expected one sample as a 1-D array of {width} inputs, got an array of shape "
                f"{x.shape} (loop over the rows of a 2-D array)"
            )
        items: list[ValueLike] = x.astype(np.float64, copy=False).tolist()
    elif isinstance(x, (list, tuple)):
        items = list(x)
    elif isinstance(x, Value) or real_number(x) is not None:
        items = [x]  # type: ignore[list-item]
    else:
        raise TypeError(
            f"expected a list of numbers or Values, or a 1-D NumPy array, got {type(x).__name__}"
        )
    if len(items) != width:
        raise ValueError(f"expected {width} inputs, got {len(items)}")
    return items


class Neuron(Module):
    """One neuron: ``activation(w·x + b)``.

    Parameters
    ----------
    nin:
        The number of inputs (and of weights).
    nonlin:
        micrograd's switch: ``True`` for ReLU, ``False`` for a linear neuron.
        Ignored when ``activation`` is given.
    activation:
        ``"relu"``, ``"tanh"``, ``"sigmoid"``, ``"leaky_relu"`` or ``"linear"``.
    seed, rng:
        Where the initial weights come from: a seed, or a NumPy Generator
        shared with other neurons. Weights and bias start uniform in
        ±1/√nin, as in PyTorch's ``nn.Linear``.

    Examples
    --------
    >>> neuron = Neuron(2, activation="tanh", seed=0)
    >>> neuron
    Neuron(nin=2, activation='tanh')
    >>> neuron.w[0].data, neuron.w[1].data, neuron.b.data = 1.0, -1.0, 0.0
    >>> neuron([0.5, 0.5]).data  # tanh(1·0.5 − 1·0.5 + 0)
    0.0
    """

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        activation: ActivationName | None = None,
        *,
        seed: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.nin = positive_int("nin", nin)
        self.activation = _activation(activation or ("relu" if nonlin else "linear"))
        generator = _rng(seed, rng)
        bound = 1.0 / np.sqrt(self.nin)
        initial = generator.uniform(-bound, bound, size=self.nin + 1).tolist()
        self.w = [Value(x) for x in initial[:-1]]
        self.b = Value(initial[-1])

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: whether the neuron has a nonlinear activation.

        >>> Neuron(2, nonlin=False).nonlin, Neuron(2, activation="tanh").nonlin
        (False, True)
        """
        return self.activation.name != "linear"

    def __call__(self, x: object) -> Value:
        """The neuron's output for one sample ``x`` (``nin`` numbers or Values)."""
        return self.forward(as_inputs(x, self.nin))

    def forward(self, inputs: Sequence[ValueLike]) -> Value:
        """The output for inputs already checked by :func:`as_inputs`.

        >>> neuron = Neuron(2, activation="linear", seed=0)
        >>> neuron.w[0].data, neuron.w[1].data, neuron.b.data = 2.0, 3.0, 1.0
        >>> neuron.forward([1.0, 1.0]).data
        6.0
        """
        return self.activation.on_value(dot(self.w, inputs, self.b))

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, w in enumerate(self.w):
            yield f"w.{i}", w
        yield "b", self.b

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]  # named_parameters' order, without making the names

    def __repr__(self) -> str:
        return f"Neuron(nin={self.nin}, activation={self.activation.name!r})"


class Layer(Module):
    """``nout`` neurons that all read the same ``nin`` inputs.

    Extra keyword arguments (``nonlin``, ``activation``, ``rng``) go to each
    :class:`Neuron`. Calling a layer returns a list of ``nout`` Values, or a
    single Value when ``nout == 1`` (as in micrograd).

    >>> layer = Layer(2, 3, activation="tanh", seed=0)
    >>> layer
    Layer(nin=2, nout=3, activation='tanh')
    >>> len(layer([1.0, -1.0])), layer.num_parameters()
    (3, 9)
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        *,
        seed: int | None = None,
        rng: np.random.Generator | None = None,
        **neuron_kwargs: Any,
    ) -> None:
        self.nin = positive_int("nin", nin)
        self.nout = positive_int("nout", nout)
        check_architecture(self.nin, [self.nout])  # at most MAX_PARAMETERS
        generator = _rng(seed, rng)
        self.neurons = [Neuron(self.nin, rng=generator, **neuron_kwargs) for _ in range(self.nout)]

    @property
    def activation(self) -> Activation:
        """The neurons' activation (they all share it).

        >>> Layer(2, 3, activation="sigmoid").activation.name
        'sigmoid'
        """
        return self.neurons[0].activation

    def __call__(self, x: object) -> Value | list[Value]:
        out = self.forward(as_inputs(x, self.nin))
        return out[0] if len(out) == 1 else out

    def forward(self, inputs: Sequence[ValueLike]) -> list[Value]:
        """Every neuron's output, for checked inputs; always a list.

        >>> len(Layer(2, 1, seed=0).forward([1.0, 2.0]))
        1
        """
        return [neuron.forward(inputs) for neuron in self.neurons]

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, neuron in enumerate(self.neurons):
            for name, p in neuron.named_parameters():
                yield f"neurons.{i}.{name}", p

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self) -> str:
        return f"Layer(nin={self.nin}, nout={self.nout}, activation={self.activation.name!r})"


class MLP(Module):
    """A multi-layer perceptron: layers of neurons, each feeding the next.

    ``MLP(2, [16, 16, 1])`` has two hidden layers of 16 neurons with the
    hidden ``activation`` and a linear output layer of one neuron. A network
    with one output returns a :class:`Value`; with k outputs, a list of k
    Values (scores, or *logits*, that :func:`~micrograd_edu.losses.softmax`
    turns into class probabilities).

    Parameters
    ----------
    nin:
        The number of inputs (features) per sample.
    nouts:
        The width of each layer, the last one being the output layer.
    activation:
        The hidden layers' activation (the output layer is linear).
    seed:
        Seeds the weight initialisation: the same seed gives the same network.

    Examples
    --------
    >>> model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    >>> model
    MLP(nin=2, nouts=[16, 16, 1], activation='relu', parameters=337)
    >>> type(model([0.5, -1.0])).__name__  # one output: a Value
    'Value'
    >>> len(MLP(2, [4, 3], seed=0)([0.5, -1.0]))  # three outputs: a list of Values
    3
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: ActivationName = "relu",
        seed: int | None = None,
    ) -> None:
        self.nin, self.nouts = check_architecture(nin, nouts)
        _activation(activation)
        self.hidden_activation = activation
        generator = np.random.default_rng(seed)
        sizes = [self.nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                rng=generator,
                activation=activation if i < last else "linear",
            )
            for i in range(len(self.nouts))
        ]

    @property
    def nout(self) -> int:
        """The number of outputs.

        >>> MLP(2, [4, 3]).nout
        3
        """
        return self.nouts[-1]

    def __call__(self, x: object) -> Value | list[Value]:
        """Feed one sample forward: ``nin`` numbers or Values, or a 1-D array."""
        out = self.forward(as_inputs(x, self.nin))
        return out[0] if len(out) == 1 else out

    def forward(self, inputs: Sequence[ValueLike]) -> list[Value]:
        """The outputs for checked inputs; always a list.

        >>> len(MLP(2, [4, 1], seed=0).forward([0.5, -1.0]))
        1
        """
        values: Sequence[ValueLike] = inputs
        for layer in self.layers:
            values = layer.forward(values)
        return list(values)  # type: ignore[arg-type]

    def forward_array(self, X: npt.ArrayLike) -> FloatArray:
        """The outputs for many samples at once, with NumPy and no graph.

        ``X`` has shape (n, nin); the result has shape (n, nout). It uses the
        current weights and gives the same numbers as calling the network on
        each row, much faster: use it for plots and evaluation, not training.
        ``ValueError`` for another shape.

        >>> model = MLP(2, [4, 1], seed=0)
        >>> X = np.array([[0.5, -1.0], [2.0, 0.0], [0.0, 0.0]])
        >>> model.forward_array(X).shape
        (3, 1)
        >>> bool(np.isclose(model.forward_array(X)[0, 0], model(X[0]).data, rtol=1e-12))
        True
        """
        return self.layer_outputs_array(X)[-1]

    def layer_outputs_array(self, X: npt.ArrayLike) -> list[FloatArray]:
        """Every layer's outputs (after its activation) for many samples, with NumPy.

        One array of shape (n, width) per layer, the last being :meth:`forward_array`'s
        result: what each neuron computes, for the Playground's heat maps.

        >>> [A.shape for A in MLP(2, [4, 3, 1], seed=0).layer_outputs_array(np.zeros((5, 2)))]
        [(5, 4), (5, 3), (5, 1)]
        """
        A = validation.real_array("X", X)
        if A.ndim != 2 or A.shape[1] != self.nin:
            raise ValueError(f"expected an array of shape (n, {self.nin}), got shape {A.shape}")
        outputs = []
        for layer in self.layers:
            W, b = layer_weights(layer)
            A = layer.activation.on_array(A @ W.T + b)
            outputs.append(A)
        return outputs

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, layer in enumerate(self.layers):
            for name, p in layer.named_parameters():
                yield f"layers.{i}.{name}", p

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return (
            f"MLP(nin={self.nin}, nouts={self.nouts}, activation={self.hidden_activation!r}, "
            f"parameters={self.num_parameters()})"
        )


def predict_proba(model: MLP, X: npt.ArrayLike) -> FloatArray:
    """Class probabilities from :meth:`MLP.forward_array`: shape (n,) P(class 1) = σ(z)
    for a one-output model, shape (n, k) softmax probabilities for a k-output model.

    >>> model = MLP(2, [1], seed=0)
    >>> predict_proba(model, [[0.0, 0.0]]).shape
    (1,)
    """
    outputs = model.forward_array(X)
    if outputs.shape[1] == 1:
        return losses.sigmoid_array(outputs[:, 0])
    return losses.softmax_array(outputs)


def predict(
    model: MLP, X: npt.ArrayLike, task: Literal["classification", "regression"] = "classification"
) -> npt.NDArray[Any]:
    """Predicted classes (shape (n,): output > 0 for one output, else the arg-max),
    or with ``task="regression"`` the predicted values (shape (n,) or (n, k)).

    >>> model = MLP(2, [3], seed=0)
    >>> predict(model, [[1.0, 2.0], [0.0, -1.0]]).shape
    (2,)
    """
    outputs = model.forward_array(X)
    if task == "classification":
        return classes(outputs)
    if task == "regression":
        return outputs[:, 0] if outputs.shape[1] == 1 else outputs
    raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")


def classes(outputs: FloatArray) -> npt.NDArray[np.int64]:
    """The class of each row of network outputs: output > 0 for one output, else the arg-max.

    >>> classes(np.array([[0.5], [-2.0]]))
    array([1, 0])
    """
    found: npt.NDArray[np.int64] = (
        (outputs[:, 0] > 0) if outputs.shape[1] == 1 else np.argmax(outputs, axis=1)
    ).astype(np.int64)
    return found


def layer_weights(layer: Layer) -> tuple[FloatArray, FloatArray]:
    """A layer's weights as a (nout, nin) matrix and its biases as a (nout,) vector.

    >>> W, b = layer_weights(Layer(2, 3, seed=0))
    >>> W.shape, b.shape
    ((3, 2), (3,))
    """
    W = np.array([[w.data for w in neuron.w] for neuron in layer.neurons], dtype=np.float64)
    b = np.array([neuron.b.data for neuron in layer.neurons], dtype=np.float64)
    return W, b

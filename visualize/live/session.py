"""The live Playground's model: settings, data, network, training and the neuron inspector.

Everything the app does, without any widget, so that it is testable (and
benchmarkable) in plain Python. The widgets in :mod:`micrograd_edu.visualize.live.app` only
call these methods and draw what they return. Training and inspection share a
lock: the app trains in a background thread while the user clicks.
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure

from micrograd_edu import Value, datasets, io, optim
from micrograd_edu.engine import dot
from micrograd_edu.nn import MLP, as_inputs
from micrograd_edu.train import (
    OBJECTIVES,
    History,
    Trainer,
    TrainingRun,
    evaluate,
    predict_proba,
)

from ..backward import backward_steps
from ..graph import ComputationGraph, draw_graph
from ..playground import PlaygroundSettings, playground_data, playground_figure, settings_from
from .export import python_function
from .history import LossCurve
from .task import Goal
from .userdata import UserData, check_data

__all__ = ["DATA_SETTINGS", "NeuronInspection", "PlaygroundSession"]

FloatArray = npt.NDArray[np.float64]

DATA_SETTINGS = frozenset({"dataset", "noise", "train_ratio", "seed", "n"})
"""Settings that change the data (the others change only the network or its training)."""

RUNNING_SETTINGS = frozenset({"lr"})
"""Settings applied to the running network (no reset), as in the TensorFlow Playground."""

MOONS_SCALE = 3.0
"""Moons lie in about [−1, 2] × [−0.5, 1]: centred and scaled by this to fill the plane."""

LIVE_DEFAULTS = PlaygroundSettings(n=500)
"""The live app's defaults: the Playground's 500 points (250 for training)."""


@dataclass
class NeuronInspection:
    """One neuron's computation for one data point, after backpropagating that point's loss.

    ``root`` is a small graph of fresh Values with the neuron's numbers: its
    inputs, weights and bias, the weighted sum and the activation. ``grads``
    maps each of them to dL/d(that quantity) in the whole network, so the
    drawing shows the gradients of the real backward pass. ``steps`` walks the
    backward pass through the neuron, starting from dL/d(output).
    """

    layer: int
    neuron: int
    point: tuple[float, float]
    label: float
    loss: float
    root: Value
    inputs: list[Value]
    weights: list[Value]
    bias: Value
    weighted_sum: Value
    grads: dict[Value, float] = field(repr=False)

    def graph(self) -> ComputationGraph:
        """The neuron's graph with data, gradients and each edge's local derivative."""
        return draw_graph(
            self.root,
            grads=self.grads,
            params=[*self.weights, self.bias],
            show_local_grads=True,
        )

    def steps(self) -> list[ComputationGraph]:
        """The backward pass through this neuron, one frame per node (``backward_steps``)."""
        return backward_steps(
            self.root, seed=self.grads[self.root], params=[*self.weights, self.bias]
        )


class PlaygroundSession:
    """A Playground run: settings, data (with the user's points), network, epochs, losses.

    ``data=(X, y)`` trains on your own points instead of a data set (see
    :func:`~micrograd_edu.visualize.live.userdata.check_data`).

    >>> session = PlaygroundSession(dataset="xor", hidden=(4,), n=100)
    >>> session.train_epoch()
    >>> session.epoch, len(session.test_loss)
    (1, 1)
    """

    def __init__(self, data: tuple[Any, Any] | UserData | None = None, **settings: Any) -> None:
        self.lock = threading.RLock()
        self.user_data: UserData | None = None
        self.settings = settings_from(**{**asdict(LIVE_DEFAULTS), **settings})
        if data is not None:
            self.use_data(data)
        else:
            self._make_data()
        self.reset()

    # ------------------------------------------------------------------ settings
    def update(self, **changes: Any) -> bool:
        """Change settings; bad values raise ``ValueError`` and change nothing.

        As in the TensorFlow Playground: the learning rate applies to the
        running network (the epoch keeps counting); any other change restarts
        training from fresh weights. A change of data set, noise, ratio, seed
        or size also makes new data (choosing a data set drops your own data).
        ``update()`` with no change resets (the Reset button). Returns whether
        training restarted.
        """
        with self.lock:
            merged = {**asdict(self.settings), **changes}
            if "loss" not in changes and merged["dataset"] != self.settings.dataset:
                merged["loss"] = None  # a new problem may need another loss: its default
                if PlaygroundSettings(dataset=merged["dataset"]).classes == self.settings.classes:
                    merged["loss"] = self.settings.loss  # the same problem: the same loss
            new = settings_from(**merged)
            old = self.settings
            changed = {name for name in merged if getattr(new, name) != getattr(old, name)}
            self.settings = new
            if "dataset" in changed:
                self.user_data = None
            if changed & DATA_SETTINGS:
                self._make_data()
            if changes and changed <= RUNNING_SETTINGS:  # nothing, or only the rate, changed
                self.optimizer.lr = new.lr  # the trainer's next step uses it (Trainer.lr)
                return False
            self.reset()
            return True

    def regenerate(self) -> None:
        """New data of the same kind (the next seed) for the same network: the Playground's
        "regenerate". The epoch and the weights stay."""
        with self.lock:
            seed = self.settings.seed + 1
            self.settings = settings_from(**{**asdict(self.settings), "seed": seed})
            self._make_data()

    def use_data(self, data: tuple[Any, Any] | UserData) -> None:
        """Train on your own points from now on (checked; see :func:`check_data`); resets."""
        user = data if isinstance(data, UserData) else check_data(*data)
        with self.lock:
            if user.problem != self.settings.problem:
                dataset = "plane" if user.problem == "regression" else "circle"
                self.settings = settings_from(
                    **{**asdict(self.settings), "dataset": dataset, "loss": None}
                )
            self.user_data = user
            self._make_data()
            self.reset()

    points_edited: bool
    """Whether points were added or cleared by hand since the data was last made."""

    @property
    def data_name(self) -> str:
        """The data set's name, or ``"your data"``."""
        return "your data" if self.user_data is not None else self.settings.dataset

    def reset(self) -> None:
        """Fresh weights (the settings' seed's, whatever was trained or edited since),
        epoch 0, empty loss history; the data stays. The trainer comes at the first epoch."""
        with self.lock:
            self.model = self.settings.new_model()
            self.optimizer = optim.SGD(self.model.parameters(), lr=self.settings.lr)
            self.trainer: Trainer | None = None
            self._trained_on: tuple[FloatArray, ...] = ()
            self.epoch = 0
            self.train_curve = LossCurve()
            self.test_curve = LossCurve()

    @property
    def train_loss(self) -> list[float]:
        """The training loss per epoch (per bucket of epochs beyond a few hundred)."""
        return self.train_curve.values()

    @property
    def test_loss(self) -> list[float]:
        """The test loss per epoch (per bucket of epochs beyond a few hundred)."""
        return self.test_curve.values()

    def _make_data(self) -> None:
        s = self.settings
        if self.user_data is not None:
            split = datasets.train_test_split(
                self.user_data.X, self.user_data.y, s.train_ratio, seed=s.seed
            )
            X_train, X_test, y_train, y_test = split
        else:
            X_train, X_test, y_train, y_test = playground_data(s)
            if s.dataset == "moons":
                X_train = (X_train - [0.5, 0.25]) * MOONS_SCALE
                X_test = (X_test - [0.5, 0.25]) * MOONS_SCALE
        self.X_train, self.y_train = X_train, y_train.astype(np.float64)
        self.X_test, self.y_test = X_test, y_test.astype(np.float64)
        self.points_edited = False

    # ------------------------------------------------------------------ data
    def add_point(self, x1: float, x2: float, label: float) -> None:
        """Add a training point (class 0/1, or a value in [−1, 1] for regression)."""
        with self.lock:
            point = np.array([[float(x1), float(x2)]])
            if not np.all(np.isfinite(point)) or np.abs(point).max() > datasets.RADIUS:
                raise ValueError(f"a point must lie in [-6, 6]², got ({x1}, {x2})")
            classes = self.settings.classes
            if classes and label not in range(classes):
                names = "0 or 1" if classes == 2 else f"0 to {classes - 1}"
                raise ValueError(f"the class of a point must be {names}, got {label!r}")
            if self.settings.problem == "regression" and not -1.0 <= float(label) <= 1.0:
                raise ValueError(f"the value of a point must be in [-1, 1], got {label!r}")
            self.X_train = np.concatenate([self.X_train, point])
            self.y_train = np.append(self.y_train, float(label))
            self.points_edited = True

    def clear_points(self) -> None:
        """Remove every point from training and test data (then add your own)."""
        with self.lock:
            self.X_train = np.empty((0, 2))
            self.y_train = np.empty(0)
            self.X_test = np.empty((0, 2))
            self.y_test = np.empty(0)
            self.points_edited = True

    def inputs(self, points: npt.ArrayLike) -> FloatArray:
        """The network's inputs (the chosen features) for 2-D points."""
        return datasets.features(points, self.settings.features)

    # ------------------------------------------------------------------ training
    def train_epoch(self) -> None:
        """One pass of SGD over the training points (mini-batches of ``batch_size``).

        Raises :class:`~micrograd_edu.train.TrainingDivergedError` when the loss
        becomes infinite or NaN (the weights are then those before this epoch).
        """
        with self.lock:
            if len(self.X_train) == 0:
                raise ValueError("there are no training points: add some on the plane")
            result = self._ready_trainer().epoch()
            self.epoch += 1
            self.train_curve.append(result.train_loss)
            self.test_curve.append(math.nan if result.val_loss is None else result.val_loss)

    def _ready_trainer(self) -> Trainer:
        """The trainer, made at the first epoch after a reset and given the data again when
        points were added, cleared or regenerated (it keeps the network and the tape)."""
        data = (self.X_train, self.y_train, self.X_test, self.y_test)
        if self.trainer is not None and list(map(id, data)) == list(map(id, self._trained_on)):
            return self.trainer
        X, y, s = self.inputs(self.X_train), self.y_train, self.settings
        test = (self.inputs(self.X_test), self.y_test) if len(self.X_test) else (None, None)
        if self.trainer is not None:
            self.trainer.use_data(X, y, *test)
        else:
            self.trainer = Trainer(
                *(self.model, X, y, str(s.loss), self.optimizer, s.batch_size, *test),
                l1=s.reg_rate if s.regularization == "l1" else 0.0,
                l2=s.reg_rate if s.regularization == "l2" else 0.0,
                seed=s.seed,
                keep_history=False,  # the curves keep a bounded history: Play runs for hours
            )
        self._trained_on = data
        return self.trainer

    def _loss(self, X: FloatArray, y: FloatArray) -> float:
        if len(X) == 0:
            return float("nan")
        loss, _ = evaluate(self.model, self.inputs(X), y, str(self.settings.loss))
        return loss

    def measure(self, metric: str) -> float:
        """A goal's metric now: ``test_loss``, ``train_loss``, ``*_accuracy`` or ``epoch``."""
        if metric == "epoch":
            return float(self.epoch)
        part, kind = metric.split("_")
        with self.lock:
            X, y = (self.X_test, self.y_test) if part == "test" else (self.X_train, self.y_train)
            if len(X) == 0:
                return math.nan
            loss, accuracy = evaluate(self.model, self.inputs(X), y, str(self.settings.loss))
        if kind == "loss":
            return loss
        return math.nan if accuracy is None else accuracy

    def goal_reached(self, goal: Goal) -> bool:
        """Whether the network meets ``goal`` now."""
        return goal.reached(self.measure(goal.metric))

    def losses(self) -> tuple[float, float]:
        """The current (training, test) loss."""
        with self.lock:
            return self._loss(self.X_train, self.y_train), self._loss(self.X_test, self.y_test)

    def layer_outputs(self, points: npt.ArrayLike) -> list[FloatArray]:
        """Every neuron's output at ``points``, layer by layer (for the heat maps)."""
        with self.lock:
            return self.model.layer_outputs_array(self.inputs(points))

    def output_score(self, points: npt.ArrayLike) -> FloatArray:
        """The network's answer at ``points`` in [−1, 1]: 2·P(class 1) − 1, or the value."""
        with self.lock:
            out = self.model.forward_array(self.inputs(points))
        if self.settings.problem == "regression":
            return np.clip(out[:, 0], -1.0, 1.0)
        logit = out[:, 1] - out[:, 0] if out.shape[1] == 2 else out[:, 0]
        return np.tanh(0.5 * logit)  # = 2σ(z) − 1

    def class_probabilities(self, points: npt.ArrayLike) -> FloatArray:
        """Shape (n, k): the softmax probabilities of each class at ``points`` (``blobs``)."""
        with self.lock:
            return predict_proba(self.model, self.inputs(points))

    # ------------------------------------------------------------------ weights
    def weight(self, layer: int, neuron: int, index: int | None) -> Value:
        """A parameter: weight ``index`` of a neuron, or its bias (``index=None``)."""
        unit = self.model.layers[layer].neurons[neuron]
        return unit.b if index is None else unit.w[index]

    def set_weight(self, layer: int, neuron: int, index: int | None, value: float) -> None:
        """Edit one weight (or bias) by hand, as the Playground allows."""
        number = float(value)
        if not np.isfinite(number):
            raise ValueError(f"a weight must be a finite number, got {value!r}")
        with self.lock:
            self.weight(layer, neuron, index).data = number

    # ------------------------------------------------------------------ inspector
    def neuron_names(self) -> list[tuple[str, tuple[int, int]]]:
        """Every neuron as ("layer 1, neuron 2", (0, 1)) pairs; the output layer last."""
        names = []
        last = len(self.model.layers) - 1
        for k, layer in enumerate(self.model.layers):
            for j in range(layer.nout):
                title = "output" if k == last else f"layer {k + 1}, neuron {j + 1}"
                if k == last and layer.nout > 1:
                    title = f"output {j + 1}"
                names.append((title, (k, j)))
        return names

    def inspect(
        self, layer: int, neuron: int, point: tuple[float, float], label: float
    ) -> NeuronInspection:
        """Neuron ``neuron`` of layer ``layer`` computing on ``point`` whose target is ``label``.

        The point's loss is backpropagated through a copy of the network (the
        training's gradients are untouched); the neuron's own inputs, weights,
        bias, weighted sum and activation are then drawn with dL/d(each).
        """
        with self.lock:
            network = MLP(self.model.nin, self.model.nouts, activation=self.model.hidden_activation)
            network.load_state_dict(self.model.state_dict())
            names = list(self.settings.features)
        if not 0 <= layer < len(network.layers) or not 0 <= neuron < network.layers[layer].nout:
            raise ValueError(f"there is no neuron {neuron} in layer {layer}")
        features = self.inputs([point])[0]
        values: list[Value] = [
            Value(float(x), label=n) for x, n in zip(features, names, strict=True)
        ]
        layer_inputs = values
        for k, stage in enumerate(network.layers):
            outputs = stage.forward(as_inputs(values, stage.nin))
            if k == layer:
                layer_inputs, target = values, outputs[neuron]
            values = outputs
        objective = OBJECTIVES[str(self.settings.loss)]
        loss = objective.per_sample(values[0] if len(values) == 1 else values, label)
        loss.backward()

        unit = network.layers[layer].neurons[neuron]
        input_names = (
            names if layer == 0 else [f"h{layer}.{i + 1}" for i in range(len(layer_inputs))]
        )
        return _mini_neuron(
            unit, layer_inputs, input_names, target, (layer, neuron, point, label, loss.data)
        )

    # ------------------------------------------------------------------ take it with you
    def as_call(self) -> str:
        """The one-line ``live_playground(...)`` call that recreates these settings."""
        return self.settings.as_call("live_playground")

    def training_run(self) -> TrainingRun:
        """The current state as a :class:`~micrograd_edu.train.TrainingRun`."""
        with self.lock:
            history = History(train_loss=list(self.train_loss), val_loss=list(self.test_loss))
            return TrainingRun(
                self.model,
                history,
                str(self.settings.loss),
                self.settings.features,
                self.X_train,
                self.y_train,
                self.X_test,
                self.y_test,
            )

    def figure(self) -> Figure:
        """The static Playground figure of the current state."""
        return playground_figure(self.training_run(), title=self.as_call())

    def save_model(self, path: str | Path, folder: str | Path | None = None) -> str:
        """Save the trained network with :func:`micrograd_edu.io.save` (atomically).

        A relative ``path`` is taken in ``folder`` (default: the current
        folder); returns the absolute path written.
        """
        target = Path(folder or Path.cwd()).expanduser() / Path(path).expanduser()
        with self.lock:
            return str(io.save(self.model, target.resolve()))

    def python_code(self) -> str:
        """The trained network as a plain Python function (``math`` only), as source text."""
        with self.lock:
            return python_function(self.model, self.settings.features, loss=self.settings.loss)

    def torch_code(self, path: str = "model.json") -> str:
        """Python code that loads the saved network into PyTorch."""
        return (
            "from micrograd_edu import io\n"
            f"model = io.load({path!r})\n"
            "sequential = io.to_torch(model)  # a torch.nn.Sequential with the same weights"
        )


def _mini_neuron(
    unit: Any,
    layer_inputs: list[Value],
    input_names: list[str],
    target: Value,
    where: tuple[int, int, tuple[float, float], float, float],
) -> NeuronInspection:
    """A fresh small graph of ``unit``'s computation, with the real network's gradients.

    ``where`` is (layer, neuron, point, label, loss); ``target`` is the neuron's
    output Value in the backpropagated network.
    """
    layer, neuron, point, label, loss = where
    mini_inputs = [Value(x.data, label=n) for x, n in zip(layer_inputs, input_names, strict=True)]
    mini_weights = [Value(w.data, label=f"w{i + 1}") for i, w in enumerate(unit.w)]
    mini_bias = Value(unit.b.data, label="b")
    mini_sum = dot(mini_weights, mini_inputs, mini_bias)
    mini_sum.label = "w·x + b"
    mini_out = unit.activation.on_value(mini_sum)
    real_sum = target if unit.activation.name == "linear" else target.children[0]
    if mini_out is not mini_sum:
        mini_out.label = f"{unit.activation.name}(w·x + b)"
    grads = {
        **{m: x.grad for m, x in zip(mini_inputs, layer_inputs, strict=True)},
        **{m: w.grad for m, w in zip(mini_weights, unit.w, strict=True)},
        mini_bias: unit.b.grad,
        mini_sum: real_sum.grad,
        mini_out: target.grad,
    }
    return NeuronInspection(
        layer,
        neuron,
        (float(point[0]), float(point[1])),
        float(label),
        loss,
        mini_out,
        mini_inputs,
        mini_weights,
        mini_bias,
        mini_sum,
        grads,
    )

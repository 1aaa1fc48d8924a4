"""Save and load models as JSON, and move them to and from PyTorch.

The file holds the architecture (``nin``, ``nouts``, ``activation``) and the
weights by name (the :meth:`~micrograd_edu.nn.Module.state_dict`), as strict
JSON (no ``NaN`` or ``Infinity``: a model with non-finite weights is refused).
It is written atomically: to a temporary file in the same folder, then renamed
over the target, so an interrupted save never leaves a half-written model
behind. Loading checks the architecture against the weights *before* building
anything, so no file, however crafted, can make it allocate more than a model
of :data:`~micrograd_edu.nn.MAX_PARAMETERS` parameters.

PyTorch is imported only inside :func:`to_torch` and :func:`from_torch`.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from ._support import strict_json
from ._support.files import prepare_output_folder, write_atomically
from .nn import MLP, Layer, check_architecture, count_parameters

__all__ = [
    "FORMAT",
    "MAX_FILE_BYTES",
    "from_torch",
    "load",
    "prepare_output_folder",
    "save",
    "to_torch",
    "write_atomically",
    "write_json",
]

FORMAT = "micrograd_edu.MLP"
VERSION = 1
MAX_FILE_BYTES = 128 * 1024 * 1024
"""The largest model file :func:`load` reads (a model at the parameter limit takes ~70 MB)."""


def write_json(path: str | os.PathLike[str], data: Any, name: str = "data") -> Path:
    """Write ``data`` to ``path`` as strict JSON (:func:`micrograd_edu._support.strict_json.dumps`,
    indented, NumPy scalars as numbers), atomically (:func:`write_atomically`).

    Raises ``ValueError`` (a NaN or infinity) or ``TypeError`` (a value JSON
    cannot hold) naming its place in ``data``, before anything is written.

    >>> import shutil, tempfile
    >>> import numpy as np
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> path = write_json(folder / "history.json", {"loss": [np.float32(0.5), 0.25]})
    >>> json.loads(path.read_text())
    {'loss': [0.5, 0.25]}
    >>> write_json(folder / "bad.json", {"loss": [float("nan")]})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: ...
    >>> shutil.rmtree(folder)
    """
    return write_atomically(path, (strict_json.dumps(data, name=name, indent=1) + "\n").encode())


def save(model: MLP, path: str | os.PathLike[str]) -> Path:
    """Save ``model`` (architecture and weights) as JSON at ``path``, atomically.

    Weights may be NumPy scalars (``np.float32``, ``np.int64``): they are written
    as numbers. Returns the path written. Raises ``TypeError`` for anything but an
    :class:`~micrograd_edu.nn.MLP` and ``ValueError`` (naming the parameter)
    for a weight that is NaN or infinite; nothing is written then.

    >>> import tempfile
    >>> from micrograd_edu.nn import MLP
    >>> folder = tempfile.mkdtemp()
    >>> path = save(MLP(2, [4, 1], seed=0), f"{folder}/model.json")
    >>> path.name, load(path).nouts
    ('model.json', [4, 1])
    >>> import shutil; shutil.rmtree(folder)
    """
    if not isinstance(model, MLP):
        raise TypeError(f"save() takes an MLP, got {type(model).__name__}")
    state = model.state_dict()
    for name, value in state.items():
        if not math.isfinite(value):
            raise ValueError(
                f"cannot save: parameter {name!r} is {float(value)!r}, not a finite number "
                "(did training diverge?)"
            )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "nin": model.nin,
        "nouts": model.nouts,
        "activation": model.hidden_activation,
        "state_dict": state,
    }
    # repr-exact floats: json writes the shortest string that reads back the same float
    return write_json(path, document, name="the model")


def _refuse_constant(name: str) -> float:
    raise ValueError(f"the non-standard JSON constant {name} (a weight must be finite)")


def _parse_int(text: str) -> int | float:
    # A huge integer literal becomes a float (inf if out of range), which the
    # finiteness check then refuses, instead of a slow, unbounded int.
    return int(text) if len(text) <= 30 else float(text)


def _parse(source: Path) -> Any:
    """The JSON document in ``source``, or ValueError naming the file and the problem."""
    with source.open("rb") as handle:
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(
            f"{str(source)!r} is larger than {MAX_FILE_BYTES // 2**20} MiB, "
            "more than any model micrograd_edu saves"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{str(source)!r} is not a text file (not UTF-8 at byte {error.start}): "
            "not a micrograd_edu model"
        ) from None
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{str(source)!r} is not valid JSON (truncated or corrupted?): {error}"
        ) from None
    except RecursionError:
        raise ValueError(f"{str(source)!r} is not a model file: JSON nested too deeply") from None
    except ValueError as error:
        raise ValueError(f"{str(source)!r} is not valid: {error}") from None


def load(path: str | os.PathLike[str]) -> MLP:
    """Load a model saved by :func:`save`.

    Raises ``ValueError`` naming the file and the problem when it is truncated,
    not JSON, not a micrograd_edu model, or its weights do not fit its architecture.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from micrograd_edu.nn import MLP
    >>> model = MLP(2, [3, 1], activation="tanh", seed=0)
    >>> path = save(model, Path(tempfile.mkdtemp()) / "model.json")
    >>> copy = load(path)
    >>> copy, copy.state_dict() == model.state_dict()
    (MLP(nin=2, nouts=[3, 1], activation='tanh', parameters=13), True)
    >>> _ = path.write_text('{"format": "something else"}')
    >>> load(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: '...model.json' is not a micrograd_edu model file (no format 'micrograd_edu.MLP')
    >>> import shutil; shutil.rmtree(path.parent)
    """
    source = Path(path)
    document = _parse(source)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(
            f"{str(source)!r} is not a micrograd_edu model file (no format {FORMAT!r})"
        )
    if document.get("version") != VERSION:
        raise ValueError(
            f"{str(source)!r} has format version {document.get('version')!r}; "
            f"this micrograd_edu reads version {VERSION}"
        )
    try:
        nin, nouts = check_architecture(document["nin"], document["nouts"])
        state = document["state_dict"]
        if not isinstance(state, dict):
            raise ValueError("state_dict must be an object")
        _check_weights(state, nin, nouts)
        model = MLP(nin, nouts, activation=document["activation"])
        model.load_state_dict(state)
    except KeyError as error:
        raise ValueError(f"{str(source)!r} lacks the field {error}") from None
    except (TypeError, ValueError) as error:
        raise ValueError(f"{str(source)!r} does not describe a valid model: {error}") from None
    return model


def _check_weights(state: dict[str, Any], nin: int, nouts: list[int]) -> None:
    """Before building the model: one finite number per parameter of the architecture."""
    expected = count_parameters(nin, nouts)
    if len(state) != expected:
        raise ValueError(
            f"MLP({nin}, {nouts}) has {expected:,} parameters but the state_dict "
            f"holds {len(state):,} values"
        )
    for name, value in state.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"weight {name!r} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"weight {name!r} is {value!r}, not a finite number")


_TORCH_ACTIVATIONS = {
    "relu": "ReLU",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "leaky_relu": "LeakyReLU",
}


def to_torch(model: MLP) -> Any:
    """An equivalent ``torch.nn.Sequential`` (float64) with the same weights.

    ``Linear`` layers alternate with the hidden activation; the outputs are
    identical to ``model``'s. This is where to go when a scalar engine gets too slow.
    """
    import torch

    modules: list[Any] = []
    for i, layer in enumerate(model.layers):
        linear = torch.nn.Linear(layer.nin, layer.nout, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(
                torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
            )
            linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
        modules.append(linear)
        if i < len(model.layers) - 1 and model.hidden_activation != "linear":
            activation = getattr(torch.nn, _TORCH_ACTIVATIONS[model.hidden_activation])
            modules.append(
                activation(0.01) if model.hidden_activation == "leaky_relu" else activation()
            )
    return torch.nn.Sequential(*modules)


def from_torch(sequential: Any) -> MLP:
    """An :class:`MLP` with the weights of a ``torch.nn.Sequential`` of Linear layers.

    The Sequential must alternate ``Linear`` layers with one kind of hidden
    activation (ReLU, Tanh, Sigmoid, LeakyReLU(0.01)) or none, and end with a
    ``Linear`` layer, as :func:`to_torch` builds them.
    """
    import torch

    if not isinstance(sequential, torch.nn.Sequential):
        raise TypeError(
            f"from_torch() takes a torch.nn.Sequential, got {type(sequential).__name__}"
        )
    by_class = {cls: name for name, cls in _TORCH_ACTIVATIONS.items()}
    linears = []
    activations = set()
    for module in sequential:
        if isinstance(module, torch.nn.Linear):
            linears.append(module)
        elif type(module).__name__ in by_class:
            if isinstance(module, torch.nn.LeakyReLU) and module.negative_slope != 0.01:
                raise ValueError("from_torch: only LeakyReLU(0.01) is supported")
            activations.add(by_class[type(module).__name__])
        else:
            raise ValueError(f"from_torch: unsupported layer {module!r}")
    if not linears or not isinstance(sequential[-1], torch.nn.Linear):
        raise ValueError("from_torch: the Sequential must end with a Linear layer")
    if len(activations) > 1:
        raise ValueError(f"from_torch: mixed activations {sorted(activations)} are not supported")
    activation = activations.pop() if activations else "linear"
    layout_ok = all(
        isinstance(module, torch.nn.Linear) == (activation == "linear" or i % 2 == 0)
        for i, module in enumerate(sequential)
    )
    if not layout_ok:
        raise ValueError(
            "from_torch: expected Linear layers with exactly one activation between each pair"
        )
    model = MLP(
        linears[0].in_features,
        [linear.out_features for linear in linears],
        activation=activation,  # type: ignore[arg-type]
    )
    for layer, linear in zip(model.layers, linears, strict=True):
        _copy_linear(layer, linear)
    return model


def _copy_linear(layer: Layer, linear: Any) -> None:
    if linear.in_features != layer.nin:
        raise ValueError(
            f"from_torch: a Linear layer expects {linear.in_features} inputs "
            f"but the previous layer gives {layer.nin}"
        )
    weight = linear.weight.detach().double().tolist()
    bias = linear.bias.detach().double().tolist() if linear.bias is not None else [0.0] * layer.nout
    for neuron, row, b in zip(layer.neurons, weight, bias, strict=True):
        for w, value in zip(neuron.w, row, strict=True):
            w.data = value
        neuron.b.data = b

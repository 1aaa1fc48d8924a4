"""Save and load models as JSON, and move them to and from PyTorch.

The file holds the architecture (``nin``, ``nouts``, ``activation``) and the
weights by name (the :meth:`~micrograd_edu.nn.Module.state_dict`). It is
written atomically: to a temporary file in the same folder, then renamed over
the target, so an interrupted save never leaves a half-written model behind.

PyTorch is imported only inside :func:`to_torch` and :func:`from_torch`.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .nn import MLP, Layer

__all__ = ["FORMAT", "from_torch", "load", "save", "to_torch", "write_atomically"]

FORMAT = "micrograd_edu.MLP"
VERSION = 1


def _new_file_mode() -> int:
    """The permissions an ordinary new file gets: 0666 minus the process umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Readers see either the old file or the complete new one, never a part.
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"cannot write to {str(target)!r}: it is a directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(temp_name, _new_file_mode())  # mkstemp makes it private (0600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target


def save(model: MLP, path: str | os.PathLike[str]) -> Path:
    """Save ``model`` (architecture and weights) as JSON at ``path``, atomically."""
    if not isinstance(model, MLP):
        raise TypeError(f"save() takes an MLP, got {type(model).__name__}")
    document = {
        "format": FORMAT,
        "version": VERSION,
        "nin": model.nin,
        "nouts": model.nouts,
        "activation": model.hidden_activation,
        "state_dict": model.state_dict(),
    }
    # repr-exact floats: json writes the shortest string that reads back the same float
    return write_atomically(path, (json.dumps(document, indent=1) + "\n").encode())


def load(path: str | os.PathLike[str]) -> MLP:
    """Load a model saved by :func:`save`.

    Raises ``ValueError`` naming the file and the problem when it is truncated,
    not JSON, not a micrograd_edu model, or its weights do not fit its architecture.
    """
    source = Path(path)
    text = source.read_text(encoding="utf-8")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{str(source)!r} is not valid JSON (truncated or corrupted?): {error}"
        ) from None
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
        model = MLP(document["nin"], document["nouts"], activation=document["activation"])
        state = document["state_dict"]
        if not isinstance(state, dict):
            raise ValueError("state_dict must be an object")
        model.load_state_dict(state)
    except KeyError as error:
        raise ValueError(f"{str(source)!r} lacks the field {error}") from None
    except (TypeError, ValueError) as error:
        raise ValueError(f"{str(source)!r} does not describe a valid model: {error}") from None
    return model


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

"""Saving and loading models (atomic, with clear errors) and the PyTorch bridge."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from micrograd_edu import io
from micrograd_edu.nn import MLP


def _outputs(model: MLP) -> np.ndarray:
    X = np.random.default_rng(0).normal(size=(5, model.nin))
    return model.forward_array(X)


def test_save_and_load_round_trip_exactly(tmp_path: Path) -> None:
    model = MLP(3, [4, 4, 2], activation="tanh", seed=0)
    path = io.save(model, tmp_path / "sub" / "model.json")
    loaded = io.load(path)
    assert repr(loaded) == repr(model)
    assert loaded.state_dict() == model.state_dict()
    np.testing.assert_array_equal(_outputs(loaded), _outputs(model))
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["model.json"]  # no temp files left


def test_failed_save_leaves_the_existing_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "model.json"
    io.save(MLP(2, [1], seed=0), path)
    before = path.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        io.save(MLP(2, [3, 1], seed=1), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_save_rejects_a_non_model(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=re.escape("save() takes an MLP, got dict")):
        io.save({}, tmp_path / "m.json")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda text: text[: len(text) // 2], "is not valid JSON (truncated or corrupted?)"),
        (lambda text: "\x00garbage", "is not valid JSON"),
        (lambda text: json.dumps({"hello": 1}), "is not a micrograd_edu model file"),
        (lambda text: text.replace('"version": 1', '"version": 99'), "has format version 99"),
        (
            lambda text: text.replace('"nouts": [\n  1\n ]', '"nouts": [\n  2\n ]'),
            "MLP(2, [2]) has 6 parameters but the state_dict holds 3 values",
        ),
        (lambda text: text.replace('"nin"', '"nine"'), "lacks the field 'nin'"),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path: Path, mangle: object, message: str) -> None:
    path = tmp_path / "model.json"
    io.save(MLP(2, [1], seed=0), path)
    path.write_text(mangle(path.read_text()))  # type: ignore[operator]
    with pytest.raises(ValueError, match=re.escape(message)):
        io.load(path)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "linear"])
def test_to_torch_gives_identical_outputs(torch: ModuleType, activation: str) -> None:
    model = MLP(3, [5, 4, 2], activation=activation, seed=1)  # type: ignore[arg-type]
    sequential = io.to_torch(model)
    X = np.random.default_rng(0).normal(size=(5, 3))
    with torch.no_grad():
        theirs = sequential(torch.tensor(X)).numpy()
    np.testing.assert_allclose(theirs, model.forward_array(X), rtol=1e-13, atol=1e-15)
    back = io.from_torch(sequential)
    assert back.state_dict() == model.state_dict()
    assert back.hidden_activation == (activation if activation != "linear" else "linear")


def test_from_torch_rejects_what_it_cannot_represent(torch: ModuleType) -> None:
    nn = torch.nn
    with pytest.raises(ValueError, match=re.escape("unsupported layer")):
        io.from_torch(nn.Sequential(nn.Linear(2, 3), nn.GELU(), nn.Linear(3, 1)))
    with pytest.raises(ValueError, match=re.escape("must end with a Linear layer")):
        io.from_torch(nn.Sequential(nn.Linear(2, 3), nn.ReLU()))
    with pytest.raises(ValueError, match=re.escape("mixed activations")):
        io.from_torch(
            nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1))
        )
    with pytest.raises(ValueError, match=re.escape("exactly one activation between each pair")):
        io.from_torch(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Linear(3, 1)))
    with pytest.raises(TypeError, match=re.escape("takes a torch.nn.Sequential, got Linear")):
        io.from_torch(nn.Linear(2, 1))


@pytest.mark.parametrize(
    "kind", [np.float16, np.float32, np.float64, np.int8, np.int64, np.uint32, int, float]
)
def test_numpy_scalar_weights_save_as_strict_json(tmp_path: Path, kind: type) -> None:
    """A NumPy scalar stored as a weight (w.data = np.float32(0.5)) is written as its number."""
    model = MLP(2, [2, 1], seed=0)
    parameters = model.parameters()
    for i, p in enumerate(parameters):
        p.data = kind(i % 5) if kind in (np.int8, np.int64, np.uint32, int) else kind(0.1 * i)
    path = io.save(model, tmp_path / "model.json")

    def refuse(name: str) -> None:
        raise AssertionError(f"not strict JSON: {name}")

    document = json.loads(path.read_text(), parse_constant=refuse)
    assert list(document["state_dict"].values()) == [float(p.data) for p in parameters]
    assert [p.data for p in io.load(path).parameters()] == [float(p.data) for p in parameters]


def test_a_non_finite_numpy_weight_is_refused_by_name(tmp_path: Path) -> None:
    model = MLP(2, [1], seed=0)
    model.parameters()[1].data = np.float32("nan")
    name = next(iter(model.state_dict())).rsplit(".", 1)[0] + ".1"
    with pytest.raises(ValueError, match=re.escape(f"cannot save: parameter {name!r} is nan")):
        io.save(model, tmp_path / "model.json")
    assert not (tmp_path / "model.json").exists()

"""Fuzzing the two doors bad input comes through: model files and command-line options.

Whatever arrives, the answer is success or the promised error (a ``ValueError``
naming the file; a one-line message and exit code 1 or 2), never anything else.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from micrograd_edu import io
from micrograd_edu.cli.train import main
from micrograd_edu.nn import MLP

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
KEYS = ["format", "version", "nin", "nouts", "activation", "state_dict"]


def _valid_document() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = io.save(MLP(2, [2, 1], seed=0), Path(folder) / "model.json")
        document: dict[str, Any] = json.loads(path.read_text())
        return document


VALID = _valid_document()


def _load_or_value_error(path: Path) -> None:
    try:
        model = io.load(path)
    except ValueError as error:
        message = str(error)
    else:
        assert isinstance(model, MLP)
        return
    assert str(path) in message


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.binary(max_size=300))
def test_any_bytes_load_or_raise_value_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fuzz.json"
    path.write_bytes(content)
    _load_or_value_error(path)


@pytest.mark.slow
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    replaced=st.dictionaries(st.sampled_from(KEYS), json_values, max_size=3),
    removed=st.sets(st.sampled_from(KEYS), max_size=2),
    weight=json_values,
)
def test_mangled_model_documents_load_or_raise_value_error(
    tmp_path: Path, replaced: dict[str, Any], removed: set[str], weight: Any
) -> None:
    document = {**VALID, **replaced}
    for key in removed:
        document.pop(key, None)
    if isinstance(document.get("state_dict"), dict) and document["state_dict"]:
        state = dict(document["state_dict"])
        state[next(iter(state))] = weight
        document["state_dict"] = state
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(document, allow_nan=True))
    _load_or_value_error(path)


OPTIONS = {
    "--dataset": st.sampled_from(["moons", "circle", "xor", "blobs", "plane", "iris", ""]),
    "--noise": st.sampled_from(["0", "0.3", "1", "2", "-1", "nan", "inf", "x", ""]),
    "--classes": st.sampled_from(["2", "3", "1", "0", "1000", "x"]),
    "--train-ratio": st.sampled_from(["0.5", "0", "1", "0.99", "nan", "-0.1"]),
    "--features": st.sampled_from(["x1,x2", "x1", "sin(x1),x1*x2", "x9", ",", ""]),
    "--hidden": st.sampled_from(["", "4", "4,4", "0", "-1", "4,x", "99999999999999999999"]),
    "--activation": st.sampled_from(["relu", "tanh", "sigmoid", "linear", "gelu"]),
    "--loss": st.sampled_from(["bce", "hinge", "mse", "cross_entropy", "l3"]),
    "--optimizer": st.sampled_from(["sgd", "adam", "lbfgs"]),
    "--lr": st.sampled_from(["0.1", "10", "0", "1e-9", "11", "nan", "inf"]),
    "--momentum": st.sampled_from(["0", "0.9", "0.999", "1", "-0.5"]),
    "--batch-size": st.sampled_from(["1", "7", "0", "1000000", "x"]),
    "--l1": st.sampled_from(["0", "0.01", "-1", "inf"]),
    "--l2": st.sampled_from(["0", "1e-4", "10", "11", "nan"]),
    "--seed": st.sampled_from(["0", "7", "-1", "x", str(2**64)]),
}


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    options=st.dictionaries(st.sampled_from(sorted(OPTIONS)), st.just(None), max_size=5),
    data=st.data(),
)
def test_cli_options_succeed_or_fail_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: dict[str, None], data: Any
) -> None:
    argv = ["train", "--n", "20", "--epochs", "2", "--no-progress", "--no-pictures"]
    for flag in options:
        argv += [flag, data.draw(OPTIONS[flag], label=flag)]
    argv += ["--out", str(tmp_path / "out")]
    try:
        code = main(argv)
    except SystemExit as exited:
        code = exited.code  # type: ignore[assignment]
    captured = capsys.readouterr()
    assert code in (0, 1, 2), captured.err
    if code == 0:
        assert io.load(tmp_path / "out" / "model.json")
    else:
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and "error: " in lines[0], captured.err

"""Bad input and faults, as an adversarial user tries them: each defect of issue 9, numbered."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from micrograd_edu import Value, datasets, io, losses, optim
from micrograd_edu.__main__ import main
from micrograd_edu.nn import MAX_LAYERS, MAX_PARAMETERS, MLP
from micrograd_edu.train import TrainingDivergedError, fit

NAN = float("nan")


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "micrograd_edu", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def _one_line_error(result: subprocess.CompletedProcess[str], code: int, message: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]


# 1, 7 -- sizes are checked before anything is allocated -----------------------------


def test_1_tiny_model_file_with_a_huge_architecture_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_text(
        '{"format":"micrograd_edu.MLP","version":1,"nin":2,"nouts":[1000000000,1],'
        '"activation":"relu","state_dict":{}}'
    )
    with pytest.raises(ValueError, match=re.escape("nouts[0] must be at most 1,000,000")):
        io.load(path)


def test_1_architecture_is_checked_against_the_weights_before_building(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(
        '{"format":"micrograd_edu.MLP","version":1,"nin":2,"nouts":[500,500,1],'
        '"activation":"relu","state_dict":{"a": 1.0}}'
    )
    with pytest.raises(ValueError, match=re.escape("has 252,501 parameters but the state_dict")):
        io.load(path)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: MLP(2, [2000, 1000]), "would have 2,007,000 parameters, more than the limit"),
        (lambda: MLP(2, [99999999999999999999]), "must be at most 1,000,000"),
        (lambda: MLP(2, [1] * (MAX_LAYERS + 1)), "at most 100 layers, got 101"),
        (lambda: datasets.circle(n=300_000_000), "n must be at most 10,000,000, got 300,000,000"),
        (lambda: datasets.blobs(classes=1000), "classes must be at most 100, got 1,000"),
        (
            lambda: fit(MLP(2, [1]), np.zeros((2, 2)), [0, 1], epochs=10**9, progress=False),
            "epochs must be at most 1,000,000, got 1,000,000,000",
        ),
    ],
)
def test_7_upper_bounds_have_clear_errors(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
    assert MAX_PARAMETERS == 1_000_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hidden", "100000000"], "a layer may have at most 1,000,000 neurons"),
        (["--hidden", "99999999999999999999"], "a layer may have at most 1,000,000 neurons"),
        (["--hidden", "1000,1000"], "would have 1,005,001 parameters"),
        (["--n", "300000000"], "argument --n: must be at most 100,000, got '300000000'"),
        (["--epochs", "10000000"], "argument --epochs: must be at most 1,000,000"),
        (["--hidden", ",".join(["2"] * 100)], "at most 99 hidden layers, got 100"),
    ],
)
def test_7_cli_refuses_sizes_before_training(args: list[str], message: str) -> None:
    _one_line_error(
        _cli("train", *args, "--no-progress", "--no-pictures", "--out", "-"), 2, message
    )


# 2 -- NaN propagates ------------------------------------------------------------------


def test_2_relu_propagates_nan_in_value_and_slope() -> None:
    x = Value(NAN)
    out = x.relu()
    out.backward()
    assert math.isnan(out.data) and math.isnan(out.local_grads[0]) and math.isnan(x.grad)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "linear"])
def test_2_network_with_nan_input_agrees_with_forward_array(activation: str) -> None:
    model = MLP(2, [4, 1], activation=activation, seed=0)  # type: ignore[arg-type]
    out = model([NAN, 1.0])
    assert isinstance(out, Value)
    assert math.isnan(out.data)
    assert math.isnan(model.forward_array(np.array([[NAN, 1.0]]))[0, 0])


def test_2_losses_of_nan_are_nan() -> None:
    assert math.isnan(losses.hinge(Value(NAN), 1).data)
    assert math.isnan(losses.mse(Value(NAN), 1.0).data)
    assert math.isnan(losses.binary_cross_entropy(Value(NAN), 1).data)
    assert math.isnan(losses.cross_entropy([Value(NAN), Value(1.0)], 0).data)


# 3, 4 -- divergence -------------------------------------------------------------------


def test_3_overflow_in_the_loss_is_a_one_line_error_and_nothing_is_saved(tmp_path: Path) -> None:
    result = _cli(
        "train",
        *("--dataset", "plane", "--lr", "10", "--momentum", "0.9", "--epochs", "100"),
        *("--no-progress", "--out", str(tmp_path)),
    )
    _one_line_error(result, 1, "training diverged in epoch ")
    assert "Nothing was saved" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_4_nan_loss_stops_fit_naming_the_epoch_and_keeps_finite_weights() -> None:
    X, y = datasets.plane(n=100, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    optimizer = optim.SGD(model.parameters(), lr=10.0, momentum=0.99)
    with pytest.raises(TrainingDivergedError) as caught:
        fit(model, X, y, "mse", optimizer, epochs=30, batch_size=10, progress=False, seed=0)
    error = caught.value
    assert re.match(r"training diverged in epoch \d+", str(error))
    assert f"in epoch {error.epoch}" in str(error)
    assert "Try a smaller learning rate (lr is 10)" in str(error)
    assert error.history.epochs == error.epoch - 1
    assert all(math.isfinite(p.data) for p in model.parameters())
    # the restored weights are those of the last completed epoch: its recorded loss
    if error.history.epochs:
        predictions = model.forward_array(X)[:, 0]
        assert np.mean((predictions - y) ** 2) == pytest.approx(error.history.train_loss[-1])


def test_4_cli_saves_nothing_when_momentum_diverges(tmp_path: Path) -> None:
    result = _cli(
        "train",
        *("--dataset", "plane", "--lr", "10", "--momentum", "0.99", "--epochs", "15"),
        *("--no-progress", "--out", str(tmp_path)),
    )
    _one_line_error(result, 1, "training diverged")
    assert not (tmp_path / "model.json").exists()


# 5 -- Ctrl-C ----------------------------------------------------------------------------


def test_5_ctrl_c_stops_saves_what_was_trained_and_exits_130(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "micrograd_edu", "train", "--epochs", "1000000"]
    process = subprocess.Popen(
        [*command, "--no-pictures", "--out", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        shown = ""
        while "epoch/s" not in shown:  # the progress bar: training has begun
            character = process.stderr.read(1)
            assert character, f"the command ended before training: {shown}"
            shown += character
        time.sleep(1.0)  # some epochs
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in shown + err
    assert re.search(r"^interrupted \(Ctrl-C\) during epoch \d+", out, re.MULTILINE)
    history = json.loads((tmp_path / "history.json").read_text())
    epochs = int(re.search(r"during epoch (\d+)", out).group(1))  # type: ignore[union-attr]
    assert len(history["train_loss"]) == epochs >= 1
    assert io.load(tmp_path / "model.json").nouts == [16, 16, 1]


def test_5_fit_returns_the_history_so_far_when_interrupted() -> None:
    X, y = datasets.moons(n=40, seed=0)
    model = MLP(2, [4, 1], seed=0)
    calls = 0

    class InterruptingSGD(optim.SGD):
        def step(self) -> None:
            nonlocal calls
            super().step()
            calls += 1
            if calls == 7:
                os.kill(os.getpid(), signal.SIGINT)

    opt = InterruptingSGD(model.parameters(), lr=0.1)
    history = fit(model, X, y, optimizer=opt, epochs=100, batch_size=10, progress=False)
    assert history.interrupted
    assert calls == 7  # stopped right after the step during which Ctrl-C came
    assert history.epochs == 2  # one full epoch of 4 steps, then the unfinished one
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# 6 -- output folders ----------------------------------------------------------------------


def test_6_out_that_is_a_file_fails_before_training(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    result = _cli("train", "--epochs", "1", "--no-progress", "--out", str(target))
    _one_line_error(result, 1, "it is a file, not a folder")


def test_6_model_json_that_is_a_folder_fails_before_training(tmp_path: Path) -> None:
    (tmp_path / "model.json").mkdir()
    result = _cli("train", "--epochs", "1", "--no-progress", "--out", str(tmp_path))
    _one_line_error(result, 1, "a folder of that name is in the way")
    assert not (tmp_path / "history.json").exists()


def test_6_read_only_output_folder_fails_before_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def read_only(*args: Any, **kwargs: Any) -> Any:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(SystemExit) as exited:
        main(["train", "--epochs", "1", "--no-progress", "--out", str(tmp_path / "o")])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert f"cannot write into {str(tmp_path / 'o')!r}: Read-only file system" in err


def test_6_picture_that_is_a_folder_is_one_line_after_saving(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    (tmp_path / "loss.png").mkdir()
    result = _cli("train", "--epochs", "2", "--no-progress", "--out", str(tmp_path))
    _one_line_error(result, 1, "cannot write the results")


def test_6_visualize_out_file_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "file"
    target.write_text("x")
    result = subprocess.run(
        [sys.executable, "-m", "visualize", "--out", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    _one_line_error(result, 1, "it is a file, not a folder")


def test_6_empty_out_is_refused() -> None:
    _one_line_error(_cli("train", "--out", ""), 2, "argument --out: is empty")


# 8, 9 -- engine ---------------------------------------------------------------------------


def test_8_division_by_a_tiny_divisor_does_not_underflow(torch: Any) -> None:
    a, b = Value(1.0), Value(1e-200)
    out = a / b
    out.backward()
    assert out.data == 1e200
    assert a.grad == 1e200 and b.grad == -math.inf  # -a/b² = -1e400: beyond float
    c = Value(1e-200)
    r = 1.0 / c
    r.backward()
    assert r.data == 1e200 and c.grad == -math.inf
    small = Value(3e-160)
    (2.0 / small).backward()
    reference = torch.tensor(3e-160, requires_grad=True)
    (2.0 / reference).backward()
    assert small.grad == pytest.approx(reference.grad.item(), rel=1e-12)


def test_9_leaky_relu_slope_must_be_a_number() -> None:
    with pytest.raises(TypeError, match=re.escape("leaky_relu: slope must be a number")):
        Value(-1.0).leaky_relu(Value(0.1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=re.escape("got str: 'x'")):
        Value(1.0).leaky_relu("x")  # type: ignore[arg-type]
    assert Value(-2.0).leaky_relu(np.float32(0.5)).data == -1.0


# 10, 11, 17, 18 -- fit and numbers ---------------------------------------------------------


def test_10_optimizer_of_another_model_is_refused() -> None:
    X, y = datasets.moons(n=10, seed=0)
    model, other = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    with pytest.raises(ValueError, match=re.escape("13 Value(s) that are not parameters")):
        fit(model, X, y, optimizer=optim.SGD(other.parameters(), lr=0.1), progress=False)
    # a subset of the model's own parameters (a frozen layer) is fine
    first_layer = model.layers[0].parameters()
    fit(model, X, y, optimizer=optim.SGD(first_layer, lr=0.1), epochs=1, progress=False)


@pytest.mark.parametrize("name", ["l1", "l2"])
@pytest.mark.parametrize("rate", [math.inf, NAN, -1.0, "0.1"])
def test_11_penalties_must_be_finite_and_non_negative(name: str, rate: object) -> None:
    X, y = datasets.moons(n=10, seed=0)
    with pytest.raises(ValueError, match=re.escape(f"{name} must be")):
        fit(MLP(2, [1]), X, y, progress=False, **{name: rate})  # type: ignore[arg-type]


def test_17_numpy_scalars_are_numbers_everywhere() -> None:
    X, y = datasets.blobs(n=30, classes=np.int64(3), seed=np.int64(0))  # type: ignore[arg-type]
    model = MLP(np.int64(2), [np.int64(4), np.int64(3)], seed=0)  # type: ignore[arg-type, list-item]
    opt = optim.SGD(model.parameters(), lr=np.float32(0.1), momentum=np.float64(0.5))
    history = fit(
        model,
        X,
        y,
        loss="cross_entropy",
        optimizer=opt,
        epochs=np.int64(2),  # type: ignore[arg-type]
        batch_size=np.int32(10),  # type: ignore[arg-type]
        l2=np.float32(1e-4),  # type: ignore[arg-type]
        progress=False,
    )
    assert history.epochs == 2
    assert opt.lr == pytest.approx(0.1)
    datasets.train_test_split(X, y, train_ratio=np.float64(0.5))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--train-ratio", "1"], "argument --train-ratio: must be in (0, 1), got '1'"),
        (["--seed", "-1"], "argument --seed: must be an integer >= 0, got '-1'"),
        (["--classes", "4"], "--classes applies to the blobs data set only, not 'moons'"),
    ],
)
def test_17_cli_numbers_name_their_option(args: list[str], message: str) -> None:
    _one_line_error(
        _cli("train", *args, "--no-progress", "--no-pictures", "--out", "-"), 2, message
    )


def test_18_complex_input_is_refused() -> None:
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(TypeError, match=re.escape("expected real inputs, got complex numbers")):
        model(np.array([1 + 1j, 2]))
    X, y = datasets.moons(n=10, seed=0)
    with pytest.raises(TypeError, match=re.escape("fit: X must hold real numbers, got complex")):
        fit(model, X + 0j, y, progress=False)
    with pytest.raises(TypeError, match=re.escape("X must hold real numbers, got complex")):
        model.forward_array(X + 0j)
    with pytest.raises(TypeError, match=re.escape("X must hold real numbers, got an array of")):
        datasets.features([["a", "b"]])


# 12, 13, 16, 20 -- model files -----------------------------------------------------------


def test_12_save_refuses_non_finite_weights_naming_the_parameter(tmp_path: Path) -> None:
    model = MLP(2, [1], seed=0)
    model.layers[0].neurons[0].w[1].data = NAN
    with pytest.raises(ValueError, match=re.escape("parameter 'layers.0.neurons.0.w.1' is nan")):
        io.save(model, tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        ("NaN", "the non-standard JSON constant NaN"),
        ("-Infinity", "the non-standard JSON constant -Infinity"),
        ("1e999", "is inf, not a finite number"),
        ("1" + "0" * 400, "is inf, not a finite number"),
        ('"0.5"', "must be a number, got '0.5'"),
        ("true", "must be a number, got True"),
    ],
)
def test_12_13_load_refuses_non_finite_and_odd_weights(
    tmp_path: Path, weight: str, message: str
) -> None:
    path = tmp_path / "m.json"
    io.save(MLP(2, [1], seed=0), path)
    text = path.read_text()
    name = '"layers.0.neurons.0.b": '
    start = text.index(name) + len(name)
    end = text.index("\n", start)
    path.write_text(text[:start] + weight + text[end:])
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        io.load(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00garbage\x80", "is not a text file (not UTF-8 at byte 0)"),
        (b"[" * 100_000, "JSON nested too deeply"),
        (b"", "is not valid JSON"),
    ],
)
def test_13_load_of_garbage_is_a_value_error_naming_the_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        io.load(path)
    assert str(path) in str(caught.value)


def test_13_load_reads_at_most_max_file_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(io, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 1001)
    with pytest.raises(ValueError, match="is larger than"):
        io.load(path)


def test_16_save_keeps_the_mode_of_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    io.save(MLP(2, [1], seed=0), path)
    os.chmod(path, 0o600)
    io.save(MLP(2, [1], seed=1), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    umask = os.umask(0o022)
    try:
        fresh = io.save(MLP(2, [1], seed=1), tmp_path / "new.json")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644


def test_20_stale_temporary_files_of_killed_saves_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".m.json.{dead_pid}.abc123.tmp"
    stale.write_bytes(b"x" * 1000)
    live = tmp_path / f".m.json.{os.getpid()}.def456.tmp"  # a save in progress here
    live.write_bytes(b"y")
    other = tmp_path / f".other.json.{dead_pid}.xyz.tmp"  # another target's: not ours to clean
    other.write_bytes(b"z")
    io.save(MLP(2, [1], seed=0), tmp_path / "m.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["m.json", live.name, other.name])


def test_save_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "models" / "real.json"
    real.parent.mkdir()
    io.save(MLP(2, [1], seed=0), real)
    link = tmp_path / "current.json"
    link.symlink_to(real)
    io.save(MLP(2, [3, 1], seed=0), link)
    assert link.is_symlink()
    assert io.load(real).nouts == [3, 1]

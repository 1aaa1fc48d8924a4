"""The command line under bad input and faults: sizes, output folders, divergence, Ctrl-C.

Each error is one line on stderr with the right exit code, never a traceback.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from micrograd_edu import io
from micrograd_edu.cli.train import main

if TYPE_CHECKING:
    from tests.conftest import Cli

NAN = float("nan")


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
def test_sizes_are_refused_before_training(args: list[str], message: str, cli: Cli) -> None:
    cli.assert_one_line_error(
        cli("train", *args, "--no-progress", "--no-pictures", "--out", "out"), 2, message
    )
    assert list(cli.cwd.iterdir()) == []  # refused before the output folder was made


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--train-ratio", "1"], "argument --train-ratio: must be in (0, 1), got '1'"),
        (["--seed", "-1"], "argument --seed: must be an integer >= 0, got '-1'"),
        (["--classes", "4"], "--classes applies to the blobs data set only, not 'moons'"),
    ],
)
def test_numbers_name_their_option(args: list[str], message: str, cli: Cli) -> None:
    cli.assert_one_line_error(
        cli("train", *args, "--no-progress", "--no-pictures", "--out", "out"), 2, message
    )
    assert list(cli.cwd.iterdir()) == []  # refused before the output folder was made


def test_empty_out_is_refused(cli: Cli) -> None:
    cli.assert_one_line_error(cli("train", "--out", ""), 2, "argument --out: is empty")


def test_out_that_is_a_file_fails_before_training(tmp_path: Path, cli: Cli) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    result = cli("train", "--epochs", "1", "--no-progress", "--out", str(target))
    cli.assert_one_line_error(result, 1, "it is a file, not a folder")


def test_model_json_that_is_a_folder_fails_before_training(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "model.json").mkdir()
    result = cli("train", "--epochs", "1", "--no-progress", "--out", str(tmp_path))
    cli.assert_one_line_error(result, 1, "a folder of that name is in the way")
    assert not (tmp_path / "history.json").exists()


def test_read_only_output_folder_fails_before_training(
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


@pytest.mark.slow
def test_picture_that_is_a_folder_is_one_line_after_saving(tmp_path: Path, cli: Cli) -> None:
    pytest.importorskip("matplotlib")
    (tmp_path / "loss.png").mkdir()
    result = cli("train", "--epochs", "2", "--no-progress", "--out", str(tmp_path))
    cli.assert_one_line_error(result, 1, "cannot write the results")


def test_visualize_out_file_is_one_line(tmp_path: Path, cli: Cli) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "file"
    target.write_text("x")
    result = cli("--out", str(target), module="micrograd_edu.visualize")
    cli.assert_one_line_error(result, 1, "it is a file, not a folder")


@pytest.mark.slow
def test_overflow_in_the_loss_is_one_line_and_nothing_is_saved(tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = cli(
        "train",
        *("--dataset", "plane", "--lr", "10", "--momentum", "0.9", "--epochs", "100"),
        *("--no-progress", "--out", str(out)),
    )
    cli.assert_one_line_error(result, 1, "training diverged in epoch ")
    assert "Nothing was saved" in result.stderr
    assert list(out.iterdir()) == []
    assert list(cli.cwd.iterdir()) == []


@pytest.mark.slow
def test_nothing_is_saved_when_momentum_diverges(tmp_path: Path, cli: Cli) -> None:
    result = cli(
        "train",
        *("--dataset", "plane", "--lr", "10", "--momentum", "0.99", "--epochs", "15"),
        *("--no-progress", "--out", str(tmp_path)),
    )
    cli.assert_one_line_error(result, 1, "training diverged")
    assert not (tmp_path / "model.json").exists()


@pytest.mark.slow
def test_ctrl_c_stops_saves_what_was_trained_and_exits_130(tmp_path: Path) -> None:
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
        # The bar's postfix (loss=...) is written after an epoch ended, inside the loop that
        # turns Ctrl-C into a stop (the bar itself is drawn before that handler is set).
        while "loss=" not in shown:
            character = process.stderr.read(1)
            assert character, f"the command ended before an epoch: {shown}"
            shown += character
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in shown + err
    assert re.search(r"^interrupted \(Ctrl-C\) during epoch \d+", out, re.MULTILINE)
    history = json.loads((tmp_path / "history.json").read_text())
    epochs = int(re.search(r"during epoch (\d+)", out).group(1))  # type: ignore[union-attr]
    assert len(history["train_loss"]) == epochs >= 1
    assert io.load(tmp_path / "model.json").nouts == [16, 16, 1]

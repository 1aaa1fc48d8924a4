"""python -m micrograd_edu train: options, outputs and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from micrograd_edu import io
from micrograd_edu.cli.train import build_parser, main

if TYPE_CHECKING:
    from tests.conftest import Cli


def test_train_writes_model_and_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    code = main(
        [
            "train",
            "--dataset",
            "moons",
            "--hidden",
            "8",
            "--epochs",
            "30",
            "--lr",
            "0.1",
            "--seed",
            "0",
            "--out",
            str(out),
            "--no-progress",
            "--no-pictures",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "train: accuracy" in printed and "test: accuracy" in printed
    model = io.load(out / "model.json")
    assert model.nouts == [8, 1]
    history = json.loads((out / "history.json").read_text())
    assert len(history["train_loss"]) == 30
    assert history["train_accuracy"][-1] >= 0.85


def test_regression_and_multiclass_pick_their_losses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(
        [
            "train",
            "--dataset",
            "plane",
            "--hidden",
            "",
            "--epochs",
            "5",
            "--out",
            str(tmp_path / "a"),
            "--no-progress",
            "--no-pictures",
        ]
    )
    assert "MSE" in capsys.readouterr().out
    main(
        [
            "train",
            "--dataset",
            "blobs",
            "--classes",
            "4",
            "--hidden",
            "4",
            "--epochs",
            "3",
            "--out",
            str(tmp_path / "b"),
            "--no-progress",
            "--no-pictures",
        ]
    )
    assert io.load(tmp_path / "b" / "model.json").nout == 4
    assert "cross_entropy loss" in capsys.readouterr().out


def test_help_documents_every_option() -> None:
    parser = build_parser()
    train = parser._subparsers._group_actions[0].choices["train"]  # type: ignore[union-attr]
    text = train.format_help()
    for action in train._actions:
        for flag in action.option_strings:
            assert flag in text
        if action.option_strings and action.dest != "help":
            assert action.help, f"{action.dest} has no help text"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hidden", "16,x"], "argument --hidden: expected comma-separated layer widths"),
        (["--lr", "-1"], "argument --lr: must be in (0, 10], got '-1'"),
        (["--noise", "abc"], "argument --noise: expected a number, got 'abc'"),
        (["--dataset", "iris"], "argument --dataset: invalid choice: 'iris'"),
        (["--features", "x1,x9"], "argument --features: unknown feature(s) ['x9']"),
        (["--dataset", "blobs", "--loss", "hinge"], "fit: labels for loss 'hinge' must be 0 or 1"),
    ],
)
def test_bad_values_get_one_line_errors(
    args: list[str], message: str, tmp_path: Path, cli: Cli
) -> None:
    result = cli(
        "train", *args, "--epochs", "1", "--no-progress", "--no-pictures", "--out", str(tmp_path)
    )
    cli.assert_one_line_error(result, 2, message)

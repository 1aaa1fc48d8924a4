"""The command line: ``python -m micrograd_edu train ...``.

Trains an MLP on a generated data set, prints a progress bar and the final
accuracy (or MSE), saves the model and, when a picture writer is installed
(the ``viz`` extra registers one), writes the training pictures.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import NoReturn

from . import datasets, io
from .nn import ACTIVATIONS, MLP
from .optim import SGD, Adam, Optimizer
from .train import OBJECTIVES, TrainingRun, evaluate, fit

PICTURE_WRITERS = "micrograd_edu.pictures"
"""Entry-point group of functions ``write(run: TrainingRun, out: Path) -> list[Path]``."""


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show "(default: ...)" except where there is nothing useful to show."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad option in one line, without the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _widths(text: str) -> list[int]:
    try:
        widths = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated layer widths such as 16,16, got {text!r}"
        ) from None
    if any(w < 1 for w in widths):
        raise argparse.ArgumentTypeError(f"layer widths must be positive, got {text!r}")
    return widths


def _in_range(low: float, high: float, *, include_low: bool = True) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not (low <= value if include_low else low < value) or not value <= high:
            bracket = "[" if include_low else "("
            raise argparse.ArgumentTypeError(
                f"must be in {bracket}{low:g}, {high:g}], got {text!r}"
            )
        return value

    return parse


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _feature_names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in datasets.FEATURES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown feature(s) {unknown or text!r}; choose from {','.join(datasets.FEATURES)}"
        )
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m micrograd_edu", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train = commands.add_parser(
        "train",
        help="train an MLP on a 2-D data set",
        description="Train an MLP on a generated 2-D data set, save it, and draw the result.",
        formatter_class=_HelpFormatter,
    )
    names = [*datasets.CLASSIFICATION, *datasets.REGRESSION]
    train.add_argument("--dataset", choices=names, default="moons", help="the data set")
    train.add_argument("--n", type=_positive_int, default=100, help="number of points")
    train.add_argument("--noise", type=_in_range(0, 1), default=0.1, help="noise level")
    train.add_argument(
        "--classes", type=_positive_int, default=3, help="classes, for the blobs data set"
    )
    train.add_argument(
        "--train-ratio",
        type=_in_range(0, 1, include_low=False),
        default=0.7,
        help="share of the points used for training (the rest test)",
    )
    train.add_argument(
        "--features",
        type=_feature_names,
        default="x1,x2",
        help="comma-separated input features: " + ",".join(datasets.FEATURES),
    )
    train.add_argument(
        "--hidden",
        type=_widths,
        default="16,16",
        help="comma-separated hidden layer widths, e.g. 16,16 (empty: none)",
    )
    train.add_argument(
        "--activation", choices=list(ACTIVATIONS), default="relu", help="hidden activation"
    )
    train.add_argument(
        "--loss",
        choices=list(OBJECTIVES),
        default=None,
        help="loss (default: bce for two classes, cross_entropy for more, mse for regression)",
    )
    train.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd", help="optimizer")
    train.add_argument(
        "--lr", type=_in_range(0, 10, include_low=False), default=0.1, help="learning rate"
    )
    train.add_argument("--momentum", type=_in_range(0, 0.999), default=0.9, help="SGD momentum")
    train.add_argument(
        "--batch-size",
        type=_positive_int,
        default=None,
        help="samples per step (default: all training points)",
    )
    train.add_argument("--epochs", type=_positive_int, default=100, help="passes over the data")
    train.add_argument("--l1", type=_in_range(0, 10), default=0.0, help="L1 penalty rate")
    train.add_argument("--l2", type=_in_range(0, 10), default=1e-4, help="L2 penalty rate")
    train.add_argument("--seed", type=int, default=0, help="seed for data, weights and batches")
    train.add_argument("--out", type=Path, default=Path("out"), help="output folder")
    train.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    train.add_argument("--no-pictures", action="store_true", help="write no pictures")
    return parser


def _default_loss(dataset: str) -> str:
    if dataset in datasets.REGRESSION:
        return "mse"
    return "cross_entropy" if dataset == "blobs" else "bce"


def run_training(args: argparse.Namespace) -> TrainingRun:
    """Generate the data, train, and return everything about the run."""
    loss = args.loss or _default_loss(args.dataset)
    options = {"classes": args.classes} if args.dataset == "blobs" else {}
    X, y = datasets.load(args.dataset, n=args.n, noise=args.noise, seed=args.seed, **options)
    X_train, X_test, y_train, y_test = datasets.train_test_split(
        X, y, train_ratio=args.train_ratio, seed=args.seed
    )
    n_out = int(y.max()) + 1 if OBJECTIVES[loss].kind == "multiclass" else 1
    model = MLP(
        len(args.features), [*args.hidden, n_out], activation=args.activation, seed=args.seed
    )
    optimizer: Optimizer = (
        SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
        if args.optimizer == "sgd"
        else Adam(model.parameters(), lr=args.lr)
    )
    history = fit(
        model,
        datasets.features(X_train, args.features),
        y_train,
        loss=loss,
        optimizer=optimizer,
        epochs=args.epochs,
        batch_size=args.batch_size,
        X_val=datasets.features(X_test, args.features),
        y_val=y_test,
        l1=args.l1,
        l2=args.l2,
        seed=args.seed,
        progress=not args.no_progress,
    )
    return TrainingRun(model, history, loss, tuple(args.features), X_train, y_train, X_test, y_test)


def _report(run: TrainingRun) -> list[str]:
    lines = []
    for split, X, y in (("train", run.X_train, run.y_train), ("test", run.X_test, run.y_test)):
        loss, accuracy = evaluate(run.model, run.inputs(X), y, run.loss)
        shown = f"accuracy {accuracy:.1%}" if accuracy is not None else f"MSE {loss:.4g}"
        lines.append(f"{split:>5}: {shown}  ({run.loss} loss {loss:.4g}, {len(X)} points)")
    return lines


def write_pictures(run: TrainingRun, out: Path) -> list[Path]:
    """Call every installed picture writer; returns the files written."""
    written: list[Path] = []
    writers = list(entry_points(group=PICTURE_WRITERS))
    if not writers:
        print("pictures skipped: no picture writer installed (pip install 'micrograd_edu[viz]')")
    for entry in writers:
        try:
            writer = entry.load()
        except ImportError as error:
            print(f"pictures skipped ({entry.name}): {error} (pip install 'micrograd_edu[viz]')")
            continue
        written += writer(run, out)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        run = run_training(args)
    except ValueError as error:  # an inconsistent combination of options
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    for line in _report(run):
        print(line)
    model_path = io.save(run.model, args.out / "model.json")
    history_text = json.dumps(run.history.as_dict(), indent=1) + "\n"
    history_path = io.write_atomically(args.out / "history.json", history_text.encode())
    print(f"saved: {model_path}, {history_path}")
    if not args.no_pictures:
        for path in write_pictures(run, args.out):
            print(f"picture: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

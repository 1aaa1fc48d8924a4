"""The command line: ``python -m micrograd_edu train ...`` and ``python -m micrograd_edu rl ...``.

``train`` trains an MLP on a generated data set, prints a progress bar and the
final accuracy (or MSE), saves the model and, when a picture writer is
installed (the ``viz`` extra registers one), writes the training pictures.
``rl`` trains a policy with REINFORCE on the grid world or CartPole, saves it,
its history and its pictures.

Every mistake is one line on standard error, never a traceback. Exit codes:
0 done, 1 training diverged or a file could not be written, 2 a bad option,
130 stopped by Ctrl-C (what was trained so far is saved).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, NoReturn

from .. import datasets, io, rl
from .._support import validation
from .._support.commandline import plain, prog
from ..architecture import check_architecture
from ..nn import ACTIVATIONS, MAX_LAYERS, MAX_PARAMETERS, MLP
from ..optim import SGD, Adam, Optimizer
from ..train import MAX_EPOCHS, OBJECTIVES, TrainingDivergedError, TrainingRun, evaluate, fit

PICTURE_WRITERS = "micrograd_edu.pictures"
"""Entry-point group of functions ``write(run: TrainingRun, out: Path) -> list[Path]``."""

RL_PICTURE_WRITERS = "micrograd_edu.rl_pictures"
"""Entry-point group of functions ``write(run: RLRun, out: Path) -> list[Path]``."""

RL_OUTPUT_FILES = ("policy.json", "history.json")

MAX_POINTS = 100_000
"""The most points ``--n`` accepts: the scalar engine trains a few thousand samples a second."""

OUTPUT_FILES = ("model.json", "history.json")


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
    if len(widths) >= MAX_LAYERS:
        raise argparse.ArgumentTypeError(
            f"at most {MAX_LAYERS - 1} hidden layers, got {len(widths)}"
        )
    if any(w > MAX_PARAMETERS for w in widths):
        raise argparse.ArgumentTypeError(
            f"a layer may have at most {MAX_PARAMETERS:,} neurons, got {text!r}"
        )
    return widths


def _in_range(
    low: float, high: float, *, include_low: bool = True, include_high: bool = True
) -> Callable[[str], float]:
    """An argparse type: a number in the interval, with the interval in the message."""
    allowed = validation.interval(low, high, not include_low, not include_high)

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
        if not validation.within(value, low, high, not include_low, not include_high):
            raise argparse.ArgumentTypeError(f"must be {allowed}, got {text!r}")
        return value

    return parse


def _integer(minimum: int, maximum: int) -> Callable[[str], int]:
    """An argparse type: an integer in [minimum, maximum]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            wanted = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
            raise argparse.ArgumentTypeError(f"must be {wanted}, got {text!r}")
        if value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum:,}, got {text!r}")
        return value

    return parse


def _output_folder(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty (use . for the current folder)")
    return Path(text)


def _feature_names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in datasets.FEATURES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown feature(s) {unknown or text!r}; choose from {','.join(datasets.FEATURES)}"
        )
    return names


def build_parser() -> argparse.ArgumentParser:
    """The command line: ``train`` and ``rl``, with the option groups they share."""
    parser = _Parser(
        prog=prog("python -m micrograd_edu"), description=plain(__doc__.splitlines()[0])
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train = commands.add_parser(
        "train",
        help="train an MLP on a 2-D data set",
        description="Train an MLP on a generated 2-D data set, save it, and draw the result.",
        formatter_class=_HelpFormatter,
    )
    _data_options(train)
    _model_options(train)
    _run_options(train, "data, weights and batches")
    rl = commands.add_parser(
        "rl",
        help="learn the best action in each state (REINFORCE)",
        description="Train a policy network with REINFORCE, save it and draw what it learned.",
        formatter_class=_HelpFormatter,
    )
    _rl_options(rl)
    _run_options(rl, "the policy and the episodes")
    return parser


def _run_options(parser: argparse.ArgumentParser, seeded: str) -> None:
    """The options every command has: its seed, its output folder, what it shows."""
    group = parser.add_argument_group("run")
    group.add_argument(
        "--seed",
        type=_integer(0, 2**63 - 1),
        default=0,
        help=f"seed for {seeded} (an integer >= 0)",
    )
    group.add_argument("--out", type=_output_folder, default=Path("out"), help="output folder")
    group.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    group.add_argument("--no-pictures", action="store_true", help="write no pictures")


def _data_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("data")
    names = [*datasets.CLASSIFICATION, *datasets.REGRESSION]
    group.add_argument("--dataset", choices=names, default="moons", help="the data set")
    group.add_argument("--n", type=_integer(2, MAX_POINTS), default=100, help="number of points")
    group.add_argument("--noise", type=_in_range(0, 1), default=0.1, help="noise level")
    group.add_argument(
        "--classes",
        type=_integer(2, datasets.MAX_CLASSES),
        default=None,
        help="classes, for the blobs data set only (default: 3)",
    )
    group.add_argument(
        "--train-ratio",
        type=_in_range(0, 1, include_low=False, include_high=False),
        default=0.7,
        help="share of the points used for training (the rest test)",
    )
    group.add_argument(
        "--features",
        type=_feature_names,
        default="x1,x2",
        help="comma-separated input features: " + ",".join(datasets.FEATURES),
    )


def _model_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model and training")
    group.add_argument(
        "--hidden",
        type=_widths,
        default="16,16",
        help="comma-separated hidden layer widths, e.g. 16,16 (empty: none)",
    )
    group.add_argument(
        "--activation", choices=list(ACTIVATIONS), default="relu", help="hidden activation"
    )
    group.add_argument(
        "--loss",
        choices=list(OBJECTIVES),
        default=None,
        help="loss (default: bce for two classes, cross_entropy for more, mse for regression)",
    )
    group.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd", help="optimizer")
    group.add_argument("--lr", type=_LEARNING_RATE, default=0.1, help="learning rate")
    group.add_argument("--momentum", type=_in_range(0, 0.999), default=0.9, help="SGD momentum")
    group.add_argument(
        "--batch-size",
        type=_integer(1, MAX_POINTS),
        default=None,
        help="samples per step (default: all training points)",
    )
    group.add_argument(
        "--epochs", type=_integer(1, MAX_EPOCHS), default=100, help="passes over the data"
    )
    group.add_argument("--l1", type=_in_range(0, 10), default=0.0, help="L1 penalty rate")
    group.add_argument("--l2", type=_in_range(0, 10), default=1e-4, help="L2 penalty rate")


def _rl_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("environment and training")
    group.add_argument(
        "--env", choices=["gridworld", "cartpole"], default="gridworld", help="the environment"
    )
    group.add_argument(
        "--episodes",
        type=_integer(1, 100_000),
        default=None,
        help="training episodes (default: 1000 for gridworld and cartpole)",
    )
    group.add_argument(
        "--lr",
        type=_LEARNING_RATE,
        default=None,
        help="Adam's learning rate (default: 0.1 gridworld, 0.01 cartpole)",
    )
    group.add_argument(
        "--gamma",
        type=_in_range(0, 1),
        default=None,
        help="discount of future rewards (default: 0.9 gridworld, 0.99 cartpole)",
    )


_LEARNING_RATE = _in_range(0, 10, include_low=False)


def _default_loss(dataset: str) -> str:
    if dataset in datasets.REGRESSION:
        return "mse"
    return "cross_entropy" if dataset == "blobs" else "bce"


def check_options(args: argparse.Namespace) -> None:
    """Refuse an inconsistent combination of options before anything is written.

    Raises ``ValueError`` for ``--classes`` without ``blobs`` and for a network over
    :data:`~micrograd_edu.nn.MAX_PARAMETERS` (counted, not built).
    """
    if args.classes is not None and args.dataset != "blobs":
        raise ValueError(f"--classes applies to the blobs data set only, not {args.dataset!r}")
    loss = args.loss or _default_loss(args.dataset)
    n_out = (args.classes or 3) if OBJECTIVES[loss].kind == "multiclass" else 1
    check_architecture(len(args.features), [*args.hidden, n_out])


def run_training(args: argparse.Namespace) -> TrainingRun:
    """Generate the data, train, and return everything about the run."""
    check_options(args)
    loss = args.loss or _default_loss(args.dataset)
    options = {"classes": args.classes or 3} if args.dataset == "blobs" else {}
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


def write_pictures(run: object, out: Path, group: str = PICTURE_WRITERS) -> list[Path]:
    """Call every installed picture writer of ``group``; returns the files written."""
    written: list[Path] = []
    writers = list(entry_points(group=group))
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

    def fail(code: int, message: str) -> NoReturn:
        parser.exit(code, f"{parser.prog}: error: {message}\n")

    if args.command == "rl":
        return _main_rl(args, fail)
    try:
        check_options(args)
    except ValueError as error:
        fail(2, str(error))
    try:
        io.prepare_output_folder(args.out, OUTPUT_FILES)
    except OSError as error:
        fail(1, f"--out: {error}")
    try:
        run = run_training(args)
    except ValueError as error:  # an inconsistent combination of options
        fail(2, str(error))
    except TrainingDivergedError as error:
        fail(1, f"{error} Nothing was saved.")
    if run.history.interrupted:
        print(
            f"interrupted (Ctrl-C) during epoch {run.history.epochs}: "
            f"saving the model as trained so far to {args.out}"
        )
    for line in _report(run):
        print(line)
    try:
        _save(run, args)
    except (OSError, ValueError) as error:  # ValueError: a NaN strict JSON cannot hold
        fail(1, f"cannot write the results: {error}")
    return 130 if run.history.interrupted else 0


def _save(run: TrainingRun, args: argparse.Namespace) -> None:
    """Write the model, the history and (unless --no-pictures) the pictures."""
    model_path = io.save(run.model, args.out / "model.json")
    history_path = io.write_json(args.out / "history.json", run.history.as_dict(), "history")
    print(f"saved: {model_path}, {history_path}")
    if not args.no_pictures:
        for path in write_pictures(run, args.out):
            print(f"picture: {path}")


def _rl_environment(name: str) -> Any:
    if name == "gridworld":
        return rl.GridWorld()
    try:
        import gymnasium
    except ImportError:
        raise ValueError(
            "--env cartpole needs gymnasium: pip install 'micrograd_edu[rl]'"
        ) from None
    return gymnasium.make("CartPole-v1")


def _main_rl(args: argparse.Namespace, fail: Callable[[int, str], NoReturn]) -> int:
    """``python -m micrograd_edu rl``: train, report, save the policy, history and pictures."""
    try:
        io.prepare_output_folder(args.out, RL_OUTPUT_FILES)
    except OSError as error:
        fail(1, f"--out: {error}")
    try:
        env = _rl_environment(args.env)
    except ValueError as error:
        fail(1, str(error))
    run = rl.train(
        env,
        args.env,
        episodes=args.episodes or 1000,
        seed=args.seed,
        lr=args.lr,
        gamma=args.gamma,
        progress=not args.no_progress,
    )
    policy, history = run.policy, run.history
    if history.stop_reason == "diverged":
        print(f"stopped early: {history.stopped} (the best policy so far is kept)")
    mean, spread = rl.evaluate(policy, env, 100, seed=args.seed + 1)
    print(
        f"{args.env}: greedy mean return {mean:.2f} ± {spread:.2f} over 100 episodes "
        f"({len(history.returns)} training episodes)"
    )
    try:
        model_path = io.save(policy.model, args.out / "policy.json")
        history_path = io.write_json(args.out / "history.json", history.as_dict(), "history")
        print(f"saved: {model_path}, {history_path}")
        if not args.no_pictures:
            for path in write_pictures(run, args.out, RL_PICTURE_WRITERS):
                print(f"picture: {path}")
    except (OSError, ValueError) as error:
        fail(1, f"cannot write the results: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

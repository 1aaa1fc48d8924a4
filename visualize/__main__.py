"""``python -m micrograd_edu.visualize [--out DIR] [--readme]``: write the demo's pictures.

* ``graph.svg`` -- the computation graph of the micrograd README expression, after backward()
* ``backward.html`` -- the backward pass of the lecture's tanh neuron, step by step
* ``playground.png`` -- a network trained with the TensorFlow Playground's default settings

With ``--readme`` it also writes one example of every other picture, for the README.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from micrograd_edu import Value, datasets, optim, rl
from micrograd_edu._support.commandline import description, prog
from micrograd_edu.cli.demo import readme_expression
from micrograd_edu.io import prepare_output_folder
from micrograd_edu.nn import MLP
from micrograd_edu.train import fit

from .renderer import GraphvizNotFoundError, RenderError

PROG = "python -m micrograd_edu.visualize"
VIZ = ("matplotlib", "graphviz")
"""The packages of the viz extra: without them ``--help`` works and :func:`main` says so."""

_missing: ImportError | None = None
try:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from . import (
        draw_graph,
        draw_network,
        playground,
        plot_activation,
        plot_decision_boundary,
        plot_history,
        plot_neuron_outputs,
        plot_regression,
        save_backward_html,
        save_figure,
    )
    from .backward import backward_steps
    from .explain import save_explain_svg
    from .rl import plot_gridworld_policy, plot_returns
except ImportError as error:  # a minimal install (no viz extra)
    if (error.name or "").split(".")[0] not in VIZ:
        raise
    _missing = error


def lecture_neuron() -> Value:
    """The tanh neuron of the micrograd lecture: o = tanh(x1·w1 + x2·w2 + b)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1·w1"
    x2w2 = x2 * w2
    x2w2.label = "x2·w2"
    total = x1w1 + x2w2
    total.label = "x1·w1 + x2·w2"
    n = total + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def reused_node_example() -> tuple[Value, Value]:
    """f = (a·b)·(a + b): ``a`` reaches f by two paths, whose products add up in a.grad."""
    a, b = Value(-2.0, label="a"), Value(3.0, label="b")
    d = a * b
    d.label = "d"
    e = a + b
    e.label = "e"
    f = d * e
    f.label = "f"
    f.backward()
    return f, a


def write_demo(out: Path) -> list[Path]:
    written = []
    g = readme_expression()["g"]
    g.backward()
    written.append(Path(draw_graph(g).render(outfile=out / "graph.svg")))
    written.append(save_backward_html(lecture_neuron(), out / "backward.html"))
    figure = playground()
    written.append(save_figure(figure, out / "playground.png"))
    plt.close(figure)
    return written


def _rl_examples() -> dict[str, Figure]:
    """The grid world trained as ``python -m micrograd_edu rl --env gridworld`` does."""
    run = rl.train(rl.GridWorld(), "gridworld", seed=0)
    return {
        "rl_policy.png": plot_gridworld_policy(run.env, run.policy),
        "rl_returns.png": plot_returns(run.history),
    }


def write_readme_examples(out: Path) -> list[Path]:
    written = []
    neuron = lecture_neuron()
    frames = backward_steps(neuron)
    written.append(Path(frames[3].render(outfile=out / "backward_step.svg")))
    written.append(save_explain_svg(*reused_node_example(), out / "explain_grad.svg"))
    X, y = datasets.moons(n=100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = fit(
        model, X, y, loss="hinge", optimizer=optimizer, epochs=100, l2=1e-4, progress=False
    )
    Xr, yr = datasets.multi_gauss(n=300, seed=0)
    regressor = MLP(2, [8, 8, 1], activation="tanh", seed=0)
    fit(
        regressor,
        Xr,
        yr,
        loss="mse",
        optimizer=optim.Adam(regressor.parameters(), lr=0.02),
        epochs=60,
        batch_size=10,
        seed=0,
        progress=False,
    )
    figures = {
        "decision_boundary.png": plot_decision_boundary(model, X, y),
        "regression.png": plot_regression(regressor, Xr, yr),
        "loss.png": plot_history(history),
        "network.png": draw_network(model),
        "neuron_outputs.png": plot_neuron_outputs(MLP(2, [6, 4, 1], activation="tanh", seed=1), X),
        "activation.png": plot_activation("tanh"),
        **_rl_examples(),
    }
    for name, figure in figures.items():
        written.append(save_figure(figure, out / name))
        plt.close(figure)
    return written


def main(argv: list[str] | None = None) -> int:
    """Write the pictures (``--help``: the options); exit status 1 with a one-line message
    if they cannot be written (the viz extra missing, no Graphviz, an unwritable folder)."""
    parser = argparse.ArgumentParser(prog=prog(PROG), description=description(__doc__))
    parser.add_argument(
        "--out", type=Path, default=Path("out"), help="output folder (default: out)"
    )
    parser.add_argument(
        "--readme", action="store_true", help="also write the README's example pictures"
    )
    args = parser.parse_args(argv)
    if _missing is not None:
        names = [name for name in VIZ if importlib.util.find_spec(name) is None]
        print(
            f"{parser.prog}: error: the pictures need {' and '.join(names) or _missing.name} "
            '(not installed): pip install "micrograd_edu[viz]"',
            file=sys.stderr,
        )
        return 1
    try:
        prepare_output_folder(args.out)
        written = write_demo(args.out)
        if args.readme:
            written += write_readme_examples(args.out)
    except (GraphvizNotFoundError, RenderError, OSError, ValueError) as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"picture: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Pictures for micrograd_edu: computation graphs, the backward pass, networks and training.

Graphs use Graphviz (a system ``dot``, the pip package ``graphviz-pure``, or,
in the browser, Graphviz compiled to WebAssembly), plots use matplotlib; both
come with ``pip install 'micrograd_edu[viz]'``.

The graph functions import neither NumPy nor matplotlib. Where those are
missing (the browser course's first notebooks), ``from micrograd_edu.visualize import
draw_graph`` still works, and the plotting names are imported when first used,
with an ``ImportError`` naming the missing package.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

if __name__ == "visualize":  # this folder imported by its old name (a clone's root on sys.path)
    import micrograd_edu  # noqa: F401  (answers the old names: micrograd_edu._support.moved)

    del sys.modules[__name__]
    importlib.import_module(__name__)  # now micrograd_edu.visualize, with a MovedModuleWarning
    __package__ = "micrograd_edu.visualize"  # the rest of this file: no second copy of a module

from .renderer import GraphvizNotFoundError, RenderError, find_renderer, render


def _top(module: str | None) -> str:
    return (module or "").split(".")[0]


try:
    from .backward import (
        BackwardPlayer,
        backward_player,
        backward_steps,
        save_backward_html,
    )
    from .graph import ComputationGraph, GraphTooLargeError, draw_graph
except ModuleNotFoundError as error:  # the graphviz package missing: see __getattr__
    if _top(error.name) != "graphviz":
        raise

try:
    from .playground import playground, playground_figure, train_playground
    from .plots import (
        draw_network,
        plot_activation,
        plot_decision_boundary,
        plot_history,
        plot_neuron_outputs,
        plot_regression,
        save_figure,
    )
except ModuleNotFoundError as error:  # NumPy or matplotlib missing: see __getattr__
    if _top(error.name) not in ("numpy", "matplotlib", "tqdm"):
        raise

_LAZY = {
    "BackwardPlayer": "backward",
    "backward_player": "backward",
    "backward_steps": "backward",
    "save_backward_html": "backward",
    "ComputationGraph": "graph",
    "GraphTooLargeError": "graph",
    "draw_graph": "graph",
    "playground": "playground",
    "playground_figure": "playground",
    "train_playground": "playground",
    "draw_network": "plots",
    "plot_activation": "plots",
    "plot_decision_boundary": "plots",
    "plot_history": "plots",
    "plot_neuron_outputs": "plots",
    "plot_regression": "plots",
    "save_figure": "plots",
}
"""Names whose modules need the graphviz package, or NumPy and matplotlib: the module of each."""

__all__ = [
    "BackwardPlayer",
    "ComputationGraph",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
    "RenderError",
    "backward_player",
    "backward_steps",
    "draw_graph",
    "draw_network",
    "find_renderer",
    "playground",
    "playground_figure",
    "plot_activation",
    "plot_decision_boundary",
    "plot_history",
    "plot_neuron_outputs",
    "plot_regression",
    "render",
    "save_backward_html",
    "save_figure",
    "train_playground",
]


def __getattr__(name: str) -> Any:
    """A name that could not be imported with the package (a package missing): try again now.

    Raises ``ImportError`` naming the missing package and ``pip install
    'micrograd_edu[viz]'`` (its ``name`` is the missing package's).
    """
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'micrograd_edu.visualize' has no attribute {name!r}")
    try:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
    except ModuleNotFoundError as error:
        missing = _top(error.name)
        browser = (
            ""
            if missing == "graphviz"
            else " (in the browser course, run `import numpy, matplotlib` first: they load "
            "from the Pyodide CDN, which needs a network)"
        )
        raise ImportError(
            f"micrograd_edu.visualize.{name} needs {missing}: "
            f"pip install 'micrograd_edu[viz]'{browser}",
            name=missing,
        ) from error
    globals()[name] = value
    return value

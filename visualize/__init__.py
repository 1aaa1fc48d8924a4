"""Pictures for micrograd_edu: computation graphs, the backward pass, networks and training.

Graphs use Graphviz (a system ``dot`` or the pip package ``graphviz-pure``),
plots use matplotlib; both come with ``pip install 'micrograd_edu[viz]'``.
"""

from .backward import (
    BackwardPlayer,
    backward_player,
    backward_steps,
    save_backward_html,
)
from .graph import ComputationGraph, GraphTooLargeError, draw_graph
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
from .renderer import GraphvizNotFoundError, RenderError, find_renderer, render

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

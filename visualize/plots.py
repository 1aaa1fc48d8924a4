"""Matplotlib pictures of networks and training, in the TensorFlow Playground's colours.

Orange is negative (class 0), blue is positive (class 1), as in the Playground;
colour is never the only cue: classes have marker shapes, negative weights are
dashed, heat maps have a colour bar, curves a legend. Every function returns its
Figure (a :class:`~micrograd_edu.visualize.alttext.DescribedFigure`) and takes an
``ax`` (or a figure) where that makes sense; none calls ``plt.show()``. Each
figure carries a description of what it shows, written from its data
(:func:`~micrograd_edu.visualize.alttext.describe`): a notebook shows it as the
image's alternative text. Save with :func:`save_figure`, which writes atomically
and keeps the description in the file.

This module is the pictures' one import path; each family has its own module:

- :mod:`~micrograd_edu.visualize.planes`, the model over the input plane:
  :func:`plot_decision_boundary`, :func:`plot_regression`, :func:`plot_neuron_outputs`;
- :mod:`~micrograd_edu.visualize.curves`, training in curves: :func:`plot_history`,
  :func:`plot_loss_curves`, :func:`log_y_axis`;
- :mod:`~micrograd_edu.visualize.network`, the network itself: :func:`draw_network`,
  :func:`plot_activation`;
- :mod:`~micrograd_edu.visualize.figures`, what they share: :func:`save_figure`.
"""

from __future__ import annotations

# Imported ``as`` themselves: re-exported by their import path from before the split (the
# other pictures' building blocks, and the tests' grid of the plane), outside ``__all__``.
from .curves import log_y_axis, plot_history, plot_loss_curves
from .figures import METADATA_KEY as METADATA_KEY
from .figures import save_figure
from .network import draw_network, plot_activation
from .network import draw_weights as draw_weights
from .palette import BLUE as BLUE
from .palette import ORANGE as ORANGE
from .palette import PLAYGROUND_CMAP
from .planes import CLASS_COLORS as CLASS_COLORS
from .planes import Transform as Transform
from .planes import _grid as _grid
from .planes import heat_map as heat_map
from .planes import plot_decision_boundary, plot_neuron_outputs, plot_regression
from .planes import scatter_classes as scatter_classes

__all__ = [
    "PLAYGROUND_CMAP",
    "draw_network",
    "log_y_axis",
    "plot_activation",
    "plot_decision_boundary",
    "plot_history",
    "plot_loss_curves",
    "plot_neuron_outputs",
    "plot_regression",
    "save_figure",
]

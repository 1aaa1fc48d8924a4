"""The app's panels, each built by one small function from the app's widgets.

A new panel is one more function here and one line in
:meth:`~micrograd_edu.visualize.live.app.LivePlayground._build`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as widgets

from .views import button, heading

if TYPE_CHECKING:
    from .app import LivePlayground

__all__ = ["data_panel", "export_panel", "network_panel", "output_panel"]


def data_panel(app: LivePlayground) -> widgets.VBox:
    c = app.controls
    """Data set, noise, ratio, batch, Regenerate, your points and your CSV."""
    return widgets.VBox(
        [
            heading("DATA"),
            c.problem,
            c.dataset,
            c.noise,
            c.ratio,
            c.batch,
            c.regenerate,
            app.click_mode,
            app.point_class,
            app.clear_button,
            app.upload,
        ]
    )


def network_panel(app: LivePlayground) -> widgets.VBox:
    """Features, hidden layers, the network picture and the training settings."""
    c = app.controls
    toggles = list(c.features.values())
    return widgets.VBox(
        [
            heading("FEATURES → HIDDEN LAYERS"),
            widgets.HBox(toggles[:4]),
            widgets.HBox(toggles[4:]),
            widgets.HBox([c.add_layer, c.remove_layer]),
            c.layer_rows,
            app.network_view,
            c.activation,
            c.lr,
            c.regularization,
            c.reg_rate,
            c.loss,
        ]
    )


def output_panel(app: LivePlayground) -> widgets.VBox:
    """The losses, the output over the plane and the loss curves."""
    return widgets.VBox([heading("OUTPUT"), app.loss_label, app.plane_view, app.loss_view])


def export_panel(app: LivePlayground) -> widgets.VBox:
    """The call, the Python function, the Share link and Save model (sets the app's widgets)."""
    app.export_button = button("Show the call")
    app.python_button = button("Python function")
    app.share_button = button("Share")
    app.save_path = widgets.Text(value="playground_model.json", description="Save to")
    app.save_button = button("Save model")
    app.export_text = widgets.Textarea(layout=widgets.Layout(width="100%", height="90px"))
    app.export_text.add_class("mg-export")
    return widgets.VBox(
        [
            heading("TAKE IT WITH YOU"),
            widgets.HBox(
                [
                    app.export_button,
                    app.python_button,
                    app.share_button,
                    app.save_path,
                    app.save_button,
                ]
            ),
            app.export_text,
        ]
    )

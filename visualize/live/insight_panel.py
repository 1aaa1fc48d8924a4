"""The app's insight panel: training health, the layer view and one step, end to end.

* **Training health** (a checkbox): each layer's gradient norm and
  update/weight ratio, redrawn as training runs (at most every
  :data:`HEALTH_SECONDS`); the **vanishing gradients** button loads the
  preset where they matter.
* **Layer view** (a button): the input plane's grid as each hidden layer
  bends it (:func:`~micrograd_edu.visualize.live.insight.plot_layer_views`).
* **One step** (a button, then a click per stage): one mini-batch through
  forward → loss → backward → update on the network drawing; hover a
  connection for its weight, its gradient, then ``w − lr·dL/dw``; the same
  numbers are written below the picture (:func:`~micrograd_edu.visualize.onestep.step_text`),
  for the keyboard and screen readers. The update is applied when the *update*
  stage is shown.
"""

from __future__ import annotations

import base64
import html
import io
import math
import time
import uuid
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from micrograd_edu.explain.health import LayerHealth, StepTrace
from micrograd_edu.explain.layerview import LayerView

from ..onestep import STAGES, step_captions, step_svg, step_text
from .insight import (
    VANISHING_GRADIENTS,
    plot_layer_views,
    session_health,
    session_layer_views,
    session_one_step,
)
from .session import PlaygroundSession
from .views import button, heading

__all__ = ["HEALTH_SECONDS", "InsightPanel", "health_html", "layer_views_text"]

HEALTH_SECONDS = 0.5
"""While training runs, the health numbers are recomputed at most this often."""
HEALTH_SAMPLES = 64
"""Training points used for the health numbers (one backward pass over them)."""


def _verdict(ratio: float) -> tuple[str, str]:
    if ratio < 1e-5:
        return "#b91c1c", "barely learns"
    if ratio > 1e-1:
        return "#c2410c", "thrown around"
    return "#166534", "learns"


def health_html(health: list[LayerHealth]) -> str:
    """A table: per layer, the gradient norm (with a bar on a log scale) and the update ratio."""
    rows = []
    for h in health:
        color, verdict = _verdict(h.update_ratio)
        exponent = max(0.0, min(8.0, 8.0 + _log10(h.grad_norm)))  # 1e-8 … 1 → 0 … 8
        title = (
            f"layer {h.layer}: gradient norm {h.grad_norm:.2e}, "
            f"update/weight {h.update_ratio:.2e} (about 1e-3 is healthy): {verdict}"
        )
        rows.append(
            f'<tr class="mg-health-row" title="{html.escape(title)}"><td>layer {h.layer}</td>'
            f'<td><div style="background:{color};height:10px;width:{exponent * 15:.0f}px"></div>'
            f'</td><td class="mg-grad-norm">{h.grad_norm:.1e}</td>'
            f'<td class="mg-update-ratio" style="color:{color}">{h.update_ratio:.1e} '
            f"({verdict})</td></tr>"
        )
    return (
        '<table class="mg-health"><tr><th></th><th>‖dL/dθ‖ (log)</th><th>‖dL/dθ‖</th>'
        "<th>lr·‖dL/dθ‖ / ‖θ‖</th></tr>" + "".join(rows) + "</table>"
    )


def _log10(x: float) -> float:
    return math.log10(x) if x > 0 else -math.inf


def _png(figure: Any, alt: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=72, bbox_inches="tight")
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<img class="mg-layer-view" src="data:image/png;base64,{data}" '
        f'alt="{html.escape(alt)}" style="max-width:100%">'
    )


def layer_views_text(views: list[LayerView]) -> str:
    """The layer view in words: for each layer, how far apart the two classes' points are,
    in units of their spread (larger: easier to separate by a straight line)."""
    parts = []
    for view in views:
        name = "the input plane" if view.layer == 0 else f"layer {view.layer} ({view.width} neurons"
        if view.layer and view.projected:
            name += f", drawn along its 2 main directions, {view.explained:.0%} of the spread"
        name += ")" if view.layer else ""
        labels = view.labels > 0.5
        if len(view.points) and labels.any() and (~labels).any():
            gap = np.linalg.norm(
                view.points[labels].mean(axis=0) - view.points[~labels].mean(axis=0)
            )
            spread = float(np.sqrt(view.points.var(axis=0).sum())) or 1.0
            name += f": the classes' centres {gap / spread:.2f} spreads apart"
        parts.append(name)
    return "The grid of the plane and the training points as each layer places them: " + "; ".join(
        parts
    )


class InsightPanel:
    """The panel's widgets (``widget``) and state, around a :class:`PlaygroundSession`.

    ``guard`` wraps each callback (the app's message line), ``redraw`` is the
    app's refresh, ``change`` applies settings (the preset) as the app does.
    """

    def __init__(
        self,
        session: PlaygroundSession,
        guard: Callable[[Callable[..., Any]], Callable[..., Any]],
        redraw: Callable[[], None],
        change: Callable[..., None],
    ) -> None:
        self.session, self.redraw, self.change = session, redraw, change
        self.trace: StepTrace | None = None
        self.applied = False
        self._health_time = 0.0
        self._health_epoch = -1
        self.watch = widgets.Checkbox(value=False, description="Training health")
        self.preset = button("Vanishing gradients preset")
        self.health = widgets.HTML()
        self.layers_button = button("Layer view")
        self.layers = widgets.HTML()
        self.step_button = button("One step, end to end")
        self.stage = widgets.ToggleButtons(options=STAGES, value=STAGES[0])
        self.stage.layout.display = "none"
        self.step_caption = widgets.HTML()
        self.step_view = widgets.HTML()
        self.step_view.add_class("mg-one-step")
        self.step_words = widgets.HTML()  # the picture's numbers, which hovering shows, as text
        self.step_words.add_class("mg-one-step-text")
        self.text_uid = f"mg-step-{uuid.uuid4().hex[:8]}"
        self.watch.observe(guard(lambda _: self.refresh(force=True)), "value")
        self.preset.on_click(guard(lambda _: self.load_preset()))
        self.layers_button.on_click(guard(lambda _: self.show_layers()))
        self.step_button.on_click(guard(lambda _: self.take_step()))
        self.stage.observe(guard(lambda _: self.show_stage()), "value")
        self.widget = widgets.VBox(
            [
                heading("INSIDE THE TRAINING"),
                widgets.HBox([self.watch, self.preset]),
                self.health,
                widgets.HBox([self.layers_button, self.step_button, self.stage]),
                self.layers,
                self.step_caption,
                self.step_view,
                self.step_words,
            ]
        )

    def refresh(self, force: bool = False) -> None:
        """Recompute the health numbers if watched (once an epoch, HEALTH_SECONDS apart)."""
        if not self.watch.value:
            self.health.value = ""
            return
        now = time.monotonic()
        if not force and (
            self.session.epoch == self._health_epoch or now - self._health_time < HEALTH_SECONDS
        ):
            return
        self._health_time, self._health_epoch = now, self.session.epoch
        self.health.value = health_html(session_health(self.session, HEALTH_SAMPLES))

    def load_preset(self) -> None:
        """Five sigmoid layers on the circle, health watched: the first layers stop learning."""
        self.forget()
        self.change(**VANISHING_GRADIENTS)
        self.watch.value = True
        self.refresh(force=True)

    def show_layers(self) -> None:
        views = session_layer_views(self.session)
        self.layers.value = _png(plot_layer_views(views), layer_views_text(views))

    def take_step(self) -> None:
        """Trace one step on a mini-batch (not applied yet) and show its first stage."""
        self.trace = session_one_step(self.session, apply=False)
        self.applied = False
        self.stage.layout.display = None
        if self.stage.value == STAGES[0]:
            self.show_stage()
        else:
            self.stage.value = STAGES[0]  # shows it through the observer

    def show_stage(self) -> None:
        if self.trace is None:
            return
        stage = str(self.stage.value)
        if stage == "update" and not self.applied:
            with self.session.lock:
                self.session.model.load_state_dict({u.name: u.after for u in self.trace.updates})
            self.applied = True
            self.redraw()
        self.step_caption.value = html.escape(step_captions(self.trace)[STAGES.index(stage)])
        self.step_view.value = step_svg(self.session.model, self.trace, stage)
        self.step_words.value = step_text(  # open: a new stage would close it again
            self.session.model, self.trace, stage, self.text_uid, expanded=True
        )

    def forget(self) -> None:
        """Drop the traced step (the network changed)."""
        self.trace = None
        self.stage.layout.display = "none"
        self.step_caption.value = self.step_view.value = self.step_words.value = ""
        self.layers.value = ""

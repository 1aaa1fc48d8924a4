"""The neuron inspector: one neuron's computation on one point, its backward pass, its weights.

Pick a neuron (the menu, or a click or Enter on the network) and a point (a
click on the plane in "inspect a point" mode, or Enter on a point): the inspector
draws the neuron's graph with dL/d(each quantity) of the real backward pass,
writes the same graph as text (each node with its formulas, inputs and consumers:
:mod:`~micrograd_edu.visualize.live.graphtext`), lets you step through that backward
pass, and edit one of its weights by hand (typed, applied on Enter: an arrow key
cannot change a running model).
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import ipywidgets as widgets

from ..graph import fit_to_width
from ..renderer import render
from .graphtext import graph_outline
from .session import NeuronInspection, PlaygroundSession
from .views import heading

__all__ = ["Inspector"]


class Inspector:
    """The inspector's widgets (``widget``) and state, around a :class:`PlaygroundSession`.

    ``guard`` wraps each callback (errors become the app's message line; it
    does nothing inside the app's ``quiet()``, while the app itself sets
    widgets); ``redraw`` is called after a weight was edited; ``announce`` says
    what the inspector shows in the page's live region.
    """

    def __init__(
        self,
        session: PlaygroundSession,
        guard: Callable[[Callable[..., Any]], Callable[..., Any]],
        quiet: Callable[[], AbstractContextManager[None]],
        redraw: Callable[[], None],
        announce: Callable[[str], None] = lambda text: None,
    ) -> None:
        self.session = session
        self.announce = announce
        self.redraw = redraw
        self.quiet = quiet
        self.selected_neuron: tuple[int, int] = (0, 0)
        self.selected_point: tuple[float, float] | None = None
        self.inspection: NeuronInspection | None = None
        self._wanted_weight: int | None = None
        self.new_point_label = 1.0
        self._frames: list[Any] = []
        self.neuron = widgets.Dropdown(description="Neuron")
        self.title = widgets.HTML()
        self.graph = widgets.HTML()
        self.graph.add_class("mg-inspector-graph")
        self.step_slider = widgets.IntSlider(0, 0, 0, description="Backward")
        self.step_caption = widgets.HTML()
        self.step_caption.add_class("mg-step-caption")
        self.weight_choice = widgets.Dropdown(description="Weight")
        self.weight_value = widgets.Text(description="Value", continuous_update=False)
        self.text_toggle = widgets.ToggleButton(value=True, description="Graph as text")
        self.graph_text = widgets.HTML()
        self.graph_text.add_class("mg-inspector-text")
        self.weight_info = widgets.HTML()
        self.neuron.observe(guard(self._neuron_chosen), "value")
        self.step_slider.observe(guard(lambda _: self._step_moved()), "value")
        self.text_toggle.observe(guard(lambda _: self._show_step()), "value")
        self.weight_choice.observe(guard(lambda _: self._show_weight()), "value")
        self.weight_value.observe(guard(self._weight_edited), "value")
        self.widget = widgets.VBox(
            [
                heading(
                    "NEURON INSPECTOR",
                    "— choose a neuron, then a point (click it, or Enter on it in the picture; "
                    "on the plane, mode: inspect a point)",
                ),
                widgets.HBox([self.neuron, self.title]),
                self.graph,
                widgets.HBox([self.step_slider, self.step_caption, self.text_toggle]),
                self.graph_text,
                widgets.HBox([self.weight_choice, self.weight_value, self.weight_info]),
            ]
        )
        self.rebuild()

    def forget(self) -> None:
        """The network changed: the drawn inspection is stale; the neuron menu is rebuilt."""
        self.inspection = None
        self.rebuild()

    def rebuild(self) -> None:
        """The neuron menu; its values are "layer,index" (ipywidgets wants plain values)."""
        options = [(title, f"{k},{j}") for title, (k, j) in self.session.neuron_names()]
        if f"{self.selected_neuron[0]},{self.selected_neuron[1]}" not in dict(options).values():
            self.selected_neuron = (0, 0)
        with self.quiet():
            self.neuron.options = options
            self.neuron.value = f"{self.selected_neuron[0]},{self.selected_neuron[1]}"

    def choose_neuron(self, value: str, weight: int | None = None) -> None:
        """Select a neuron by its "layer,index" (a click or Enter on the network), and one of
        its weights (its input's index) if given. The neuron already in the menu is
        inspected too (choosing it again changes no value, so the menu would not say)."""
        if weight is not None:
            self._wanted_weight = weight
        if self.neuron.value == value:
            self._neuron_chosen({"new": value})
        else:
            self.neuron.value = value

    def _neuron_chosen(self, change: dict[str, Any]) -> None:
        if change["new"] is None:
            return
        layer, index = (int(part) for part in str(change["new"]).split(","))
        self.selected_neuron = (layer, index)
        self.inspect()
        self.redraw()
        self.say()

    def inspect(self, point: tuple[float, float] | None = None) -> None:
        """Show the selected neuron's graph for ``point`` (default: the last one, or a
        training point)."""
        session = self.session
        if point is not None:
            self.selected_point = point
        if self.selected_point is None:
            if len(session.X_train) == 0:
                raise ValueError("there is no point to inspect: add one on the plane")
            self.selected_point = (float(session.X_train[0, 0]), float(session.X_train[0, 1]))
        label = self._label_at(self.selected_point)
        layer, index = self.selected_neuron
        inspection = session.inspect(layer, index, self.selected_point, label)
        self.inspection = inspection
        x1, x2 = inspection.point
        self.title.value = (
            f"at the point ({x1:.2f}, {x2:.2f}) with target {label:g}: loss {inspection.loss:.4f}"
        )
        self._frames = inspection.steps()
        with self.quiet():
            self.step_slider.max = len(self._frames) - 1
            self.step_slider.value = len(self._frames) - 1
            weights = [(f"{w.label} = {w.data:.4f}", i) for i, w in enumerate(inspection.weights)]
            chosen = (
                self.weight_choice.value if self._wanted_weight is None else self._wanted_weight
            )
            self._wanted_weight = None
            self.weight_choice.options = [*weights, (f"b = {inspection.bias.data:.4f}", -1)]
            valid = chosen is not None and (chosen == -1 or chosen < len(weights))
            self.weight_choice.value = chosen if valid else 0
        self._show_step()
        self._show_weight()

    def _label_at(self, point: tuple[float, float]) -> float:
        """The target of a point: a data point's own label, else the 'new point' class."""
        session = self.session
        with session.lock:  # Play and clicks change the points meanwhile
            data = ((session.X_train, session.y_train), (session.X_test, session.y_test))
        for X, y in data:
            if len(X):
                distance = ((X - point) ** 2).sum(axis=1)
                nearest = int(distance.argmin())
                if distance[nearest] < 1e-12:
                    return float(y[nearest])
        return self.new_point_label

    def say(self) -> None:
        """The inspection in one sentence, for the live region."""
        inspection = self.inspection
        if inspection is None:
            return
        x1, x2 = inspection.point
        name = dict((where, title) for title, where in self.session.neuron_names()).get(
            self.selected_neuron, "the neuron"
        )
        self.announce(
            f"Inspector: {name} at the point ({x1:.2f}, {x2:.2f}), target {inspection.label:g}: "
            f"output {inspection.root.data:.4g}, gradient dL/d(output) "
            f"{inspection.grads[inspection.root]:.4g}, loss {inspection.loss:.4g}"
        )

    def _step_moved(self) -> None:
        """The Backward slider moved (by the user: the app sets it quietly): show the step and
        say it, as the backward player does (the slider itself only says its number)."""
        self._show_step()
        if self.inspection is not None:
            step, last = self.step_slider.value, len(self._frames) - 1
            self.announce(f"Backward step {step} of {last}: {self._frames[step].caption}")

    def _show_step(self) -> None:
        inspection = self.inspection
        if inspection is None:
            return
        step = self.step_slider.value
        frame = self._frames[step]
        self.graph.value = fit_to_width(render(frame.source, "svg").decode("utf-8"))
        self.step_caption.value = html.escape(frame.caption)
        self.graph_text.value = (
            graph_outline(
                inspection.root,
                seed=inspection.grads[inspection.root],
                params=[*inspection.weights, inspection.bias],
                step=None if step == len(self._frames) - 1 else step,
                uid=f"mg-node-{uuid.uuid4().hex[:8]}",
            )
            if self.text_toggle.value
            else ""
        )

    def _show_weight(self) -> None:
        inspection = self.inspection
        if inspection is None or self.weight_choice.value is None:
            return
        index = self.weight_choice.value
        mini = inspection.bias if index == -1 else inspection.weights[index]
        self.weight_info.value = (
            f"value {mini.data:.4f}, gradient dL/d{mini.label} = {inspection.grads[mini]:.4g} "
            "(for this point)"
        )
        with self.quiet():
            self.weight_value.value = f"{mini.data:.6g}"

    def _weight_edited(self, change: dict[str, Any]) -> None:
        """A value typed (applied on Enter or when the box loses focus); not a number: refused,
        and the box shows the weight kept."""
        if self.inspection is None:
            return
        index = self.weight_choice.value
        layer, neuron = self.selected_neuron
        try:
            value = float(str(change["new"]).strip())
        except ValueError:
            self._show_weight()
            raise ValueError(f"a weight must be a number, got {str(change['new'])!r}") from None
        self.session.set_weight(layer, neuron, None if index == -1 else index, value)
        self.inspect()
        self.redraw()
        self.announce(f"Weight set to {value:g}")

"""What each of the live Playground's widgets does when the student changes it.

:class:`WidgetCallbacks` is the part of :class:`~micrograd_edu.visualize.live.app.LivePlayground`
that turns a widget's change into the session's: a setting (all or nothing;
every change but the learning rate restarts training), the hidden layers'
rows, new data (Regenerate, Clear points, an uploaded CSV) and clicks on the
plane (add or inspect a point) and on the network (inspect a neuron). The
app wraps each one in its error guard: a refused change raises ``ValueError``
naming the problem, shown on the message line.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..playground import MAX_HIDDEN_LAYERS, MAX_NEURONS
from .accessibility import PageSupport
from .controls import SettingsControls, point_classes
from .drawing import RADIUS
from .insight_panel import InsightPanel
from .inspector import Inspector
from .session import PlaygroundSession
from .task import number_text, shown
from .userdata import read_csv
from .views import UrlState, button

__all__ = ["WidgetCallbacks"]


class WidgetCallbacks:
    """The widgets' callbacks (a mixin of ``LivePlayground``), connected by the app."""

    session: PlaygroundSession
    hide: tuple[str, ...]
    goal_epoch: int | None
    controls: SettingsControls
    inspector: Inspector
    insight: InsightPanel
    url: UrlState
    page: PageSupport
    point_class: widgets.Dropdown
    click_mode: widgets.ToggleButtons
    upload: widgets.FileUpload

    if TYPE_CHECKING:  # the app's, used here

        def refresh(self) -> None:
            raise NotImplementedError

        def pause(self) -> None:
            raise NotImplementedError

        def show_message(self, text: str, error: bool = True) -> None:
            raise NotImplementedError

        def quiet(self) -> AbstractContextManager[None]:
            raise NotImplementedError

        def query(self) -> str:
            raise NotImplementedError

        def _guarded(self, callback: Callable[..., Any]) -> Callable[..., Any]:
            raise NotImplementedError

    def _setting(
        self, name: str, convert: Callable[[Any], Any]
    ) -> Callable[[dict[str, Any]], None]:
        def changed(change: dict[str, Any]) -> None:
            if name == "dataset" and change["new"] == self.session.data_name:
                return  # "your data" chosen again: nothing to change
            self._change(**{name: convert(change["new"])})

        return changed

    def _change(self, **changes: Any) -> None:
        """Apply settings (all or nothing); every change but the learning rate restarts."""
        if not changes or set(changes) != {"lr"}:
            self.pause()
        if self.session.update(**changes):
            self.goal_epoch = None
            self.inspector.forget()
            self.insight.forget()
        self._show_settings()
        self.refresh()

    def _show_settings(self) -> None:
        """Every control, the layer rows, the URL and the point menu from the session."""
        s = self.session.settings
        with self.quiet():
            self.controls.show(s, self.session.data_name)
            self.point_class.options = point_classes(s)
            self.inspector.new_point_label = float(self.point_class.value)
        self._rebuild_layer_rows()
        self.url.query = self.query()

    def _lr_typed(self, change: dict[str, Any]) -> None:
        """A rate typed (applied on Enter or blur); a bad one is refused and the box shows
        the rate kept again."""
        text = str(change["new"]).strip()
        kept = f"kept {number_text(self.session.settings.lr)}"
        try:
            try:
                rate = float(text)
            except ValueError:
                raise ValueError(f"learning rate: {shown(text)} is not a number; {kept}") from None
            try:
                self._change(lr=rate)
            except ValueError as error:
                raise ValueError(f"{error}; {kept}") from None
        except ValueError:
            with self.quiet():
                self.controls.lr.value = number_text(self.session.settings.lr)
            raise

    def _problem_changed(self, change: dict[str, Any]) -> None:
        first = {"classification": "circle", "regression": "plane"}[change["new"]]
        self._change(dataset=first, loss=None)

    def _features_changed(self, change: dict[str, Any]) -> None:
        chosen = self.controls.chosen_features()
        if not chosen:
            with self.quiet():
                change["owner"].value = True
            raise ValueError("keep at least one input feature")
        self._change(features=chosen)

    def _set_hidden(self, hidden: tuple[int, ...] | list[int]) -> None:
        if len(hidden) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"the Playground has at most {MAX_HIDDEN_LAYERS} hidden layers")
        self._change(hidden=tuple(hidden))

    def _rebuild_layer_rows(self) -> None:
        """One row per hidden layer: its size, "−" and "+". The rows are kept and their
        labels rewritten (a new row would take the focus from the button just pressed);
        rows are added or dropped as layers are."""
        hidden = self.session.settings.hidden
        rows = list(self.controls.layer_rows.children[: len(hidden)])
        rows += [self._layer_row(k) for k in range(len(rows), len(hidden))]
        for k, (row, width) in enumerate(zip(rows, hidden, strict=True)):
            row.children[0].value = _layer_text(k, width)
        self.controls.layer_rows.children = rows

    def _layer_row(self, k: int) -> widgets.HBox:
        minus, plus = button("−"), button("+")
        self.page.name(minus, f"Remove a neuron from layer {k + 1}")
        self.page.name(plus, f"Add a neuron to layer {k + 1}")
        minus.on_click(self._guarded(lambda _: self._resize(k, -1)))
        plus.on_click(self._guarded(lambda _: self._resize(k, +1)))
        return widgets.HBox([widgets.Label(), minus, plus])

    def _resize(self, layer: int, delta: int) -> None:
        hidden = list(self.session.settings.hidden)
        hidden[layer] = min(max(hidden[layer] + delta, 1), MAX_NEURONS)
        self._set_hidden(hidden)
        self.page.say(_layer_text(layer, hidden[layer]))

    def _regenerate(self) -> None:
        """New data for the same network (the TensorFlow Playground's "regenerate")."""
        self.session.regenerate()
        self._show_settings()
        self.refresh()

    def _clear(self) -> None:
        self.session.clear_points()
        self.refresh()

    def _uploaded(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[0]
        with self.quiet():  # emptied, so that the same file uploaded again is read again
            self.upload.value = ()
        data = read_csv(bytes(upload["content"]))
        self.pause()
        self.session.use_data(data)
        self.goal_epoch = None
        self.inspector.forget()
        self._show_settings()
        self.refresh()
        self.show_message(
            f"{upload['name']}: {len(data.X)} points ({data.problem}) loaded", error=False
        )

    def _plane_clicked(self, change: dict[str, Any]) -> None:
        """A click or Enter on the plane or the cursor (add or inspect, by the mode), or Enter
        on a point (inspect it)."""
        click = change["new"]
        if "point" in click:
            self.inspector.inspect(self._point_at(str(click["point"])))
            self.refresh()
            self.inspector.say()
            return
        if "x" not in click:
            return
        x1 = -RADIUS + 2 * RADIUS * float(click["x"])
        x2 = RADIUS - 2 * RADIUS * float(click["y"])
        if self.click_mode.value == "add a point":
            if "points" in self.hide:
                return  # the task's data is fixed
            self.session.add_point(x1, x2, self.point_class.value)
            label = dict((value, name) for name, value in self.point_class.options)
            self.refresh()
            self.page.say(
                f"Point added at ({x1:.2f}, {x2:.2f}): {label[self.point_class.value]}; "
                f"{len(self.session.X_train)} training points"
            )
            return
        self.inspector.inspect((x1, x2))
        self.refresh()
        self.inspector.say()

    def _point_at(self, key: str) -> tuple[float, float]:
        """The point named by a key of the plane's listbox: "training:17" or "test:3"."""
        kind, _, index = key.partition(":")
        with self.session.lock:
            X = {"training": self.session.X_train, "test": self.session.X_test}.get(kind)
            if X is None or not index.isdigit() or int(index) >= len(X):
                raise ValueError(f"there is no point {key!r} (the data changed): choose again")
            return float(X[int(index), 0]), float(X[int(index), 1])

    def _network_clicked(self, change: dict[str, Any]) -> None:
        """A click or Enter on a neuron, or on a weight (its neuron, that weight chosen)."""
        click = change["new"]
        if click.get("neuron"):
            self.inspector.choose_neuron(str(click["neuron"]))
        elif click.get("weight"):
            layer, neuron, index = str(click["weight"]).split(",")
            self.inspector.choose_neuron(f"{layer},{neuron}", weight=int(index))

    def _point_class_chosen(self, change: dict[str, Any]) -> None:
        self.inspector.new_point_label = float(change["new"])


def _layer_text(k: int, width: int) -> str:
    """A layer row's label, also said when its size changes."""
    return f"layer {k + 1}: {width} neuron{'s' if width != 1 else ''}"

"""The live Playground app: ipywidgets controls around a :class:`PlaygroundSession`.

Runs in JupyterLab, Notebook 7 and VS Code notebooks, and as a web page with
Voilà (``make playground``). One small custom widget, :class:`SvgView` (an
anywidget: an SVG that reports clicks), makes the plane and the network
clickable, which plain ipywidgets cannot do. Training runs in a background
thread; the controls stay responsive, and Pause stops after the current epoch.
Every callback catches its errors and shows them in one line in the app: no
traceback ever reaches the page.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import threading
import time
from collections.abc import Callable
from typing import Any

import anywidget
import ipywidgets as widgets
import matplotlib.pyplot as plt
import traitlets

from micrograd_edu import datasets
from micrograd_edu.train import TrainingDivergedError

from ..graph import fit_to_width
from ..playground import LOSSES, MAX_HIDDEN_LAYERS, MAX_NEURONS
from ..renderer import render
from .drawing import RADIUS, loss_svg, network_svg, plane_svg
from .session import NeuronInspection, PlaygroundSession

__all__ = ["LivePlayground", "SvgView"]

LEARNING_RATES = (
    "0.00001",
    "0.0001",
    "0.001",
    "0.003",
    "0.01",
    "0.03",
    "0.1",
    "0.3",
    "1",
    "3",
    "10",
)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REDRAW_SECONDS = 0.15
"""While playing, the pictures are redrawn at most this often (about 6 times a second)."""


class SvgView(anywidget.AnyWidget):
    """An SVG picture that tells Python where it was clicked.

    ``click`` becomes ``{"neuron": "layer,index"}`` for an element with
    ``data-neuron``, or ``{"x": fx, "y": fy}`` (fractions of its width and
    height) for the element with ``data-plane``; ``"t"`` makes each click new.
    """

    _esm = """
    function render({ model, el }) {
      const draw = () => { el.innerHTML = model.get("svg"); };
      draw();
      model.on("change:svg", draw);
      el.addEventListener("click", (event) => {
        const neuron = event.target.closest("[data-neuron]");
        if (neuron) {
          model.set("click", { neuron: neuron.getAttribute("data-neuron"), t: Date.now() });
          model.save_changes();
          return;
        }
        const plane = event.target.closest("[data-plane]");
        if (plane) {
          const box = plane.getBoundingClientRect();
          model.set("click", {
            x: (event.clientX - box.left) / box.width,
            y: (event.clientY - box.top) / box.height,
            t: Date.now(),
          });
          model.save_changes();
        }
      });
    }
    export default { render };
    """
    svg = traitlets.Unicode("").tag(sync=True)
    click = traitlets.Dict({}).tag(sync=True)


def _button(description: str, **kwargs: Any) -> widgets.Button:
    return widgets.Button(description=description, layout=widgets.Layout(width="auto"), **kwargs)


class LivePlayground:
    """The app. Display it in a notebook; ``session`` holds its state.

    Without a widget front end (nbclient, nbconvert, GitHub) the display falls
    back to the static Playground figure of the current state.
    """

    def __init__(self, session: PlaygroundSession) -> None:
        self.session = session
        self._playing = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_draw = 0.0
        self.selected_neuron: tuple[int, int] = (0, 0)
        self.selected_point: tuple[float, float] | None = None
        self.inspection: NeuronInspection | None = None
        self._frames: list[Any] = []
        self._editing = False  # True while the app itself sets the weight field
        self._choosing = False  # True while the app itself fills the neuron menu
        self._filling = False  # True while the app itself refills the data set and loss menus
        self._build()
        self.refresh()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        s = self.session.settings
        self.message = widgets.HTML("")
        self.message.add_class("mg-message")
        self.play_button = _button("▶ Play", button_style="success")
        self.step_button = _button("Step one epoch")
        self.reset_button = _button("Reset")
        self.epoch_label = widgets.HTML()
        self.epoch_label.add_class("mg-epoch")
        self.loss_label = widgets.HTML()
        self.loss_label.add_class("mg-losses")
        self.problem = widgets.Dropdown(
            options=["classification", "regression"], value=s.problem, description="Problem"
        )
        self.dataset = widgets.Dropdown(
            options=self._datasets(s.problem), value=s.dataset, description="Data"
        )
        self.loss = widgets.Dropdown(options=LOSSES[s.problem], value=s.loss, description="Loss")
        self.noise = widgets.IntSlider(round(s.noise * 100), 0, 50, 5, description="Noise %")
        self.ratio = widgets.IntSlider(
            round(s.train_ratio * 100), 10, 90, 10, description="Train %"
        )
        self.batch = widgets.IntSlider(s.batch_size, 1, 30, 1, description="Batch")
        self.regenerate_button = _button("Regenerate")
        self.activation = widgets.Dropdown(
            options=["tanh", "relu", "sigmoid", "leaky_relu", "linear"],
            value=s.activation,
            description="Activation",
        )
        self.lr = widgets.Combobox(
            value=f"{s.lr:g}", options=LEARNING_RATES, description="Learning rate"
        )
        self.regularization = widgets.Dropdown(
            options=["none", "l1", "l2"], value=s.regularization, description="Regularize"
        )
        self.reg_rate = widgets.Dropdown(
            options=REG_RATES,
            value=s.reg_rate if s.reg_rate in REG_RATES else 0.0,
            description="Rate",
        )
        self.feature_toggles = {
            name: widgets.ToggleButton(
                value=name in s.features, description=name, layout=widgets.Layout(width="70px")
            )
            for name in datasets.FEATURES
        }
        self.add_layer = _button("+ layer")
        self.remove_layer = _button("− layer")
        self.layer_rows = widgets.VBox()
        self.network_view = SvgView()
        self.plane_view = SvgView()
        self.loss_view = SvgView()
        self.click_mode = widgets.ToggleButtons(
            options=["add a point", "inspect a point"], value="add a point", description="Click"
        )
        self.point_class = widgets.Dropdown(
            options=[("class 1 (blue)", 1.0), ("class 0 (orange)", 0.0)], description="New point"
        )
        self.clear_button = _button("Clear points")
        self.neuron = widgets.Dropdown(description="Neuron")
        self.inspector_title = widgets.HTML()
        self.inspector_graph = widgets.HTML()
        self.inspector_graph.add_class("mg-inspector-graph")
        self.step_slider = widgets.IntSlider(0, 0, 0, description="Backward")
        self.step_caption = widgets.HTML()
        self.weight_choice = widgets.Dropdown(description="Weight")
        self.weight_value = widgets.FloatText(description="Value")
        self.weight_info = widgets.HTML()
        self.export_button = _button("Show the call")
        self.export_text = widgets.Textarea(layout=widgets.Layout(width="100%", height="70px"))
        self.save_path = widgets.Text(value="playground_model.json", description="Save to")
        self.save_button = _button("Save model")

        on = self._guarded
        self.play_button.on_click(on(lambda _: self.toggle_play()))
        self.step_button.on_click(on(lambda _: self.step()))
        self.reset_button.on_click(on(lambda _: self._change()))
        self.regenerate_button.on_click(on(lambda _: self._regenerate()))
        self.clear_button.on_click(on(lambda _: self._clear()))
        self.add_layer.on_click(on(lambda _: self._set_hidden([*self.session.settings.hidden, 2])))
        self.remove_layer.on_click(
            on(lambda _: self._set_hidden(self.session.settings.hidden[:-1]))
        )
        self.export_button.on_click(on(lambda _: self._export()))
        self.save_button.on_click(on(lambda _: self._save()))
        self.problem.observe(on(self._problem_changed), "value")
        for control, name, convert in (
            (self.dataset, "dataset", str),
            (self.loss, "loss", str),
            (self.noise, "noise", lambda v: v / 100),
            (self.ratio, "train_ratio", lambda v: v / 100),
            (self.batch, "batch_size", int),
            (self.activation, "activation", str),
            (self.regularization, "regularization", str),
            (self.reg_rate, "reg_rate", float),
        ):
            control.observe(on(self._setting(name, convert)), "value")
        self.lr.observe(on(self._lr_typed), "value")
        for toggle in self.feature_toggles.values():
            toggle.observe(on(self._features_changed), "value")
        self.plane_view.observe(on(self._plane_clicked), "click")
        self.network_view.observe(on(self._network_clicked), "click")
        self.neuron.observe(on(self._neuron_chosen), "value")
        self.step_slider.observe(on(lambda _: self._show_step()), "value")
        self.weight_choice.observe(on(lambda _: self._show_weight()), "value")
        self.weight_value.observe(on(self._weight_edited), "value")

        self.widget = widgets.VBox(
            [
                widgets.HBox(
                    [self.play_button, self.step_button, self.reset_button, self.epoch_label]
                ),
                self.message,
                widgets.HBox(
                    [
                        widgets.VBox(
                            [
                                widgets.HTML("<b>DATA</b>"),
                                self.problem,
                                self.dataset,
                                self.noise,
                                self.ratio,
                                self.batch,
                                self.regenerate_button,
                                self.click_mode,
                                self.point_class,
                                self.clear_button,
                            ]
                        ),
                        widgets.VBox(
                            [
                                widgets.HTML("<b>FEATURES → HIDDEN LAYERS</b>"),
                                widgets.HBox(list(self.feature_toggles.values())[:4]),
                                widgets.HBox(list(self.feature_toggles.values())[4:]),
                                widgets.HBox([self.add_layer, self.remove_layer]),
                                self.layer_rows,
                                self.network_view,
                                self.activation,
                                self.lr,
                                self.regularization,
                                self.reg_rate,
                                self.loss,
                            ]
                        ),
                        widgets.VBox(
                            [
                                widgets.HTML("<b>OUTPUT</b>"),
                                self.loss_label,
                                self.plane_view,
                                self.loss_view,
                            ]
                        ),
                    ],
                    # Narrow output areas (a notebook beside a file browser) wrap the
                    # three columns instead of cutting the output off.
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                widgets.HTML(
                    "<b>NEURON INSPECTOR</b> — click a neuron, then a point (mode: inspect a point)"
                ),
                widgets.HBox([self.neuron, self.inspector_title]),
                self.inspector_graph,
                widgets.HBox([self.step_slider, self.step_caption]),
                widgets.HBox([self.weight_choice, self.weight_value, self.weight_info]),
                widgets.HTML("<b>TAKE IT WITH YOU</b>"),
                widgets.HBox([self.export_button, self.save_path, self.save_button]),
                self.export_text,
            ]
        )
        self._rebuild_layer_rows()
        self._rebuild_neuron_list()

    @staticmethod
    def _datasets(problem: str) -> list[str]:
        return (
            ["circle", "xor", "gauss", "spiral"]
            if problem == "classification"
            else ["plane", "multi_gauss"]
        )

    # ------------------------------------------------------------------ errors
    def _guarded(self, callback: Callable[..., Any]) -> Callable[..., Any]:
        """A callback whose errors become one line in the app, never a traceback."""

        @functools.wraps(callback)
        def guarded(*args: Any) -> None:
            try:
                callback(*args)
            except Exception as error:
                self.show_message(f"{type(error).__name__}: {error}")

        return guarded

    def show_message(self, text: str) -> None:
        self.message.value = (
            f'<span style="color: #b91c1c">{html.escape(text)}</span>' if text else ""
        )

    # ------------------------------------------------------------------ settings
    def _setting(
        self, name: str, convert: Callable[[Any], Any]
    ) -> Callable[[dict[str, Any]], None]:
        def changed(change: dict[str, Any]) -> None:
            if not self._filling:
                self._change(**{name: convert(change["new"])})

        return changed

    def _change(self, **changes: Any) -> None:
        """Apply settings (all or nothing), restart training, redraw."""
        self.pause()
        self.session.update(**changes)
        self.show_message("")
        self.inspection = None
        self._rebuild_layer_rows()
        self._rebuild_neuron_list()
        self.refresh()

    def _lr_typed(self, change: dict[str, Any]) -> None:
        text = str(change["new"]).strip()
        try:
            rate = float(text)
        except ValueError:
            self.show_message(
                f"learning rate: {text!r} is not a number; kept {self.session.settings.lr:g}"
            )
            return
        try:
            self._change(lr=rate)
        except ValueError as error:
            self.show_message(f"{error}; kept {self.session.settings.lr:g}")

    def _problem_changed(self, change: dict[str, Any]) -> None:
        problem = change["new"]
        options = self._datasets(problem)
        self.pause()
        self.session.update(dataset=options[0], loss=None)
        self._filling = True  # the menus change to fit the session, not the other way
        try:
            self.dataset.options = options
            self.dataset.value = options[0]
            self.loss.options = LOSSES[problem]
            self.loss.value = self.session.settings.loss
        finally:
            self._filling = False
        self.point_class.options = (
            [("class 1 (blue)", 1.0), ("class 0 (orange)", 0.0)]
            if problem == "classification"
            else [("value +1", 1.0), ("value 0", 0.0), ("value −1", -1.0)]
        )
        self._change()

    def _features_changed(self, change: dict[str, Any]) -> None:
        chosen = [name for name, toggle in self.feature_toggles.items() if toggle.value]
        if not chosen:
            change["owner"].value = True
            raise ValueError("keep at least one input feature")
        self._change(features=tuple(chosen))

    def _set_hidden(self, hidden: tuple[int, ...] | list[int]) -> None:
        if len(hidden) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"the Playground has at most {MAX_HIDDEN_LAYERS} hidden layers")
        self._change(hidden=tuple(hidden))

    def _rebuild_layer_rows(self) -> None:
        rows = []
        hidden = self.session.settings.hidden
        for k, width in enumerate(hidden):
            minus, plus = _button("−"), _button("+")
            minus.on_click(self._guarded(lambda _, k=k: self._resize(k, -1)))
            plus.on_click(self._guarded(lambda _, k=k: self._resize(k, +1)))
            rows.append(
                widgets.HBox([widgets.Label(f"layer {k + 1}: {width} neurons"), minus, plus])
            )
        self.layer_rows.children = rows

    def _resize(self, layer: int, delta: int) -> None:
        hidden = list(self.session.settings.hidden)
        hidden[layer] = min(max(hidden[layer] + delta, 1), MAX_NEURONS)
        self._set_hidden(hidden)

    def _regenerate(self) -> None:
        self.pause()
        self.session.regenerate()
        self._change()

    def _clear(self) -> None:
        self.pause()
        self.session.clear_points()
        self.refresh()

    # ------------------------------------------------------------------ training
    def toggle_play(self) -> None:
        if self._playing.is_set():
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        """Train in a background thread until paused (or until training diverges)."""
        if self._playing.is_set():
            return
        self._playing.set()
        self.play_button.description = "❚❚ Pause"
        self._thread = threading.Thread(target=self._run, name="playground-training", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """Stop training after the current epoch."""
        self._playing.clear()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self._thread = None
        self.play_button.description = "▶ Play"

    def _run(self) -> None:
        try:
            while self._playing.is_set():
                self.session.train_epoch()
                if time.monotonic() - self._last_draw >= REDRAW_SECONDS:
                    self.refresh()
        except TrainingDivergedError as error:
            self.show_message(f"Paused: {error}")
        except Exception as error:
            self.show_message(f"{type(error).__name__}: {error}")
        finally:
            self._playing.clear()
            self.play_button.description = "▶ Play"
            self.refresh()

    def step(self) -> None:
        """Train one epoch and redraw."""
        self.pause()
        try:
            self.session.train_epoch()
        except TrainingDivergedError as error:
            self.show_message(f"Paused: {error}")
        self.refresh()

    # ------------------------------------------------------------------ drawing
    def refresh(self) -> None:
        """Redraw the plane, the network, the loss curves and the numbers."""
        session = self.session
        train, test = session.losses()
        self.epoch_label.value = f"<b>Epoch {session.epoch:,}</b>"
        self.loss_label.value = (
            f'Test loss <span class="mg-test-loss">{test:.3f}</span> · '
            f'Training loss <span class="mg-train-loss">{train:.3f}</span>'
        )
        self.plane_view.svg = plane_svg(session, selected=self.selected_point)
        self.network_view.svg = network_svg(session, selected=self.selected_neuron)
        self.loss_view.svg = loss_svg(session.train_loss, session.test_loss)
        self._last_draw = time.monotonic()

    # ------------------------------------------------------------------ clicks
    def _plane_clicked(self, change: dict[str, Any]) -> None:
        click = change["new"]
        if "x" not in click:
            return
        x1 = -RADIUS + 2 * RADIUS * float(click["x"])
        x2 = RADIUS - 2 * RADIUS * float(click["y"])
        if self.click_mode.value == "add a point":
            self.session.add_point(x1, x2, self.point_class.value)
        else:
            self.selected_point = (x1, x2)
            self.inspect()
        self.refresh()

    def _network_clicked(self, change: dict[str, Any]) -> None:
        neuron = change["new"].get("neuron")
        if neuron:
            self.neuron.value = str(neuron)

    def _rebuild_neuron_list(self) -> None:
        """The neuron menu; its values are "layer,index" (ipywidgets wants plain values)."""
        options = [(title, f"{k},{j}") for title, (k, j) in self.session.neuron_names()]
        if f"{self.selected_neuron[0]},{self.selected_neuron[1]}" not in dict(options).values():
            self.selected_neuron = (0, 0)
        self._choosing = True
        try:
            self.neuron.options = options
            self.neuron.value = f"{self.selected_neuron[0]},{self.selected_neuron[1]}"
        finally:
            self._choosing = False

    def _neuron_chosen(self, change: dict[str, Any]) -> None:
        if change["new"] is None or self._choosing:
            return
        layer, index = (int(part) for part in str(change["new"]).split(","))
        self.selected_neuron = (layer, index)
        self.inspect()
        self.refresh()

    # ------------------------------------------------------------------ inspector
    def inspect(self) -> None:
        """Show the selected neuron's graph for the selected point (a training point by default)."""
        session = self.session
        if self.selected_point is None:
            if len(session.X_train) == 0:
                raise ValueError("there is no point to inspect: add one on the plane")
            self.selected_point = (float(session.X_train[0, 0]), float(session.X_train[0, 1]))
        label = self._label_at(self.selected_point)
        layer, index = self.selected_neuron
        inspection = session.inspect(layer, index, self.selected_point, label)
        self.inspection = inspection
        x1, x2 = inspection.point
        self.inspector_title.value = (
            f"at the point ({x1:.2f}, {x2:.2f}) with target {label:g}: loss {inspection.loss:.4f}"
        )
        self._frames = inspection.steps()
        with self.step_slider.hold_trait_notifications():
            self.step_slider.max = len(self._frames) - 1
            self.step_slider.value = len(self._frames) - 1
        self._show_step()
        weights = [(f"{w.label} = {w.data:.4f}", i) for i, w in enumerate(inspection.weights)]
        chosen = self.weight_choice.value
        self.weight_choice.options = [*weights, (f"b = {inspection.bias.data:.4f}", -1)]
        valid = chosen is not None and (chosen == -1 or chosen < len(weights))
        self.weight_choice.value = chosen if valid else 0
        self._show_weight()

    def _label_at(self, point: tuple[float, float]) -> float:
        """The target of a point: a data point's own label, else the 'new point' class."""
        session = self.session
        for X, y in ((session.X_train, session.y_train), (session.X_test, session.y_test)):
            if len(X):
                distance = ((X - point) ** 2).sum(axis=1)
                nearest = int(distance.argmin())
                if distance[nearest] < 1e-12:
                    return float(y[nearest])
        return float(self.point_class.value)

    def _show_step(self) -> None:
        if self.inspection is None:
            return
        frame = self._frames[self.step_slider.value]
        self.inspector_graph.value = fit_to_width(render(frame.source, "svg").decode("utf-8"))
        self.step_caption.value = html.escape(frame.caption)

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
        with self.weight_value.hold_trait_notifications():
            self._editing = True
            self.weight_value.value = mini.data
            self._editing = False

    def _weight_edited(self, change: dict[str, Any]) -> None:
        if self._editing or self.inspection is None:
            return
        index = self.weight_choice.value
        layer, neuron = self.selected_neuron
        self.session.set_weight(layer, neuron, None if index == -1 else index, change["new"])
        self.inspect()
        self.refresh()

    # ------------------------------------------------------------------ export
    def _export(self) -> None:
        self.export_text.value = self.session.as_call()

    def _save(self) -> None:
        path = self.session.save_model(self.save_path.value)
        self.export_text.value = f"# saved to {path}\n{self.session.torch_code(path)}"

    # ------------------------------------------------------------------ display
    def figure(self) -> Any:
        """The static Playground figure of the current state (matplotlib)."""
        return self.session.figure()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The widget, with the static figure as a PNG for front ends without widgets."""
        bundle: dict[str, Any] = dict(self.widget._repr_mimebundle_() or {})
        figure = self.figure()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
        plt.close(figure)
        bundle["image/png"] = base64.b64encode(buffer.getvalue()).decode("ascii")
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        call = self.session.as_call()
        return f"<live Playground (widgets need Jupyter; .figure() draws it): {call}>"

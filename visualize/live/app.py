"""The live Playground app: ipywidgets panels around a :class:`PlaygroundSession`.

Runs in JupyterLab, Notebook 7 and VS Code notebooks, and as a web page with
Voilà (``make playground``). Each panel is built by a small function; the
settings' widgets live in :mod:`~visualize.live.controls`, the neuron
inspector in :mod:`~visualize.live.inspector`, the two small front-end pieces
(a clickable SVG, the page's URL) in :mod:`~visualize.live.views`.

Training runs in a background thread, paced so that Play never takes more
than ``cpu_share`` of a core (a pause between epochs) and redraws at most
``redraws_per_second`` times a second. Every callback catches its errors and
shows them in one line (cleared by the next success): no traceback reaches
the page. While the app sets its own widgets (inside :meth:`LivePlayground.quiet`)
their callbacks do nothing.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt

from micrograd_edu.train import TrainingDivergedError

from ..playground import MAX_HIDDEN_LAYERS, MAX_NEURONS
from .controls import SettingsControls, point_classes
from .drawing import RADIUS, loss_svg, network_svg, plane_svg
from .insight_panel import InsightPanel
from .inspector import Inspector
from .panels import data_panel, export_panel, network_panel, output_panel
from .session import PlaygroundSession
from .task import Goal, check_hide, number_text, parse_goal, query_string, shown
from .userdata import read_csv
from .views import SvgView, UrlState, button

__all__ = ["CPU_SHARE", "REDRAWS_PER_SECOND", "LivePlayground", "SvgView"]

CPU_SHARE = 0.5
"""Play's default share of one core: it rests as long as it worked (a class shares a machine)."""
REDRAWS_PER_SECOND = 30.0
"""Play's default cap on redraws per second."""
MAX_REST = 10.0
"""Play's longest rest between two epochs, in seconds (whatever ``cpu_share``)."""


def goal_unreachable(goal: Goal | None, problem: str) -> bool:
    """Whether ``goal`` is about an accuracy on a regression problem (it has none).

    >>> goal_unreachable(parse_goal("test_accuracy>0.9"), "regression")
    True
    """
    return goal is not None and goal.metric.endswith("accuracy") and problem == "regression"


class LivePlayground:
    """The app. Display it in a notebook; ``session`` holds its state.

    ``hide`` names controls the student does not see (see
    :data:`~visualize.live.task.CONTROLS`); ``goal`` (e.g. ``"test_loss<0.1"``)
    is a challenge announced when reached; ``folder`` is where "Save model"
    writes relative paths (default: the current folder); ``url=True`` keeps
    the page's URL query equal to the settings (the served page).
    Without a widget front end (nbclient, nbconvert, GitHub) the display falls
    back to the static Playground figure of the current state.
    """

    export_button: widgets.Button  # these six are made by panels.export_panel
    python_button: widgets.Button
    share_button: widgets.Button
    save_button: widgets.Button
    save_path: widgets.Text
    export_text: widgets.Textarea

    def __init__(
        self,
        session: PlaygroundSession,
        *,
        hide: Iterable[str] = (),
        goal: str | Goal | None = None,
        folder: str | Path | None = None,
        url: bool = False,
        cpu_share: float = CPU_SHARE,
        redraws_per_second: float = REDRAWS_PER_SECOND,
    ) -> None:
        if not 0.0 < cpu_share <= 1.0 or not redraws_per_second > 0:
            raise ValueError(
                f"cpu_share must be in (0, 1] and redraws_per_second > 0, "
                f"got {cpu_share!r} and {redraws_per_second!r}"
            )
        self.session = session
        self.hide = check_hide(hide)
        self.goal = parse_goal(goal) if isinstance(goal, str) else goal
        self.goal_epoch: int | None = None
        self._task_data = session.user_data  # a goal counts on this data (None: a data set's)
        self.folder = Path(folder) if folder is not None else None
        self.cpu_share, self.redraws_per_second = cpu_share, redraws_per_second
        self._quiet = 0
        self._playing = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_draw = 0.0
        self.controls = SettingsControls(session.settings)
        self.inspector = Inspector(session, self._guarded, self.quiet, self.refresh)
        self.insight = InsightPanel(session, self._guarded, self.refresh, self._change)
        self.url = UrlState(active=url)
        self._build()
        self._connect()
        self._apply_hide()
        self._show_settings()
        self.refresh()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        self.message = widgets.HTML("")
        self.message.add_class("mg-message")
        self.goal_label = widgets.HTML("")
        self.goal_label.add_class("mg-goal")
        self.play_button = button("▶ Play", button_style="success")
        self.step_button = button("Step one epoch")
        self.reset_button = button("Reset")
        self.epoch_label = widgets.HTML()
        self.epoch_label.add_class("mg-epoch")
        self.loss_label = widgets.HTML()
        self.loss_label.add_class("mg-losses")
        self.network_view, self.plane_view, self.loss_view = SvgView(), SvgView(), SvgView()
        self.click_mode = widgets.ToggleButtons(
            options=["add a point", "inspect a point"], value="add a point", description="Click"
        )
        self.point_class = widgets.Dropdown(
            options=point_classes(self.session.settings), description="New point"
        )
        self.clear_button = button("Clear points")
        self.upload = widgets.FileUpload(accept=".csv", multiple=False, description="Upload CSV")
        self.export_panel = export_panel(self)
        self.widget = widgets.VBox(
            [
                widgets.HBox(
                    [self.play_button, self.step_button, self.reset_button, self.epoch_label]
                ),
                self.goal_label,
                self.message,
                widgets.HBox(
                    [data_panel(self), network_panel(self), output_panel(self)],
                    # Narrow output areas (a notebook beside a file browser) wrap the
                    # three columns instead of cutting the output off.
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                self.inspector.widget,
                self.insight.widget,
                self.export_panel,
                self.url,
            ]
        )

    def _connect(self) -> None:
        on, c = self._guarded, self.controls
        self.play_button.on_click(on(lambda _: self.toggle_play()))
        self.step_button.on_click(on(lambda _: self.step()))
        self.reset_button.on_click(on(lambda _: self._change()))
        c.regenerate.on_click(on(lambda _: self._regenerate()))
        self.clear_button.on_click(on(lambda _: self._clear()))
        c.add_layer.on_click(on(lambda _: self._set_hidden([*self.session.settings.hidden, 2])))
        c.remove_layer.on_click(on(lambda _: self._set_hidden(self.session.settings.hidden[:-1])))
        self.export_button.on_click(on(lambda _: self._show_export(self.session.as_call())))
        self.python_button.on_click(on(lambda _: self._show_export(self.session.python_code())))
        self.share_button.on_click(on(lambda _: self._share()))
        self.save_button.on_click(on(lambda _: self._save()))
        c.problem.observe(on(self._problem_changed), "value")
        for name, control, convert in c.fields:
            control.observe(on(self._setting(name, convert)), "value")
        c.lr.observe(on(self._lr_typed), "value")
        for toggle in c.features.values():
            toggle.observe(on(self._features_changed), "value")
        self.plane_view.observe(on(self._plane_clicked), "click")
        self.network_view.observe(on(self._network_clicked), "click")
        self.point_class.observe(on(self._point_class_chosen), "value")
        self.upload.observe(on(self._uploaded), "value")

    def _apply_hide(self) -> None:
        hideable = {
            **self.controls.hideable(),
            "points": [self.click_mode, self.point_class, self.clear_button],
            "upload": [self.upload],
            "inspector": [self.inspector.widget],
            "insight": [self.insight.widget],
            "export": [self.export_panel],
        }
        for name in self.hide:
            for widget in hideable.get(name, []):
                widget.layout.display = "none"

    # ------------------------------------------------------------------ errors and quiet
    @contextmanager
    def quiet(self) -> Iterator[None]:
        """While the app sets its own widgets, their callbacks do nothing."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    def _guarded(self, callback: Callable[..., Any]) -> Callable[..., Any]:
        """A callback that is silent inside :meth:`quiet`, whose success clears the
        message line and whose errors become that line, never a traceback."""

        @functools.wraps(callback)
        def guarded(*args: Any) -> None:
            if self._quiet:
                return
            self.show_message("")
            try:
                callback(*args)
            except Exception as error:
                self.show_message(f"{type(error).__name__}: {error}")

        return guarded

    def show_message(self, text: str, error: bool = True) -> None:
        """One line above the panels: red for an error, green for news; "" clears it."""
        color = "#b91c1c" if error else "#166534"
        self.message.value = (
            f'<span style="color: {color}">{html.escape(text)}</span>' if text else ""
        )

    # ------------------------------------------------------------------ settings
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
        rows = []
        for k, width in enumerate(self.session.settings.hidden):
            minus, plus = button("−"), button("+")
            minus.on_click(self._guarded(lambda _, k=k: self._resize(k, -1)))
            plus.on_click(self._guarded(lambda _, k=k: self._resize(k, +1)))
            rows.append(
                widgets.HBox([widgets.Label(f"layer {k + 1}: {width} neurons"), minus, plus])
            )
        self.controls.layer_rows.children = rows

    def _resize(self, layer: int, delta: int) -> None:
        hidden = list(self.session.settings.hidden)
        hidden[layer] = min(max(hidden[layer] + delta, 1), MAX_NEURONS)
        self._set_hidden(hidden)

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
        self._wake.clear()
        self.play_button.description = "❚❚ Pause"
        self._thread = threading.Thread(target=self._run, name="playground-training", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """Stop training after the current epoch."""
        self._playing.clear()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self._thread = None
        self.play_button.description = "▶ Play"

    def _run(self) -> None:
        """Epochs until paused; after each, rest so that work is ``cpu_share`` of the time."""
        rest_per_work = (1.0 - self.cpu_share) / self.cpu_share
        try:
            while self._playing.is_set():
                start = time.perf_counter()
                self.session.train_epoch()
                if time.monotonic() - self._last_draw >= 1.0 / self.redraws_per_second:
                    self.refresh()
                if rest_per_work:  # at most MAX_REST: a tiny share must not overflow the wait
                    rest = (time.perf_counter() - start) * rest_per_work
                    self._wake.wait(min(rest, MAX_REST))
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
        """Redraw the plane, the network, the loss curves and the numbers; check the goal."""
        session = self.session
        train, test = session.losses()
        self.epoch_label.value = f"<b>Epoch {session.epoch:,}</b>"
        self.loss_label.value = (
            f'Test loss <span class="mg-test-loss">{test:.3f}</span> · '
            f'Training loss <span class="mg-train-loss">{train:.3f}</span>'
        )
        self.plane_view.svg = plane_svg(session, selected=self.inspector.selected_point)
        self.network_view.svg = network_svg(session, selected=self.inspector.selected_neuron)
        self.loss_view.svg = loss_svg(session.train_curve, session.test_curve)
        self.insight.refresh()
        self._check_goal()
        self._last_draw = time.monotonic()

    def on_task_data(self) -> bool:
        """Whether the data is the task's: not uploaded, no point added or cleared by hand
        (a goal reached on easier data of one's own would not count)."""
        return self.session.user_data is self._task_data and not self.session.points_edited

    def _goal_note(self, counts: bool) -> str:
        """Why the goal cannot be reached now, if it cannot ("" if it can)."""
        if goal_unreachable(self.goal, self.session.settings.problem):
            return " (an accuracy has no meaning for a regression: this goal cannot be reached)"
        if not counts:
            return (
                " (it counts on the task's data only, not on your own points: "
                "Regenerate, or choose a data set, to get it back)"
            )
        return ""

    def _check_goal(self) -> None:
        goal = self.goal
        if goal is None:
            return
        counts = self.on_task_data()
        pending = self.goal_epoch is None and counts and self.session.epoch
        if pending and self.session.goal_reached(goal):
            self.goal_epoch = self.session.epoch
        if self.goal_epoch is None:
            self.goal_label.value = (
                f"🎯 Challenge: reach {html.escape(goal.describe())}{self._goal_note(counts)}"
            )
        else:
            self.goal_label.value = (
                f"<b>✔ Challenge reached at epoch {self.goal_epoch:,}: "
                f"{html.escape(goal.describe())}</b>"
            )

    # ------------------------------------------------------------------ clicks
    def _plane_clicked(self, change: dict[str, Any]) -> None:
        click = change["new"]
        if "x" not in click:
            return
        x1 = -RADIUS + 2 * RADIUS * float(click["x"])
        x2 = RADIUS - 2 * RADIUS * float(click["y"])
        if self.click_mode.value == "add a point":
            if "points" in self.hide:
                return  # the task's data is fixed
            self.session.add_point(x1, x2, self.point_class.value)
        else:
            self.inspector.inspect((x1, x2))
        self.refresh()

    def _network_clicked(self, change: dict[str, Any]) -> None:
        neuron = change["new"].get("neuron")
        if neuron:
            self.inspector.choose_neuron(str(neuron))

    def _point_class_chosen(self, change: dict[str, Any]) -> None:
        self.inspector.new_point_label = float(change["new"])

    # ------------------------------------------------------------------ take it with you
    def query(self) -> str:
        """The settings, hidden controls and goal as a URL query (no ``?``)."""
        return query_string(self.session.settings, self.hide, self.goal)

    def share_link(self) -> str:
        """The page's address with every setting: open it to get this exact task.

        In a notebook (not the served page) the address is ``make playground``'s.
        """
        base = (self.url.active and self.url.base) or "http://127.0.0.1:8866/"
        return f"{base}?{self.query()}"

    def _share(self) -> None:
        """Show the link; say so when it cannot hold the data on the plane (your own)."""
        self._show_export(self.share_link())
        if self.session.user_data is not None or self.session.points_edited:
            self.show_message(
                "The link holds the settings, not your own points: it opens the data set "
                f"{self.session.settings.dataset!r}",
                error=False,
            )

    def _show_export(self, text: str) -> None:
        self.export_text.value = text

    def save_target(self, name: str) -> Path:
        """Where "Save model" writes ``name``: a ``.json`` file inside the start folder.

        The page's box cannot reach outside that folder (``..``, an absolute path, ``~``)
        nor overwrite a notebook or a script by a slip of the keyboard; from Python,
        :meth:`PlaygroundSession.save_model` writes anywhere.
        """
        folder = Path(self.folder or Path.cwd()).expanduser().resolve()
        text = name.strip()
        if not text.endswith(".json") or text.endswith("/.json") or text == ".json":
            raise ValueError(f"Save to: a file name ending in .json, got {shown(text)}")
        target = (folder / Path(text).expanduser()).resolve()
        if not target.is_relative_to(folder):
            raise ValueError(
                f"Save to: {shown(text)} is outside the folder {folder}; give a name inside it"
            )
        return target

    def _save(self) -> None:
        target = self.save_target(self.save_path.value)
        try:
            path = self.session.save_model(target)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise ValueError(f"could not save to {target}: {reason}") from None
        self.export_text.value = f"# saved to {path}\n{self.session.torch_code(path)}"
        self.show_message(f"Saved to {path}", error=False)

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

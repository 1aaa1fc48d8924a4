"""The live Playground app: ipywidgets panels around a :class:`PlaygroundSession`.

Runs in JupyterLab, Notebook 7 and VS Code notebooks, and as a web page with
Voilà (``make playground``). Each panel is built by a small function; the
settings' widgets live in :mod:`~micrograd_edu.visualize.live.controls`, the neuron
inspector in :mod:`~micrograd_edu.visualize.live.inspector`, the two small front-end pieces
(a clickable SVG, the page's URL) in :mod:`~micrograd_edu.visualize.live.views`. The app's
behaviour comes in parts: what the widgets do when changed
(:mod:`~micrograd_edu.visualize.live.callbacks`), Play, Pause and Step
(:mod:`~micrograd_edu.visualize.live.playloop`), the challenge's goal
(:mod:`~micrograd_edu.visualize.live.challenge`) and the share link and "Save model"
(:mod:`~micrograd_edu.visualize.live.sharing`); this module builds and wires the panels,
guards the callbacks and redraws.

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

from ..alttext import describe
from .accessibility import REDUCED_MOTION_REDRAWS, PageSupport
from .callbacks import WidgetCallbacks
from .challenge import ChallengeCheck, goal_unreachable
from .controls import SettingsControls, point_classes
from .drawing import loss_svg, network_drawing, plane_drawing
from .insight_panel import InsightPanel
from .inspector import Inspector
from .panels import data_panel, export_panel, network_panel, output_panel
from .playloop import CPU_SHARE, MAX_REST, REDRAWS_PER_SECOND, PlayLoop
from .session import PlaygroundSession
from .sharing import Sharing
from .task import Goal, check_hide, parse_goal
from .views import SvgView, UrlState, button
from .visibility import PageVisibility

__all__ = [
    "CPU_SHARE",
    "MAX_REST",
    "REDRAWS_PER_SECOND",
    "LivePlayground",
    "SvgView",
    "goal_unreachable",
]


class LivePlayground(WidgetCallbacks, PlayLoop, ChallengeCheck, Sharing):
    """The app. Display it in a notebook; ``session`` holds its state.

    ``hide`` names controls the student does not see (see
    :data:`~micrograd_edu.visualize.live.task.CONTROLS`); ``goal`` (e.g. ``"test_loss<0.1"``)
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
        self._redraws_asked = redraws_per_second
        self.page = PageSupport()
        self.controls = SettingsControls(session.settings)
        self.inspector = Inspector(
            session, self._guarded, self.quiet, self.refresh, announce=self.page.say
        )
        self.insight = InsightPanel(session, self._guarded, self.refresh, self._change)
        self.url = UrlState(active=url)
        self.visibility = PageVisibility(on_change=self._wake.set)  # Play waits while hidden
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
        self.play_button.add_class("mg-play")
        self.step_button = button("Step one epoch")
        self.reset_button = button("Reset")
        self.epoch_label = widgets.HTML()
        self.epoch_label.add_class("mg-epoch")
        self.loss_label = widgets.HTML()
        self.loss_label.add_class("mg-losses")
        self.network_view = SvgView(summary="The network in words")
        self.plane_view = SvgView(summary="The output over the plane in words")
        self.loss_view = SvgView()
        self.click_mode = widgets.ToggleButtons(
            options=["add a point", "inspect a point"], value="add a point", description="Click"
        )
        self.point_class = widgets.Dropdown(
            options=point_classes(self.session.settings), description="New point"
        )
        self.clear_button = button("Clear points")
        self.upload = widgets.FileUpload(accept=".csv", multiple=False, description="Upload CSV")
        self.export_panel = export_panel(self)
        self.page.name(self.export_text, "The call, the Python function or the link")
        self.widget = widgets.VBox(
            [
                self.page,
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
                self.visibility,
            ]
        )
        self.widget.add_class("mg-app")

    def _connect(self) -> None:
        on, c = self._guarded, self.controls
        self.play_button.on_click(on(lambda _: self._play_clicked()))
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
        self.page.observe(self._motion_preference, "reduced_motion")
        self.click_mode.observe(on(lambda _: self.refresh()), "value")

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
        if "points" in self.hide:  # the task's data is fixed: a click or Enter inspects
            with self.quiet():
                self.click_mode.value = "inspect a point"

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
        if text:
            self.page.say(text)

    # ------------------------------------------------------------------ announcements
    def _play_clicked(self) -> None:
        """Play or Pause, said in the live region (with the result when pausing)."""
        start = self.session.epoch  # read before Play's thread can finish an epoch
        self.toggle_play()
        if self._playing.is_set():
            self.page.say(f"Training from epoch {start:,}")
        else:
            self.page.say(f"Paused. {self.summary()}")

    def summary(self) -> str:
        """The state in words: epoch, losses, accuracies (what the live region says)."""
        session = self.session
        train, test = session.losses()
        text = f"Epoch {session.epoch:,}: test loss {test:.3f}, training loss {train:.3f}"
        if session.settings.problem == "classification":
            accuracy = session.measure("test_accuracy")
            if accuracy == accuracy:  # not NaN: there are test points
                text += f", test accuracy {accuracy:.0%}"
        return text

    def _motion_preference(self, change: dict[str, Any]) -> None:
        """Reduced motion: while training runs, the pictures change in steps, every 2 s."""
        reduced = bool(change["new"])
        self.redraws_per_second = REDUCED_MOTION_REDRAWS if reduced else self._redraws_asked

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
        inspected = self.inspector.inspection is not None
        self.plane_view.svg, self.plane_view.text = plane_drawing(
            session, selected=self.inspector.selected_point, mode=str(self.click_mode.value)
        )
        self.network_view.svg, self.network_view.text = network_drawing(
            session, selected=self.inspector.selected_neuron if inspected else None
        )
        self.loss_view.svg = loss_svg(session.train_curve, session.test_curve)
        self.insight.refresh()
        reached = self.goal_epoch
        self._check_goal()
        if self.goal is not None and reached is None and self.goal_epoch is not None:
            self.page.say(f"Challenge reached at epoch {self.goal_epoch:,}: {self.goal.describe()}")
        elif self._playing.is_set():
            self.page.progress(self.summary)
        self._last_draw = time.monotonic()

    # ------------------------------------------------------------------ display
    def figure(self) -> Any:
        """The static Playground figure of the current state (matplotlib)."""
        return self.session.figure()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The widget, with the static figure for front ends without widgets: a PNG, and an
        ``<img>`` whose ``alt`` is the figure's description."""
        bundle: dict[str, Any] = dict(self.widget._repr_mimebundle_() or {})
        figure = self.figure()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
        plt.close(figure)
        png = base64.b64encode(buffer.getvalue()).decode("ascii")
        bundle["image/png"] = png
        bundle["text/html"] = (  # the same picture with its alternative text (nbconvert, GitHub)
            f'<img class="mg-figure" src="data:image/png;base64,{png}" '
            f'alt="{html.escape(describe(figure))}" style="max-width: 100%">'
        )
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        call = self.session.as_call()
        return f"<live Playground (widgets need Jupyter; .figure() draws it): {call}>"

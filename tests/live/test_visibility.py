"""Play waits while nobody can see the app, and goes on when a view is shown again.

The views' reports are delivered as the front end delivers them (a widget's custom
message, ``_handle_custom_msg``); the browser side is tested in
``test_behind_proxy.py`` (a Voilà page) and ``tests/hub/`` (a JupyterLab tab hidden
behind another).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")

from micrograd_edu.visualize.live import live_playground
from micrograd_edu.visualize.live.visibility import PageVisibility


def _send(widget: PageVisibility, view: str, state: str) -> None:
    """A view's report, as the widget's JavaScript sends it (``model.send``)."""
    widget._handle_custom_msg({"view": view, "state": state}, [])


def _wait(condition: Callable[[], Any], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.01)


def test_shown_while_any_view_is_shown_or_none_ever_reported() -> None:
    changes: list[bool] = []
    widget = PageVisibility()
    widget._on_change = lambda: changes.append(widget.shown)
    assert widget.shown  # no front end (nbclient, clicks from code): nothing to wait for
    _send(widget, "a", "shown")
    _send(widget, "b", "hidden")
    assert widget.shown
    _send(widget, "a", "hidden")
    assert not widget.shown
    _send(widget, "b", "shown")
    assert widget.shown
    _send(widget, "b", "closed")
    assert not widget.shown  # "a" is hidden, "b" gone
    _send(widget, "a", "closed")
    assert not widget.shown  # every view closed (the notebook closed): nobody looks
    assert changes == [True, True, False, True, False, False]


@pytest.mark.parametrize(
    "content",
    [{"view": "a", "state": "gone"}, {"state": "hidden"}, {"view": 3, "state": "hidden"}, []],
)
def test_messages_of_another_shape_are_ignored(content: Any) -> None:
    widget = PageVisibility()
    widget._handle_custom_msg(content, [])
    assert widget.shown and widget._views == {}


def test_a_state_other_than_the_three_is_refused() -> None:
    message = "a view's state is one of ('shown', 'hidden', 'closed'), got 'gone'"
    with pytest.raises(ValueError, match=re.escape(message)):
        PageVisibility().report("a", "gone")


def test_play_waits_without_training_while_hidden_and_goes_on_when_shown() -> None:
    app = live_playground(n=100)
    visibility = app.visibility
    _send(visibility, "page", "shown")
    app.play()
    try:
        _wait(lambda: app.session.epoch >= 3)
        _send(visibility, "page", "hidden")
        _wait(lambda: visibility.held)  # the thread waits on an event, without a timeout
        held_at = app.session.epoch
        assert app._thread is not None and app._thread.is_alive()
        assert app.play_button.description == "❚❚ Pause"  # still playing, for the student
        assert app.session.epoch == held_at and visibility.held
        _send(visibility, "page", "shown")
        _wait(lambda: app.session.epoch >= held_at + 3)
        assert not visibility.held
    finally:
        app.pause()
    assert app._thread is None and app.play_button.description == "▶ Play"


def test_pause_while_waiting_hidden_ends_the_thread() -> None:
    app = live_playground(n=100)
    _send(app.visibility, "page", "hidden")
    app.play()
    _wait(lambda: app.visibility.held)
    assert app.session.epoch == 0  # hidden from the start: not one epoch
    thread = app._thread
    pausing = threading.Thread(target=app.pause)
    pausing.start()
    pausing.join(timeout=120)
    assert not pausing.is_alive() and thread is not None and not thread.is_alive()
    assert not app.visibility.held and app.play_button.description == "▶ Play"


def test_step_trains_while_hidden() -> None:
    """Step is a click, so somebody looks: it trains one epoch whatever the views say."""
    app = live_playground(n=100)
    _send(app.visibility, "page", "hidden")
    app.step()
    assert app.session.epoch == 1


def test_without_any_view_play_trains_as_before() -> None:
    app = live_playground(n=100)
    app.play()
    try:
        _wait(lambda: app.session.epoch >= 3)
    finally:
        app.pause()
    assert not app.visibility.held

"""Play, Pause and Step of the live Playground: training paced in a background thread.

:class:`PlayLoop` is the part of :class:`~micrograd_edu.visualize.live.app.LivePlayground`
that trains. Play runs epochs in a daemon thread, resting after each one so
that the work is at most ``cpu_share`` of a core (a class shares a machine),
and redraws at most ``redraws_per_second`` times a second, with at most a third
of its CPU time (:data:`REDRAW_SHARE`), so that the epochs advance on a crowded
machine too. A diverging run
pauses with its reason on the message line; Pause stops after the current
epoch and waits for the thread.

Play costs nothing while nobody looks: when no view of the app is shown (its
page or JupyterLab tab hidden, :mod:`~micrograd_edu.visualize.live.visibility`)
the thread waits on an event, without a timer, and goes on where it stopped
as soon as a view is shown again; the button still says Pause.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import ipywidgets as widgets

from micrograd_edu.train import TrainingDivergedError

from .session import PlaygroundSession
from .visibility import PageVisibility

__all__ = ["CPU_SHARE", "MAX_REST", "REDRAWS_PER_SECOND", "REDRAW_SHARE", "PlayLoop"]

CPU_SHARE = 0.5
"""Play's default share of one core: it rests as long as it worked (a class shares a machine)."""
REDRAWS_PER_SECOND = 30.0
"""Play's default cap on redraws per second."""
MAX_REST = 10.0
"""Play's longest rest between two epochs, in seconds (whatever ``cpu_share``)."""
REDRAW_SHARE = 1 / 3
"""At most this share of Play's CPU time goes to redrawing: on a machine where each student
gets a sliver of a core, the epochs still advance (redraws are then fewer than 30 a second)."""


class PlayLoop:
    """Play, Pause and Step: the training part of the app (a mixin of ``LivePlayground``).

    The app sets the attributes below; ``_playing`` is set while Play runs,
    ``_wake`` cuts a rest (or a wait for a view) short on Pause and on a change of
    ``visibility``, ``_last_draw`` is the :func:`time.monotonic` time of the last redraw.
    """

    session: PlaygroundSession
    visibility: PageVisibility
    cpu_share: float
    redraws_per_second: float
    play_button: widgets.Button
    _playing: threading.Event
    _wake: threading.Event
    _thread: threading.Thread | None
    _last_draw: float

    if TYPE_CHECKING:  # the app's, used here

        def refresh(self) -> None:
            raise NotImplementedError

        def show_message(self, text: str, error: bool = True) -> None:
            raise NotImplementedError

    def toggle_play(self) -> None:
        """Play when paused, pause when playing (the Play button)."""
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
        """Epochs until paused; after each, rest so that work is ``cpu_share`` of the time.

        Work is this thread's CPU time (the epoch and its redraw), not the wall time: on a
        machine shared by a class, waiting for a core is not work, and resting for it too
        would leave cores idle while every student's Play waits.
        """
        rest_per_work = (1.0 - self.cpu_share) / self.cpu_share
        trained = drawn = 0.0  # CPU seconds spent training since the last redraw, and on it
        try:
            while self._playing.is_set():
                if self._hold_while_hidden():
                    continue
                start = time.thread_time()
                self.session.train_epoch()
                trained += time.thread_time() - start
                if self._redraw_due(trained, drawn):
                    before = time.thread_time()
                    self.refresh()
                    drawn, trained = time.thread_time() - before, 0.0
                if rest_per_work:  # at most MAX_REST: a tiny share must not overflow the wait
                    rest = (time.thread_time() - start) * rest_per_work
                    self._wake.wait(min(rest, MAX_REST))
        except TrainingDivergedError as error:
            self.show_message(f"Paused: {error}")
        except Exception as error:
            self.show_message(f"{type(error).__name__}: {error}")
        finally:
            self._playing.clear()
            self.play_button.description = "▶ Play"
            self.refresh()

    def _redraw_due(self, trained: float, drawn: float) -> bool:
        """A redraw now: at most ``redraws_per_second``, and only once training has had its
        share of the CPU since the last one (``drawn``: what that one cost)."""
        if time.monotonic() - self._last_draw < 1.0 / self.redraws_per_second:
            return False
        return trained >= drawn * (1.0 - REDRAW_SHARE) / REDRAW_SHARE

    def _hold_while_hidden(self) -> bool:
        """Wait, without a timeout, while Play is on and no view is shown. False: train an
        epoch now; True: Play was paused or the wait ended, check again.

        ``_wake`` is cleared before the checks, so a Pause or a view shown between the
        checks and the wait sets it again and the wait returns at once.
        """
        self._wake.clear()
        if not self._playing.is_set():
            return True
        if self.visibility.shown:
            return False
        self.visibility.held = True
        try:
            self._wake.wait()
        finally:
            self.visibility.held = False
        return True

    def step(self) -> None:
        """Train one epoch and redraw."""
        self.pause()
        try:
            self.session.train_epoch()
        except TrainingDivergedError as error:
            self.show_message(f"Paused: {error}")
        self.refresh()

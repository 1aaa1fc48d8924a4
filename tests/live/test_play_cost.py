"""What Play costs on a shared machine: redraws take at most a third of its CPU time."""

from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")

from micrograd_edu.visualize.live import live_playground
from micrograd_edu.visualize.live.playloop import REDRAW_SHARE


def _burn(seconds: float) -> None:
    """Spend ``seconds`` of this thread's CPU time."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_redraws_take_at_most_a_third_of_plays_cpu() -> None:
    """A redraw that costs much more than an epoch (a sliver of a core, a big network) waits
    until training has had twice its CPU time: the epochs keep advancing."""
    app = live_playground(n=100, cpu_share=1.0)
    train, real_refresh = app.session.train_epoch, app.refresh
    spent = {"train": 0.0, "draw": 0.0, "draws": 0, "largest draw": 0.0}
    lock = threading.Lock()

    def timed_train() -> None:
        start = time.thread_time()
        train()
        with lock:
            spent["train"] += time.thread_time() - start

    def slow_refresh() -> None:
        start = time.thread_time()
        real_refresh()
        _burn(0.03)  # a redraw ten times an epoch's cost
        cost = time.thread_time() - start
        if threading.current_thread() is app._thread:
            with lock:
                spent["draw"] += cost
                spent["draws"] += 1
                spent["largest draw"] = max(spent["largest draw"], cost)

    app.session.train_epoch = timed_train  # type: ignore[method-assign]
    app.refresh = slow_refresh  # type: ignore[method-assign]
    app.play()
    try:
        deadline = time.monotonic() + 120
        while spent["draws"] < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        app.pause()
    assert spent["draws"] >= 6
    # Before each redraw but the first, training had (1 - share) / share of the last one's cost.
    needed = (1 - REDRAW_SHARE) / REDRAW_SHARE
    assert spent["train"] >= needed * (spent["draw"] - 2 * spent["largest draw"])
    assert app.session.epoch >= spent["draws"]  # several epochs between two redraws

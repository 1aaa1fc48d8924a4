"""What the page needs beyond the widgets to be usable without a mouse, without sight, calmly.

:class:`PageSupport` is one small invisible widget in the app: a polite live region
(:meth:`PageSupport.say`) through which the app announces what a sighted user sees
change — the epoch and the losses at a calm rate while training runs
(:data:`ANNOUNCE_SECONDS`), a pause, a reached goal, an error, a point added, a neuron
inspected; the user's ``prefers-reduced-motion`` (``reduced_motion``, reported by the
browser); accessible names and states the ipywidgets controls lack (a slider's name,
``aria-pressed`` on toggles, :meth:`PageSupport.name` for any other control); and the
CSS for a focus ring of at least 3:1 and the Play button's contrast.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

import anywidget
import ipywidgets as widgets
import traitlets

from .frontend import PAGE_CSS, PAGE_ESM

__all__ = ["ANNOUNCE_SECONDS", "REDUCED_MOTION_REDRAWS", "PageSupport"]

ANNOUNCE_SECONDS = 5.0
"""While training runs, progress is announced at most this often (events at once)."""
REDUCED_MOTION_REDRAWS = 0.5
"""Redraws per second while training runs when the user prefers reduced motion: the pictures
change in steps, one every two seconds, instead of moving."""


class PageSupport(anywidget.AnyWidget):
    """The live region, the reduced-motion preference and the controls' missing names.

    >>> page = PageSupport()
    >>> page.say("Paused at epoch 12")
    >>> page.announcement["text"]
    'Paused at epoch 12'
    >>> page.progress("Epoch 13", now=100.0), page.progress("Epoch 14", now=101.0)
    (True, False)
    """

    _esm = PAGE_ESM
    _css = PAGE_CSS
    announcement = traitlets.Dict({"text": "", "n": 0}).tag(sync=True)
    reduced_motion = traitlets.Bool(False).tag(sync=True)
    names = traitlets.Dict({}).tag(sync=True)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._count = itertools.count(1)
        self._lock = threading.Lock()
        self._last_progress = -float("inf")

    def say(self, text: str) -> None:
        """Announce ``text`` now (the live region is polite: after what is being read)."""
        with self._lock:
            self.announcement = {"text": text, "n": next(self._count)}

    def progress(self, text: str | Callable[[], str], now: float | None = None) -> bool:
        """Announce ``text`` (or what it returns, computed only then) unless progress was
        announced less than ANNOUNCE_SECONDS ago; whether it was."""
        moment = time.monotonic() if now is None else now
        if moment - self._last_progress < ANNOUNCE_SECONDS:
            return False
        self._last_progress = moment
        self.say(text if isinstance(text, str) else text())
        return True

    def name(self, widget: widgets.DOMWidget, text: str) -> None:
        """Give ``widget``'s control the accessible name ``text`` (for controls without a
        visible label). Widgets given the same name share one class, so controls made
        again and again (a layer row's buttons) do not grow the list."""
        known = {name: css_class for css_class, name in self.names.items()}
        css_class = known.get(text, f"mg-named-{len(self.names) + 1}")
        widget.add_class(css_class)
        if text not in known:
            self.names = {**self.names, css_class: text}

"""Whether anybody can see the app: Play trains only while one of its views is shown.

:class:`PageVisibility` is a small anywidget placed inside the app. Each view
of it (the app shown in a notebook, a second view of the same output, the
Voilà page) reports to Python whether it is **shown**, and reports again on
each change:

- the page or browser tab is hidden (the Page Visibility API's
  ``document.visibilityState``: another tab in front, the window minimised);
- the app is not rendered: JupyterLab hides a notebook whose tab is not the
  front one in its dock area (with ``display: none``, a zero scale or
  ``content-visibility: hidden``, by its "hidden mode" setting), or the output
  was collapsed;
- the view is closed (the notebook closed, the output cleared, the page left).

Scrolling the app out of view does not count as hidden: a student reading
the next cell still sees the loss fall when they scroll back.

Python holds one state per view. Play runs while at least one view is
shown, or while no view has ever reported (a notebook run without a front
end, nbclient, clicks from code): only views that once appeared can vote
Play into waiting. A Play that waits blocks on an event, using no CPU; the
first view shown wakes it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

__all__ = ["PageVisibility"]

VIEW_STATES = ("shown", "hidden", "closed")


class PageVisibility(anywidget.AnyWidget):
    """Reports whether any view of the app is shown (see the module's docstring).

    ``on_change`` is called (from the kernel's thread that received the message)
    each time :attr:`shown` may have changed; ``held`` is True while Play waits
    for a view to be shown (the page sets ``data-held`` on the widget's element).

    >>> visibility = PageVisibility()
    >>> visibility.shown  # no view has reported: nothing to wait for
    True
    >>> visibility.report("view-1", "hidden")
    >>> visibility.shown
    False
    >>> visibility.report("view-2", "shown")
    >>> visibility.shown
    True
    """

    _esm = """
    function render({ model, el }) {
      el.style.height = "0";
      el.style.overflow = "hidden";
      el.classList.add("mg-visibility");
      const view = Math.random().toString(36).slice(2) + Date.now().toString(36);
      const target = () => el.parentElement || el;
      const current = () => {
        if (document.visibilityState === "hidden") return "hidden";
        const node = target();
        if (!node.isConnected) return "hidden";
        if (node.checkVisibility && !node.checkVisibility({ visibilityProperty: true })) {
          return "hidden";
        }
        const box = node.getBoundingClientRect();
        return box.width > 0 && box.height > 0 ? "shown" : "hidden";
      };
      let last = null;
      const report = (state) => {
        if (state === last) return;
        last = state;
        model.send({ view, state });
      };
      const intersection = new IntersectionObserver(() => check());
      const resize = new ResizeObserver(() => check());
      let observed = null;
      const check = () => {
        const node = target();  // the app's box, once this view is attached to it
        if (node !== observed) {
          if (observed) { intersection.unobserve(observed); resize.unobserve(observed); }
          intersection.observe(node);
          resize.observe(node);
          observed = node;
        }
        report(current());
      };
      const held = () => { el.dataset.held = model.get("held") ? "true" : "false"; };
      held();
      model.on("change:held", held);
      document.addEventListener("visibilitychange", check);
      const leave = () => report("closed");
      window.addEventListener("pagehide", leave);
      setTimeout(check, 0);
      const poll = setInterval(check, 2000);
      return () => {
        clearInterval(poll);
        intersection.disconnect();
        resize.disconnect();
        document.removeEventListener("visibilitychange", check);
        window.removeEventListener("pagehide", leave);
        model.off("change:held", held);
        report("closed");
      };
    }
    export default { render };
    """
    held = traitlets.Bool(False).tag(sync=True)

    def __init__(self, on_change: Callable[[], None] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._views: dict[str, bool] = {}
        self._seen = False
        self._lock = threading.Lock()
        self._on_change = on_change
        self.on_msg(self._received)

    @property
    def shown(self) -> bool:
        """True while a view is shown, or while no view has ever reported."""
        with self._lock:
            return not self._seen or any(self._views.values())

    def report(self, view: str, state: str) -> None:
        """Record that ``view`` is now ``"shown"``, ``"hidden"`` or ``"closed"`` (what each
        view's JavaScript sends); ``ValueError`` for another state."""
        if state not in VIEW_STATES:
            raise ValueError(f"a view's state is one of {VIEW_STATES}, got {state!r}")
        with self._lock:
            self._seen = True
            if state == "closed":
                self._views.pop(view, None)
            else:
                self._views[view] = state == "shown"
        if self._on_change is not None:
            self._on_change()

    def _received(self, _: Any, content: Any, buffers: Any) -> None:
        state = content.get("state") if isinstance(content, dict) else None
        if state in VIEW_STATES and isinstance(content.get("view"), str):
            self.report(content["view"], state)  # other messages: not this version's, ignored

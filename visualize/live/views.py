"""The app's two small front-end pieces (anywidgets): a clickable SVG and the page's URL.

Plain ipywidgets can neither report where an SVG was clicked nor change the
page's address; these two widgets do, in a few lines of JavaScript each.
"""

from __future__ import annotations

from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

__all__ = ["SvgView", "UrlState", "button"]


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


class UrlState(anywidget.AnyWidget):
    """Keeps the page's URL query equal to ``query`` (``history.replaceState``, no reload).

    Only when ``active`` (the served page; in JupyterLab the URL is JupyterLab's).
    The page reports its own address, without the query, in ``base``.
    """

    _esm = """
    function render({ model, el }) {
      el.style.display = "none";
      const sync = () => {
        if (!model.get("active")) return;
        const query = model.get("query");
        const address = window.location.pathname + (query ? "?" + query : "");
        window.history.replaceState(null, "", address);
      };
      model.set("base", window.location.origin + window.location.pathname);
      model.save_changes();
      sync();
      model.on("change:query", sync);
    }
    export default { render };
    """
    query = traitlets.Unicode("").tag(sync=True)
    active = traitlets.Bool(False).tag(sync=True)
    base = traitlets.Unicode("").tag(sync=True)


def button(description: str, **kwargs: Any) -> widgets.Button:
    """A button as wide as its text."""
    return widgets.Button(description=description, layout=widgets.Layout(width="auto"), **kwargs)

"""The app's small front-end pieces (anywidgets): a clickable, keyboard-reachable SVG and the
page's URL.

Plain ipywidgets can neither report where an SVG was clicked nor change the
page's address; these two widgets do. Their JavaScript is in
:mod:`~micrograd_edu.visualize.live.frontend`.
"""

from __future__ import annotations

import html
from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

from .frontend import SVG_VIEW_ESM

__all__ = ["SvgView", "UrlState", "button", "heading"]


class SvgView(anywidget.AnyWidget):
    """An SVG picture that tells Python what was clicked or chosen by keyboard, with its text.

    ``click`` becomes ``{"neuron": "layer,index"}`` for an element with ``data-neuron``,
    ``{"weight": "layer,neuron,input"}`` for one with ``data-weight``, ``{"point":
    "training:17"}`` for a point chosen by keyboard, or ``{"x": fx, "y": fy}`` (fractions
    of the plane's width and height) for the element with ``data-plane`` or the keyboard's
    cursor; ``"t"`` makes each click new.

    The keyboard (:data:`SVG_VIEW_ESM`): each ``[data-roving]`` group of items with
    ``data-key`` is one tab stop (a roving tabindex); arrow keys move between neighbours
    (``data-roving="columns"``: Up/Down within a ``data-col``, Left/Right to the item named
    by ``data-left``/``data-right``; ``"spatial"``: the nearest item that way; PageUp/PageDown
    the previous/next, Home/End the first/last); Enter or Space chooses; Escape moves the
    focus past the picture. The cursor (``.mg-cursor``) moves by arrows. The focused item's
    note (``data-note``, else its name and description) is shown below the picture, for
    whoever cannot hover. A redraw of the same layout (``data-layout``) updates the
    elements in place, so the focus stays where it is.

    ``text`` (HTML) is the picture in words, shown below it under ``summary`` in a
    disclosure (its open state survives redraws).
    """

    _esm = SVG_VIEW_ESM
    svg = traitlets.Unicode("").tag(sync=True)
    click = traitlets.Dict({}).tag(sync=True)
    text = traitlets.Unicode("").tag(sync=True)
    summary = traitlets.Unicode("In words").tag(sync=True)


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


def heading(title: str, after: str = "") -> widgets.HTML:
    """A panel's title as a heading (a screen reader jumps between the panels by heading),
    drawn as the bold line it was; ``after`` follows it on the same line (HTML-escaped).

    >>> heading("DATA").value
    '<h2 class="mg-heading">DATA</h2>'
    """
    tail = f"<span> {html.escape(after)}</span>" if after else ""
    return widgets.HTML(f'<h2 class="mg-heading">{html.escape(title)}</h2>{tail}')

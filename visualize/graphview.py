"""What :func:`~micrograd_edu.visualize.draw_graph` returns, and how it is shown.

A :class:`ComputationGraph` is a ``graphviz.Digraph`` that renders through
:mod:`~micrograd_edu.visualize.renderer` (a system ``dot`` or ``graphviz-pure``, no PATH
set-up) and shows itself:

- inline in a notebook, as HTML that a keyboard and a screen reader can use
  (:meth:`ComputationGraph.html_fragment`): the drawing, fitted to the output area
  (:func:`fit_to_width`), whose nodes take the focus and carry their names
  (:mod:`~micrograd_edu.visualize.interactive`), then "The graph as text"
  (:mod:`~micrograd_edu.visualize.outline`);
- as a complete HTML page that works offline (:meth:`ComputationGraph.html_page`);
- as SVG, PNG or PDF bytes and files, written atomically
  (:meth:`ComputationGraph.pipe`, :meth:`ComputationGraph.render`).

The drawing itself — which node is drawn how — is :mod:`~micrograd_edu.visualize.graph`'s.
This module imports neither NumPy nor matplotlib.
"""

from __future__ import annotations

import html
import os
import re
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import graphviz

from micrograd_edu import Value
from micrograd_edu._support import strict_json
from micrograd_edu._support.files import write_atomically

from . import interactive
from .outline import NodeText, outline_html
from .renderer import render

__all__ = ["MIN_SCALE", "ComputationGraph", "fit_to_width"]


class ComputationGraph(graphviz.Digraph):  # type: ignore[misc]
    """A ``graphviz.Digraph`` that renders through :mod:`micrograd_edu.visualize.renderer`.

    It displays inline in Jupyter and renders to SVG/PNG with a system ``dot``
    or with ``graphviz-pure``, without any PATH set-up. The graphs of
    :func:`~micrograd_edu.visualize.backward.backward_steps` also carry a ``caption`` (what
    that step did) and the ``current`` node.
    """

    caption: str = ""
    current: Value | None = None
    texts: tuple[NodeText, ...] = ()
    """Every node in words (:func:`~micrograd_edu.visualize.outline.node_texts`), forward order."""
    drawn_names: dict[str, str] = {}  # noqa: RUF012  (replaced, never changed in place)
    """Each node's accessible name in the drawing, by key: what the node shows, then its kind
    (WCAG 2.5.3: the visible text is part of the name)."""
    rankdir: str = "LR"

    @property
    def summary(self) -> str:
        """The picture's accessible name: what it shows, in numbers."""
        kinds = [text.kind for text in self.texts]
        edges = sum(len(text.inputs) for text in self.texts)
        output = next((text.name for text in self.texts if text.output), "")
        return (
            f"Computation graph of {output}: {len(kinds)} values ({kinds.count('input')} inputs, "
            f"{kinds.count('parameter')} parameters, {kinds.count('computed')} computed) and "
            f"{edges} edges"
        )

    def accessible_svg(self, svg: str | None = None) -> str:
        """The drawing (``svg``, rendered if not given) as inline SVG whose nodes carry their
        names and descriptions (:func:`~micrograd_edu.visualize.interactive.graph_svg`),
        fitted to its container."""
        if svg is None:
            svg = render(self.source, "svg").decode("utf-8")
        if self.texts:
            svg = interactive.graph_svg(
                svg, self.texts, self.rankdir, self.summary, self.drawn_names
            )
        return fit_to_width(svg)

    def view_html(self, uid: str, svg: str | None = None) -> str:
        """The accessible drawing, then the graph as text (items ``{uid}-v0``, …); a graph
        that was not drawn by :func:`draw_graph` (no ``texts``) has the drawing only."""
        text = outline_html(self.texts, uid) if self.texts else ""
        return self.accessible_svg(svg) + interactive.note_html() + text

    def html_fragment(self, svg: str | None = None) -> str:
        """The graph as HTML for a notebook or a page: the drawing (its nodes reached by
        keyboard, the focused node's formulas written below it), then the graph as text."""
        uid = f"mg-graph-{uuid.uuid4().hex[:12]}"
        return (
            f'<div class="mg-pictures mg-graph-view" id="{uid}">{interactive.style()}'
            f"{self.view_html(uid, svg)}"
            f'<p class="mg-keys">{html.escape(interactive.GRAPH_KEYS)}</p>'
            f"</div>{interactive.script(strict_json.dumps(uid))}"
        )

    def html_page(self, title: str = "Computation graph") -> str:
        """A complete HTML document of :meth:`html_fragment` that works offline."""
        return interactive.page_html(title, self.html_fragment())

    def _repr_mimebundle_(
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **ignored: Any,
    ) -> dict[str, str]:
        """Inline display: HTML that fits the output area (and the SVG itself).

        Notebook front ends (JupyterLab, Notebook 7, VS Code) prefer the HTML,
        in which the graph shrinks to the width of the output area, can be read
        by keyboard and has its text version (:meth:`html_fragment`); an image
        viewer gets the plain SVG at its natural size, like ``.render()``.
        """
        svg = render(self.source, "svg").decode("utf-8")
        bundle = {"text/html": self.html_fragment(svg), "image/svg+xml": svg}
        wanted = set(bundle if include is None else include) - set(exclude or ())
        return {mime: data for mime, data in bundle.items() if mime in wanted}

    def pipe(
        self, format: str | None = None, *args: Any, encoding: str | None = None, **kwargs: Any
    ) -> bytes | str:
        """The rendered graph as bytes (or text, given an ``encoding``)."""
        data = render(self.source, format or self.format)
        return data.decode(encoding) if encoding else data

    def render(
        self,
        filename: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        *,
        outfile: str | os.PathLike[str] | None = None,
        **ignored: Any,
    ) -> str:
        """Write the picture (and, unless ``cleanup``, the DOT source) atomically.

        ``render("graph", format="svg")`` writes ``graph`` (DOT) and
        ``graph.svg``; ``render(outfile="graph.png")`` writes just the PNG,
        taking the format from the suffix. Returns the picture's path.
        """
        if view:
            raise ValueError("view=True is not supported; open the returned file instead")
        if outfile is not None:
            target = Path(outfile)
            fmt = format or target.suffix.lstrip(".") or self.format
        else:
            fmt = format or self.format
            base = Path(directory or self.directory or ".") / (filename or self.filename or "graph")
            target = base.with_name(f"{base.name}.{fmt}")
            if not cleanup:
                write_atomically(base, self.source.encode("utf-8"))
        write_atomically(target, render(self.source, fmt))
        return str(target)


MIN_SCALE = 0.5
"""Inline graphs shrink to fit the output area down to this fraction of their
natural size; a wider graph keeps that scale and its box scrolls sideways."""

_SVG_WIDTH = re.compile(r'<svg\b[^>]*?\bwidth="([0-9.]+)(pt|px)?"')


def fit_to_width(svg: str, min_scale: float = MIN_SCALE) -> str:
    """An SVG document as an inline HTML block that fits the width of its container.

    The ``<svg>`` keeps its aspect ratio (``height: auto`` with its viewBox)
    and shrinks to the container's width, but not below ``min_scale`` of its
    natural width: a wider graph stays readable and its box scrolls, with a
    visible scrollbar.
    """
    svg = svg[svg.index("<svg") :]  # drop the XML prologue and DOCTYPE
    match = _SVG_WIDTH.search(svg)
    min_width = (
        f"min-width: {float(match.group(1)) * min_scale:.0f}{match.group(2) or 'px'}; "
        if match
        else ""
    )
    style = f'style="max-width: 100%; height: auto; {min_width}display: block"'
    return (
        '<div class="mg-graph" style="max-width: 100%; overflow-x: auto">'
        + svg.replace("<svg", f"<svg {style}", 1)
        + "</div>"
    )

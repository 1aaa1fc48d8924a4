# ruff: noqa: E501  (the JavaScript and CSS below are text, formatted as JavaScript)
"""The pictures' HTML for the keyboard and screen readers: graphs, players, their script and CSS.

What :func:`~micrograd_edu.visualize.draw_graph`'s HTML and the players
(:mod:`~micrograd_edu.visualize.backward`, :mod:`~micrograd_edu.visualize.explain`,
:mod:`~micrograd_edu.visualize.onestep`, the CartPole player of
:mod:`~micrograd_edu.visualize.rl`) share:

- :func:`graph_svg` marks a Graphviz drawing's nodes with their names and descriptions from
  :mod:`~micrograd_edu.visualize.outline` (the picture is one image for a screen reader until
  the script makes its nodes buttons; ops and edges are hidden, the text says them);
- :func:`note_html`: under each picture, where the focused (or hovered) item's name and
  formulas are written;
- :data:`PICTURES_JS`, run on each picture: its items take the focus with a roving tab index
  (one tab stop), the arrow keys follow the picture's edges (graphs: ← an input, → a
  consumer, ↑ ↓ the other inputs of the same consumer, for ``rankdir="LR"``) or its
  neighbours, Home and End go to the first value and the output, Enter or Space opens the
  item's entry in the text version, Escape leaves the picture (and, in the text, goes back
  to the item); the focused (or hovered) item's formulas are written below the picture;
  in a player, Page Up and Page Down step while the focus stays on the same item, the step
  is announced in a polite live region, Play is a toggle (``aria-pressed``), and a player
  made with ``autoplay=True`` does not start when the user prefers reduced motion;
- :data:`PICTURES_CSS`: a focus ring of 3 px in :data:`~.palette.FOCUS_RING` (6.7:1 on
  white) on every control and, on a white halo, around every item of a picture.

Without script (an untrusted notebook) the picture stays an image with a name, and its text
version, a ``<details>`` element, works as plain HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping

from .outline import NodeText
from .palette import FOCUS_RING

__all__ = [
    "GRAPH_KEYS",
    "PICTURES_CSS",
    "PICTURES_JS",
    "graph_svg",
    "item_attributes",
    "note_html",
    "page_html",
    "script",
    "style",
]

GRAPH_KEYS = (
    "Keyboard: Tab to the picture; arrow keys follow its edges (← an input, → a consumer, "
    "↑ ↓ the other inputs of the same node), Home and End: the first value and the output; "
    "Enter: this value in the text version; Escape: leave the picture."
)
"""The keys of a graph drawn left to right, as the page writes them while it has the focus."""

PICTURES_CSS = f"""
.mg-pictures button:focus-visible, .mg-pictures summary:focus-visible, .mg-pictures a:focus-visible,
.mg-pictures .mg-text-item:focus {{ outline: 3px solid {FOCUS_RING}; outline-offset: 2px; }}
.mg-pictures svg .mg-item:focus {{ outline: none; }}
.mg-pictures svg .mg-focus-ring, .mg-pictures svg .mg-focus-ring-inner {{ visibility: hidden; pointer-events: none; }}
.mg-pictures svg .mg-item:focus > .mg-focus-ring, .mg-pictures svg .mg-item:focus > .mg-focus-ring-inner {{ visibility: visible; }}
.mg-pictures .mg-sr-only {{ position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }}
.mg-pictures .mg-keys {{ display: none; margin: 0.2em 0; font-size: 0.85em; color: #374151; max-width: 60em; }}
.mg-pictures:focus-within .mg-keys {{ display: block; }}
.mg-pictures .mg-note {{ min-height: 1.3em; margin: 0.3em 0; max-width: 60em; }}
.mg-pictures button[aria-pressed="true"] {{ background: {FOCUS_RING}; color: #ffffff; border-color: {FOCUS_RING}; }}
.mg-pictures details.mg-text {{ max-width: 60em; margin: 0.3em 0; }}
.mg-pictures details.mg-text summary {{ cursor: pointer; }}
.mg-pictures .mg-text li {{ margin: 2px 0; }}
@media (prefers-reduced-motion: reduce) {{
  .mg-pictures *, .mg-pictures *::before, .mg-pictures *::after {{
    transition: none !important; animation: none !important; scroll-behavior: auto !important; }}
}}
"""

PICTURES_JS = r"""
function mgPictures(root, options) {
  options = options || {};
  const NS = "http://www.w3.org/2000/svg";
  const status = root.querySelector(".mg-status");
  const state = { key: null, via: null };
  const boxes = () => [...root.querySelectorAll("[data-roving]")];
  const itemsOf = (box) => [...box.querySelectorAll(".mg-item")];
  const find = (scope, key, what) =>
    key ? scope.querySelector(`${what || ".mg-item"}[data-key="${CSS.escape(key)}"]`) : null;
  const list = (text) => (text || "").split(" ").filter(Boolean);
  const viewOf = (e) => e.closest(".mg-view") || root;  // a player's frame, or the picture
  const shown = (e) => e.getClientRects().length > 0;

  for (const box of boxes()) {
    box.setAttribute("role", "group");
    for (const item of itemsOf(box)) { item.setAttribute("role", "button"); item.setAttribute("tabindex", "-1"); }
  }
  function roving() {
    for (const box of boxes()) {
      const items = itemsOf(box);
      if (!items.length) continue;
      const chosen = find(box, state.key) || items.find((e) => e.getAttribute("data-start") === "1") || items[0];
      for (const e of items) e.setAttribute("tabindex", e === chosen ? "0" : "-1");
    }
  }
  function ring(item) {
    if (item.querySelector(":scope > .mg-focus-ring")) return;
    const line = item.getAttribute("data-shape") === "line" ? item.querySelector("line.mg-edge") : null;
    const make = (color, width) => {
      let e;
      if (line) {
        e = line.cloneNode(false);
        e.removeAttribute("stroke-dasharray");
        e.removeAttribute("class");
        e.removeAttribute("data-param");
      } else {
        const b = item.getBBox();
        e = document.createElementNS(NS, "rect");
        e.setAttribute("x", b.x - 4); e.setAttribute("y", b.y - 4);
        e.setAttribute("width", b.width + 8); e.setAttribute("height", b.height + 8);
        e.setAttribute("rx", 3); e.setAttribute("fill", "none");
      }
      e.setAttribute("stroke", color);
      e.setAttribute("stroke-width", String(width));
      return e;
    };
    const width = line ? Number(line.getAttribute("stroke-width") || 1) : 0;
    const halo = make("#ffffff", width + 9);
    halo.setAttribute("class", "mg-focus-ring");
    const inner = make("%(ring)s", line ? width + 4 : 3);
    inner.setAttribute("class", "mg-focus-ring-inner");
    if (line) { inner.setAttribute("stroke-opacity", "0.9"); }
    item.append(halo, inner);
  }
  function say(item) {
    const notes = item ? [viewOf(item).querySelector(".mg-note")] : [...root.querySelectorAll(".mg-note")];
    for (const note of notes.filter(Boolean)) {
      note.textContent = item ? [item.getAttribute("aria-label"), item.getAttribute("aria-description")]
        .filter(Boolean).join(". ") : "";
    }
  }
  const DIRECTIONS = {
    LR: { ArrowLeft: "in", ArrowRight: "out", ArrowUp: "prev", ArrowDown: "next" },
    RL: { ArrowRight: "in", ArrowLeft: "out", ArrowUp: "prev", ArrowDown: "next" },
    TB: { ArrowUp: "in", ArrowDown: "out", ArrowLeft: "prev", ArrowRight: "next" },
    BT: { ArrowDown: "in", ArrowUp: "out", ArrowLeft: "prev", ArrowRight: "next" },
  };
  function neighbour(box, item, key) {
    const layout = box.getAttribute("data-roving");
    if (!layout.startsWith("graph")) {
      const side = { ArrowLeft: "left", ArrowRight: "right", ArrowUp: "up", ArrowDown: "down" }[key];
      return find(box, item.getAttribute(`data-${side}`));
    }
    const move = DIRECTIONS[layout.split(":")[1] || "LR"][key];
    const inputs = list(item.getAttribute("data-inputs"));
    const consumers = list(item.getAttribute("data-consumers"));
    if (move === "in") return inputs.length ? [find(box, inputs[0]), item.getAttribute("data-key")] : null;
    if (move === "out") {
      const back = consumers.includes(state.via) ? state.via : consumers[0];
      return back ? [find(box, back), null] : null;
    }
    const parent = find(box, state.via) || find(box, consumers[0]);
    if (!parent) return null;
    const siblings = list(parent.getAttribute("data-inputs"));
    const next = siblings[siblings.indexOf(item.getAttribute("data-key")) + (move === "next" ? 1 : -1)];
    return next ? [find(box, next), state.via] : null;
  }
  function go(target, via) {
    if (!target) return;
    state.key = target.getAttribute("data-key");
    state.via = via === undefined ? null : via;
    roving();
    target.focus();
  }
  function leave(from) {
    const selector = "a[href], button, input, select, textarea, summary, [tabindex='0']";
    const after = [...document.querySelectorAll(selector)].filter((e) =>
      !from.contains(e) && !e.disabled && shown(e)
      && (from.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING));
    if (after.length) after[0].focus(); else document.activeElement.blur();
  }
  function openText(item) {
    const view = viewOf(item);
    const details = view.querySelector("details.mg-text");
    const entry = details && find(details, item.getAttribute("data-key"), ".mg-text-item");
    if (!entry) return;
    details.open = true;
    entry.focus();
    entry.scrollIntoView({ block: "nearest" });
  }
  root.addEventListener("keydown", (event) => {
    const item = event.target.closest && event.target.closest(".mg-item");
    const box = item && item.closest("[data-roving]");
    if (box && root.contains(box)) { pictureKey(event, box, item); return; }
    const entry = event.target.closest && event.target.closest(".mg-text-item");
    if (entry && event.key === "Escape") {
      const back = find(viewOf(entry), entry.getAttribute("data-key"));
      if (back && shown(back)) { event.preventDefault(); go(back); }
    }
  });
  function pictureKey(event, box, item) {
    let found = null;
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); openText(item); return; }
    if (event.key === "Escape") { event.preventDefault(); leave(box); return; }
    if ((event.key === "PageDown" || event.key === "PageUp") && root.mgStep) {
      event.preventDefault(); root.mgStep(event.key === "PageDown" ? 1 : -1); return;
    }
    if (event.key.startsWith("Arrow")) found = neighbour(box, item, event.key);
    else if (event.key === "Home" || event.key === "End") {
      const items = itemsOf(box).sort((a, b) => Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order")));
      found = [event.key === "Home" ? items[0] : items[items.length - 1], null];
    } else return;
    event.preventDefault();
    if (!found) return;
    if (Array.isArray(found)) go(found[0], found[1]); else go(found);
  }
  root.addEventListener("focusin", (event) => {
    const item = event.target.closest && event.target.closest(".mg-item");
    if (item) { ring(item); state.key = item.getAttribute("data-key"); roving(); say(item); return; }
    const entry = event.target.closest && event.target.closest(".mg-text-item");
    if (entry && find(viewOf(entry), entry.getAttribute("data-key"))) { state.key = entry.getAttribute("data-key"); roving(); }
  });
  root.addEventListener("focusout", () => say(null));
  root.addEventListener("mouseover", (event) => {
    const item = event.target.closest && event.target.closest(".mg-item");
    if (item) say(item);
  });
  root.addEventListener("mouseout", (event) => {
    const item = event.target.closest && event.target.closest(".mg-item");
    if (item && !item.contains(event.relatedTarget)) say(root.contains(document.activeElement)
      && document.activeElement.closest(".mg-item") ? document.activeElement.closest(".mg-item") : null);
  });
  root.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest(".mg-text a[data-key]");
    if (link) {
      event.preventDefault();
      const entry = find(viewOf(link), link.getAttribute("data-key"), ".mg-text-item");
      if (entry) { entry.focus(); entry.scrollIntoView({ block: "nearest" }); }
      return;
    }
    const item = event.target.closest && event.target.closest(".mg-item");
    if (item) { state.via = null; item.focus(); }
  });
  roving();
  if (root.classList.contains("mg-player")) player();

  function player() {
    const frames = [...root.querySelectorAll(".mg-frame")];
    const captions = options.captions || [];
    const counter = root.querySelector(".mg-counter");
    const caption = root.querySelector(".mg-caption");
    const playButton = root.querySelector('[data-action="play"]');
    const last = frames.length - 1;
    let current = 0, timer = null;
    const where = () => `Step ${current} of ${last}`;
    function show(i, announce) {
      const before = frames[current];
      const active = document.activeElement;
      const item = before && before.contains(active) && active.closest(".mg-item, .mg-text-item");
      const open = before && before.querySelector("details.mg-text") && before.querySelector("details.mg-text").open;
      current = Math.max(0, Math.min(last, i));
      frames.forEach((frame, k) => { frame.style.display = k === current ? "" : "none"; });
      counter.textContent = where();
      caption.textContent = captions[current] || "";
      root.setAttribute("data-frame", String(current));
      const now = frames[current];
      const details = now.querySelector("details.mg-text");
      if (details && open) details.open = true;
      if (announce && status) status.textContent = `${where()}: ${captions[current] || ""}`;
      if (item && before !== now) {
        const what = item.classList.contains("mg-item") ? ".mg-item" : ".mg-text-item";
        const again = find(now, item.getAttribute("data-key"), what);
        if (again) { if (details && what !== ".mg-item") details.open = true; again.focus(); }
        else if (playButton) playButton.focus();
      }
      roving();
    }
    function stop(announce) {
      if (timer) { clearInterval(timer); timer = null; }
      if (playButton) playButton.setAttribute("aria-pressed", "false");
      if (announce && status) status.textContent = `Paused at ${where().toLowerCase()}: ${captions[current] || ""}`;
    }
    function play() {
      if (timer) { stop(true); return; }
      if (current === last) show(0, false);
      playButton.setAttribute("aria-pressed", "true");
      if (status) status.textContent = `Playing from ${where().toLowerCase()}`;
      timer = setInterval(() => {
        if (current >= last) {
          stop(false);
          if (status) status.textContent = `Finished at ${where().toLowerCase()}: ${captions[current] || ""}`;
        } else show(current + 1, false);
      }, options.interval || 1200);
    }
    root.mgStep = (delta) => { stop(false); show(current + delta, true); };
    root.addEventListener("click", (event) => {
      const button = event.target.closest && event.target.closest("[data-action]");
      if (!button) return;
      const action = button.getAttribute("data-action");
      if (action === "first") { stop(false); show(0, true); }
      if (action === "prev") { stop(false); show(current - 1, true); }
      if (action === "next") { stop(false); show(current + 1, true); }
      if (action === "last") { stop(false); show(last, true); }
      if (action === "play") play();
    });
    const reduced = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
    if (reduced && reduced.addEventListener) reduced.addEventListener("change", (e) => { if (e.matches) stop(true); });
    show(0, false);
    root.setAttribute("data-autoplay", options.autoplay ? (reduced && reduced.matches ? "held" : "started") : "off");
    if (options.autoplay && !(reduced && reduced.matches)) play();
  }
}
""".replace("%(ring)s", FOCUS_RING)
"""The script of every picture: ``mgPictures(root, {captions, interval, autoplay})``."""


def style() -> str:
    """The ``<style>`` element of the pictures (repeated in each output: each stands alone)."""
    return f"<style>{PICTURES_CSS}</style>"


def note_html() -> str:
    """The line under a picture that shows the focused item's numbers (hidden from screen
    readers: the item's own name and description say them)."""
    return '<p class="mg-note" aria-hidden="true"></p>'


def page_html(title: str, body: str) -> str:
    """``body`` in a complete HTML document titled ``title``, under a heading, in a ``<main>``.

    >>> page_html("A & B", "<p>hi</p>").splitlines()[4]
    '<title>A &amp; B</title>'
    """
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<main>\n"
        f'<h1 style="font-family: Helvetica, Arial, sans-serif">{html.escape(title)}</h1>\n'
        f"{body}\n</main>\n</body>\n</html>\n"
    )


def script(uid_json: str, options_json: str = "{}") -> str:
    """The ``<script>`` that runs :data:`PICTURES_JS` on the element whose id is ``uid_json``
    (a JSON string, safe in a script: :func:`~.backward.script_json`)."""
    return (
        f"<script>\n(function () {{\n{PICTURES_JS}\n"
        f"  mgPictures(document.getElementById({uid_json}), {options_json});\n}})();\n</script>"
    )


def item_attributes(
    key: str, label: str, description: str = "", **data: str | int | Iterable[str]
) -> str:
    """The attributes of one item of a picture: ``class="mg-item"``, its key, its accessible
    name and description, and ``data-*`` attributes (a list is written space-separated)."""
    parts = [
        f'data-key="{html.escape(key)}"',
        f'aria-label="{html.escape(label)}"',
    ]
    if description:
        parts.append(f'aria-description="{html.escape(description)}"')
    for name, value in data.items():
        text = value if isinstance(value, (str, int)) else " ".join(value)
        parts.append(f'data-{name.replace("_", "-")}="{html.escape(str(text))}"')
    return " ".join(parts)


_NODE = re.compile(r'<g id="([^"]*)" class="node">(\s*<title>)([^<]*)</title>')
_EDGE = re.compile(r'<g id="([^"]*)" class="edge">')
_SVG = re.compile(r"<svg\b")


def graph_svg(
    svg: str,
    texts: Iterable[NodeText],
    rankdir: str,
    label: str,
    names: Mapping[str, str] | None = None,
) -> str:
    """A Graphviz drawing of a computation graph, its nodes marked for the keyboard and
    screen readers: each Value's ``<g>`` becomes an item (``mg-item``) named by ``names``
    (by key; default: :attr:`~.outline.NodeText.label`), described by its
    :class:`~.outline.NodeText`, with its edges as keys; ops and edges are hidden (each
    Value's name says its op; the text version lists the edges). The ``<svg>`` is an image
    named ``label`` until the script makes it a group of buttons."""
    names = names or {}
    by_key = {text.key: (i, text) for i, text in enumerate(texts)}

    def node(match: re.Match[str]) -> str:
        found = by_key.get(match.group(3))
        if found is None:  # an op's circle, or a node of another drawing
            return f'<g id="{match.group(1)}" class="node" aria-hidden="true">{match.group(2)}{match.group(3)}</title>'
        order, text = found
        attributes = item_attributes(
            text.key,
            names.get(text.key, text.label),
            text.description,
            order=order,
            inputs=[edge.key for edge in text.inputs],
            consumers=[edge.key for edge in text.consumers],
            start="1" if text.output else "0",
        )
        return f'<g id="{match.group(1)}" class="node mg-item" {attributes}>{match.group(2)}{text.key}</title>'

    svg = _NODE.sub(node, svg)
    svg = _EDGE.sub(lambda m: f'<g id="{m.group(1)}" class="edge" aria-hidden="true">', svg)
    return _SVG.sub(
        f'<svg role="img" aria-label="{html.escape(label)}" data-roving="graph:{rankdir}"', svg, 1
    )

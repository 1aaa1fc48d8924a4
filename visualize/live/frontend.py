# ruff: noqa: E501  (the JavaScript and CSS below are text, formatted as JavaScript)
"""The JavaScript and CSS of the app's front-end pieces (anywidget modules, as text).

- :data:`SVG_VIEW_ESM`: :class:`~micrograd_edu.visualize.live.views.SvgView` — draw an SVG
  (updating it in place when its layout is unchanged, so the keyboard focus stays), report
  clicks, move the focus between its items by keyboard (roving tabindex), move the plane's
  cursor, show the focused item's note, and show the picture in words.
- :data:`PAGE_ESM` and :data:`PAGE_CSS`: :class:`~micrograd_edu.visualize.live.accessibility.PageSupport`
  — a polite live region, the user's ``prefers-reduced-motion`` reported to Python,
  accessible names and ``aria-pressed`` added to ipywidgets' own controls, a focus ring of
  at least 3:1 everywhere, and no animation when motion is reduced.
"""

from __future__ import annotations

__all__ = ["PAGE_CSS", "PAGE_ESM", "SVG_VIEW_ESM"]

SVG_VIEW_ESM = r"""
function render({ model, el }) {
  el.classList.add("mg-svg-view");
  const holder = document.createElement("div");
  holder.className = "mg-svg-holder";
  const note = document.createElement("p");
  note.className = "mg-focus-note";
  note.setAttribute("aria-hidden", "true");  // the focused item's own name says it
  const details = document.createElement("details");
  details.className = "mg-text";
  const summary = document.createElement("summary");
  const body = document.createElement("div");
  body.className = "mg-text-body";
  details.append(summary, body);
  el.append(holder, note, details);
  const state = { current: {}, cursor: [0, 0] };
  const fmt = (v) => (Math.round(v * 100) / 100).toString().replace("-", "−");

  const items = (box) =>
    [...box.querySelectorAll("[data-key]")].filter((e) => e.closest("[data-roving]") === box);
  function applyRoving() {
    for (const box of holder.querySelectorAll("[data-roving]")) {
      const list = items(box);
      if (!list.length) continue;
      const name = box.getAttribute("data-roving");
      const current = list.find((e) => e.getAttribute("data-key") === state.current[name])
        || list.find((e) => e.getAttribute("tabindex") === "0") || list[0];
      for (const e of list) {
        const value = e === current ? "0" : "-1";
        if (e.getAttribute("tabindex") !== value) e.setAttribute("tabindex", value);
      }
    }
  }
  function cursorText(svg, x1, x2) {
    let text = `x1 ${fmt(x1)}, x2 ${fmt(x2)}`;
    const codes = svg.getAttribute("data-answers") || "";
    const names = JSON.parse(svg.getAttribute("data-answer-names") || "[]");
    const n = Math.round(Math.sqrt(codes.length));
    if (n > 1) {
      const column = Math.round(((x1 + 6) / 12) * (n - 1));
      const row = Math.round(((6 - x2) / 12) * (n - 1));
      const name = names[codes.charCodeAt(row * n + column) - 97];
      if (name) text += `: the network says ${name}`;
    }
    return text;
  }
  function applyCursor() {
    const cursor = holder.querySelector(".mg-cursor");
    if (!cursor) return;
    const size = Number(cursor.getAttribute("data-size"));
    const [x1, x2] = state.cursor;
    cursor.setAttribute("transform",
      `translate(${((x1 + 6) / 12) * size} ${((6 - x2) / 12) * size})`);
    cursor.setAttribute("aria-valuenow", x1.toFixed(1));
    cursor.setAttribute("aria-valuetext", cursorText(cursor.closest("svg"), x1, x2));
  }
  function showNote(target) {
    const item = target && target.closest ? target.closest("[data-key]") : null;
    if (!item || !holder.contains(item)) { note.textContent = ""; return; }
    const valuetext = item.getAttribute("aria-valuetext");
    const description = item.getAttribute("aria-description");
    note.textContent = item.getAttribute("data-note")
      || [item.getAttribute("aria-label"), valuetext || description].filter(Boolean).join(": ");
  }
  function patch(old, fresh) {
    // The same layout: copy attributes and texts in place (the focused element stays).
    const a = [old, ...old.querySelectorAll("*")];
    const b = [fresh, ...fresh.querySelectorAll("*")];
    if (a.length !== b.length || a.some((e, i) => e.tagName !== b[i].tagName)) return false;
    a.forEach((target, i) => {
      const source = b[i];
      const cursor = target.classList.contains("mg-cursor");
      for (const { name, value } of source.attributes) {
        if (name === "tabindex" || (cursor && (name === "transform" || name.startsWith("aria-value")))) continue;
        if (target.getAttribute(name) !== value) target.setAttribute(name, value);
      }
      for (const { name } of [...target.attributes]) {
        if (name !== "tabindex" && !source.hasAttribute(name)) target.removeAttribute(name);
      }
      if (!source.children.length && target.textContent !== source.textContent) {
        target.textContent = source.textContent;
      }
    });
    return true;
  }
  function draw() {
    const template = document.createElement("template");
    template.innerHTML = model.get("svg");
    const fresh = template.content.firstElementChild;
    const old = holder.firstElementChild;
    if (!fresh) { holder.replaceChildren(); return; }
    const sameLayout = old && old.getAttribute("data-layout")
      && old.getAttribute("data-layout") === fresh.getAttribute("data-layout");
    if (!(sameLayout && patch(old, fresh))) {
      const active = holder.contains(document.activeElement)
        ? document.activeElement.getAttribute("data-key") : null;
      holder.replaceChildren(fresh);
      if (active) {
        const again = holder.querySelector(`[data-key="${CSS.escape(active)}"]`);
        if (again) again.focus({ preventScroll: true });
      }
    }
    applyRoving();
    applyCursor();
    showNote(document.activeElement);
  }
  function drawText() {
    const text = model.get("text");
    details.hidden = !text;
    summary.textContent = model.get("summary");
    if (body.innerHTML !== text) body.innerHTML = text;
  }
  let pending = false;
  const later = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; draw(); drawText(); });
  };
  draw();
  drawText();
  model.on("change:svg", later);
  model.on("change:text", later);
  model.on("change:summary", later);

  const send = (click) => { model.set("click", { ...click, t: Date.now() }); model.save_changes(); };
  function choose(item) {
    if (item.hasAttribute("data-neuron")) send({ neuron: item.getAttribute("data-neuron") });
    else if (item.hasAttribute("data-weight")) send({ weight: item.getAttribute("data-weight") });
    else send({ point: item.getAttribute("data-key") });
  }
  function leave() {
    const selector = "a[href], button, input, select, textarea, summary, [tabindex='0'], [contenteditable='true']";
    const after = [...document.querySelectorAll(selector)].filter((e) =>
      !el.contains(e) && !e.disabled && e.getClientRects().length
      && (el.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING));
    if (after.length) after[0].focus(); else document.activeElement.blur();
  }
  function byColumns(box, item, key) {
    const list = items(box);
    if (key === "ArrowLeft" || key === "ArrowRight") {
      const target = item.getAttribute(key === "ArrowLeft" ? "data-left" : "data-right");
      return list.find((e) => e.getAttribute("data-key") === target) || item;
    }
    const column = list.filter((e) => e.getAttribute("data-col") === item.getAttribute("data-col"));
    return column[column.indexOf(item) + (key === "ArrowDown" ? 1 : -1)] || item;
  }
  function bySpace(box, item, key) {
    const x = Number(item.getAttribute("data-x"));
    const y = Number(item.getAttribute("data-y"));
    let best = item;
    let score = Infinity;
    for (const e of items(box)) {
      if (e === item) continue;
      const dx = Number(e.getAttribute("data-x")) - x;
      const dy = Number(e.getAttribute("data-y")) - y;
      const [along, across] = {
        ArrowRight: [dx, dy], ArrowLeft: [-dx, dy], ArrowDown: [dy, dx], ArrowUp: [-dy, dx],
      }[key];
      if (along <= 0 || Math.abs(across) > along) continue;  // only within 45° of that way
      const s = along + 2 * Math.abs(across);
      if (s < score) { score = s; best = e; }
    }
    return best;
  }
  function moveCursor(event, cursor) {
    const step = event.shiftKey ? 0.1 : 0.5;
    let [x1, x2] = state.cursor;
    const moves = { ArrowRight: [step, 0], ArrowLeft: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      send({ x: (x1 + 6) / 12, y: (6 - x2) / 12 });
      return;
    }
    if (event.key === "Escape") { event.preventDefault(); leave(); return; }
    if (event.key === "Home") { x1 = 0; x2 = 0; }
    else if (moves[event.key]) { x1 += moves[event.key][0]; x2 += moves[event.key][1]; }
    else return;
    event.preventDefault();
    const clamp = (v) => Math.max(-6, Math.min(6, Math.round(v * 10) / 10));
    state.cursor = [clamp(x1), clamp(x2)];
    applyCursor();
    showNote(cursor);
  }
  el.addEventListener("keydown", (event) => {
    const item = event.target.closest ? event.target.closest("[data-key]") : null;
    if (!item || !holder.contains(item)) return;
    if (item.classList.contains("mg-cursor")) { moveCursor(event, item); return; }
    const box = item.closest("[data-roving]");
    if (!box) return;
    const list = items(box);
    let next = null;
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(item); return; }
    if (event.key === "Escape") { event.preventDefault(); leave(); return; }
    if (event.key.startsWith("Arrow")) {
      next = box.getAttribute("data-roving") === "spatial"
        ? bySpace(box, item, event.key) : byColumns(box, item, event.key);
    } else if (event.key === "PageDown" || event.key === "PageUp") {
      next = list[list.indexOf(item) + (event.key === "PageDown" ? 1 : -1)] || item;
    } else if (event.key === "Home") next = list[0];
    else if (event.key === "End") next = list[list.length - 1];
    else return;
    event.preventDefault();
    state.current[box.getAttribute("data-roving")] = next.getAttribute("data-key");
    applyRoving();
    next.focus();
    showNote(next);
  });
  el.addEventListener("focusin", (event) => {
    const item = event.target.closest ? event.target.closest("[data-key]") : null;
    const box = item && item.closest("[data-roving]");
    if (box) { state.current[box.getAttribute("data-roving")] = item.getAttribute("data-key"); applyRoving(); }
    showNote(event.target);
  });
  el.addEventListener("focusout", () => { note.textContent = ""; });
  el.addEventListener("click", (event) => {
    for (const [attribute, name] of [["data-neuron", "neuron"], ["data-weight", "weight"]]) {
      const found = event.target.closest(`[${attribute}]`);
      if (found) { send({ [name]: found.getAttribute(attribute) }); return; }
    }
    const plane = event.target.closest("[data-plane]");
    if (plane) {
      const box = plane.getBoundingClientRect();
      send({ x: (event.clientX - box.left) / box.width, y: (event.clientY - box.top) / box.height });
    }
  });
}
export default { render };
"""

PAGE_ESM = r"""
function render({ model, el }) {
  el.classList.add("mg-sr-only");
  const status = document.createElement("div");
  status.className = "mg-announcer";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  status.setAttribute("aria-atomic", "true");
  el.append(status);
  model.on("change:announcement", () => { status.textContent = model.get("announcement").text || ""; });
  const query = window.matchMedia("(prefers-reduced-motion: reduce)");
  const report = () => { model.set("reduced_motion", query.matches); model.save_changes(); };
  report();
  query.addEventListener("change", report);

  const set = (e, name, value) => { if (e.getAttribute(name) !== value) e.setAttribute(name, value); };
  function patch(app) {
    for (const slider of app.querySelectorAll(".widget-slider")) {
      const label = (slider.querySelector(".widget-label") || {}).textContent || "";
      if (!label.trim()) continue;
      for (const handle of slider.querySelectorAll("[role=slider]")) set(handle, "aria-label", label.trim());
      for (const readout of slider.querySelectorAll(".widget-readout")) {
        set(readout, "aria-label", `${label.trim()}, typed value`);
        set(readout, "role", "textbox");
      }
    }
    for (const toggle of app.querySelectorAll(".widget-toggle-button")) {
      set(toggle, "aria-pressed", String(toggle.classList.contains("mod-active")));
    }
    const names = model.get("names");
    for (const [cls, name] of Object.entries(names)) {
      for (const box of app.querySelectorAll(`.${cls}`)) {
        const controls = box.matches("input, textarea, select, button") ? [box]
          : box.querySelectorAll("input, textarea, select, button, [role=slider]");
        for (const control of controls) set(control, "aria-label", name);
      }
    }
  }
  function start() {
    const app = el.closest(".mg-app");
    if (!app) { requestAnimationFrame(start); return; }
    let pending = false;
    const observer = new MutationObserver((records) => {
      if (records.every((r) => r.target.closest && r.target.closest(".mg-svg-holder"))) return;
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; patch(app); });
    });
    observer.observe(app, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
    patch(app);
  }
  start();
}
export default { render };
"""

PAGE_CSS = """
.mg-sr-only { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
/* ipywidgets' text boxes say "outline: none !important" on .widget-text input (0,2,1):
   the last selector outranks it, or Learning rate, Value and Save to show no focus. */
.mg-app :focus-visible, .mg-app .noUi-handle:focus,
.mg-app .jupyter-widgets input:focus-visible, .mg-app .jupyter-widgets textarea:focus-visible {
  outline: 3px solid #1d4ed8 !important; outline-offset: 2px !important; }
.mg-app svg *:focus, .mg-app svg *:focus-visible { outline: none !important; }
.mg-app svg .mg-focus-ring, .mg-app svg .mg-focus-ring-inner,
.mg-app svg .mg-cursor .mg-cursor-mark { visibility: hidden; }
.mg-app svg [data-key]:focus > .mg-focus-ring, .mg-app svg [data-key]:focus > .mg-focus-ring-inner,
.mg-app svg .mg-cursor:focus .mg-cursor-mark { visibility: visible; }
.mg-app h2.mg-heading { display: inline; margin: 0; font-size: inherit; font-weight: bold;
  line-height: inherit; }
/* A pressed toggle: white on blue (6.7:1; 5.7:1 against an unpressed one's #eeeeee), not
   ipywidgets' #bdbdbd, 1.6:1 from an unpressed one (WCAG 1.4.11). */
.mg-app .jupyter-button.widget-toggle-button.mod-active { background-color: #1d4ed8;
  color: #ffffff; }
.mg-app .mg-play.mod-success { background-color: #15803d; color: #ffffff; }
.mg-app .mg-focus-note { min-height: 1.3em; max-width: 440px; margin: 2px 0; font-size: 12px; }
.mg-app details.mg-text { max-width: 440px; font-size: 12px; }
.mg-app details.mg-text summary { cursor: pointer; }
.mg-app .mg-graph-text li, .mg-app .mg-network-text li { margin: 2px 0; }
/* Forced colours (Windows' contrast themes) drop the backgrounds that draw a button and a
   pressed toggle: give buttons and slider tracks an edge, and pressed ones the theme's
   highlight colours. */
@media (forced-colors: active) {
  .mg-app .jupyter-button, .mg-app .noUi-target { border: 1px solid ButtonText; }
  .mg-app .jupyter-button.widget-toggle-button.mod-active, .mg-app .jupyter-button.mod-active {
    forced-color-adjust: none; background: Highlight;
    color: HighlightText; border-color: Highlight; }
}
@media (prefers-reduced-motion: reduce) {
  .mg-app *, .mg-app *::before, .mg-app *::after {
    transition: none !important; animation: none !important; scroll-behavior: auto !important; }
}
"""

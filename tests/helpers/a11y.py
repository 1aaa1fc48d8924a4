"""Accessibility checks for the browser tests: axe-core, the keyboard, colour vision.

Three tools, for any page a test opens with Playwright (Chromium):

- :func:`axe_violations` / :func:`assert_no_axe_violations`: axe-core's WCAG 2.0 and 2.1
  A and AA rules (``tools/a11y/``, pinned in its package-lock.json, installed by
  ``make test``; injected from disk, nothing fetched), each violation as one readable line;
- :func:`focused`, :func:`keyboard_walk`, :func:`tab_to`, :func:`focus_indicator`: what the
  keyboard reaches, in order, and how its focus is shown;
- :func:`delta_e` and :func:`worst_delta_e`: CIEDE2000 between two colours with normal vision
  and under simulated protanopia, deuteranopia and tritanopia (Machado et al. 2009), from
  ``coloraide`` (PyPI). ``colorspacious`` simulates the same deficiencies but has no CIEDE2000.

Usage::

    from a11y import assert_no_axe_violations, tab_to

    page.goto(url)
    assert_no_axe_violations(page)  # 0 violations of any impact, or one line per rule
    stop = tab_to(page, lambda stop: stop.name == "Play")  # Tab until Play has the focus
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tools" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
"""axe-core's rule tags for WCAG 2.0 and 2.1, levels A and AA."""
DEFICIENCIES = ("protan", "deutan", "tritan")
"""Simulated colour-vision deficiencies (full severity: protanopia, deuteranopia, tritanopia)."""


# ---------------------------------------------------------------- axe-core


@dataclass(frozen=True)
class Violation:
    """One axe-core rule that failed: its id, impact, help text and the elements that fail it."""

    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]
    details: tuple[str, ...]

    def __str__(self) -> str:
        where = "; ".join(
            f"{target} ({detail})" if detail else target
            for target, detail in zip(self.targets[:5], self.details[:5], strict=True)
        )
        more = f" and {len(self.targets) - 5} more" if len(self.targets) > 5 else ""
        return f"[{self.impact}] {self.rule}: {self.help} — {where}{more}"


def axe_path() -> Path:
    """axe.min.js, installed by ``make a11y-tools`` (a skip without it; a failure under CI)."""
    if not AXE.exists():
        message = f"axe-core is not installed ({AXE}): run `make a11y-tools` (npm ci)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def axe_violations(
    page: Any, context: str | None = None, tags: Sequence[str] = WCAG_TAGS
) -> list[Violation]:
    """Run axe-core on ``page`` (or on the elements matching the CSS selector ``context``)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_path()))
    results = page.evaluate(
        """([context, tags]) => axe.run(context ? document.querySelectorAll(context) : document,
               {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [context, list(tags)],
    )
    return [
        Violation(
            rule=violation["id"],
            impact=str(violation.get("impact")),
            help=violation["help"],
            targets=tuple(" ".join(map(str, node["target"])) for node in violation["nodes"]),
            details=tuple(
                (node.get("failureSummary") or "").replace("\n", " ")[:200]
                for node in violation["nodes"]
            ),
        )
        for violation in results["violations"]
    ]


def assert_no_axe_violations(page: Any, context: str | None = None, what: str = "page") -> None:
    """0 violations of any impact, or an AssertionError listing each rule and element."""
    violations = axe_violations(page, context)
    if violations:
        lines = "\n".join(f"  {violation}" for violation in violations)
        raise AssertionError(
            f"axe-core finds {len(violations)} violated rule(s) on the {what}:\n{lines}"
        )


# ---------------------------------------------------------------- the keyboard


@dataclass(frozen=True)
class FocusStop:
    """The element that has the keyboard focus: tag, role, accessible name (its aria-label, or
    its text), ``data-key`` (the pictures' items) and the start of its HTML."""

    tag: str
    role: str
    name: str
    key: str
    html: str


_FOCUSED = """() => {
  let e = document.activeElement;
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
  if (!e || e === document.body) return null;
  const labelled = (e.getAttribute('aria-labelledby') || '').split(/\\s+/)
      .map((id) => document.getElementById(id)).filter(Boolean)
      .map((node) => node.textContent).join(' ');
  const label = e.labels && e.labels.length ? e.labels[0].textContent : '';
  return {
    tag: e.tagName.toLowerCase(), role: e.getAttribute('role') || '',
    name: (e.getAttribute('aria-label') || labelled || label || e.textContent || '').trim(),
    key: e.getAttribute('data-key') || '', html: e.outerHTML.slice(0, 300),
  };
}"""


def focused(page: Any) -> FocusStop | None:
    """The element that has the focus now (None: the page itself)."""
    found = page.evaluate(_FOCUSED)
    return None if found is None else FocusStop(**found)


def keyboard_walk(page: Any, steps: int, key: str = "Tab") -> list[FocusStop | None]:
    """Press ``key`` ``steps`` times; the focused element after each press."""
    stops = []
    for _ in range(steps):
        page.keyboard.press(key)
        stops.append(focused(page))
    return stops


def tab_to(
    page: Any, wanted: Callable[[FocusStop], bool], limit: int = 150, key: str = "Tab"
) -> FocusStop:
    """Press ``key`` until the focused element is ``wanted`` (AssertionError after ``limit``
    presses, listing the stops passed)."""
    passed = []
    for _ in range(limit):
        page.keyboard.press(key)
        stop = focused(page)
        if stop is not None and wanted(stop):
            return stop
        passed.append(f"{stop.tag}[{stop.role}] {stop.name[:40]!r}" if stop else "(page)")
    raise AssertionError(f"not reached in {limit} presses of {key}; passed: {passed}")


_INDICATOR = """() => {
  let e = document.activeElement;
  if (!e || e === document.body) return null;
  const ring = e.querySelector(':scope > .mg-focus-ring-inner');
  if (ring) {  // a picture's item: its own ring (on a white halo), drawn when focused
    const style = getComputedStyle(ring);
    return {color: style.stroke, width: parseFloat(style.strokeWidth),
            visible: style.visibility !== 'hidden' && style.display !== 'none'};
  }
  const style = getComputedStyle(e);
  return {color: style.outlineColor, width: parseFloat(style.outlineWidth),
          visible: style.outlineStyle !== 'none'};
}"""


def focus_indicator(page: Any) -> tuple[str, float] | None:
    """The focused element's focus indicator: (colour as #rrggbb, width in px); None when it
    has none. An item of a picture draws its own ring: ``.mg-focus-ring-inner`` over a white
    halo (``.mg-focus-ring``), so that it shows on any background; other elements an outline."""
    found = page.evaluate(_INDICATOR)
    if found is None or not found["visible"] or found["width"] <= 0:
        return None
    return css_hex(found["color"]), float(found["width"])


def css_hex(color: str) -> str:
    """A computed CSS colour (``rgb(29, 78, 216)``) as ``#1d4ed8``."""
    from coloraide import Color

    return str(Color(color).convert("srgb").to_string(hex=True))


# ---------------------------------------------------------------- colour vision


def delta_e(first: str, second: str, deficiency: str | None = None) -> float:
    """CIEDE2000 between two colours, seen with normal vision (None) or simulated
    ``deficiency`` ("protan", "deutan", "tritan"; Machado et al. 2009, full severity,
    in linear sRGB)."""
    from coloraide import Color

    def seen(color: str) -> Any:
        return Color(color).filter(deficiency, method="machado") if deficiency else Color(color)

    return float(seen(first).delta_e(seen(second), method="2000"))


def worst_delta_e(first: str, second: str) -> tuple[float, str]:
    """The smallest CIEDE2000 of the two colours over normal vision and the three deficiencies,
    with the vision it happens under."""
    return min((delta_e(first, second, kind), kind or "normal") for kind in (None, *DEFICIENCIES))

"""The course site's first page (tools/site_index.html) meets WCAG 2.1 AA in Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tools import build_site

ROOT = Path(__file__).resolve().parents[2]


def _landing_page() -> str:
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    return build_site.landing_page(notebooks, vendored=False)


def test_the_first_page_has_no_axe_violation_and_a_visible_focus(
    chromium: Any, tmp_path: Path
) -> None:
    from a11y import assert_no_axe_violations, focus_indicator, keyboard_walk

    from micrograd_edu.visualize import palette

    path = tmp_path / "index.html"
    path.write_text(_landing_page(), encoding="utf-8")
    page = chromium.new_page()
    try:
        page.goto(path.as_uri())
        assert page.locator("main h1").inner_text().startswith("micrograd_edu")
        assert_no_axe_violations(page, what="course site's first page")
        stops = keyboard_walk(page, 3)
        assert stops[0] is not None and stops[0].name == "Open the course in JupyterLab"
        assert stops[1] is not None and stops[1].name.startswith("01")
        for _ in range(2):
            page.keyboard.press("Shift+Tab")
        ring = focus_indicator(page)  # on the blue start button: a dark ring, not a blue one
        assert ring is not None and ring[1] >= 2
        assert palette.contrast_ratio(ring[0], "#ffffff") >= 3
    finally:
        page.close()


def test_the_first_page_reflows_at_320_css_pixels(chromium: Any, tmp_path: Path) -> None:
    """WCAG 1.4.10: at 320 CSS px (1280 px zoomed to 400 %) nothing scrolls sideways; the
    Pyodide address in <code> did not wrap and did."""
    path = tmp_path / "index.html"
    path.write_text(_landing_page(), encoding="utf-8")
    page = chromium.new_page(viewport={"width": 320, "height": 640})
    try:
        page.goto(path.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        page.close()

"""The documentation site meets WCAG 2.1 AA: axe-core finds nothing, images say what they show."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
IMAGE = re.compile(r"!\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]+)\)")
PAGES = [*sorted(DOCS.rglob("*.md")), ROOT / "README.md"]


def _images() -> list[tuple[str, str, str]]:
    """(page, alt text, image path) of every Markdown image in the docs and the README."""
    found = []
    for page in PAGES:
        for alt, target in IMAGE.findall(page.read_text(encoding="utf-8")):
            found.append((page.relative_to(ROOT).as_posix(), alt, target))
    return found


def test_every_image_says_what_it_shows() -> None:
    images = _images()
    assert len(images) >= 14
    short = [(page, alt, target) for page, alt, target in images if len(alt.split()) < 12]
    assert short == [], "alt texts of fewer than 12 words (say what the picture shows)"


def test_the_figures_alt_texts_are_their_descriptions_from_the_data() -> None:
    """The PNGs of docs/images keep the description written from their data when saved
    (save_figure): the pages' alt texts are those descriptions, word for word."""
    image = pytest.importorskip("PIL.Image")
    checked = 0
    for page, alt, target in _images():
        path = (ROOT / page).parent / target
        if path.suffix != ".png":
            continue
        description = image.open(path).text.get("Description")
        if description is None:  # the live Playground's screenshot: a photo, described by hand
            assert path.name == "live_playground.png"
            continue
        assert alt == description, f"{page}: the alt text of {target} is not its description"
        checked += 1
    assert checked >= 9


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    out = tmp_path_factory.mktemp("docs") / "site"
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    return out


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    tab = chromium.new_page()
    yield tab
    tab.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "index.html",
        "engine.html",
        *(f"guide/{page.stem}.html" for page in sorted((DOCS / "guide").glob("*.md"))),
        "reference/core/nn.html",
        "reference/core/engine.html",
        "reference/visualize/visualize.palette.html",
    ],
)
def test_axe_finds_nothing_on_the_docs(site: Path, page: Any, name: str) -> None:
    from a11y import assert_no_axe_violations

    page.goto((site / name).as_uri())
    assert_no_axe_violations(page, what=name)


@pytest.mark.slow
def test_links_are_underlined_and_focus_shows(site: Path, page: Any) -> None:
    from a11y import focus_indicator, tab_to

    from micrograd_edu.visualize import palette

    page.goto((site / "guide" / "accessibility.html").as_uri())
    link = page.locator("article a[href*='WCAG21']").first
    assert "underline" in link.evaluate("e => getComputedStyle(e).textDecorationLine")
    stop = tab_to(page, lambda stop: stop.tag == "a" and "WCAG" in stop.name)
    assert stop.name.startswith("WCAG 2.1")
    ring = focus_indicator(page)
    assert ring is not None and ring[1] >= 2
    assert palette.contrast_ratio(ring[0], "#ffffff") >= 3

"""The documentation site: every public module in the reference, a strict build, no web request."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import inspect
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

import pytest

import micrograd_edu
import micrograd_edu.visualize

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _public_modules() -> list[str]:
    """Every module of micrograd_edu and visualize whose name has no leading underscore."""
    names = ["micrograd_edu"]
    for package in (micrograd_edu,):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            parts = info.name.split(".")
            if not any(part.startswith("_") for part in parts):
                names.append(info.name)
    return sorted(names)


def _documented_modules() -> set[str]:
    """The modules named by a ``::: module`` line of a reference page in the navigation."""
    config = (ROOT / "mkdocs.yml").read_text()
    pages = re.findall(r"^\s*- [\w.]+: (reference/[\w./]+\.md)$", config, re.MULTILINE)
    documented = set()
    for page in pages:
        text = (DOCS / page).read_text()
        for module in re.findall(r"^::: ([\w.]+)$", text, re.MULTILINE):
            documented.add(module)
            if "show_submodules: true" in text:  # a package page shows its modules too
                documented.update(m for m in _public_modules() if m.startswith(f"{module}."))
    return documented


def test_every_public_module_has_a_reference_page() -> None:
    missing = [name for name in _public_modules() if name not in _documented_modules()]
    assert not missing, (
        f"no API reference page for {missing}: add docs/reference/NAME.md holding "
        "'::: NAME' and list it under 'API reference' in mkdocs.yml"
    )


def test_every_page_is_in_the_navigation() -> None:
    config = (ROOT / "mkdocs.yml").read_text()
    listed = set(re.findall(r": ([\w./-]+\.md)$", config, re.MULTILINE))
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert pages - listed == set()
    assert listed - pages == set()


def test_api_reference_labels_are_the_full_import_paths() -> None:
    """One rule in every group: the label is the module's import path, the page's title
    (``micrograd_edu.visualize.graph``, never ``visualize.graph``, the old import name)."""
    config = (ROOT / "mkdocs.yml").read_text()
    entries = re.findall(r"^\s*- ([\w.]+): (reference/[\w./]+\.md)$", config, re.MULTILINE)
    assert len(entries) == len(list((DOCS / "reference").rglob("*.md")))
    for label, page in entries:
        assert label == "micrograd_edu" or label.startswith("micrograd_edu."), label
        title = (DOCS / page).read_text(encoding="utf-8").splitlines()[0]
        assert title == f"# `{label}`", page


@pytest.mark.slow
def test_site_builds_strictly_and_asks_nothing_from_outside(tmp_path: Path, chromium: Any) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    site = tmp_path / "site"
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    assert (site / "reference" / "core" / "nn.html").is_file()
    requests: list[str] = []
    page = chromium.new_page()
    page.on("request", lambda request: requests.append(request.url))
    try:
        for name in ("index.html", "guide/value.html", "reference/core/nn.html"):
            page.goto((site / name).as_uri(), wait_until="load")
        heading = page.locator("h1").first.inner_text()
    finally:
        page.close()
    assert heading.startswith("micrograd_edu.nn")
    outside = sorted({url for url in requests if urlparse(url).scheme not in ("file", "data")})
    assert outside == [], f"the site asks for {outside}"
    fonts = [url for url in requests if re.search(r"\.(woff2?|ttf)$", url)]
    assert fonts == []


def test_the_reference_turns_rest_roles_and_doctests_into_markdown() -> None:
    pytest.importorskip("griffe")
    spec = importlib.util.spec_from_file_location("rest_roles", DOCS / "hooks" / "rest_roles.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert doctest.testmod(module).failed == 0
    examples = "Examples\n--------\n>>> 1 + 1\n2"  # left to griffe's Examples section
    text = "See :meth:`Value.backward`::\n\n    code\n\n" + examples
    assert module.markdown(text) == "See `Value.backward`:\n\n    code\n\n" + examples


EXAMPLES_REQUIRED = ["nn", "optim", "explain.gradcheck", "datasets", "io"]
"""Modules whose every public function, class, method and property shows a runnable example."""
NEEDS_TORCH = {"micrograd_edu.io.to_torch", "micrograd_edu.io.from_torch"}
"""Shown in the user guide instead: a doctest here would import PyTorch in every test run."""


def _without_examples(module: ModuleType) -> list[str]:
    """The public callables of ``module`` whose docstring (or inherited one) has no ``>>>``."""
    missing = []
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        members = [(name, obj)]
        if inspect.isclass(obj):
            members += [
                (f"{name}.{attr}", value if isinstance(value, property) else getattr(obj, attr))
                for attr, value in vars(obj).items()
                if not attr.startswith("_") and (callable(value) or isinstance(value, property))
            ]
        for qualified, member in members:
            if ">>>" not in (inspect.getdoc(member) or ""):
                missing.append(f"{module.__name__}.{qualified}")
    return [name for name in missing if name not in NEEDS_TORCH]


@pytest.mark.parametrize("name", EXAMPLES_REQUIRED)
def test_every_public_function_shows_a_runnable_example(name: str) -> None:
    module = importlib.import_module(f"micrograd_edu.{name}")
    assert _without_examples(module) == []


def test_the_catalogue_of_mistakes_on_its_page_is_the_librarys() -> None:
    from micrograd_edu.exercises.mistakes import CATALOGUE

    row = re.compile(r"^\| (.+?) \| (.+?) \| [\d., ]+ \|$", re.MULTILINE)
    text = (DOCS / "guide" / "mistakes.md").read_text()
    shown = {name: explanation.replace("\\|", "|") for name, explanation in row.findall(text)}
    assert shown == {mistake.name: mistake.explanation for mistake in CATALOGUE.values()}


def test_the_formulas_on_the_mistakes_page_are_the_catalogue_s() -> None:
    from micrograd_edu.exercises.mistakes import CATALOGUE

    text = (DOCS / "guide" / "mistakes.md").read_text()
    table = text.split("The formulas, shown on the third attempt")[1].split("\n## ")[0]
    row = re.compile(r"^\| (.+?) \| (.+?) \|$", re.MULTILINE)
    unescaped = {name: re.sub(r"\\([|_])", r"\1", formula) for name, formula in row.findall(table)}
    shown = {name: formula for name, formula in unescaped.items() if name != "mistake"}
    assert shown == {m.name: m.formula for m in CATALOGUE.values() if m.formula}

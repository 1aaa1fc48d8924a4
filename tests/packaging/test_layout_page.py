"""The floor plan's page (docs/guide/layout.md) is true of the code: its folders exist, every
subpackage has a row, and each folder imports only what its row says."""

from __future__ import annotations

import re

import pytest

from .test_layout import PACKAGE, ROOT, _graph

PAGE = ROOT / "docs" / "guide" / "layout.md"
ROW = re.compile(r"^\| `([\w./]+)` \|(.*)\|(.*)\|$", re.MULTILINE)
PATH = re.compile(r"`([\w.]+/(?:[\w.]+/)*(?:[\w]+\.py)?)`")


def _rows() -> dict[str, set[str]]:
    """The table's rows: folder (or file) -> the folders its imports column names."""
    rows = {}
    for folder, _, imports in ROW.findall(PAGE.read_text(encoding="utf-8")):
        rows[folder] = set(PATH.findall(imports))
    return rows


def _folder(module: str) -> str:
    """The row a module of micrograd_edu belongs to (visualize through its link)."""
    parts = module.split(".")
    if parts[1:3] == ["visualize", "live"]:
        return "visualize/live/"
    if parts[1:2] == ["visualize"]:
        return "visualize/"
    if module == "micrograd_edu.engine":
        return "micrograd_edu/engine.py"
    if len(parts) > 1 and (PACKAGE / parts[1] / "__init__.py").exists():
        return f"micrograd_edu/{parts[1]}/"
    return "micrograd_edu/"


def _subpackages() -> list[str]:
    """Every package inside micrograd_edu, as the repository's folder (micrograd_edu.visualize
    is a link to the repository's visualize/ folder, which a glob does not follow)."""
    inits = [*PACKAGE.rglob("__init__.py"), *(ROOT / "visualize").rglob("__init__.py")]
    folders = {init.parent.relative_to(ROOT).as_posix() + "/" for init in inits}
    return sorted(folders - {"micrograd_edu/"})


def test_the_page_has_a_table_of_folders() -> None:
    rows = _rows()
    assert {"micrograd_edu/", "micrograd_edu/engine.py", "visualize/live/"} <= set(rows)
    assert rows["micrograd_edu/grade/"] == {"micrograd_edu/exercises/", "micrograd_edu/_support/"}


@pytest.mark.parametrize("folder", sorted(_rows()))
def test_every_folder_of_the_page_exists(folder: str) -> None:
    assert (ROOT / folder).exists(), f"docs/guide/layout.md names {folder}, which does not exist"


def test_every_folder_named_in_the_imports_column_has_a_row() -> None:
    rows = _rows()
    named = set().union(*rows.values())
    assert named - set(rows) == set()


def test_every_subpackage_has_a_row() -> None:
    subpackages = _subpackages()
    assert "micrograd_edu/rl/" in subpackages and "visualize/live/" in subpackages
    missing = [folder for folder in subpackages if folder not in _rows()]
    assert missing == [], f"add a row for {missing} to docs/guide/layout.md"


def test_every_folder_imports_only_what_its_row_says() -> None:
    rows = _rows()
    wrong = sorted(
        f"{name} -> {target}: add {_folder(target)} to the row of {_folder(name)}"
        for name, targets in _graph().items()
        for target in targets
        if _folder(target) != _folder(name) and _folder(target) not in rows[_folder(name)]
    )
    assert wrong == []


def test_the_import_check_sees_a_wrong_import() -> None:
    """The check above is not empty: the grader's row does not allow the engine."""
    assert _folder("micrograd_edu.grade.run") == "micrograd_edu/grade/"
    assert _folder("micrograd_edu.engine") not in _rows()["micrograd_edu/grade/"]
    assert _folder("micrograd_edu.visualize.live.session") == "visualize/live/"
    assert _folder("micrograd_edu.train") == "micrograd_edu/"

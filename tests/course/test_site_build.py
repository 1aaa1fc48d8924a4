"""The course site's build script (tools/build_site.py) without npm, PyPI or a browser.

The lock rewrite is what makes the site work offline: Pyodide checks every
wheel against the ``sha256`` in ``pyodide-lock.json``, so a wheel taken from
PyPI needs its own hash there, a package of ours needs a complete entry, and
everything not in the site must point at the CDN of the same Pyodide version.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tools import build_site

CORE_FILES = build_site.CORE_FILES


def _lock_entry(name: str, file_name: str, depends: list[str]) -> dict[str, Any]:
    return {"name": name, "version": "1.0", "file_name": file_name, "sha256": "0" * 64,
            "depends": depends, "imports": [name]}  # fmt: skip


@pytest.fixture
def core(tmp_path: Path) -> Path:
    """A stand-in for the npm ``pyodide`` core: its files and a lock of five packages."""
    folder = tmp_path / "core"
    folder.mkdir()
    for name in CORE_FILES:
        (folder / name).write_bytes(b"core file " + name.encode())
    packages = {
        "micropip": _lock_entry("micropip", "micropip-1.0-py3-none-any.whl", []),
        "numpy": _lock_entry("numpy", "numpy-1.0-cp314-wasm32.whl", []),
        "matplotlib": _lock_entry("matplotlib", "matplotlib-1.0-cp314.whl", ["numpy", "six"]),
        "six": _lock_entry("six", "six-1.0-py2.py3-none-any.whl", []),
        "scipy": _lock_entry("scipy", "scipy-1.0-cp314-wasm32.whl", ["numpy"]),
    }
    (folder / "pyodide-lock.json").write_text(json.dumps({"info": {}, "packages": packages}))
    return folder


def _wheel(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_local_wheels_get_their_hash_ours_an_entry_the_rest_the_cdn(
    core: Path, tmp_path: Path
) -> None:
    boot = _wheel(tmp_path / "pypi", "micropip-1.0-py3-none-any.whl", b"from PyPI")
    ours = _wheel(tmp_path / "dist", "micrograd_edu-0.2.0-py3-none-any.whl", b"our wheel")
    graphviz = _wheel(tmp_path / "extra", "graphviz-0.21-py3-none-any.whl", b"graphviz")
    out = tmp_path / "site" / "static" / "pyodide"
    lock = build_site.local_pyodide(core, [boot], [graphviz, ours], out)
    packages = lock["packages"]
    assert packages["micropip"]["file_name"] == "micropip-1.0-py3-none-any.whl"
    assert packages["micropip"]["sha256"] == _sha(boot) != "0" * 64
    assert packages["micrograd-edu"]["sha256"] == _sha(ours)
    assert packages["micrograd-edu"]["imports"] == ["micrograd_edu"]
    assert packages["micrograd-edu"]["depends"] == ["graphviz"]  # no NumPy: the engine runs without
    assert packages["graphviz"]["file_name"] == graphviz.name
    cdn = f"https://cdn.jsdelivr.net/pyodide/v{build_site.PYODIDE_VERSION}/full/"
    assert packages["numpy"]["file_name"] == cdn + "numpy-1.0-cp314-wasm32.whl"
    assert packages["numpy"]["sha256"] == "0" * 64  # Pyodide's own file, Pyodide's own hash
    assert json.loads((out / "pyodide-lock.json").read_text()) == lock
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*CORE_FILES, "pyodide-lock.json", boot.name, ours.name, graphviz.name]
    )


def test_a_pyodide_distribution_puts_numpy_and_matplotlib_in_the_site(
    core: Path, tmp_path: Path
) -> None:
    dist = tmp_path / "pyodide-full"
    for name in ("numpy-1.0-cp314-wasm32.whl", "matplotlib-1.0-cp314.whl",
                 "six-1.0-py2.py3-none-any.whl", "scipy-1.0-cp314-wasm32.whl"):  # fmt: skip
        _wheel(dist, name, b"pyodide's " + name.encode())
    out = tmp_path / "out"
    lock = build_site.local_pyodide(core, [], [], out, dist)
    packages = lock["packages"]
    for name in ("numpy", "matplotlib", "six"):  # matplotlib and what it depends on
        assert (out / packages[name]["file_name"]).is_file(), name
    assert packages["scipy"]["file_name"].startswith("https://cdn.jsdelivr.net/pyodide/")


def test_a_distribution_without_numpy_is_named(core: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"matplotlib-1\.0-cp314\.whl is not in"):
        build_site.local_pyodide(core, [], [], tmp_path / "out", tmp_path / "empty")


def test_what_each_notebook_needs_in_the_browser() -> None:
    cdn = [build_site.needs(f"{n:02d}", vendored=False) for n in range(1, 9)]
    assert cdn == ["offline", "offline", "numpy", "numpy", "numpy", "numpy", "local",
                   "numpy, cartpole"]  # fmt: skip
    vendored = [build_site.needs(f"{n:02d}", vendored=True) for n in range(1, 9)]
    assert vendored == ["offline"] * 6 + ["local", "cartpole"]


def _run_cell_without_numpy(source: str) -> subprocess.CompletedProcess[str]:
    """Run ``source`` in a Python where ``import numpy`` fails, as in an offline browser."""
    blocker = (
        "import sys\n"
        "class Offline:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('numpy', 'matplotlib'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}')\n"
        "sys.meta_path.insert(0, Offline())\n"
    )
    return subprocess.run(
        [sys.executable, "-c", blocker + source], capture_output=True, text=True, check=False
    )


def test_a_notebook_opened_offline_says_it_needs_the_cdn(tmp_path: Path) -> None:
    written = {path.name[:2]: path for path in build_site.site_notebooks(tmp_path, False)}
    cells = {
        code: json.loads(path.read_text(encoding="utf-8"))["cells"]
        for code, path in written.items()
    }
    assert sorted(cells) == sorted(build_site.NOTEBOOK_NEEDS)
    cdn = [code for code in cells if "numpy" in build_site.needs(code, vendored=False)]
    assert {"03", "04", "05", "06", "08"} <= set(cdn)
    for code in cdn:
        assert [cell["cell_type"] for cell in cells[code][:3]] == ["markdown"] * 2 + ["code"]
        assert cells[code][2]["id"] == "browser-cdn-check"
    for code in ("01", "02", "07"):
        assert all(cell.get("id") != "browser-cdn-check" for cell in cells[code])
    result = _run_cell_without_numpy(cells["04"][2]["source"])
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == "ImportError: " + build_site.OFFLINE_MESSAGE.format(cdn=build_site.CDN)
    assert "could not be loaded from the Pyodide CDN (https://cdn.jsdelivr.net/pyodide/v" in last
    if importlib.util.find_spec("matplotlib") is not None:  # online: the cell says nothing
        online = subprocess.run(
            [sys.executable, "-c", cells["04"][2]["source"]], capture_output=True, text=True
        )
        assert (online.returncode, online.stdout, online.stderr) == (0, "", "")
    vendored = build_site.site_notebooks(tmp_path / "vendored", True)
    assert all("browser-cdn-check" not in path.read_text("utf-8") for path in vendored)

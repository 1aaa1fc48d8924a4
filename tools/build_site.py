"""Build the zero-install course site: JupyterLite + the Pyodide kernel, served as static files.

``make site`` runs ``python tools/build_site.py --out build/site`` in its own
environment (``.venv-site``; ``--print-requirements`` lists what goes in it).
The result is one folder that any static web server can host, from any
sub-path (GitHub Pages): every URL in it is relative. What it holds:

* JupyterLite 0.8.6 (the lab and REPL apps, no source maps) and its Pyodide kernel;
* the npm ``pyodide`` core of the version the kernel expects, served from the
  site itself (``static/pyodide/``), with the wheels the kernel boots with
  (IPython, jedi, micropip...) taken from PyPI at the lock's versions and
  their ``sha256`` rewritten in ``pyodide-lock.json`` (PyPI's files differ
  byte for byte from Pyodide's);
* this project's wheel, ``graphviz`` and the widget wheels, added to the lock;
  ``micrograd_edu`` is preloaded, so the notebooks need no ``%pip`` cell;
* every other package of the lock (NumPy, matplotlib...) pointing at the Pyodide
  CDN of the same version: a notebook that imports them needs a network;
* Graphviz compiled to WebAssembly (npm ``@viz-js/viz``) in ``static/viz/``,
  which :mod:`micrograd_edu.visualize.renderer` uses in the browser;
* the student notebooks, each with a first cell that says what it needs, and
  a first page (``index.html``) that explains the site.

Building needs npm and PyPI (or their caches) and nothing else: no request
goes to the Pyodide CDN at build time. Only the standard library here (plus
``packaging``, which pip brings).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

if __package__:  # imported as tools.build_site (the tests)
    from .project_wheel import build_wheel
else:  # run as a script: python tools/build_site.py
    from project_wheel import build_wheel

ROOT = Path(__file__).resolve().parent.parent
PYODIDE_VERSION = "314.0.6"
"""The npm ``pyodide`` the kernel expects (jupyterlite-pyodide-kernel 0.8.6's PYODIDE_VERSION)."""
VIZ_VERSION = "3.31.0"
CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"

REQUIREMENTS = [
    "jupyterlite-core==0.8.6",
    "jupyterlite-pyodide-kernel==0.8.6",
    "jupyter_server==2.21.1",
    "jupyterlab_server==2.28.1",
    "jupyterlab_widgets==3.0.17",
    "anywidget==0.11.0",
]
"""The build environment: JupyterLite and the widget front ends (their labextensions)."""

BOOT_PACKAGES = ("micropip", "ipython", "jedi", "typing-extensions")
VENDORED = ("numpy", "matplotlib")
"""What ``--pyodide-dist`` copies into the site (with the packages they depend on)."""
"""Packages of the Pyodide lock served locally (with their dependencies in the lock)."""

EXTRA_WHEELS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # name: (version, import names, lock dependencies)
    "graphviz": ("0.21", ("graphviz",), ()),
    "comm": ("0.2.3", ("comm",), ("traitlets",)),
    "ipywidgets": ("8.1.9", ("ipywidgets",), ("comm", "ipython", "traitlets")),
    "psygnal": ("0.16.1", ("psygnal",), ("typing-extensions",)),
    "anywidget": ("0.11.0", ("anywidget",), ("ipywidgets", "psygnal", "typing-extensions")),
}
"""Wheels from PyPI added to the lock, so that ``import ipywidgets`` loads them."""

PROJECT = ("micrograd-edu", ("micrograd_edu",), ("graphviz",))

CORE_FILES = (
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "pyodide.mjs",
    "pyodide.js",
    "python_stdlib.zip",
)

NOTEBOOK_NEEDS = {
    "01": "offline",
    "02": "offline",
    "03": "numpy",
    "04": "numpy",
    "05": "numpy",
    "06": "numpy",
    "07": "local",
    "08": "numpy, cartpole",
    "09": "numpy",
}
"""What each notebook needs in the browser: nothing (offline), the CDN, or a local install."""


def run(command: list[str], cwd: Path | None = None) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, cwd=cwd, check=True)


def npm_packages(work: Path) -> Path:
    """``pyodide`` and ``@viz-js/viz`` from npm (reused when already there)."""
    prefix = work / "npm"
    modules = prefix / "node_modules"
    installed = modules / "pyodide" / "package.json"
    if not (
        installed.exists()
        and json.loads(installed.read_text())["version"] == PYODIDE_VERSION
        and (modules / "@viz-js" / "viz" / "dist" / "viz.js").exists()
    ):
        prefix.mkdir(parents=True, exist_ok=True)
        npm = shutil.which("npm") or "npm"
        run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--no-save",
             f"pyodide@{PYODIDE_VERSION}", f"@viz-js/viz@{VIZ_VERSION}"])  # fmt: skip
    return modules


def boot_closure(packages: dict[str, Any], roots: tuple[str, ...]) -> dict[str, str]:
    """The lock's packages ``roots`` depend on (themselves included): name -> version."""
    keys = {_canonical(key): key for key in packages}
    wanted: dict[str, str] = {}
    todo = list(roots)
    while todo:
        name = _canonical(todo.pop())
        if name in wanted:
            continue
        wanted[name] = packages[keys[name]]["version"]
        todo += packages[keys[name]]["depends"]
    return wanted


def download_wheels(pins: dict[str, str], folder: Path) -> list[Path]:
    """Pure-Python wheels from PyPI at exactly these versions (pip's cache makes it fast)."""
    folder.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q",
         "--no-deps", "--only-binary=:all:", "--python-version", "3.14",
         "--implementation", "py", "--abi", "none", "--platform", "any",
         "-d", str(folder), *(f"{name}=={version}" for name, version in pins.items())])  # fmt: skip
    return sorted(folder.glob("*.whl"))


def project_wheel(work: Path) -> Path:
    """This project's wheel (``pip wheel --no-deps`` on a clean copy), built fresh."""
    dist = work / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    print("+ pip wheel --no-deps (micrograd_edu)", flush=True)
    return build_wheel(dist)


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _wheel_name(path: Path) -> tuple[str, str]:
    name, version = path.name.split("-")[:2]
    return _canonical(name), version


def _entry(path: Path, imports: tuple[str, ...], depends: tuple[str, ...]) -> dict[str, Any]:
    name, version = _wheel_name(path)
    return {
        "name": name,
        "version": version,
        "file_name": path.name,
        "install_dir": "site",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "package_type": "package",
        "imports": list(imports),
        "depends": list(depends),
        "unvendored_tests": False,
        "shared_library": False,
    }


def vendor(packages: dict[str, Any], dist: Path, out: Path) -> list[str]:
    """Copy NumPy, matplotlib and what they depend on from a full Pyodide ``dist`` into ``out``.

    Pyodide's own files: their ``sha256`` in the lock stay as they are. Returns
    the names copied. Raises ``FileNotFoundError`` naming a missing wheel.
    """
    keys = {_canonical(key): key for key in packages}
    names = sorted(boot_closure(packages, VENDORED))
    for name in names:
        file_name = packages[keys[name]]["file_name"]
        if not (out / file_name).exists():
            if not (dist / file_name).is_file():
                raise FileNotFoundError(f"{file_name} is not in the Pyodide distribution {dist}")
            shutil.copy2(dist / file_name, out / file_name)
    return names


def local_pyodide(
    core: Path, wheels: list[Path], extras: list[Path], out: Path, dist: Path | None = None
) -> dict[str, Any]:
    """``out``: the Pyodide core, the local wheels and the rewritten lock (returned).

    Lock packages with a local wheel get its file name and ``sha256``; the
    ``extras`` get new entries; with a full Pyodide ``dist`` (``PYODIDE_DIST``)
    NumPy and matplotlib are copied in; every other package points at the CDN.
    """
    out.mkdir(parents=True, exist_ok=True)
    for name in CORE_FILES:
        shutil.copy2(core / name, out / name)
    lock = json.loads((core / "pyodide-lock.json").read_text(encoding="utf-8"))
    packages: dict[str, Any] = lock["packages"]
    for wheel in wheels:
        name, _ = _wheel_name(wheel)
        key = next(k for k in packages if _canonical(k) == name)
        shutil.copy2(wheel, out / wheel.name)
        packages[key]["file_name"] = wheel.name
        packages[key]["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
    described = {**{k: v[1:] for k, v in EXTRA_WHEELS.items()}, PROJECT[0]: PROJECT[1:]}
    for wheel in extras:
        name, _ = _wheel_name(wheel)
        imports, depends = described[name]
        shutil.copy2(wheel, out / wheel.name)
        packages[name] = _entry(wheel, imports, depends)
    if dist is not None:
        vendor(packages, dist, out)
    for package in packages.values():
        if not (out / package["file_name"]).exists():
            package["file_name"] = CDN + package["file_name"]
    (out / "pyodide-lock.json").write_text(json.dumps(lock), encoding="utf-8")
    return lock


def needs(code: str, vendored: bool) -> str:
    """What notebook ``code`` ("01"...) needs in the browser, NumPy being in the site or not."""
    need = NOTEBOOK_NEEDS.get(code, "numpy")
    if vendored:
        need = need.replace("numpy, ", "").replace("numpy", "offline")
    return need


def _note_cell(code: str, vendored: bool) -> dict[str, Any] | None:
    need = needs(code, vendored)
    lines = []
    if "offline" in need:
        return None
    if "local" in need:
        lines.append(
            "**This notebook cannot run in the browser:** it needs PyTorch, which has no "
            'browser build. Run it on your computer: `pip install "micrograd_edu[course]"`, '
            "PyTorch's CPU build (Linux: `pip install torch==2.13.0 --index-url "
            "https://download.pytorch.org/whl/cpu`; macOS, Windows: `pip install torch==2.13.0`), "
            "then `micrograd-edu lab`."
        )
    if "numpy" in need:
        lines.append(
            "**In the browser this notebook needs a network:** NumPy and matplotlib are "
            f"loaded from the Pyodide CDN (`{CDN}`) the first time they are imported."
        )
    if "cartpole" in need:
        lines.append(
            "The CartPole part needs `gymnasium`, which does not run in the browser: run "
            'that part on your computer (`pip install "micrograd_edu[course]"`).'
        )
    return {"cell_type": "markdown", "metadata": {}, "source": "\n\n".join(lines)}


OFFLINE_MESSAGE = (
    "NumPy and matplotlib could not be loaded from the Pyodide CDN ({cdn}): in the browser "
    "this notebook needs a network. Connect, then run this cell again; or run the notebook on "
    'your computer: pip install "micrograd_edu[course]", then micrograd-edu lab'
)
"""What a student reads when a notebook that needs the CDN is opened offline."""


def _cdn_check_cell() -> dict[str, Any]:
    """A code cell that turns an unreachable CDN into an error saying so.

    Offline, Pyodide's import of NumPy fails with a bare ``No module named
    'numpy'``; this cell, run first, names the cause and what to do instead.
    """
    message = OFFLINE_MESSAGE.format(cdn=CDN)
    source = (
        "# In the browser, NumPy and matplotlib come from the Pyodide CDN (a network is needed).\n"
        "try:\n"
        "    import matplotlib\n"
        "    import numpy\n"
        "except ImportError:\n"
        f"    raise ImportError({message!r}) from None"
    )
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
            "execution_count": None, "id": "browser-cdn-check"}  # fmt: skip


def site_notebooks(folder: Path, vendored: bool) -> list[Path]:
    """The student notebooks (from the package's ``course/``), with a note on what they need.

    A notebook that loads NumPy from the CDN also gets, after the note, a code
    cell that stops with :data:`OFFLINE_MESSAGE` when the CDN is out of reach.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted((ROOT / "micrograd_edu" / "course").glob("[0-9]*.ipynb")):
        notebook = json.loads(source.read_text(encoding="utf-8"))
        note = _note_cell(source.name[:2], vendored)
        if note is not None:
            notebook["cells"].insert(1, {**note, "id": "browser-note"})
        if "numpy" in needs(source.name[:2], vendored):
            notebook["cells"].insert(2, _cdn_check_cell())
        target = folder / source.name
        target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", "utf-8")
        written.append(target)
    return written


def lite_config(lite: Path) -> None:
    """``jupyter-lite.json``: the local Pyodide, micrograd_edu preloaded, no PyPI at run time."""
    settings = {
        "pyodideUrl": "./static/pyodide/pyodide.mjs",
        "disablePyPIFallback": True,
        "loadPyodideOptions": {"packages": ["micrograd-edu"]},
    }
    config = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "micrograd_edu course",
            # window.jupyterapp, as JupyterLab's own UI tests (Galata) use it: the site's
            # test opens and runs notebooks through it.
            "exposeAppInBrowser": True,
            "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": settings},
        },
    }
    (lite / "jupyter-lite.json").write_text(json.dumps(config, indent=2) + "\n", "utf-8")


def build_lite(lite: Path, out: Path) -> None:
    jupyter = Path(sys.executable).with_name("jupyter")
    shutil.rmtree(out, ignore_errors=True)
    run([str(jupyter), "lite", "build", "--lite-dir", str(lite), "--contents",
         str(lite / "files"), "--output-dir", str(out), "--no-sourcemaps",
         "--apps", "lab", "--apps", "repl", "--no-unused-shared-packages"], cwd=lite)  # fmt: skip


CDN_TEXT = """NumPy and matplotlib are too large to ship here: the notebooks that use them load
them from the Pyodide CDN (<code>{{CDN}}</code>) the first time, which needs a network (the
browser caches them afterwards)."""
VENDORED_TEXT = """NumPy and matplotlib are part of this site too: every notebook but the PyTorch
one runs with no network."""


def landing_page(notebooks: list[Path], vendored: bool = False) -> str:
    """The site's first page: what it is, and what each notebook needs."""
    words = {
        "offline": "runs entirely in your browser, no network needed",
        "numpy": "loads NumPy and matplotlib from the Pyodide CDN: needs a network",
        "local": "needs PyTorch: run it on your computer",
        "numpy, cartpole": "needs a network (NumPy, matplotlib); CartPole needs your computer",
        "cartpole": "runs in your browser, except CartPole: that part needs your computer",
    }
    rows = "\n".join(
        f'<li><a href="lab/index.html?path={html.escape(path.name)}">'
        f"{html.escape(path.stem.replace('_', ' '))}</a> — "
        f"{words[needs(path.name[:2], vendored)]}</li>"
        for path in notebooks
    )
    template = (Path(__file__).with_name("site_index.html")).read_text(encoding="utf-8")
    numpy = VENDORED_TEXT if vendored else CDN_TEXT.replace("{{CDN}}", html.escape(CDN))
    return template.replace("{{NOTEBOOKS}}", rows).replace("{{NUMPY}}", numpy)


LEGACY_FONTS = ("fa-*.eot", "fa-*.svg")
"""Font Awesome's fallbacks for Internet Explorer and iOS 4 (every browser that runs
Pyodide takes the woff2): 2 MB the site does without."""


def prune(out: Path) -> None:
    for pattern in LEGACY_FONTS:
        for path in (out / "build").glob(pattern):
            path.unlink()


def build(out: Path, work: Path, dist: Path | None = None) -> Path:
    modules = npm_packages(work)
    core = modules / "pyodide"
    lock = json.loads((core / "pyodide-lock.json").read_text(encoding="utf-8"))
    boot = download_wheels(boot_closure(lock["packages"], BOOT_PACKAGES), work / "boot")
    extra_pins = {name: spec[0] for name, spec in EXTRA_WHEELS.items()}
    extras = [*download_wheels(extra_pins, work / "extra"), project_wheel(work)]
    lite = work / "lite"
    shutil.rmtree(lite, ignore_errors=True)
    local_pyodide(core, boot, extras, lite / "static" / "pyodide", dist)
    notebooks = site_notebooks(lite / "files", vendored=dist is not None)
    (lite / "pypi").mkdir(parents=True)
    for wheel in extras:  # comm for the kernel's own piplite installs
        if _wheel_name(wheel)[0] == "comm":
            shutil.copy2(wheel, lite / "pypi" / wheel.name)
    lite_config(lite)
    build_lite(lite, out)
    prune(out)
    (out / "static" / "viz").mkdir(parents=True, exist_ok=True)
    shutil.copy2(modules / "@viz-js" / "viz" / "dist" / "viz.js", out / "static" / "viz" / "viz.js")
    (out / "index.html").write_text(landing_page(notebooks, dist is not None), encoding="utf-8")
    (out / ".nojekyll").write_text("")  # GitHub Pages: serve folders starting with _
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "site-work")
    parser.add_argument(
        "--pyodide-dist",
        type=Path,
        help=f"a full Pyodide {PYODIDE_VERSION} distribution (unpacked): NumPy and matplotlib "
        "are copied from it into the site, so every notebook but 7 runs offline",
    )
    parser.add_argument(
        "--print-requirements", action="store_true", help="print the build environment's pins"
    )
    args = parser.parse_args(argv)
    if args.print_requirements:
        print(" ".join(REQUIREMENTS))
        return 0
    dist = args.pyodide_dist.resolve() if args.pyodide_dist else None
    out = build(args.out.resolve(), args.work.resolve(), dist)
    size = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    print(f"site: {out} ({size / 1e6:.1f} MB); serve it with: python -m http.server -d {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

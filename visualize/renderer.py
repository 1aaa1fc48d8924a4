"""Find a Graphviz renderer and turn DOT source into SVG or PNG.

Preference order:

1. a system Graphviz ``dot`` on the PATH (every format, PDF included);
2. ``graphviz-pure``, the pip-installable static port of Graphviz that the
   ``viz`` extra installs (SVG and PNG). It is looked up next to the running
   Python (the environment's ``bin/`` or ``Scripts\\``) as well as on the
   PATH, so it works in a Jupyter kernel whose environment was never
   "activated", on Linux, macOS and Windows.

The ``MICROGRAD_EDU_DOT`` environment variable, if set, names the executable
to use and skips the search.

In the browser (Pyodide, ``sys.platform == "emscripten"``, as in the course
site built by ``make site``) there are no subprocesses: the DOT text goes to
Graphviz compiled to WebAssembly (npm ``@viz-js/viz``, SVG only), loaded from
the site's ``static/viz/viz.js`` (or the URL in ``MICROGRAD_EDU_VIZ_URL``). It
loads on first use where the browser can wait for it synchronously (JSPI:
Chromium); elsewhere run ``await micrograd_edu.visualize.renderer.load_viz()`` once first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

__all__ = ["GraphvizNotFoundError", "RenderError", "find_renderer", "load_viz", "render"]

PURE_NAME = "graphviz-pure"
PURE_FORMATS = frozenset({"svg", "png"})

INSTALL_HELP = """\
no Graphviz renderer found. Install one of:
  pip install graphviz-pure          (any platform; renders SVG and PNG)
  apt-get install graphviz           (Debian, Ubuntu)
  brew install graphviz              (macOS)
  winget install graphviz            (Windows)
The DOT text is still available as graph.source."""


class GraphvizNotFoundError(RuntimeError):
    """Neither a system ``dot`` nor ``graphviz-pure`` could be found."""


class RenderError(RuntimeError):
    """The renderer ran but failed (bad format, bad DOT text)."""


def _scripts_dirs() -> list[Path]:
    dirs = [Path(sysconfig.get_path("scripts")), Path(sys.executable).parent]
    return list(dict.fromkeys(dirs))


def find_renderer() -> Path | None:
    """The Graphviz executable to use, or None if there is none."""
    override = os.environ.get("MICROGRAD_EDU_DOT")
    if override:
        found = shutil.which(override)
        return Path(found) if found else None
    system_dot = shutil.which("dot")
    if system_dot:
        return Path(system_dot)
    for folder in _scripts_dirs():
        candidate = shutil.which(PURE_NAME, path=str(folder))
        if candidate:
            return Path(candidate)
    on_path = shutil.which(PURE_NAME)
    return Path(on_path) if on_path else None


VIZ_URL_VARIABLE = "MICROGRAD_EDU_VIZ_URL"
VIZ_PATH = "static/viz/viz.js"
"""Where the course site keeps ``@viz-js/viz``, relative to the site's root."""

BROWSER_HELP = (
    "Graphviz for the browser is not loaded yet and this browser cannot wait for it "
    "synchronously: run `import micrograd_edu.visualize; await visualize.renderer.load_viz()` "
    "in a cell first"
)

_viz: Any = None
"""The ``@viz-js/viz`` instance once loaded (browser only)."""


def viz_url() -> str:
    """The URL of ``viz.js``: ``MICROGRAD_EDU_VIZ_URL``, else the course site's copy.

    The kernel runs in a web worker whose script lives under the site's
    ``extensions/`` folder; the site's root is the part of its URL before that,
    so the site works from any sub-path (GitHub Pages).
    """
    override = os.environ.get(VIZ_URL_VARIABLE)
    if override:
        return override
    import js  # Pyodide's bridge to JavaScript

    here = str(js.location.href)
    root = here.split("/extensions/", 1)[0] + "/" if "/extensions/" in here else here
    return str(js.URL.new(VIZ_PATH, root).href)


async def load_viz() -> Any:
    """Load Graphviz-in-WebAssembly (browser only); later renders are synchronous."""
    global _viz
    if _viz is None:
        from pyodide.code import run_js

        module = await run_js(f"import({viz_url()!r})")
        _viz = await module.instance()
    return _viz


def _browser_viz() -> Any:
    if _viz is not None:
        return _viz
    from pyodide.ffi import can_run_sync, run_sync

    if not can_run_sync():
        raise GraphvizNotFoundError(BROWSER_HELP)
    return run_sync(load_viz())


def _render_in_browser(source: str, format: str) -> bytes:
    """DOT to SVG with ``@viz-js/viz`` in the page's (or worker's) WebAssembly."""
    if format != "svg":
        raise RenderError(f"in the browser graphs are drawn as SVG only, not {format!r}")
    from js import Object
    from pyodide.ffi import JsException, to_js

    viz = _browser_viz()
    options = to_js({"format": "svg"}, dict_converter=Object.fromEntries)
    try:
        svg = viz.renderString(source, options)
    except JsException as error:
        raise RenderError(f"Graphviz (WebAssembly) failed: {error}") from None
    return str(svg).encode("utf-8")


def render(source: str, format: str = "svg", timeout: float = 60.0) -> bytes:
    """Lay out and draw DOT ``source``; returns the SVG or PNG bytes.

    Raises :class:`GraphvizNotFoundError` with install commands when no
    renderer exists, and :class:`RenderError` when rendering fails or takes
    longer than ``timeout`` seconds. In the browser (Pyodide) the
    WebAssembly Graphviz draws SVG only.
    """
    if sys.platform == "emscripten":
        return _render_in_browser(source, format)
    executable = find_renderer()
    if executable is None:
        raise GraphvizNotFoundError(INSTALL_HELP)
    if executable.name.startswith(PURE_NAME) and format not in PURE_FORMATS:
        raise RenderError(
            f"graphviz-pure renders {', '.join(sorted(PURE_FORMATS))}, not {format!r}; "
            "install a system Graphviz for other formats"
        )
    try:
        result = subprocess.run(
            [str(executable), f"-T{format}"],
            input=source.encode("utf-8", "replace"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"{executable.name} -T{format} took longer than {timeout:g} s to lay out this graph "
            f"({source.count(' -> '):,} edges): draw a smaller part of it"
        ) from None
    if result.returncode != 0 or not result.stdout:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"{executable.name} -T{format} failed: {message or 'no output'}")
    return result.stdout

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
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

__all__ = ["GraphvizNotFoundError", "RenderError", "find_renderer", "render"]

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


def render(source: str, format: str = "svg", timeout: float = 60.0) -> bytes:
    """Lay out and draw DOT ``source``; returns the SVG or PNG bytes.

    Raises :class:`GraphvizNotFoundError` with install commands when no
    renderer exists, and :class:`RenderError` when rendering fails or takes
    longer than ``timeout`` seconds.
    """
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

"""``python -m visualize.live [--port N]``: the live Playground as a web page on 127.0.0.1.

What ``make playground`` runs. Voilà serves a one-cell notebook that shows
:func:`~visualize.live.live_playground`; the page needs no Jupyter knowledge,
makes no request outside this machine (a small Voilà template drops the stock
page's links to a web font CDN), shows no code and no tracebacks. The address
is printed; no browser is opened. Ctrl-C stops the server and its kernels.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["main", "prepare_site", "voila_command"]

TEMPLATE = "micrograd-offline"
TEMPLATE_INDEX = """\
{%- extends 'lab/index.html.j2' -%}
{% import "spinner.macro.html.j2" as spinner %}
{#- The stock lab template's notebook_css, without its two Font Awesome links to a CDN. -#}
{%- block notebook_css -%}
  {% if frontend == "voila" %}
    {{ resources.include_js("static/voila-style.js") }}
  {% endif %}
  {{ spinner.css() }}
  <style>
    .jp-mod-noOutputs.jp-mod-noInput { display: none; }
  </style>
  {{ super.super() }}
{%- endblock notebook_css -%}
"""
APP_CELL = "from visualize.live import live_playground\n\nlive_playground()"


def prepare_site(folder: Path, cell: str = APP_CELL) -> tuple[Path, Path]:
    """Write the app notebook and the offline template into ``folder``.

    Returns ``(notebook, share)``: pass ``share`` on ``JUPYTER_PATH`` so Voilà
    finds the template.
    """
    share = folder / "share"
    template = share / "voila" / "templates" / TEMPLATE
    template.mkdir(parents=True, exist_ok=True)
    (template / "conf.json").write_text(json.dumps({"base_template": "lab"}))
    (template / "index.html.j2").write_text(TEMPLATE_INDEX)
    notebook = folder / "playground.ipynb"
    document = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "app",
                "metadata": {},
                "outputs": [],
                "source": cell,
            }
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    notebook.write_text(json.dumps(document, indent=1))
    return notebook, share


def voila_command(notebook: Path, port: int) -> list[str]:
    """The Voilà command line: 127.0.0.1 only, no browser, no code, the offline template."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        f"--template={TEMPLATE}",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--Voila.port_retries=0",
    ]


def site_environment(share: Path, environ: dict[str, str]) -> dict[str, str]:
    """Voilà's environment: the template on JUPYTER_PATH and this environment's kernel."""
    env = dict(environ)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(share), environ.get("JUPYTER_PATH")]))
    env["JUPYTER_PREFER_ENV_PATH"] = "1"
    env.pop("MPLBACKEND", None)
    return env


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m visualize.live", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default: 8866)")
    args = parser.parse_args(argv)
    if shutil.which("voila") is None and not _has_module("voila"):
        print(
            "python -m visualize.live: error: Voilà is not installed "
            "(pip install 'micrograd_edu[live]', or run make playground)",
            file=sys.stderr,
        )
        return 1
    with tempfile.TemporaryDirectory(prefix="micrograd-playground-") as folder:
        notebook, share = prepare_site(Path(folder))
        print(f"The live Playground: http://127.0.0.1:{args.port}/   (Ctrl-C stops it)", flush=True)
        process = subprocess.Popen(
            voila_command(notebook, args.port),
            env=site_environment(share, dict(os.environ)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _, errors = process.communicate()
        except KeyboardInterrupt:
            process.terminate()
            process.wait()
            return 0
        if process.returncode:
            last = (errors or "").strip().splitlines()[-1:] or ["no message"]
            print(f"python -m visualize.live: error: Voilà stopped: {last[0]}", file=sys.stderr)
        return process.returncode


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


if __name__ == "__main__":
    sys.exit(main())

"""``python -m micrograd_edu.visualize.live [--port N]``: the live Playground as a web page.

What ``make playground`` runs. Voilà (:mod:`micrograd_edu.visualize.live.server`: local Host
headers only, a kernel cap, idle kernels culled) serves a one-cell notebook
that shows :func:`~micrograd_edu.visualize.live.served_playground`: the settings come from
the page's URL query. The page needs no Jupyter knowledge, makes no request
outside this machine (a small Voilà template drops the stock page's links to
a web font CDN), shows no code and no tracebacks. "Save model" writes into the
folder this command was started in. The address is printed once the server
answers; no browser is opened. Ctrl-C stops the server and its kernels.
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
import time
import urllib.request
from pathlib import Path
from typing import Any

from micrograd_edu._support.commandline import description, prog

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
APP_CELL = "from micrograd_edu.visualize.live import served_playground\n\nserved_playground()"
CULL_SECONDS = 60
"""A kernel without an open page is shut down after this many seconds."""
MAX_KERNELS = 20
"""At most this many pages (kernels) at once."""


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


def voila_command(
    notebook: Path, port: int, cull_seconds: int = CULL_SECONDS, max_kernels: int = MAX_KERNELS
) -> list[str]:
    """The Voilà command line: 127.0.0.1 only, no browser, no code, the offline template,
    kernels without a page culled after ``cull_seconds``, at most ``max_kernels``."""
    return [
        sys.executable,
        "-m",
        "micrograd_edu.visualize.live.server",
        str(notebook),
        f"--MappingKernelManager.cull_idle_timeout={cull_seconds}",
        f"--MappingKernelManager.cull_interval={max(1, min(10, cull_seconds // 2))}",
        "--MappingKernelManager.cull_connected=False",
        f"--PlaygroundVoila.max_kernels={max_kernels}",
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        f"--template={TEMPLATE}",
        "--strip_sources=True",
        "--show_tracebacks=False",
        # ?template=lab (the stock page, with its CDN links) or a template path in a link
        # would change the page: the page is this app's only.
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        "--Voila.port_retries=0",
    ]


def site_environment(
    share: Path, environ: dict[str, str], folder: Path | None = None, cpu_share: float = 0.5
) -> dict[str, str]:
    """Voilà's environment: the template on JUPYTER_PATH, this environment's kernel, and
    for the app the folder files are saved in (default: the current one) and Play's CPU share."""
    from . import CPU_SHARE_VARIABLE, FOLDER_VARIABLE

    env = dict(environ)
    env[FOLDER_VARIABLE] = str((folder or Path.cwd()).resolve())
    env[CPU_SHARE_VARIABLE] = f"{cpu_share:g}"
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


def wait_until_up(url: str, server: subprocess.Popen[Any], timeout: float) -> bool:
    """Poll ``url`` until it answers (True), the server exits or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.3)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog("python -m micrograd_edu.visualize.live"),  # or micrograd-edu playground
        description=description(__doc__),
    )
    parser.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default: 8866)")
    parser.add_argument(
        "--cull-after",
        type=int,
        default=CULL_SECONDS,
        help=f"seconds before a kernel without an open page stops (default: {CULL_SECONDS})",
    )
    parser.add_argument(
        "--max-kernels",
        type=int,
        default=MAX_KERNELS,
        help=f"most pages open at once (default: {MAX_KERNELS})",
    )
    parser.add_argument(
        "--cpu-share",
        type=float,
        default=0.5,
        help="Play's share of one core, 0 to 1 (default: 0.5; 1 on your own laptop)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not 0 < args.cpu_share <= 1 or args.cull_after < 1 or args.max_kernels < 1:
        parser.error("--cpu-share must be in (0, 1], --cull-after and --max-kernels ≥ 1")
    if not 0 < args.port < 65536:  # else a URL no browser opens is printed, and the server waits
        parser.error(f"--port must be a TCP port, 1 to 65535, got {args.port}")
    if shutil.which("voila") is None and not _has_module("voila"):
        print(
            f"{parser.prog}: error: Voilà is not installed "
            "(pip install 'micrograd_edu[live]', or run make playground)",
            file=sys.stderr,
        )
        return 1
    with tempfile.TemporaryDirectory(prefix="micrograd-playground-") as folder:
        notebook, share = prepare_site(Path(folder))
        process = subprocess.Popen(
            voila_command(notebook, args.port, args.cull_after, args.max_kernels),
            env=site_environment(share, dict(os.environ), cpu_share=args.cpu_share),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            url = f"http://127.0.0.1:{args.port}/"
            if wait_until_up(f"{url}voila/static/voila.js", process, timeout=120):
                print(f"The live Playground: {url}   (Ctrl-C stops it)", flush=True)
            _, errors = process.communicate()
        except KeyboardInterrupt:
            process.terminate()
            process.wait()
            return 0
        if process.returncode:
            last = (errors or "").strip().splitlines()[-1:] or ["no message"]
            print(
                f"{parser.prog}: error: Voilà stopped: {last[0]}",
                file=sys.stderr,
            )
        return process.returncode


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


if __name__ == "__main__":
    sys.exit(main())

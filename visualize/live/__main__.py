"""``python -m micrograd_edu.visualize.live [--port N]``: the live Playground as a web page.

What ``make playground`` runs. Voilà (:mod:`micrograd_edu.visualize.live.server`: local Host
headers only, a kernel cap, idle kernels culled) serves a one-cell notebook
that shows :func:`~micrograd_edu.visualize.live.served_playground`: the settings come from
the page's URL query. The page needs no Jupyter knowledge, makes no request
outside this machine (a small Voilà template drops the stock page's links to
a web font CDN), shows no code and no tracebacks. "Save model" writes into the
folder this command was started in. The address is printed once the server
answers (its status, which starts no kernel); no browser is opened.

Behind a proxy (a JupyterHub): ``--base-url /user/NAME/micrograd-playground/`` is the
public prefix, kept in the paths the server receives; ``--trusted-host NAME``
adds the host name the browser shows (see :mod:`~micrograd_edu.visualize.live.server`).
:func:`jupyter_server_proxy` gives both to jupyter-server-proxy (the
``jupyter_serverproxy_servers`` entry point ``micrograd-playground``): one click on
"Live Playground" in JupyterLab's launcher.

Without the ``course`` extra (:data:`NEEDS`), ``--help`` still works and a run says in
one line what to install.

Ctrl-C, SIGTERM or SIGHUP stop the server and every kernel, and leave nothing
in the temporary folder (:mod:`~micrograd_edu.visualize.live.supervisor`).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from micrograd_edu._support.commandline import description, prog

__all__ = [
    "PROXY_NAME",
    "TRUSTED_HOSTS_VARIABLE",
    "base_url",
    "jupyter_server_proxy",
    "main",
    "missing_packages",
    "prepare_site",
    "voila_command",
]

NEEDS = ("matplotlib", "graphviz", "ipywidgets", "anywidget", "voila", "ipykernel")
"""What the served page needs (the ``course`` extra): the app's pictures and widgets, the
server and its kernels."""
PROG = "python -m micrograd_edu.visualize.live"
"""The command run directly; under `micrograd-edu playground`, that name (:func:`prog`)."""

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
PROXY_NAME = "micrograd-playground"
"""The Playground's name for jupyter-server-proxy: its path under a user's server."""
PROXY_MAX_KERNELS = 4
"""Pages one hub user may have open at once (each is a kernel of ~70 MiB)."""
TRUSTED_HOSTS_VARIABLE = "MICROGRAD_PLAYGROUND_TRUSTED_HOSTS"
"""Host names (comma-separated) a hub's Playground trusts besides the hub's public one."""


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


def base_url(text: str) -> str:
    """A URL prefix for the page, as Voilà wants it: ``/`` at both ends; ``ValueError`` for
    what is not a path (a scheme, a host, a query, ``..``).

    >>> base_url("user/ada/micrograd-playground"), base_url("/")
    ('/user/ada/micrograd-playground/', '/')
    """
    path = "/" + text.strip().strip("/") + "/" if text.strip("/ ") else "/"
    parts = urlsplit(path)
    bad = parts.scheme or parts.netloc or parts.query or parts.fragment or "?" in text
    bad = bad or text.strip().startswith("//")  # a host: //evil.example/
    if bad or "//" in path or ".." in path.split("/") or not re.fullmatch(r"[\w./~%@+-]*", path):
        raise ValueError(f"--base-url must be a URL path such as /user/NAME/app/, got {text!r}")
    return path


def voila_command(
    notebook: Path,
    port: int,
    cull_seconds: int = CULL_SECONDS,
    max_kernels: int = MAX_KERNELS,
    *,
    prefix: str = "/",
    trusted_hosts: tuple[str, ...] = (),
    connection_dir: Path | None = None,
) -> list[str]:
    """The Voilà command line: 127.0.0.1 only, no browser, no code, the offline template,
    kernels without a page culled after ``cull_seconds``, at most ``max_kernels``; the page at
    ``prefix`` (a :func:`base_url`), ``trusted_hosts`` served besides the local names, the
    kernels' connection files in ``connection_dir`` (default: the system's temporary folder)."""
    options = [f"--PlaygroundVoila.trusted_hosts={host}" for host in trusted_hosts]
    if connection_dir is not None:
        options.append(f"--Voila.connection_dir_root={connection_dir}")
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
        f"--Voila.base_url={prefix}",
        f"--Voila.server_url={prefix}",
        *options,
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
        prog=prog(PROG),  # or micrograd-edu playground
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
    parser.add_argument(
        "--base-url",
        default="/",
        help="the page's URL prefix behind a proxy, kept in the paths the server receives, "
        "e.g. /user/NAME/micrograd-playground/ (default: /)",
    )
    parser.add_argument(
        "--trusted-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a proxy's public host name to serve besides 127.0.0.1 and localhost "
        "(repeatable; a name or an IP address, without port)",
    )
    return parser


def _check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Bad options end the command with one line naming the problem (argparse's exit 2)."""
    from .hosts import check_trusted_host

    if not 0 < args.cpu_share <= 1 or args.cull_after < 1 or args.max_kernels < 1:
        parser.error("--cpu-share must be in (0, 1], --cull-after and --max-kernels ≥ 1")
    if not 0 < args.port < 65536:  # else a URL no browser opens is printed, and the server waits
        parser.error(f"--port must be a TCP port, 1 to 65535, got {args.port}")
    try:
        args.base_url = base_url(args.base_url)
        args.trusted_host = tuple(check_trusted_host(name) for name in args.trusted_host)
    except ValueError as error:
        parser.error(str(error))


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _check(parser, args)
    missing = missing_packages()
    if missing:
        from . import INSTALL

        names = ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
        print(
            f"{parser.prog}: error: the Playground needs {names} (not installed): {INSTALL}",
            file=sys.stderr,
        )
        return 1
    # Voilà removes the folder too when it stops (the launcher may have been killed outright).
    with tempfile.TemporaryDirectory(
        prefix="micrograd-playground-", ignore_cleanup_errors=True
    ) as folder:
        return _serve(args, Path(folder))


def _serve(args: argparse.Namespace, folder: Path) -> int:
    """Run Voilà from ``folder`` until it stops or a signal stops this command."""
    from .server import server_status
    from .supervisor import StopSignal, forwarding_signals, start_child, stop_tree, wait_for

    notebook, share = prepare_site(folder)
    connections = folder / "connections"
    connections.mkdir()
    command = voila_command(
        notebook,
        args.port,
        args.cull_after,
        args.max_kernels,
        prefix=args.base_url,
        trusted_hosts=args.trusted_host,
        connection_dir=connections,
    )
    command.append(f"--PlaygroundVoila.remove_on_exit={folder}")
    url = f"http://127.0.0.1:{args.port}{args.base_url}"
    hint = hub_hint(dict(os.environ), args)
    if hint:
        print(hint, file=sys.stderr, flush=True)
    with forwarding_signals(), (folder / "voila.log").open("w+") as log:
        process = start_child(
            command,
            env=site_environment(share, dict(os.environ), cpu_share=args.cpu_share),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            if wait_for(lambda: _answers(server_status, url), process, timeout=120):
                print(f"The live Playground: {url}   (Ctrl-C stops it)", flush=True)
            process.wait()
        except StopSignal:
            return 0
        finally:
            stop_tree(process)
        if process.returncode:
            log.seek(0)
            last = log.read().strip().splitlines()[-1:] or ["no message"]
            print(
                f"{prog(PROG)}: error: Voilà stopped: {last[0]}",
                file=sys.stderr,
            )
        return process.returncode


def hub_hint(environ: dict[str, str], args: argparse.Namespace) -> str | None:
    """On a JupyterHub user server without ``--base-url``: how to reach the page, or None.

    >>> args = argparse.Namespace(base_url="/", port=8866, trusted_host=())
    >>> print(hub_hint({"JUPYTERHUB_SERVICE_PREFIX": "/user/ada/"}, args))
    On a JupyterHub this address is the server's, not yours. Open the Live Playground from
    JupyterLab's launcher, or start it with
      --base-url /user/ada/proxy/absolute/8866/ --trusted-host HUB.EXAMPLE.ORG (the hub's name)
    and open /user/ada/proxy/absolute/8866/ on the hub.
    """
    prefix = environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if not prefix or args.base_url != "/":
        return None
    host = urlsplit(environ.get("JUPYTERHUB_PUBLIC_URL", "")).hostname
    path = f"{prefix}proxy/absolute/{args.port}/"
    name = host or "HUB.EXAMPLE.ORG (the hub's name)"
    return (
        "On a JupyterHub this address is the server's, not yours. Open the Live Playground from\n"
        "JupyterLab's launcher, or start it with\n"
        f"  --base-url {path} --trusted-host {name}\n"
        f"and open {path} on the hub."
    )


def _answers(status: Any, url: str) -> bool:
    try:
        status(url, timeout=2)
    except (OSError, ValueError):
        return False
    return True


def jupyter_server_proxy() -> dict[str, Any]:
    """The Playground for jupyter-server-proxy (its ``jupyter_serverproxy_servers`` entry point).

    Started on the first visit of ``/user/NAME/micrograd-playground/`` (the launcher's "Live
    Playground"), with the prefix kept (``absolute_url``), at most :data:`PROXY_MAX_KERNELS`
    pages, and trusting the host of ``JUPYTERHUB_PUBLIC_URL`` (set by JupyterHub from
    ``c.JupyterHub.public_url``) and the names in ``MICROGRAD_PLAYGROUND_TRUSTED_HOSTS``.
    """
    hosts = [
        name.strip()
        for name in os.environ.get(TRUSTED_HOSTS_VARIABLE, "").split(",")
        if name.strip()
    ]
    public = urlsplit(os.environ.get("JUPYTERHUB_PUBLIC_URL", "")).hostname
    if public:
        hosts.insert(0, public)
    command = [
        sys.executable,
        "-m",
        "micrograd_edu.visualize.live",
        "--port={port}",
        f"--base-url={{base_url}}{PROXY_NAME}/",
        f"--max-kernels={PROXY_MAX_KERNELS}",
        *[f"--trusted-host={name}" for name in dict.fromkeys(hosts)],
    ]
    icon = Path(__file__).with_name("playground-icon.svg")
    return {
        "command": command,
        "absolute_url": True,
        "timeout": 120,
        "new_browser_tab": True,
        "launcher_entry": {
            "title": "Live Playground",
            "icon_path": str(icon) if icon.exists() else "",
            "category": "Notebook",
        },
    }


def missing_packages() -> list[str]:
    """The packages of :data:`NEEDS` that are not installed, in that order."""
    return [name for name in NEEDS if importlib.util.find_spec(name) is None]


if __name__ == "__main__":
    sys.exit(main())

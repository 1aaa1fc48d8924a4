"""JupyterLab on the course notebooks, set up the way a student needs it.

``micrograd-edu lab [DIR]`` (and ``make lab`` in the repository) opens a folder
of notebooks in JupyterLab. Whatever the shell has set, it starts so that
figures show:

* ``MPLBACKEND`` is removed from the kernel's environment (``Agg`` there makes
  every matplotlib figure silently disappear), so notebooks use the inline backend;
* ``JUPYTER_PREFER_ENV_PATH=1``: the kernel is the one installed in this
  environment, not one found elsewhere;
* JupyterLab's settings in this environment turn off the "news" pop-up.

JupyterLab comes with ``pip install 'micrograd_edu[lab]'``. Standard library
only here; works on Linux, macOS and Windows (no process groups; SIGTERM, which
Windows has too, is passed on to JupyterLab).

>>> sorted(lab_environment({"MPLBACKEND": "Agg", "HOME": "/home/ada"}).items())
[('HOME', '/home/ada'), ('JUPYTER_PREFER_ENV_PATH', '1')]
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from .._support.files import write_atomically

__all__ = [
    "SETTINGS",
    "LabNotInstalledError",
    "lab_environment",
    "pytorch_advice",
    "run_lab",
    "wait_for",
    "write_lab_settings",
]

SETTINGS = {
    # No toast asking "Would you like to get notified about official Jupyter news?",
    # and no update check: nothing leaves the machine, nothing covers the first output.
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


class LabNotInstalledError(RuntimeError):
    """JupyterLab is not installed in this environment."""


def write_lab_settings(prefix: Path = Path(sys.prefix)) -> Path:
    """JupyterLab's settings overrides for this environment (``share/jupyter/lab/settings``)."""
    path = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    text = json.dumps(SETTINGS, indent=2) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        write_atomically(path, text.encode("utf-8"))
    return path


TORCH_CPU = {
    "linux": "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu",
    "other": "pip install torch==2.13.0",
}
"""PyTorch's CPU build: on Linux PyPI's wheel is the CUDA one (GBs), so the CPU index is named."""


def pytorch_advice(platform: str | None = None, installed: bool | None = None) -> str | None:
    """What to run to get PyTorch's CPU build (for notebook 7), or None when it is installed.

    ``platform`` None: this machine's (``sys.platform``); ``installed`` None: look for
    ``torch`` in this environment.

    >>> print(pytorch_advice("linux", installed=False))
    Notebook 7 compares with PyTorch, which is not installed here. Its CPU build:
        pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
    (then restart the notebook's kernel; the other notebooks do not need it)
    >>> pytorch_advice("darwin", installed=False).splitlines()[1].strip()
    'pip install torch==2.13.0'
    >>> pytorch_advice("linux", installed=True) is None
    True
    """
    if installed is None:
        installed = importlib.util.find_spec("torch") is not None
    if installed:
        return None
    system = sys.platform if platform is None else platform
    command = TORCH_CPU["linux" if system.startswith("linux") else "other"]
    return (
        "Notebook 7 compares with PyTorch, which is not installed here. Its CPU build:\n"
        f"    {command}\n"
        "(then restart the notebook's kernel; the other notebooks do not need it)"
    )


def lab_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment JupyterLab and its kernels get: no MPLBACKEND, this env's kernel."""
    env = {name: value for name, value in environ.items() if name != "MPLBACKEND"}
    env["JUPYTER_PREFER_ENV_PATH"] = "1"
    return env


def run_lab(folder: str | os.PathLike[str], jupyter_args: Sequence[str] = ()) -> int:
    """Run JupyterLab on ``folder`` until it stops; returns its exit code.

    Ctrl-C reaches JupyterLab too, which asks whether to stop: this process
    keeps waiting for it. Raises :class:`LabNotInstalledError` (with the pip
    line) when JupyterLab is missing.
    """
    if importlib.util.find_spec("jupyterlab") is None:
        raise LabNotInstalledError(
            "JupyterLab is not installed here: pip install 'micrograd_edu[lab]' "
            "(or 'micrograd_edu[course]' for everything the course uses)"
        )
    write_lab_settings()
    command = [sys.executable, "-m", "jupyter", "lab", str(Path(folder)), *jupyter_args]
    process = subprocess.Popen(command, env=lab_environment(os.environ))
    return wait_for(process)


def wait_for(process: subprocess.Popen[bytes]) -> int:
    """Wait for JupyterLab to stop; returns its exit code.

    Ctrl-C reaches JupyterLab too (the terminal sends it to both), which asks
    whether to stop: this process keeps waiting. A request to stop this
    process (SIGTERM, as a process manager or ``kill`` sends) is passed on to
    JupyterLab, which would otherwise be left running without it.
    """

    def stop(signum: int, frame: object) -> None:
        process.terminate()

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stop) if main_thread else None
    try:
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:
                continue
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)

"""Open the course notebooks in JupyterLab, set up the way a student needs them.

``python notebooks/lab.py`` (what ``make lab`` runs) opens the student
versions in ``notebooks/student/``: working copies that belong to the student
and that git ignores. Missing copies are written from the course notebooks;
existing ones are never overwritten (delete one to start it afresh).
``--solutions`` opens the course notebooks themselves, with the solutions, for
teachers; the git filter of ``strip_outputs.py`` keeps their outputs out of git.

Whatever the shell has set, JupyterLab starts so that figures show:

* ``MPLBACKEND`` is removed from the kernel's environment (``Agg`` there makes
  every matplotlib figure silently disappear), so notebooks use the inline backend;
* ``JUPYTER_PREFER_ENV_PATH=1``: the kernel is the one installed in this
  environment (``python -m ipykernel install --sys-prefix``);
* JupyterLab's settings in this environment turn off the "news" pop-up.

Extra arguments go to ``jupyter lab`` (``python notebooks/lab.py -- --port 8890``).
Only the standard library is needed here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from make_student import student_notebook, write_atomically

HERE = Path(__file__).resolve().parent
STUDENT_DIR = HERE / "student"
SETTINGS = {
    # No toast asking "Would you like to get notified about official Jupyter news?",
    # and no update check: nothing leaves the machine, nothing covers the first output.
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def write_student_copies(folder: Path) -> list[Path]:
    """Write the student version of every course notebook missing from ``folder``."""
    written = []
    for source in sorted(HERE.glob("[0-9]*.ipynb")):
        target = folder / source.name
        if target.exists():
            continue
        student, _ = student_notebook(json.loads(source.read_text(encoding="utf-8")))
        write_atomically(target, json.dumps(student, indent=1, ensure_ascii=False) + "\n")
        written.append(target)
    return written


def write_lab_settings(prefix: Path = Path(sys.prefix)) -> Path:
    """JupyterLab's settings overrides for this environment (``share/jupyter/lab/settings``)."""
    path = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    text = json.dumps(SETTINGS, indent=2) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        write_atomically(path, text)
    return path


def lab_environment(environ: dict[str, str]) -> dict[str, str]:
    """The environment JupyterLab and its kernels get: no MPLBACKEND, this env's kernel."""
    env = {name: value for name, value in environ.items() if name != "MPLBACKEND"}
    env["JUPYTER_PREFER_ENV_PATH"] = "1"
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--solutions", action="store_true", help="open the course notebooks with solutions"
    )
    parser.add_argument("--folder", type=Path, help="open this folder (default: notebooks/student)")
    parser.add_argument("jupyter_args", nargs="*", help="passed on to jupyter lab")
    args = parser.parse_args(argv)
    if args.solutions:
        folder = args.folder or HERE
        print(f"Opening the course notebooks WITH solutions in {folder}")
    else:
        folder = args.folder or STUDENT_DIR
        written = write_student_copies(folder)
        print(
            f"Opening the student notebooks in {folder} "
            f"({len(written)} new; your existing copies are kept as they are)"
        )
    write_lab_settings()
    command = [sys.executable, "-m", "jupyter", "lab", str(folder), *args.jupyter_args]
    process = subprocess.Popen(command, env=lab_environment(dict(os.environ)))
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:  # Ctrl-C reaches jupyter too, which asks whether to stop
            continue


if __name__ == "__main__":
    sys.exit(main())

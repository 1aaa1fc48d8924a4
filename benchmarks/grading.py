"""The grader's targets, timed on the course notebooks (as submissions that pass).

* a class of 3 submissions of each course notebook: ``--jobs 2`` against ``--jobs 1``
  (target ≥ 1.7× on 2 cores);
* per-notebook overhead: the class at ``--jobs 1``, per notebook, against running the same
  code cells (those not tagged ``skip-grading``) in a plain Python process, one process per
  notebook (target ≤ 3 s);
* seconds per notebook per core over the class at ``--jobs 2`` (target ≤ 3 s), beside
  today's figure before this grader: every cell of the notebook run through nbclient,
  one notebook at a time, as the old grader did.

Each figure is one run (minutes each): the ratios are what matter.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["grading_rows"]

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
SKIP_TAG = "skip-grading"
CODE_ALONE = """\
import json, os, sys
os.environ["MPLBACKEND"] = "Agg"
namespace = {"__name__": "__main__"}
for cell in json.load(open(sys.argv[1]))["cells"]:
    if cell["cell_type"] != "code" or "skip-grading" in cell["metadata"].get("tags", []):
        continue
    source = "".join(cell["source"])
    code = "\\n".join(l for l in source.splitlines() if not l.lstrip().startswith(("%", "!")))
    try:
        exec(compile(code, "cell", "exec"), namespace)
    except Exception:
        pass
"""


def _seconds(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        command,
        cwd=cwd,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def _grade(paths: list[Path], jobs: int, out: Path) -> tuple[float, int]:
    """Wall seconds of one grader run, and how many submissions ran to the end."""
    command = [sys.executable, "-m", "micrograd_edu.grade", "--jobs", str(jobs)]
    command += ["--timeout", "600", "--out", str(out), *map(str, paths)]
    seconds = _seconds(command, ROOT)
    lines = (out / "results.jsonl").read_text().splitlines()
    return seconds, sum(json.loads(line)["status"] == "ran" for line in lines)


def _class(folder: Path, copies: int) -> list[Path]:
    paths = []
    for copy in range(copies):
        for notebook in NOTEBOOKS:
            target = folder / f"student{copy:02d}" / notebook.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(notebook, target)
            paths.append(target)
    return paths


def _code_alone(notebook: Path) -> float:
    env = dict(os.environ, MPLBACKEND="Agg")
    return _seconds([sys.executable, "-c", CODE_ALONE, str(notebook)], notebook.parent, env)


def _nbclient_full(notebook: Path) -> float:
    """Today's figure: every cell, through nbclient, in a fresh kernel."""
    code = (
        "import sys, nbformat, nbclient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "nbclient.NotebookClient(nb, kernel_name='python3', timeout=600, allow_errors=True,"
        " resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
    )
    env = dict(os.environ, MPLBACKEND="Agg", JUPYTER_PREFER_ENV_PATH="1")
    return _seconds([sys.executable, "-c", code, str(notebook), str(notebook.parent)], ROOT, env)


def grading_rows(quick: bool = False) -> list[list[str]]:
    """Rows of the targets table: what, measured, target, met."""
    copies = 1 if quick else 3
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as temp:
        folder = Path(temp)
        paths = _class(folder / "class", copies)
        one, ran_one = _grade(paths, 1, folder / "jobs1")
        two, ran_two = _grade(paths, 2, folder / "jobs2")
    alone = sum(_code_alone(notebook) for notebook in NOTEBOOKS) * copies
    today = sum(_nbclient_full(notebook) for notebook in NOTEBOOKS) / len(NOTEBOOKS)
    cores = min(2, os.cpu_count() or 1)
    per_core = two * cores / len(paths)
    count = len(paths)
    return [
        [
            f"grading: {count} submissions, --jobs 2 vs --jobs 1 ({ran_two}/{ran_one} ran,"
            f" load average {load:.1f} at the start)",
            f"{one / two:.2f}× ({one:.0f} s → {two:.0f} s)",
            "≥ 1.7×",
            "✔" if one / two >= 1.7 and ran_one == ran_two == count else "✘",
        ],
        [
            "grading: overhead per notebook over its code alone (class at --jobs 1)",
            f"{(one - alone) / count:.1f} s ({one / count:.1f} s vs {alone / count:.1f} s)",
            "≤ 3 s",
            "✔" if (one - alone) / count <= 3 else "✘",
        ],
        [
            f"grading: seconds per notebook per core, {len(NOTEBOOKS)} course notebooks",
            f"{per_core:.1f} s (before: {today:.1f} s, every cell via nbclient)",
            "≤ 3 s",
            "✔" if per_core <= 3 else "✘",
        ],
    ]


if __name__ == "__main__":
    for row in grading_rows("--quick" in sys.argv):
        print(" | ".join(row))

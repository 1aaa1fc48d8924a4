"""Run one notebook in its sandbox: the worker process, and the parent's strict reading of it.

The parent (:func:`run_notebook`) starts ``python -m micrograd_edu.grade.run`` in a new
session, sends it the job on its stdin and reads exactly one line back on its stdout, within
the wall-clock limit. The worker moves its own stdout to a private descriptor at once,
starts the kernel itself (stdin, stdout and stderr to ``/dev/null``, every other descriptor
closed, limits and user from :mod:`.sandbox`), runs the notebook's code cells (minus those
tagged ``skip-grading``) and probes each exercise as soon as the cell defining it has run
(:func:`.cells.schedule`; the others after the last cell), keeping no output but the probe
cells' stdout (capped), kills every process the notebook started, and reports the probes'
lines. A kernel that dies later keeps the exercises probed before. Talking to the kernel
(a cell's end, what it printed, output too large to read) is :mod:`.kernel`'s.

The worker never judges: the parent does, on the probe's data. A worker that dies, writes
garbage, writes more than one line or a line without its nonce is "crashed". A failure
before the student's first cell ran (the kernel does not start, a package is missing) is
the grader's, never the student's: "grader error".
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import cells as notebook_cells
from . import leases, mounts
from . import sandbox as sb
from .cells import SKIP_TAG
from .kernel import Link, execute, probe_line, start_kernel

__all__ = ["SKIP_TAG", "WorkerResult", "run_notebook"]

SECRET_VARIABLE = "MICROGRAD_EDU_GRADE_SECRET"
MESSAGE_LIMIT = 4 << 20
STARTUP_GRACE = 15.0
STATES = ("ran", "hung", "crashed", "grader error")


@dataclass(frozen=True)
class WorkerResult:
    """What the worker reported: ``status`` (:data:`STATES`), a detail, the probes' lines.

    ``probes``: exercise → ``{"hidden": line, "common": line}`` for every exercise probed
    (a line is None when the probe's output was not one marked line); ``current``: the
    exercise being probed when the notebook stopped; ``uses``: exercise → the other
    exercises its functions call.
    """

    status: str
    detail: str = ""
    probes: dict[str, dict[str, str | None]] = field(default_factory=dict)
    current: str | None = None
    uses: dict[str, list[str]] = field(default_factory=dict)
    layers: tuple[str, ...] = ()
    seconds: float = 0.0
    weaknesses: tuple[str, ...] = ()


# ---------------------------------------------------------------------- the parent's side
def run_notebook(
    folder: Path,
    probes: list[dict[str, Any]],
    marker: str,
    limits: sb.Limits,
    network: bool = True,
    uid: int | None = None,
    hide: tuple[Path, ...] = (),
) -> WorkerResult:
    """Run ``folder/submission.ipynb`` and its ``probes`` in a worker; never raises for its faults.

    Each probe is ``{"number", "names", "hidden", "common"}``: the exercise, the names the
    student defines for it, the probe cell's source on the hidden case and on the common one
    (or None).
    """
    nonce = secrets.token_hex(16)
    job = {
        "folder": str(folder),
        "probes": probes,
        "marker": marker,
        "nonce": nonce,
        "parent": os.getpid(),
        "network": network,
        "uid": uid,
        "hide": [os.fsdecode(path) for path in hide],
        "limits": {
            "wall_seconds": limits.wall_seconds,
            "memory_bytes": limits.memory_bytes,
            "file_bytes": limits.file_bytes,
            "processes": limits.processes,
            "output_bytes": limits.output_bytes,
        },
    }
    env = {k: v for k, v in os.environ.items() if k != SECRET_VARIABLE}
    with open(folder.parent / "worker.log", "wb") as log, sb.WORKERS_LOCK:
        worker = subprocess.Popen(
            [sys.executable, "-m", "micrograd_edu.grade.run"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,
            cwd=folder.parent,
            env=env,
        )
        sb.LIVE_WORKERS.add(worker.pid)
    try:
        assert worker.stdin is not None and worker.stdout is not None
        worker.stdin.write(json.dumps(job).encode())
        worker.stdin.close()
        data = _read_capped(worker.stdout, time.monotonic() + limits.wall_seconds + STARTUP_GRACE)
        code = _wait(worker, 5.0)
    finally:
        _stop(worker)
        sb.clean_after_worker(worker.pid)
    return _parse(data, code, nonce, folder.parent / "worker.log")


def _read_capped(stream: Any, deadline: float) -> bytes | None:
    """Read until end of file, the deadline or the cap; None when the deadline passed."""
    chunks: list[bytes] = []
    size = 0
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if not selector.select(timeout=left):
                continue
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > MESSAGE_LIMIT:
                return b"".join(chunks)
            chunks.append(chunk)


def _wait(worker: subprocess.Popen[bytes], seconds: float) -> int | None:
    try:
        return worker.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return None


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        with contextlib.suppress(OSError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    if worker.stdout is not None:
        worker.stdout.close()


def _parse(data: bytes | None, code: int | None, nonce: str, log: Path) -> WorkerResult:
    if data is None:
        return WorkerResult("hung", "stopped at the wall-clock limit (the worker did not finish)")
    lines = data.splitlines()
    if code != 0 or len(lines) != 1 or len(data) >= MESSAGE_LIMIT:
        return WorkerResult("crashed", _why(code, len(lines), log))
    try:
        message = json.loads(lines[0])
        ok = isinstance(message, dict) and message.get("nonce") == nonce
    except (ValueError, RecursionError):
        ok = False
    parts = _checked(message) if ok else None
    if parts is None:
        return WorkerResult("crashed", "the grading worker answered out of turn or garbled")
    return WorkerResult(
        message["status"],
        str(message.get("detail", "")),
        *parts,
        tuple(str(layer) for layer in message.get("layers", [])),
        float(message.get("seconds", 0.0)),
        tuple(str(weakness) for weakness in message.get("weaknesses", [])),
    )


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _checked(
    message: dict[str, Any],
) -> tuple[dict[str, dict[str, str | None]], str | None, dict[str, list[str]]] | None:
    """The probes, the current exercise and the uses of a worker's message; None if garbled."""
    probes, current, uses = (
        message.get("probes", {}),
        message.get("current"),
        message.get("uses", {}),
    )
    if message.get("status") not in STATES or not isinstance(current, str | None):
        return None
    if not isinstance(probes, dict) or not isinstance(uses, dict):
        return None
    for lines in probes.values():
        if not isinstance(lines, dict) or set(lines) - {"hidden", "common"}:
            return None
        if not all(isinstance(line, str | None) for line in lines.values()):
            return None
    if not all(_strings(others) for others in uses.values()):
        return None
    if not all(_strings(message.get(key, [])) for key in ("layers", "weaknesses")):
        return None
    if not isinstance(message.get("seconds", 0), int | float):
        return None
    return probes, current, uses


def _why(code: int | None, lines: int, log: Path) -> str:
    if code is None or code < 0 or code > 0:
        tail = log.read_bytes()[-300:].decode("utf-8", "replace").strip().splitlines()
        last = tail[-1] if tail else ""
        return f"the grading worker died (exit status {code}) {last}".strip()
    return f"the grading worker wrote {lines} lines instead of 1"


# ---------------------------------------------------------------------- the worker's side
CUT = (
    "the probe's output was cut: the kernel sent more than it could be read (a message over "
    "16 MB, or faster than the grader reads: the notebook printed too much at once)"
)


class GraderError(Exception):
    """The grader's own environment failed before the student's code ran."""


def _grade_in_kernel(job: dict[str, Any], box: sb.Sandbox) -> dict[str, Any]:
    deadline = time.monotonic() + box.limits.wall_seconds
    submission = box.folder / "submission.ipynb"
    cells = notebook_cells.code_cells(submission)
    submission.unlink()  # the kernel gets the cells, never the file: its bytes make the seed
    names = {probe["number"]: probe["names"] for probe in job["probes"]}
    plan = notebook_cells.schedule(cells, names)
    report: dict[str, Any] = {"probes": {}, "current": None}
    report["uses"] = notebook_cells.uses(cells, names)
    try:  # nothing of the student's has run yet: a failure here is the grader's
        kernel, link = start_kernel(box, deadline)
    except Exception as error:  # a missing package, a kernel that does not start in time
        raise GraderError(f"the kernel did not start: {type(error).__name__}: {error}") from None
    try:
        state = _run_cells(job, box, link, kernel, cells, plan, deadline, report)
        garbled: dict[str, str] = report.pop("garbled", {"status": "ran", "detail": ""})
        if state == "hung":
            detail = f"stopped after {box.limits.wall_seconds:g} s"
            return report | {"status": "hung", "detail": detail}
        if state == "died":
            detail = f"the kernel died (exit status {kernel.poll()})"
            return report | {"status": "crashed", "detail": detail}
        return report | garbled
    finally:
        link.close()
        box.kill_all(kernel.pid)


def _run_cells(
    job: dict[str, Any],
    box: sb.Sandbox,
    link: Link,
    kernel: subprocess.Popen[bytes],
    cells: list[str],
    plan: dict[int, list[str]],
    deadline: float,
    report: dict[str, Any],
) -> str:
    """Run the cells, each exercise's probes right after its cell; "ok", "hung" or "died"."""
    probes = {probe["number"]: probe for probe in job["probes"]}
    keep = box.limits.output_bytes
    for index in range(len(cells) + 1):
        if index < len(cells):
            state = execute(link, kernel, cells[index], deadline, 0).state
            if state != "ok":
                return state
        for number in plan.get(index, []):
            report["current"] = number
            for kind in ("hidden", "common"):
                if probes[number].get(kind) is None:
                    continue
                cell = execute(link, kernel, probes[number][kind], deadline, keep)
                if cell.state != "ok":
                    return cell.state
                line, detail = probe_line(cell.text, job["marker"])
                if not cell.complete:
                    line, detail = None, CUT
                report["probes"].setdefault(number, {})[kind] = line
                if line is None and kind == "hidden":
                    report["garbled"] = {"status": "crashed", "detail": detail}
            report["current"] = None
    return "ok"


def _package() -> tuple[Path, bool]:
    """The package's folder, and whether it is installed (in a site-packages folder) rather
    than run from a checkout."""
    import site

    import micrograd_edu

    package = Path(micrograd_edu.__file__).resolve().parent
    sites = {Path(p).resolve() for p in (*site.getsitepackages(), site.getusersitepackages())}
    installed = package.parent in sites or package.parent.name in ("site-packages", "dist-packages")
    return package, installed


def _expose() -> list[Path]:
    """What the kernel needs to see: the Python installation and every folder on its
    ``sys.path`` (a virtual environment, site-packages added by ``.pth`` files) but a checkout
    the package runs from, and the package's own folders (``visualize`` is a link)."""
    package, installed = _package()
    paths = {Path(p) for p in (sys.base_prefix, sys.prefix, sys.exec_prefix)}
    pythonpath = set(os.environ.get("PYTHONPATH", "").split(os.pathsep)) - {""}
    for entry in sys.path:  # not the kernel's: PYTHONPATH and the current folder
        if entry and entry not in pythonpath and os.path.isdir(entry):
            folder = Path(entry).resolve()
            checkout = not installed and package.is_relative_to(folder)
            if folder != Path.cwd().resolve() and not checkout:
                paths.add(folder)
    paths |= {package, (package / "visualize").resolve()}
    return sorted({path.resolve() for path in paths if path.is_dir()})


def _hidden(job: dict[str, Any]) -> list[Path]:
    """What the kernel must not see: the grader's list, and the checkout the package runs
    from (the folder holding it and the repository above, ``.git`` included)."""
    package, installed = _package()
    checkout = mounts.checkout_of(package, [package.parent] if installed else [])
    return [Path(p) for p in job.get("hide", [])] + checkout


def _isolate_files(job: dict[str, Any], box: sb.Sandbox) -> int | None:
    """The mount namespace if possible; the uid to run the kernel as (leased), if any."""
    if sys.platform != "linux" or os.geteuid() != 0:
        box.weaknesses.append(NOT_ROOT if sys.platform == "linux" else NOT_LINUX)
        return None
    if job.get("uid") is None:
        box.weaknesses.append("same user (--same-user): the kernel runs as the grader (root)")
    else:
        box.lease = leases.take(hint=int(job["uid"]))
        if box.lease is None:
            box.weaknesses.append(f"no other user: no uid of {leases.LEASES} could be leased")
    expose = _expose()
    try:
        box.weaknesses.extend(mounts.isolate(expose, _hidden(job), box.folder))
        box.layers.append("mount namespace")
    except OSError as error:
        box.weaknesses.append(f"no mount namespace: {error}")
    if box.lease is not None and not all(mounts.others_can_reach(path) for path in expose):
        box.weaknesses.append("no other user: the Python installation is not readable by others")
        return None
    return box.lease.uid if box.lease is not None else None


NOT_ROOT = (
    "not root: the kernel runs as the grader's user, with no mount, pid, ipc or network "
    "namespace and no cgroup (it can read what the grader can read)"
)
NOT_LINUX = (
    "not Linux: the kernel runs as the grader's user, without namespaces or cgroups (it can "
    "read what the grader can read), and what it detaches is not tracked"
)


def worker(job: dict[str, Any], channel: int) -> None:
    """The worker's whole job; writes one line (JSON) on ``channel``."""
    start = time.monotonic()
    sb.die_with_parent(int(job["parent"]))
    box = sb.Sandbox(Path(job["folder"]), sb.Limits(**job["limits"]))
    if sb.make_subreaper():
        box.layers.append("process tree")
    if job.get("network") and sb.enter_network_namespace():
        box.layers.append("network namespace")
    elif job.get("network") and sys.platform == "linux" and os.geteuid() == 0:
        box.weaknesses.append("no network namespace")
    try:
        uid = _isolate_files(job, box)
        box.prepare(uid)
        result = _grade_in_kernel(job, box)
    except GraderError as error:
        box.kill_all(None)
        result = {"status": "grader error", "detail": str(error)[:500]}
    except Exception as error:  # the notebook is unreadable, the kernel never came up...
        box.kill_all(None)
        result = {"status": "crashed", "detail": f"{type(error).__name__}: {error}"[:300]}
    result |= {
        "nonce": job["nonce"],
        "layers": box.layers,
        "weaknesses": box.weaknesses,
        "seconds": time.monotonic() - start,
    }
    os.write(channel, (json.dumps(result) + "\n").encode())


def main() -> int:
    """Entry point of ``python -m micrograd_edu.grade.run`` (started by the grader only)."""
    channel = os.dup(1)
    os.dup2(2, 1)  # anything printed by libraries goes to the log, never to the channel
    job = json.loads(sys.stdin.buffer.read(MESSAGE_LIMIT))
    worker(job, channel)
    os.close(channel)
    return 0


if __name__ == "__main__":
    sys.exit(main())

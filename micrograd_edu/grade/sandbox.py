"""The sandbox a student's kernel runs in, in layers: everywhere, then where available.

Everywhere (any POSIX system):

* ``folder``: a copy of the submission alone in a fresh temporary folder, the kernel's cwd;
  its HOME, Jupyter, IPython, Matplotlib and temporary folders inside it;
* ``environment``: the kernel's environment reduced to what it needs (no teacher secrets);
* ``limits``: ``resource`` limits on memory, CPU time and file size (processes too, under
  another user);
* ``process tree``: every process the kernel started is killed at the end (Linux: the worker
  is a child subreaper, so detached processes stay its descendants; elsewhere: the
  kernel's process group).

Where available (Linux, grader running as root):

* ``unprivileged user``: the kernel runs as a uid leased machine-wide (:mod:`.leases`: no
  other live kernel of any grader has it) with no supplementary groups, the sandbox folder
  owned by it; the installed package is read-only to it;
* ``pid namespace``: the kernel in a pid namespace of its own with its own ``/proc``
  (:mod:`.pidns`): it sees and can signal only its own processes, and when the namespace's
  first process ends every process in it is killed;
* ``ipc namespace``: System V and POSIX message queues and shared memory of its own;
* ``network namespace``: the worker and its kernel in a network namespace with only
  loopback (the kernel talks to the worker over 127.0.0.1);
* ``cgroup``: a cgroup v1 (memory, pids, freezer) per notebook: memory and process limits for
  the whole tree, and a freeze-then-kill at the end that nothing escapes.

A layer that could not run is not listed: it is named among the sandbox's ``weaknesses``
(not root, no namespaces, another system), and so is a folder left visible.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import functools
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import leases, pidns

__all__ = [
    "Limits",
    "Sandbox",
    "clean_after_worker",
    "descendants",
    "kernel_env",
    "kill_tree",
    "make_subreaper",
]

CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_CONTROLLERS = ("memory", "pids", "freezer")
CGROUP_PARENT = "micrograd_edu_grade"
NOBODY = 65534


@dataclass(frozen=True)
class Limits:
    """Limits for one notebook: wall clock (s), memory (bytes), file size (bytes), processes."""

    wall_seconds: float
    memory_bytes: int = 4 << 30
    file_bytes: int = 64 << 20
    processes: int = 256
    output_bytes: int = 1 << 20

    @property
    def cpu_seconds(self) -> int:
        """CPU seconds per process: the wall-clock limit, rounded up, plus 5."""
        return int(self.wall_seconds) + 6


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library (Linux), found without running anything (``ctypes.util.find_library``
    runs ``ldconfig``: once the worker is in a new pid namespace, its first child must be
    the namespace's first process)."""
    if sys.platform != "linux":
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    return libc if all(hasattr(libc, name) for name in ("prctl", "unshare", "mount")) else None


def make_subreaper() -> bool:
    """Make this process a child subreaper (Linux): orphaned descendants come back to it."""
    libc = _libc()
    return libc is not None and libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER


def die_with_parent(parent: int) -> None:
    """Be killed when ``parent`` dies (Linux); exit now if it is already gone."""
    libc = _libc()
    if libc is not None:
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(70)


def enter_network_namespace() -> bool:
    """Move this process to a new network namespace with only loopback, up (root, Linux)."""
    libc = _libc()
    if libc is None or os.geteuid() != 0:
        return False
    if libc.unshare(0x40000000) != 0:  # CLONE_NEWNET
        return False
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(sock, 0x8913, request))[1]  # SIOCGIFFLAGS
        fcntl.ioctl(sock, 0x8914, struct.pack("16sH22x", b"lo", flags | 1))  # SIOCSIFFLAGS, UP
    return True


def _parents() -> dict[int, int]:
    """Every process's parent, from /proc (empty where there is no /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
    return parents


def descendants(root: int) -> list[int]:
    """The processes below ``root`` in the process tree (Linux /proc), children first."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    found: list[int] = []
    stack = list(children.get(root, []))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def _signal_all(pids: list[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, sig)


def kill_tree(root: int = 0, rounds: int = 50) -> int:
    """Stop then kill every descendant of ``root`` (default: this process); reap ours.

    Returns how many processes were killed. Repeats until none is left, so a
    process forked during the sweep is caught by the next round.
    """
    root = root or os.getpid()
    killed: set[int] = set()
    for _ in range(rounds):
        pids = descendants(root)
        alive = [pid for pid in pids if not _is_zombie(pid)]
        if not alive:
            break
        _signal_all(alive, signal.SIGSTOP)
        _signal_all(alive, signal.SIGKILL)
        killed.update(alive)
        _reap(root)
        time.sleep(0.01)
    _reap(root)
    return len(killed)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] in "ZX"


def _reap(root: int) -> None:
    if root != os.getpid():
        return
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kernel_env(folder: Path) -> dict[str, str]:
    """The kernel's whole environment: its homes inside ``folder``, nothing of the grader's."""
    home = folder / ".home"
    path = os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"])
    return {
        "PATH": path,
        "HOME": str(home),
        "TMPDIR": str(home / "tmp"),
        "IPYTHONDIR": str(home / ".ipython"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "MPLCONFIGDIR": str(home / ".config" / "matplotlib"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "MPLBACKEND": "Agg",
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


HOME_FOLDERS = ("tmp", ".ipython", ".jupyter", "runtime", ".config/matplotlib", ".cache")


@dataclass
class Sandbox:
    """One notebook's sandbox: its folder, its limits, the layers that ran, its weaknesses."""

    folder: Path
    limits: Limits
    uid: int | None = None
    cgroups: list[Path] = field(default_factory=list)
    layers: list[str] = field(default_factory=list)
    weaknesses: list[str] = field(default_factory=list)
    pid_namespace: bool = False
    lease: leases.Lease | None = None

    def prepare(self, uid: int | None = None, want_cgroup: bool = True) -> None:
        """Make the homes; run as user ``uid`` and in a cgroup where possible (root, Linux)."""
        self.layers += ["folder", "environment", "limits"]
        for name in HOME_FOLDERS:
            (self.folder / ".home" / name).mkdir(parents=True, exist_ok=True)
        root = sys.platform == "linux" and os.geteuid() == 0
        if uid is not None and root:
            self.uid = uid
            for path in _walk(self.folder):
                os.chown(path, uid, NOBODY, follow_symlinks=False)
            self.layers.append("unprivileged user")
        if want_cgroup and root:
            self.cgroups = _make_cgroups(self.limits)
            if self.cgroups:
                self.layers.append("cgroup")
            else:
                self.weaknesses.append("no cgroup: no cgroup v1 memory, pids and freezer")

    def settings(self) -> dict[str, int | None]:
        """What the kernel's process drops before it runs (:func:`.pidns.drop`)."""
        limits = self.limits
        return {
            "memory": limits.memory_bytes,
            "cpu": limits.cpu_seconds,
            "file": limits.file_bytes,
            "processes": limits.processes,
            "uid": self.uid,
        }

    def start(self, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        """Start the kernel (``command``): in new IPC and pid namespaces through :mod:`.pidns`
        where it can (root, Linux), else directly. Its stdin, stdout and stderr are
        ``/dev/null``."""
        if _libc() is None or os.geteuid() != 0:
            return _popen(command, self.folder, env, self.preexec(), None)
        init = [sys.executable, "-I", "-S", pidns.__file__, json.dumps(self.settings())]
        process = _popen([*init, *command], self.folder, env, self.preexec(drop=False), True)
        report = _first_line(process)
        if report is None:
            raise RuntimeError("the sandbox's first process died at its start")
        for key, layer in (("ipc", "ipc namespace"), ("pid", "pid namespace")):
            if report.get(key):
                self.weaknesses.append(f"no {layer}: {report[key]}")
            else:
                self.layers.append(layer)
        if not report["pid"]:
            self.pid_namespace = True
            if report.get("proc"):
                self.weaknesses.append(f"no /proc of its own: {report['proc']}")
        return process

    def preexec(self, drop: bool = True) -> Callable[[], None]:
        """What the started process runs before exec: a session, the cgroup, death with this
        process; and (``drop``) the kernel's limits and user."""
        settings, cgroups = self.settings(), list(self.cgroups)

        def run() -> None:
            os.setsid()
            for group in cgroups:
                (group / "cgroup.procs").write_text(str(os.getpid()))
            if drop:
                pidns.drop(settings)
            libc = _libc()
            if libc is not None:
                libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # dies with the worker

        return run

    def kill_all(self, kernel_pid: int | None) -> int:
        """Kill every process the notebook started; remove the cgroup."""
        killed = 0
        if kernel_pid is not None and self.pid_namespace:  # the namespace goes with it
            with contextlib.suppress(OSError):
                os.kill(kernel_pid, signal.SIGKILL)
        for group in self.cgroups:
            if group.parent.parent.name == "freezer":
                _freeze(group, True)
        for group in self.cgroups:
            pids = _cgroup_pids(group)
            _signal_all(pids, signal.SIGKILL)
            killed = max(killed, len(pids))
        for group in self.cgroups:
            if group.parent.parent.name == "freezer":
                _freeze(group, False)
        if kernel_pid is not None and sys.platform != "linux":
            with contextlib.suppress(OSError):
                os.killpg(kernel_pid, signal.SIGKILL)
        killed = max(killed, kill_tree())
        for group in self.cgroups:
            _remove_cgroup(group)
        return killed


def _popen(
    command: list[str],
    cwd: Path,
    env: dict[str, str],
    preexec: Callable[[], None],
    report: bool | None,
) -> subprocess.Popen[bytes]:
    """A process with stdin and stderr on /dev/null, stdout too unless it ``report``s on it."""
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if report else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        cwd=cwd,
        env=env,
        preexec_fn=preexec,
    )


def _first_line(process: subprocess.Popen[bytes], seconds: float = 30.0) -> dict[str, str] | None:
    """The report of :mod:`.pidns` (what ran, what could not: errors by name), or None."""
    assert process.stdout is not None
    line = b""
    if select.select([process.stdout], [], [], seconds)[0]:
        line = process.stdout.readline(4096)
    process.stdout.close()
    try:
        report = json.loads(line)
        return {str(k): str(v) for k, v in report.items()} if "pid" in report else None
    except (ValueError, TypeError, AttributeError):
        return None


def _walk(folder: Path) -> Iterator[Path]:
    yield folder
    yield from folder.rglob("*")


def _make_cgroups(limits: Limits) -> list[Path]:
    groups: list[Path] = []
    try:
        for controller in CGROUP_CONTROLLERS:
            base = CGROUP_ROOT / controller
            if not (base / "cgroup.procs").exists():
                raise OSError(f"no cgroup v1 {controller} controller")
            group = base / CGROUP_PARENT / str(os.getpid())
            group.mkdir(parents=True, exist_ok=True)
            groups.append(group)
            if controller == "memory":
                (group / "memory.limit_in_bytes").write_text(str(limits.memory_bytes))
            elif controller == "pids":
                (group / "pids.max").write_text(str(limits.processes))
    except OSError:
        for group in groups:
            _remove_cgroup(group)
        return []
    return groups


def _cgroup_pids(group: Path) -> list[int]:
    try:
        return [int(line) for line in (group / "cgroup.procs").read_text().split()]
    except OSError:
        return []


def _freeze(group: Path, frozen: bool) -> None:
    with contextlib.suppress(OSError):
        (group / "freezer.state").write_text("FROZEN" if frozen else "THAWED")


def _remove_cgroup(group: Path) -> None:
    for _ in range(100):
        try:
            group.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            _signal_all(_cgroup_pids(group), signal.SIGKILL)
            time.sleep(0.02)


# ---------------------------------------------------------------------- the grader's side
_SWEEP = {"on": False}
LIVE_WORKERS: set[int] = set()
WORKERS_LOCK = threading.Lock()


def adopt_orphans() -> bool:
    """Make the grader a subreaper, so what a killed worker leaves behind comes back to it.

    Only the command line does this: afterwards every child of the grader that is not a
    live worker is an orphan of a notebook, and :func:`clean_after_worker` kills it.
    """
    _SWEEP["on"] = make_subreaper()
    return _SWEEP["on"]


def sweep_stale_cgroups() -> None:
    """Empty and remove the cgroups of workers that are gone (a grader killed earlier)."""
    for controller in CGROUP_CONTROLLERS:
        parent = CGROUP_ROOT / controller / CGROUP_PARENT
        for group in parent.glob("[0-9]*") if parent.is_dir() else []:
            if not Path(f"/proc/{group.name}").exists():
                clean_after_worker(int(group.name))


def clean_after_worker(worker: int) -> None:
    """After a worker ended (however): its cgroup emptied and removed, orphans killed."""
    for controller in CGROUP_CONTROLLERS:
        group = CGROUP_ROOT / controller / CGROUP_PARENT / str(worker)
        if group.is_dir():
            if controller == "freezer":
                _freeze(group, True)
            _signal_all(_cgroup_pids(group), signal.SIGKILL)
            if controller == "freezer":
                _freeze(group, False)
            _remove_cgroup(group)
    with WORKERS_LOCK:
        LIVE_WORKERS.discard(worker)
        if not _SWEEP["on"]:
            return
        me = os.getpid()
        orphans = [pid for pid, parent in _parents().items() if parent == me]
        for pid in orphans:
            if pid not in LIVE_WORKERS:
                kill_tree(pid)
                _signal_all([pid], signal.SIGKILL)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)

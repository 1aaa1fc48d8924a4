"""The first process of a kernel's pid namespace, and what the kernel drops before it starts.

The grading worker starts this file as a script, ``python -I -S pidns.py SETTINGS
COMMAND...``, as root (Linux). It

1. enters new IPC and pid namespaces (``unshare``: its *children* are in the new pid
   namespace; the worker itself cannot, as it needs threads, which must stay in the pid
   namespace of their process) and forks their first process, which
2. mounts a ``/proc`` of its own namespace (in a mount namespace of its own, a copy of the
   worker's), so that the kernel sees only the processes of its sandbox: no other
   kernel, no grader, no worker to read through ``/proc/PID/...`` or to signal;
3. writes one line of JSON to its stdout for the worker (what ran, what could not) and
   closes it;
4. forks the kernel, which applies :func:`drop` (limits, no groups, its own uid) and
   runs ``COMMAND``;
5. reaps every orphan of the namespace until the kernel ends, and ends with its status.

When that first process ends (the kernel ended, or the worker killed this script: it dies
with it) the operating system kills every other process of the namespace: whatever the
notebook started or detached goes with it.

Standard library only, and nothing of the package imported: it runs as a file, isolated
(``-I -S``), in the sandbox.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import signal
import sys
from typing import Any

__all__ = ["drop", "main", "own_proc"]

NOBODY = 65534
CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWIPC = 0x00020000, 0x20000000, 0x08000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 16384, 1 << 18
PR_SET_PDEATHSIG = 1


def _set_limit(which: int, value: int, extra: int = 0) -> None:
    """Lower one limit (soft ``value``, hard ``value + extra``); one the system refuses
    (macOS and RLIMIT_AS) is left as it is."""
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(which, (value, value + extra))


def drop(settings: dict[str, Any]) -> None:
    """In the kernel's process, before it runs: its limits, then no groups and its own uid.

    ``settings``: ``memory``, ``cpu``, ``file``, ``processes`` (bytes, seconds, bytes,
    count) and ``uid`` (None: stay who we are). Dies with its parent (Linux).
    """
    _set_limit(resource.RLIMIT_AS, int(settings["memory"]))
    _set_limit(resource.RLIMIT_CPU, int(settings["cpu"]), 5)
    _set_limit(resource.RLIMIT_FSIZE, int(settings["file"]))
    _set_limit(resource.RLIMIT_CORE, 0)
    uid = settings.get("uid")
    if uid is not None:
        _set_limit(resource.RLIMIT_NPROC, int(settings["processes"]))
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(int(uid))
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def own_proc(libc: Any) -> str:
    """A mount namespace of our own with a ``/proc`` of our pid namespace; "" or the error."""
    steps = (
        (lambda: libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)"),
        (lambda: libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "private /"),
        (
            lambda: libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None),
            "mount /proc",
        ),
    )
    for step, what in steps:
        if step() != 0:
            return f"{what}: {os.strerror(ctypes.get_errno())}"
    return ""


def main(argv: list[str]) -> int:
    """``pidns.py SETTINGS COMMAND...``: see the module's docstring."""
    settings, command = json.loads(argv[1]), argv[2:]
    libc = ctypes.CDLL(None, use_errno=True)
    report = {"ipc": _unshare(libc, CLONE_NEWIPC), "pid": _unshare(libc, CLONE_NEWPID)}
    if report["pid"]:  # no pid namespace: the kernel is our child all the same
        return _run(settings, command, report)
    first = os.fork()
    if first == 0:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() == 0 or os.getpid() == 1:  # the namespace's first process
            os._exit(_run(settings, command, report | {"proc": own_proc(libc)}))
        os._exit(70)
    _quiet_stdout()
    return _wait_for(first)


def _unshare(libc: Any, flag: int) -> str:
    return "" if libc.unshare(flag) == 0 else os.strerror(ctypes.get_errno())


def _quiet_stdout() -> None:
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)
    os.close(null)


def _run(settings: dict[str, Any], command: list[str], report: dict[str, str]) -> int:
    """Report on stdout, start the kernel, reap until it ends; its exit status."""
    os.write(1, (json.dumps(report) + "\n").encode())
    _quiet_stdout()
    kernel = os.fork()
    if kernel == 0:
        try:
            for name in ("SIGPIPE", "SIGXFSZ"):  # as subprocess does (Python ignores them)
                signal.signal(getattr(signal, name), signal.SIG_DFL)
            drop(settings)
            os.execve(command[0], command, os.environ)
        finally:
            os._exit(127)
    return _wait_for(kernel)


def _wait_for(child: int) -> int:
    """Reap every child (process 1 adopts the namespace's orphans) until ``child`` ends."""
    while True:
        pid, status = os.wait()
        if pid == child:
            code = os.waitstatus_to_exitcode(status)
            return code if code >= 0 else 128 - code  # killed by signal N: 128 + N


if __name__ == "__main__":
    sys.exit(main(sys.argv))

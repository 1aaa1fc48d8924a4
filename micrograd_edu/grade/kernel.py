"""The grading worker's side of one Jupyter kernel: start it, run a cell, read what it printed.

The worker talks to the kernel over ZeroMQ as any Jupyter client does, with rules of its own:

* a message bigger than :data:`KERNEL_MESSAGE_LIMIT` never reaches the worker's memory:
  ZeroMQ refuses it and closes the connection it came on for good (a protocol error is not
  retried). The worker watches its IOPub connection (a socket monitor) and, when it is
  closed, connects again (:class:`Link`): a notebook printing 200 MB at once loses that
  output, not the rest of its grading;
* a cell's end is never read from one message that can be lost. IOPub (publish-subscribe)
  drops what is published while the connection is down or the subscriber lags far behind;
  the request channel (shell) does not. So with each cell the worker sends a
  ``kernel_info`` request, which the kernel answers only when the cell is done and whose
  status on IOPub comes *after* the cell's own "idle" status. The cell's output is complete
  when its "idle" status comes on a connection that never dropped; cut
  (:attr:`Cell.complete` False) when the connection dropped meanwhile or the
  ``kernel_info``'s status comes first. Once the cell's ``execute_reply`` came, each quiet
  half-second sends another ``kernel_info`` (the earlier ones' statuses lost too); before
  it, at most :data:`SYNCS_BEFORE_REPLY` wait behind the running cell.

A probe whose output was cut says so; nothing a notebook prints makes the worker wait for the
wall-clock limit.
"""

from __future__ import annotations

import os
import queue
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from . import sandbox as sb

__all__ = ["KERNEL_MESSAGE_LIMIT", "SUBSCRIBED", "Cell", "execute", "probe_line", "start_kernel"]

KERNEL_MESSAGE_LIMIT = 16 << 20
"""Bytes of one message from the kernel: a bigger one never reaches the worker's memory
(ZeroMQ drops it with the connection, which reconnects; the cell's output is then cut)."""
SUBSCRIBED = (b"kernel.", b"stream.stdout")
"""The kernel's messages the worker receives: its status, and what it prints (the probe's
line); pictures, results and errors are filtered out by the kernel's publisher."""
SYNCS_BEFORE_REPLY = 3
"""``kernel_info`` requests queued behind a running cell, at most (see the module's text)."""
QUIET = 0.5
"""Seconds without a message after which the worker checks the kernel and asks again."""


class Cell(NamedTuple):
    """One cell run: ``state`` ("ok", "hung" or "died"), the stdout kept, and whether every
    message of its output came (False: some were lost, the text is cut)."""

    state: str
    text: str = ""
    complete: bool = False


def start_kernel(box: sb.Sandbox, deadline: float) -> tuple[subprocess.Popen[bytes], Link]:
    """The kernel, started in ``box``, and the worker's link to it, ready to run cells."""
    import zmq
    from jupyter_client.blocking.client import BlockingKernelClient
    from jupyter_client.connect import write_connection_file

    connection = box.folder / ".home" / "runtime" / "kernel.json"
    write_connection_file(str(connection), ip="127.0.0.1", key=secrets.token_hex(16).encode())
    if box.uid is not None:
        os.chown(connection, box.uid, box.uid)
    command = [sys.executable, "-m", "ipykernel_launcher", "-f", str(connection)]
    kernel = box.start([*command, "--HistoryManager.enabled=False"], sb.kernel_env(box.folder))
    client = BlockingKernelClient(connection_file=str(connection))
    client.context.setsockopt(zmq.MAXMSGSIZE, KERNEL_MESSAGE_LIMIT)  # a bigger one: refused
    client.load_connection_file()
    client.start_channels(hb=False)  # liveness is the kernel process's, not a heartbeat's
    link = Link(client)
    _wait_ready(link, kernel, deadline)
    return kernel, link


class Link:
    """The worker's connection to one kernel: ``client`` (jupyter_client's, for the shell) and
    ``iopub``, subscribed to :data:`SUBSCRIBED` only and connected again when dropped."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.iopub: Any = client.iopub_channel
        self.drops = 0
        self._subscribe()

    def _subscribe(self) -> None:
        import zmq

        socket = self.iopub.socket  # only status and stdout: pictures never come
        socket.setsockopt(zmq.UNSUBSCRIBE, b"")
        for topic in SUBSCRIBED:
            socket.setsockopt(zmq.SUBSCRIBE, topic)
        self.monitor = socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)

    def dropped(self) -> bool:
        """Whether IOPub's connection was closed (then it is connected again, subscribed)."""
        if not self.monitor.poll(0):
            return False
        self._close_iopub()
        self.iopub = self.client.iopub_channel_class(
            self.client.connect_iopub(), self.client.session
        )
        self._subscribe()
        self.drops += 1
        return True

    def _close_iopub(self) -> None:
        self.iopub.socket.disable_monitor()
        self.monitor.close(linger=0)
        self.iopub.close()

    def close(self) -> None:
        """Close the connection (after the notebook, before the kernel is killed)."""
        self._close_iopub()
        self.client.stop_channels()


def _wait_ready(link: Link, kernel: subprocess.Popen[bytes], deadline: float) -> None:
    """Until the kernel answers kernel_info and IOPub delivers (ZMQ's late subscriber)."""
    client = link.client
    while True:
        if kernel.poll() is not None:
            raise RuntimeError(f"the kernel died at its start (exit status {kernel.poll()})")
        if time.monotonic() > deadline:
            raise TimeoutError("the kernel did not start within the wall-clock limit")
        client.kernel_info()
        try:
            reply = client.get_shell_msg(timeout=1.0)
        except queue.Empty:
            continue
        if reply["msg_type"] != "kernel_info_reply":
            continue
        try:
            link.iopub.get_msg(timeout=0.2)
        except queue.Empty:
            continue
        break
    while True:
        try:
            link.iopub.get_msg(timeout=0.05)
        except queue.Empty:
            return


@dataclass
class _Run:
    """What is known of one cell's run so far (see the module's text)."""

    msg_id: str
    keep: int
    syncs: set[str] = field(default_factory=set)
    replied: bool = False
    cut: bool = False
    kept: list[str] = field(default_factory=list)
    size: int = 0
    outcome: Cell | None = None

    def read(self, message: dict[str, Any]) -> None:
        """One IOPub message: the cell's stdout, its idle status, or a sync's status."""
        parent = message.get("parent_header", {}).get("msg_id")
        kind, content = message.get("msg_type"), message.get("content", {})
        if parent == self.msg_id:
            if kind == "stream" and self.keep and content.get("name") == "stdout":
                text = str(content.get("text", ""))[: self.keep - self.size]
                self.kept.append(text)
                self.size += len(text)
            elif kind == "status" and content.get("execution_state") == "idle":
                self.outcome = Cell("ok", "".join(self.kept), not self.cut)
        elif kind == "status" and parent in self.syncs:  # after the idle status, which was lost
            self.outcome = Cell("ok", "".join(self.kept), False)

    def answered(self, reply: dict[str, Any]) -> bool:
        """Whether ``reply`` (a shell message) is this cell's ``execute_reply``."""
        parent = reply.get("parent_header", {}).get("msg_id")
        return parent == self.msg_id and reply.get("msg_type") == "execute_reply"


def execute(
    link: Link, kernel: subprocess.Popen[bytes], code: str, deadline: float, keep: int
) -> Cell:
    """Run one cell; keep at most ``keep`` characters of what it prints on stdout."""
    import zmq

    client = link.client
    run = _Run(client.execute(code, store_history=False, allow_stdin=False), keep)
    run.syncs.add(client.kernel_info())
    while run.outcome is None:
        left = deadline - time.monotonic()
        if left <= 0:
            return Cell("hung")
        poller = zmq.Poller()
        for socket in (client.shell_channel.socket, link.iopub.socket, link.monitor):
            poller.register(socket, zmq.POLLIN)
        ready = dict(poller.poll(int(min(left, QUIET) * 1000) + 1))
        if link.dropped():
            run.cut = True  # what was published meanwhile is lost
        elif not ready:
            if kernel.poll() is not None:
                return Cell("died")
            if run.replied or len(run.syncs) < SYNCS_BEFORE_REPLY:
                run.syncs.add(client.kernel_info())
        if client.shell_channel.socket in ready and run.answered(client.get_shell_msg(timeout=0)):
            run.replied = True
        if link.iopub.socket in ready:
            run.read(link.iopub.get_msg(timeout=0))
    return run.outcome


def probe_line(text: str, marker: str) -> tuple[str | None, str]:
    """The one line of ``text`` starting with ``marker`` (the marker cut off), or None and why."""
    lines = [line for line in text.splitlines() if line.startswith(marker)]
    if len(lines) != 1:
        return None, f"the probe printed {len(lines)} result lines instead of 1"
    return lines[0][len(marker) :], ""

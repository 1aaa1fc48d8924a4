"""Voilà for a classroom: local Host headers only, a cap on live kernels, idle kernels culled.

``python -m micrograd_edu.visualize.live.server NOTEBOOK [voila options]`` is Voilà with these
changes (see :func:`~micrograd_edu.visualize.live.__main__.voila_command` for the options):

- **Host header**: Voilà serves any ``Host:`` (it sets ``allow_remote_access``);
  here only ``127.0.0.1``, ``::1`` and ``localhost`` are served, others get 403
  (:func:`~micrograd_edu.visualize.live.hosts.allowed_host`, on every handler: the
  page, the kernels' websockets and their shutdown, static files, the served
  folder's images), which closes a DNS-rebinding opening.
- **Behind a proxy** (JupyterHub's jupyter-server-proxy, nginx): ``trusted_hosts``
  adds the proxy's public host names, and nothing wider: requests whose ``Host:``
  names one are served, and a websocket whose ``Origin`` is ``http(s)://`` one of
  them (any port) is accepted where the proxy rewrote ``Host:`` to this server's
  address. ``base_url`` (Voilà's) is the public prefix, kept in the paths this
  server receives (jupyter-server-proxy's ``absolute_url``); only that prefix
  itself serves the page, so a proxy's readiness probe of ``/`` starts no kernel.
- **Its own state**: ``GET {base_url}api/status`` answers ``{"kernels": N,
  "max_kernels": M}`` (the count the cap uses, starting kernels included) and
  starts nothing: the readiness check of :mod:`micrograd_edu.visualize.live.__main__`,
  and what a test waits on.
- **Kernel cap**: while ``max_kernels`` kernels run, a new page load gets a
  short page saying so (HTTP 503) instead of a new kernel. The count is taken
  where kernels start (running plus starting), so that a burst of page loads
  (a reload storm, a class opening the link at once) cannot start more.
- **No page inside another site**: a page load that a foreign site makes as a
  sub-resource (an ``<iframe>``, an ``<img>``, a ``fetch``; the browser says so
  in ``Sec-Fetch-Site``/``Sec-Fetch-Dest``) is refused (403), so that no web
  page can fill the cap by loading the Playground in hidden frames; following a
  link from another site (a course page) still opens it.
- **Closed pages free their kernel**: Voilà's page, when closed or reloaded,
  posts a shutdown request carrying the ``_xsrf`` cookie's value, but Voilà
  never sets that cookie, so the request is refused (403) and the kernel
  stays. The page handler here sets it: the kernel stops ~1–2 s after the tab
  closes (measured).
- **Culling** catches the rest (a page never opened in a browser, such as a
  ``curl``; a crashed browser): Jupyter's ``MappingKernelManager.cull_idle_timeout``
  with ``cull_connected=False``, so an open page keeps its kernel. Measured:
  freed after the delay plus up to one ``cull_interval``. Jupyter counts a
  kernel's own messages as activity, so a page closed while Play ran (and whose
  last message was lost) would keep its training kernel forever: here a kernel
  that has had no page connected for ``cull_idle_timeout`` seconds, and is not
  running a cell, is shut down whatever it sends.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
import urllib.request
import uuid
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado.web import HTTPError, RequestHandler
from traitlets import Int, List, TraitError, Unicode, validate
from voila.app import Voila  # type: ignore[import-untyped]
from voila.tornado.handler import TornadoVoilaHandler  # type: ignore[import-untyped]

from .hosts import allowed_host, bracketed, check_trusted_host, local_host

__all__ = [
    "FULL_PAGE",
    "KernelCapReachedError",
    "PlaygroundVoila",
    "local_host",
    "main",
    "server_status",
]

FULL_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Playground full</title>
</head><body style="font-family: sans-serif; margin: 3em">
<h1>The live Playground is full</h1>
<p>{count} pages are open on this server (the limit is {limit}). Close a Playground
tab, wait a minute (closed pages free their place after {cull} s), then reload this page.</p>
</body></html>"""


class KernelCapReachedError(RuntimeError):
    """Raised where a kernel would start beyond the cap; ``count`` is the kernels counted."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} kernels running or starting")
        self.count = count


UNTRUSTED_HOST = (
    "this server answers only requests addressed to {names}; behind a proxy, start it "
    "with --trusted-host NAME (NAME: the host name in the browser's address bar)"
)


class CappedVoilaHandler(TornadoVoilaHandler):  # type: ignore[misc]
    """The page handler: refuses a new page (503, a clear page) when the kernels are at the cap,
    and a page load that a foreign site makes as a sub-resource (403); only the base URL itself
    is the page (Voilà would redirect other paths to files)."""

    async def get(self, path: str | None = None) -> Any:
        if path:
            raise HTTPError(404)
        headers = self.request.headers
        if headers.get("Sec-Fetch-Site") == "cross-site" and (
            headers.get("Sec-Fetch-Dest", "document") != "document"
            or headers.get("Sec-Fetch-Mode", "navigate") != "navigate"
        ):
            raise HTTPError(403, "the Playground opens as a page, not inside another site")
        app = self.settings["playground_voila"]
        count = app.kernel_count()
        if count >= app.max_kernels:
            return self._full(count)
        # Voilà's page, when it closes, posts a shutdown request with the _xsrf cookie's
        # value; Voilà never sets that cookie, so the request is refused (403) and the kernel
        # lives on. Reading the token sets the cookie: the page's own request then passes.
        _ = self.xsrf_token
        try:
            return await super().get(path)
        except KernelCapReachedError as full:  # raised before any of the page was sent
            return self._full(full.count)

    def _full(self, count: int) -> None:
        app = self.settings["playground_voila"]
        self.clear()
        self.set_status(503)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        cull = self.kernel_manager.cull_idle_timeout
        self.finish(FULL_PAGE.format(count=count, limit=app.max_kernels, cull=cull))


class StatusHandler(JupyterHandler):
    """``GET {base_url}api/status``: the kernels counted against the cap, and the cap."""

    def get(self) -> None:
        app = self.settings["playground_voila"]
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"kernels": app.kernel_count(), "max_kernels": app.max_kernels}))


class PlaygroundVoila(Voila):  # type: ignore[misc]
    """Voilà with a Host check and a kernel cap (see the module's docstring)."""

    max_kernels = Int(20, help="Most kernels (open pages) at once.").tag(config=True)
    trusted_hosts = List(
        Unicode(),
        help="Host names (or addresses) of a proxy in front of this server, served besides "
        "the local ones; a websocket from their origin is accepted.",
    ).tag(config=True)

    remove_on_exit = Unicode(
        "",
        help="A folder removed when the server stops (the launcher's: removed even when the "
        "launcher was killed outright).",
    ).tag(config=True)

    @validate("trusted_hosts")
    def _valid_hosts(self, proposal: Any) -> list[str]:
        try:
            return [check_trusted_host(name) for name in proposal["value"]]
        except ValueError as error:
            raise TraitError(str(error)) from error

    def init_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = super().init_settings()
        self._starting: set[str] = set()
        self.kernel_manager.start_kernel = self._capped(self.kernel_manager.start_kernel)
        self.kernel_manager.cull_kernel_if_idle = self._culling_unconnected(
            self.kernel_manager.cull_kernel_if_idle
        )
        settings["allow_remote_access"] = False
        settings["local_hostnames"] = ["localhost", *self.trusted_hosts]
        if self.trusted_hosts:
            names = "|".join(re.escape(bracketed(name)) for name in self.trusted_hosts)
            settings["allow_origin_pat"] = rf"https?://(?:{names})(?::\d+)?"
        settings["playground_voila"] = self
        return settings

    def stop(self) -> None:
        """Voilà's stop (every kernel shut down, its connection files removed), then the
        ``remove_on_exit`` folder."""
        try:
            super().stop()
        finally:
            if self.remove_on_exit:
                shutil.rmtree(self.remove_on_exit, ignore_errors=True)

    def kernel_count(self) -> int:
        """Kernels running or starting: what the cap counts, each once."""
        return len(set(self.kernel_manager.list_kernel_ids()) | self._starting)

    def _capped(self, start: Any) -> Any:
        """``start`` (the kernel manager's ``start_kernel``) refusing to go past the cap.

        The check and the set of kernels starting change together, with no ``await``
        between them: concurrent page loads cannot all pass it. A starting kernel is
        counted by its id (given here), once, whether or not the kernel manager lists it
        yet: counting "listed + starting" counted it twice and refused pages below the cap.
        """
        starting = self._starting

        async def start_kernel(*args: Any, **kwargs: Any) -> Any:
            count = self.kernel_count()
            if count >= self.max_kernels:
                raise KernelCapReachedError(count)
            kernel_id = kwargs.get("kernel_id") or str(uuid.uuid4())
            kwargs["kernel_id"] = kernel_id
            starting.add(kernel_id)
            try:
                return await ensure_async(start(*args, **kwargs))
            finally:
                starting.discard(kernel_id)

        return start_kernel

    def _culling_unconnected(self, cull: Any) -> Any:
        """``cull`` (the kernel manager's ``cull_kernel_if_idle``), and a kernel without a
        connected page for ``cull_idle_timeout`` seconds shut down even while it sends (Play)."""
        manager = self.kernel_manager
        alone_since: dict[str, float] = {}

        async def cull_kernel_if_idle(kernel_id: str) -> Any:
            kernel = manager.get_kernel(kernel_id)
            connected = manager._kernel_connections.get(kernel_id, 0)
            if connected or getattr(kernel, "execution_state", None) == "busy":
                alone_since.pop(kernel_id, None)  # a page, or the page's cells still running
            elif time.monotonic() - alone_since.setdefault(kernel_id, time.monotonic()) > (
                manager.cull_idle_timeout
            ):
                alone_since.pop(kernel_id, None)
                self.log.warning(
                    "Culling kernel %s: no page for %s s", kernel_id, manager.cull_idle_timeout
                )
                return await ensure_async(manager.shutdown_kernel(kernel_id))
            return await ensure_async(cull(kernel_id))

        return cull_kernel_if_idle

    def init_handlers(self) -> list[Any]:
        handlers: list[Any] = super().init_handlers()
        status = (url_path_join(self.server_url, "/api/status"), StatusHandler)
        trusted = tuple(self.trusted_hosts)
        return [(spec[0], _handler(spec[1], trusted), *spec[2:]) for spec in [status, *handlers]]


def server_status(url: str, timeout: float = 10.0) -> dict[str, int]:
    """The served Playground's own state at ``url`` (its base URL): ``{"kernels": N,
    "max_kernels": M}``; ``OSError`` when it does not answer."""
    with urllib.request.urlopen(url_path_join(url, "api/status"), timeout=timeout) as answer:
        status: dict[str, int] = json.loads(answer.read())
    return status


class UntrustedHostError(HTTPError):
    """403 for a ``Host:`` that is neither local nor trusted; the answer says how to trust it."""

    def __init__(self, message: str) -> None:
        super().__init__(403)
        self.message = message


def _write_refusal(handler: Any, status_code: int, **kwargs: Any) -> None:
    """The refusal of an untrusted host as one line of text; other errors as the handler's."""
    error = kwargs.get("exc_info", (None, None, None))[1]
    if isinstance(error, UntrustedHostError):
        handler.set_header("Content-Type", "text/plain; charset=utf-8")
        handler.finish(f"403 Forbidden: {error.message}\n")
    else:
        super(type(handler), handler).write_error(status_code, **kwargs)


def _handler(handler: Any, trusted: tuple[str, ...]) -> Any:
    """The page handler capped; every handler made to serve only local and trusted ``Host:``
    headers: Jupyter's through their ``check_host``, the others (static files, the served
    folder's images) in ``prepare``."""
    base = CappedVoilaHandler if handler is TornadoVoilaHandler else handler
    if not isinstance(base, type) or not issubclass(base, RequestHandler):
        return handler
    names = ", ".join(["127.0.0.1", "::1", "localhost", *trusted])

    def refuse(handler: RequestHandler) -> None:
        if not allowed_host(handler.request.host, trusted):
            raise UntrustedHostError(UNTRUSTED_HOST.format(names=names))

    if issubclass(base, JupyterHandler):

        class Checked(base):  # type: ignore[misc,valid-type]
            def check_host(self) -> bool:
                refuse(self)
                return True

            def write_error(self, status_code: int, **kwargs: Any) -> None:
                _write_refusal(self, status_code, **kwargs)

    else:

        class Checked(base):  # type: ignore[misc,valid-type,no-redef]
            def prepare(self) -> Any:
                refuse(self)
                return super().prepare()

            def write_error(self, status_code: int, **kwargs: Any) -> None:
                _write_refusal(self, status_code, **kwargs)

    Checked.__name__ = Checked.__qualname__ = f"HostChecked{base.__name__}"
    return Checked


def main(argv: list[str] | None = None) -> None:
    PlaygroundVoila.launch_instance(argv=sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()

"""Voilà for a classroom: local Host headers only, a cap on live kernels, idle kernels culled.

``python -m micrograd_edu.visualize.live.server NOTEBOOK [voila options]`` is Voilà with these
changes (see :func:`~micrograd_edu.visualize.live.__main__.voila_command` for the options):

- **Host header**: Voilà serves any ``Host:`` (it sets ``allow_remote_access``);
  here only ``127.0.0.1``, ``::1`` and ``localhost`` are served, others get 403
  (Jupyter Server's own check, and :func:`local_host` on the handlers outside
  Jupyter's: static files, the served folder's images), which closes a DNS-rebinding
  opening.
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
  freed after the delay plus up to one ``cull_interval``.
"""

from __future__ import annotations

import ipaddress
import re
import sys
import uuid
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.base.handlers import JupyterHandler
from tornado.web import HTTPError
from traitlets import Int
from voila.app import Voila  # type: ignore[import-untyped]
from voila.tornado.handler import TornadoVoilaHandler  # type: ignore[import-untyped]

__all__ = ["FULL_PAGE", "KernelCapReachedError", "PlaygroundVoila", "local_host", "main"]

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


class CappedVoilaHandler(TornadoVoilaHandler):  # type: ignore[misc]
    """The page handler: refuses a new page (503, a clear page) when the kernels are at the cap,
    and a page load that a foreign site makes as a sub-resource (403)."""

    async def get(self, path: str | None = None) -> Any:
        headers = self.request.headers
        if headers.get("Sec-Fetch-Site") == "cross-site" and (
            headers.get("Sec-Fetch-Dest", "document") != "document"
            or headers.get("Sec-Fetch-Mode", "navigate") != "navigate"
        ):
            raise HTTPError(403, "the Playground opens as a page, not inside another site")
        app = self.settings["playground_voila"]
        count = len(self.kernel_manager.list_kernel_ids())
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


class PlaygroundVoila(Voila):  # type: ignore[misc]
    """Voilà with a Host check and a kernel cap (see the module's docstring)."""

    max_kernels = Int(20, help="Most kernels (open pages) at once.").tag(config=True)

    def init_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = super().init_settings()
        self.kernel_manager.start_kernel = self._capped(self.kernel_manager.start_kernel)
        settings["allow_remote_access"] = False
        settings["local_hostnames"] = ["localhost"]
        settings["playground_voila"] = self
        return settings

    def _capped(self, start: Any) -> Any:
        """``start`` (the kernel manager's ``start_kernel``) refusing to go past the cap.

        The check and the set of kernels starting change together, with no ``await``
        between them: concurrent page loads cannot all pass it. A starting kernel is
        counted by its id (given here), once, whether or not the kernel manager lists it
        yet: counting "listed + starting" counted it twice and refused pages below the cap.
        """
        starting: set[str] = set()

        async def start_kernel(*args: Any, **kwargs: Any) -> Any:
            count = len(set(self.kernel_manager.list_kernel_ids()) | starting)
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

    def init_handlers(self) -> list[Any]:
        handlers: list[Any] = super().init_handlers()
        return [(spec[0], _handler(spec[1]), *spec[2:]) for spec in handlers]


def local_host(host: str) -> bool:
    """Whether a ``Host:`` header names this machine: ``localhost`` or a loopback address.

    >>> [local_host(h) for h in ("127.0.0.1:8866", "[::1]:80", "LOCALHOST", "127.0.0.1.evil.com")]
    [True, True, True, False]
    """
    match = re.fullmatch(r"(\[[^\]]*\]|[^:]*)(:\d+)?", host.strip().lower())
    name = (match.group(1) if match else "").strip("[]")
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return name == "localhost"


def _handler(handler: Any) -> Any:
    """The page handler capped; a handler outside Jupyter's (static files, the served
    folder's images: Jupyter's Host check does not run there) made to check the Host too."""
    if handler is TornadoVoilaHandler:
        return CappedVoilaHandler
    if not isinstance(handler, type) or issubclass(handler, JupyterHandler):
        return handler

    class LocalOnly(handler):  # type: ignore[misc]
        def prepare(self) -> Any:
            if not local_host(self.request.host):
                raise HTTPError(403)
            return super().prepare()

    LocalOnly.__name__ = LocalOnly.__qualname__ = f"LocalOnly{handler.__name__}"
    return LocalOnly


def main(argv: list[str] | None = None) -> None:
    PlaygroundVoila.launch_instance(argv=sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()

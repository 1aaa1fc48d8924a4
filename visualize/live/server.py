"""Voilà for a classroom: local Host headers only, a cap on live kernels, idle kernels culled.

``python -m visualize.live.server NOTEBOOK [voila options]`` is Voilà with three
changes (see :func:`~visualize.live.__main__.voila_command` for the options):

- **Host header**: Voilà serves any ``Host:`` (it sets ``allow_remote_access``);
  here only ``127.0.0.1``, ``::1`` and ``localhost`` are served, others get 403
  (Jupyter Server's own check), which closes a DNS-rebinding opening.
- **Kernel cap**: while ``max_kernels`` kernels run, a new page load gets a
  short page saying so (HTTP 503) instead of a new kernel.
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

import sys
from typing import Any

from traitlets import Int
from voila.app import Voila  # type: ignore[import-untyped]
from voila.tornado.handler import TornadoVoilaHandler  # type: ignore[import-untyped]

__all__ = ["FULL_PAGE", "PlaygroundVoila", "main"]

FULL_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Playground full</title>
</head><body style="font-family: sans-serif; margin: 3em">
<h1>The live Playground is full</h1>
<p>{count} pages are open on this server (the limit is {limit}). Close a Playground
tab, wait a minute (closed pages free their place after {cull} s), then reload this page.</p>
</body></html>"""


class CappedVoilaHandler(TornadoVoilaHandler):  # type: ignore[misc]
    """The page handler: refuses a new page (503, a clear page) when the kernels are at the cap."""

    async def get(self, path: str | None = None) -> Any:
        app = self.settings["playground_voila"]
        count = len(self.kernel_manager.list_kernel_ids())
        if count >= app.max_kernels:
            self.set_status(503)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            cull = self.kernel_manager.cull_idle_timeout
            self.finish(FULL_PAGE.format(count=count, limit=app.max_kernels, cull=cull))
            return None
        # Voilà's page, when it closes, posts a shutdown request with the _xsrf cookie's
        # value; Voilà never sets that cookie, so the request is refused (403) and the kernel
        # lives on. Reading the token sets the cookie: the page's own request then passes.
        _ = self.xsrf_token
        return await super().get(path)


class PlaygroundVoila(Voila):  # type: ignore[misc]
    """Voilà with a Host check and a kernel cap (see the module's docstring)."""

    max_kernels = Int(20, help="Most kernels (open pages) at once.").tag(config=True)

    def init_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = super().init_settings()
        settings["allow_remote_access"] = False
        settings["local_hostnames"] = ["localhost"]
        settings["playground_voila"] = self
        return settings

    def init_handlers(self) -> list[Any]:
        handlers: list[Any] = super().init_handlers()
        return [
            (spec[0], CappedVoilaHandler, *spec[2:]) if spec[1] is TornadoVoilaHandler else spec
            for spec in handlers
        ]


def main(argv: list[str] | None = None) -> None:
    PlaygroundVoila.launch_instance(argv=sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()

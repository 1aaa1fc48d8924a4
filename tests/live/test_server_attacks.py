"""The Playground's server under attack, over plain HTTP (one Voilà server for the module).

Foreign ``Host`` headers on every kind of request, a foreign site loading the
page inside itself, a link switching Voilà's template, and a reload storm
against the kernel cap.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("voila")

from micrograd_edu.visualize.live.screenshot import serve_process
from micrograd_edu.visualize.live.server import server_status

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

MAX_KERNELS = 2
CULL_SECONDS = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    folder: Path = tmp_path_factory.mktemp("voila")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # an image of the served folder
    with serve_process(folder, cull_seconds=CULL_SECONDS, max_kernels=MAX_KERNELS) as running:
        yield running


def _port(url: str) -> int:
    return int(url.rstrip("/").rsplit(":", 1)[1])


def _status_line(url: str, request: bytes) -> bytes:
    """The first line of the answer to a raw HTTP request (any Host header, any form)."""
    with socket.create_connection(("127.0.0.1", _port(url)), timeout=60) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def kernel_count(url: str) -> int:
    """The kernels the server lists (running or starting): what its cap counts."""
    return server_status(url)["kernels"]


def _wait_for_kernels(url: str, count: int, timeout: float = 120.0) -> None:
    """Wait on the server's own state, not on processes (a culled kernel's process can be
    gone while the server still lists it for a moment)."""
    deadline = time.monotonic() + timeout
    while kernel_count(url) != count and time.monotonic() < deadline:
        time.sleep(0.3)
    assert kernel_count(url) == count, f"not {count} kernels within {timeout:.0f} s"


@pytest.mark.parametrize(
    "host", [b"evil.example", b"127.0.0.1.evil.example", b"localhost.evil.example:80", b"10.0.0.1"]
)
def test_a_foreign_host_is_refused_on_the_page_its_kernels_and_their_shutdown(
    server: tuple[str, Any], host: bytes
) -> None:
    url, _ = server
    before = kernel_count(url)
    kernel = b"/api/kernels/00000000-0000-0000-0000-000000000000"
    requests = [
        b"GET /?n=100 HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
        b"GET " + kernel + b"/channels HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n",
        b"POST /voila/api/shutdown/x HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\n"
        b"Connection: close\r\n\r\n",
        # outside Jupyter's handlers: the static files and the served folder's images
        b"GET /voila/static/voila.js HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
        b"GET /voila/files/image.png HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
    ]
    for request in requests:
        assert _status_line(url, request % host) == b"HTTP/1.1 403 Forbidden"
    assert kernel_count(url) <= before  # no page started


@pytest.mark.parametrize("host", [b"127.0.0.1", b"localhost", b"[::1]", b"LOCALHOST"])
@pytest.mark.parametrize("path", [b"/voila/static/voila.js", b"/voila/files/image.png"])
def test_the_local_names_are_served(server: tuple[str, Any], host: bytes, path: bytes) -> None:
    url, _ = server
    request = b"GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n"
    assert _status_line(url, request % (path, host, _port(url))) == b"HTTP/1.1 200 OK"


@pytest.mark.parametrize(
    ("mode", "dest"), [("navigate", "iframe"), ("no-cors", "image"), ("cors", "empty")]
)
def test_a_foreign_site_cannot_load_the_page_inside_itself(
    server: tuple[str, Any], mode: str, dest: str
) -> None:
    url, _ = server
    before = kernel_count(url)
    headers = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": mode, "Sec-Fetch-Dest": dest}
    status, _ = _get(url + "?n=100", headers)
    assert status == 403 and kernel_count(url) <= before  # no kernel started


def test_a_link_from_another_site_opens_the_page_and_cannot_switch_its_template(
    server: tuple[str, Any],
) -> None:
    url, _ = server
    _wait_for_kernels(url, 0)
    headers = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
    status, page = _get(url + "?n=100&template=lab", {**headers, "Sec-Fetch-Dest": "document"})
    assert status == 200 and 'class="jp-' in page
    assert "fontawesome" not in page  # the stock lab template's CDN links: not used
    _wait_for_kernels(url, 0)  # a page never opened in a browser: culled


@pytest.mark.browser
def test_markup_in_a_link_runs_no_script_in_the_page(server: tuple[str, Any]) -> None:
    """A link whose value is markup (a teacher's paste, an attacker's link): the page shows
    it as text in the message line and runs none of it; Share gives a link that keeps the
    goal's "<" encoded."""
    from micrograd_edu.visualize.live.screenshot import CHROMIUM_ARGS, find_chromium, open_app

    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    url, _ = server
    _wait_for_kernels(url, 0)
    attack = urllib.parse.quote('<img src=x onerror="window.__xss=1">')
    dialogs: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            open_app(page, f"{url}?n=100&goal=test_loss<0.5&dataset={attack}")
            message = page.locator(".mg-message").text_content() or ""
            assert "unknown data set '<img src=x onerror=\"window.__xss=1\">'" in message
            assert page.evaluate("window.__xss") is None and dialogs == []
            assert page.locator(".mg-message img").count() == 0
            open_app(page, f"{url}?n=100&goal=test_loss<0.5&hide=features")
            page.get_by_role("button", name="Share").click()
            page.wait_for_function(
                "document.querySelector('.mg-export textarea').value.includes('goal=')",
                timeout=120_000,
            )
            link = page.locator(".mg-export textarea").input_value()
            assert link.endswith("&hide=features&goal=test_loss%3C0.5") and "<" not in link
            assert page.evaluate("window.location.search") == "?" + link.split("?", 1)[1]
            page.close(run_before_unload=True)
        finally:
            browser.close()
    _wait_for_kernels(url, 0)


def test_a_reload_storm_cannot_start_more_kernels_than_the_cap(server: tuple[str, Any]) -> None:
    url, _ = server
    _wait_for_kernels(url, 0)
    statuses: list[int] = []
    pages: list[str] = []

    def load() -> None:
        status, page = _get(url + "?n=100")
        statuses.append(status)
        pages.append(page)

    threads = [threading.Thread(target=load) for _ in range(3 * MAX_KERNELS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * MAX_KERNELS + [503] * (2 * MAX_KERNELS)
    assert kernel_count(url) == MAX_KERNELS
    full = [page for status, page in zip(statuses, pages, strict=True) if status == 503]
    assert all("The live Playground is full" in page for page in full)
    assert all(f"(the limit is {MAX_KERNELS})" in page for page in full)
    _wait_for_kernels(url, 0)

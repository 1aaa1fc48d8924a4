"""The standalone Playground behind a proxy: ``--base-url``, ``--trusted-host``, its status,
and a launcher that leaves nothing running or written when it is stopped, however.

The launcher (``python -m micrograd_edu.visualize.live``) runs as a user runs it, with its
temporary folder under the test's own ``TMPDIR`` so that what it leaves there shows. The
browser test reaches it as ``hub.test`` (Chromium's ``--host-resolver-rules``): the Host
and Origin checks see a name, not 127.0.0.1, as behind JupyterHub's proxy.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from micrograd_edu.visualize.live.__main__ import (
    PROXY_NAME,
    base_url,
    free_port,
    jupyter_server_proxy,
)
from micrograd_edu.visualize.live.hosts import allowed_host, check_trusted_host

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "/user/ada/micrograd-playground/"
HOST = "hub.test"


# ---------------------------------------------------------------- options, no server


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/user/ada/micrograd-playground/", "/user/ada/micrograd-playground/"),
        ("user/ada/micrograd-playground", "/user/ada/micrograd-playground/"),
        ("/", "/"),
        ("", "/"),
        ("/~ada/app/", "/~ada/app/"),
    ],
)
def test_a_base_url_is_a_path_with_a_slash_at_both_ends(text: str, expected: str) -> None:
    assert base_url(text) == expected


@pytest.mark.parametrize(
    "text", ["http://hub/user/ada/", "//evil.example/x", "/a/../b/", "/a?b=1", "/a#x", "/a b/"]
)
def test_a_base_url_that_is_not_a_path_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape("--base-url must be a URL path such as")):
        base_url(text)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Hub.Test", "hub.test"),
        ("hub-1.example.org", "hub-1.example.org"),
        ("10.0.0.5", "10.0.0.5"),
    ],
)
def test_a_trusted_host_is_one_name_or_address(name: str, expected: str) -> None:
    assert check_trusted_host(name) == expected


@pytest.mark.parametrize(
    "name",
    ["*.example.org", "hub.test:8000", "http://hub.test", "hub.test/", "", "-hub.test", "a..b"],
)
def test_anything_wider_than_one_host_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="a trusted host is one host name or IP address"):
        check_trusted_host(name)


@pytest.mark.parametrize(
    ("host", "served"),
    [
        ("hub.test", True),
        ("hub.test:443", True),
        ("HUB.TEST:8000", True),
        ("127.0.0.1:8866", True),
        ("x.hub.test", False),
        ("hub.test.evil.example", False),
        ("evil.example", False),
        ("10.0.0.5", False),
    ],
)
def test_only_local_and_trusted_hosts_are_served(host: str, served: bool) -> None:
    assert allowed_host(host, ["hub.test"]) is served


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--base-url=http://evil.example/", "--base-url must be a URL path"),
        ("--trusted-host=*.example.org", "a trusted host is one host name or IP address"),
        ("--trusted-host=hub.test:8000", "a trusted host is one host name or IP address"),
    ],
)
def test_bad_proxy_options_stop_the_command_saying_why(cli: Any, option: str, message: str) -> None:
    """argparse's usage, then one line of error; exit 2, no server started."""
    for result, prog in (
        (
            cli(option, module="micrograd_edu.visualize.live"),
            "python -m micrograd_edu.visualize.live",
        ),
        (cli("playground", option, module="micrograd_edu.cli.main"), "micrograd-edu playground"),
    ):  # each names the command typed
        assert result.returncode == 2 and "Traceback" not in result.stderr
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith(f"{prog}: error: ") and message in last


def test_jupyter_server_proxy_gets_the_prefix_and_the_hubs_public_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", "https://Hub.Example.org/user/ada/")
    monkeypatch.setenv("MICROGRAD_PLAYGROUND_TRUSTED_HOSTS", " lab.example.org , hub.example.org")
    config = jupyter_server_proxy()
    assert config["command"] == [
        sys.executable,
        "-m",
        "micrograd_edu.visualize.live",
        "--port={port}",
        "--base-url={base_url}micrograd-playground/",
        "--max-kernels=4",
        "--trusted-host=hub.example.org",
        "--trusted-host=lab.example.org",
    ]
    assert config["absolute_url"] is True and config["timeout"] >= 60
    assert config["launcher_entry"]["title"] == "Live Playground"
    assert Path(config["launcher_entry"]["icon_path"]).read_text().startswith("<svg")
    monkeypatch.delenv("JUPYTERHUB_PUBLIC_URL")
    monkeypatch.delenv("MICROGRAD_PLAYGROUND_TRUSTED_HOSTS")
    assert not any("--trusted-host" in part for part in jupyter_server_proxy()["command"])


def test_the_wheel_offers_the_playground_to_jupyter_server_proxy() -> None:
    from importlib.metadata import entry_points

    (entry,) = [
        e for e in entry_points(group="jupyter_serverproxy_servers") if e.name == PROXY_NAME
    ]
    assert entry.load() is jupyter_server_proxy


# ---------------------------------------------------------------- the launcher, running


@dataclass
class Launched:
    process: subprocess.Popen[str]
    url: str
    tmp: Path

    @property
    def port(self) -> int:
        return int(self.url.split(":")[2].split("/")[0])


def _launch(folder: Path, *options: str) -> Launched:
    """The launcher on a free port, its temporary files in ``folder / "tmp"``; returns once it
    printed its address."""
    from micrograd_edu.visualize.live.screenshot import isolated_jupyter

    tmp = folder / "tmp"
    tmp.mkdir(parents=True)
    env = isolated_jupyter(folder / "jupyter", dict(os.environ))
    env.update(TMPDIR=str(tmp), PYTHONPATH=str(ROOT))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "micrograd_edu.visualize.live", f"--port={port}", *options],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    match = re.match(r"The live Playground: (\S+)", line)
    if not match:
        process.kill()
        pytest.fail(f"the launcher printed {line!r}")
    return Launched(process, match.group(1), tmp)


def _stop(launched: Launched) -> None:
    from micrograd_edu.visualize.live.screenshot import stop_group

    stop_group(launched.process)
    if launched.process.stdout:
        launched.process.stdout.close()


def server_status(url: str) -> dict[str, int]:
    from micrograd_edu.visualize.live.server import server_status

    return server_status(url)


def _wait_for_kernels(url: str, count: int, timeout: float = 120.0) -> None:
    """Wait on the server's own count (its kernel list, what the cap counts)."""
    deadline = time.monotonic() + timeout
    while server_status(url)["kernels"] != count and time.monotonic() < deadline:
        time.sleep(0.3)
    assert server_status(url)["kernels"] == count, f"not {count} kernels within {timeout:.0f} s"


def _raw(port: int, request: bytes) -> bytes:
    """The whole answer (status line, headers, body) to a raw HTTP request."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer or b"Connection: close" in request:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:
            return int(answer.status), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launched]:
    pytest.importorskip("voila")
    launched = _launch(
        tmp_path_factory.mktemp("proxied"),
        f"--base-url={PREFIX}",
        f"--trusted-host={HOST}",
        "--cull-after=3",
        "--max-kernels=2",
    )
    try:
        yield launched
    finally:
        _stop(launched)


@pytest.mark.notebooks
@pytest.mark.slow
def test_the_address_has_the_prefix_and_the_readiness_check_started_no_kernel(
    proxied: Launched,
) -> None:
    assert proxied.url == f"http://127.0.0.1:{proxied.port}{PREFIX}"
    assert server_status(proxied.url) == {"kernels": 0, "max_kernels": 2}


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("path", ["/", "/favicon.ico", f"{PREFIX}other", f"{PREFIX}voila/render/x"])
def test_nothing_but_the_prefix_is_the_page(proxied: Launched, path: str) -> None:
    status, _ = _get(f"http://127.0.0.1:{proxied.port}{path}")
    assert status == 404
    assert server_status(proxied.url)["kernels"] == 0  # a proxy's probe of / costs nothing


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("host", [b"hub.test:8000", b"HUB.TEST", b"hub.test", b"127.0.0.1"])
@pytest.mark.parametrize("path", [b"voila/static/voila.js", b"api/status"])
def test_the_trusted_host_is_served(proxied: Launched, host: bytes, path: bytes) -> None:
    request = b"GET %s%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
    answer = _raw(proxied.port, request % (PREFIX.encode(), path, host))
    assert answer.startswith(b"HTTP/1.1 200 OK")


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("host", [b"evil.example", b"hub.test.evil.example:80", b"x.hub.test"])
@pytest.mark.parametrize("path", [b"", b"voila/static/voila.js", b"api/status"])
def test_other_hosts_are_refused_with_the_fix(proxied: Launched, host: bytes, path: bytes) -> None:
    request = b"GET %s%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
    answer = _raw(proxied.port, request % (PREFIX.encode(), path, host))
    assert answer.startswith(b"HTTP/1.1 403 Forbidden")
    body = answer.split(b"\r\n\r\n", 1)[1].decode()
    assert "only requests addressed to 127.0.0.1, ::1, localhost, hub.test" in body
    assert "start it with --trusted-host NAME" in body
    assert server_status(proxied.url)["kernels"] == 0


def _websocket(port: int, path: str, host: str, origin: str) -> bytes:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n"
    ).encode()
    return _raw(port, request).split(b"\r\n", 1)[0]


@pytest.mark.notebooks
@pytest.mark.slow
def test_a_websocket_from_the_trusted_origin_is_accepted_and_others_refused(
    proxied: Launched,
) -> None:
    _wait_for_kernels(proxied.url, 0)
    status, page = _get(proxied.url + "?n=100")
    assert status == 200
    kernel = re.search(r'"kernelId": "([0-9a-f-]{36})"', page)
    assert kernel, "no kernel id in the page"
    channels = f"{PREFIX}api/kernels/{kernel.group(1)}/channels"
    local = f"127.0.0.1:{proxied.port}"
    upgraded = b"HTTP/1.1 101 Switching Protocols"
    # The proxy keeps the Host: Origin and Host agree.
    assert _websocket(proxied.port, channels, f"{HOST}:8000", f"http://{HOST}:8000") == upgraded
    # A proxy that rewrites Host (nginx's default): the trusted origin is still accepted.
    assert _websocket(proxied.port, channels, local, f"https://{HOST}") == upgraded
    assert _websocket(proxied.port, channels, local, f"http://{HOST}:8000") == upgraded
    for origin in ("http://evil.example", f"http://{HOST}.evil.example", f"http://x.{HOST}"):
        refused = _websocket(proxied.port, channels, local, origin)
        assert refused == b"HTTP/1.1 403 Forbidden", origin
    _wait_for_kernels(proxied.url, 0)  # a page never opened in a browser: culled


# ---------------------------------------------------------------- in Chromium, as hub.test


@pytest.fixture(scope="module")
def named_browser() -> Iterator[Any]:
    """Chromium with ``hub.test`` and ``other.test`` resolved to 127.0.0.1."""
    from micrograd_edu.visualize.live.screenshot import CHROMIUM_ARGS, find_chromium

    from ..conftest import _missing

    path = find_chromium()
    if path is None:
        _missing("no Chromium on this machine (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    rules = f"--host-resolver-rules=MAP {HOST} 127.0.0.1, MAP other.test 127.0.0.1"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=[*CHROMIUM_ARGS, rules])
        try:
            yield browser
        finally:
            browser.close()


def _held(page: Any) -> bool:
    return bool(page.evaluate("document.querySelector('.mg-visibility').dataset.held === 'true'"))


def _epoch(page: Any) -> int:
    return int(re.sub(r"\D", "", page.locator(".mg-epoch").text_content() or "") or 0)


APP_BOX = "document.querySelector('.mg-visibility').parentElement"

# What a browser does when its tab goes to the background (headless Chromium keeps every
# tab visible): document.visibilityState changes, then "visibilitychange" fires.
SET_VISIBILITY = """state => {
    Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => state});
    Object.defineProperty(document, 'hidden', {configurable: true, get: () => state === 'hidden'});
    document.dispatchEvent(new Event('visibilitychange'));
}"""


@pytest.mark.browser
@pytest.mark.notebooks
@pytest.mark.slow
def test_through_a_host_name_the_page_plays_and_waits_while_hidden(
    proxied: Launched, named_browser: Any
) -> None:
    from micrograd_edu.visualize.live.screenshot import open_app, wait_for_epoch

    _wait_for_kernels(proxied.url, 0)
    page = named_browser.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(f"http://{HOST}:") or r.url.startswith("data:")
            else outside.append(r.url)
        ),
    )
    try:
        open_app(page, f"http://{HOST}:{proxied.port}{PREFIX}?n=100")
        page.get_by_role("button", name=re.compile("Play")).click()
        wait_for_epoch(page, 3)
        page.evaluate(SET_VISIBILITY, "hidden")  # the tab in the background
        page.wait_for_function("document.querySelector('.mg-visibility').dataset.held === 'true'")
        # The kernel sent every redraw before "held" (one channel, in order): Play stopped here.
        held_at = _epoch(page)
        page.evaluate(SET_VISIBILITY, "visible")
        wait_for_epoch(page, held_at + 3)
        assert not _held(page)
        # The app not rendered (as in a JupyterLab tab behind another): waits too.
        page.evaluate(
            "document.querySelector('.mg-visibility').parentElement.style.display = 'none'"
        )
        page.wait_for_function("document.querySelector('.mg-visibility').dataset.held === 'true'")
        page.evaluate("document.querySelector('.mg-visibility').parentElement.style.display = ''")
        wait_for_epoch(page, _epoch(page) + 3)
        assert page.get_by_role("button", name=re.compile("Pause")).count() == 1
        away = [u for u in outside if u.split(":")[0] in ("http", "https", "ws", "wss")]
        assert [u for u in away if not u.startswith(f"http://{HOST}:{proxied.port}/")] == []
        page.close(run_before_unload=True)
        _wait_for_kernels(proxied.url, 0)  # the closed page freed its kernel
        other = named_browser.new_page()
        answer = other.goto(f"http://other.test:{proxied.port}{PREFIX}")
        assert answer is not None and answer.status == 403
        assert "start it with --trusted-host NAME" in (other.text_content("body") or "")
        other.close()
    finally:
        if not page.is_closed():
            page.close()
    assert server_status(proxied.url)["kernels"] == 0


# ---------------------------------------------------------------- stopping the launcher


def _tree(launched: Launched) -> dict[int, int]:
    from micrograd_edu.visualize.live.supervisor import descendants

    return descendants(launched.process.pid)


def _alive(processes: dict[int, int]) -> list[int]:
    from micrograd_edu.visualize.live.supervisor import alive

    return alive(processes)


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and PR_SET_PDEATHSIG")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGKILL])
def test_a_stopped_launcher_leaves_no_process_and_no_file(
    tmp_path: Path, signum: signal.Signals
) -> None:
    """SIGTERM (a hub, systemd), SIGINT (Ctrl-C), SIGHUP (a closed terminal) reach the
    launcher alone; it stops Voilà and every kernel and removes its temporary folder. Killed
    outright (SIGKILL), Voilà notices and does the same."""
    pytest.importorskip("voila")
    launched = _launch(tmp_path, "--cull-after=60")
    try:
        status, _ = _get(launched.url + "?n=100")  # a page: a kernel
        assert status == 200 and server_status(launched.url)["kernels"] == 1
        tree = _tree(launched)
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in tree]
        assert any(b"micrograd_edu.visualize.live.server" in c for c in commands)
        assert any(b"ipykernel" in c for c in commands)
        assert [p.name[:21] for p in launched.tmp.iterdir()] == ["micrograd-playground-"]
        os.kill(launched.process.pid, signum)
        code = launched.process.wait(timeout=60)
        assert code == (-signal.SIGKILL if signum == signal.SIGKILL else 0)
        deadline = time.monotonic() + 60
        while (_alive(tree) or any(launched.tmp.iterdir())) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert _alive(tree) == []
        assert list(launched.tmp.iterdir()) == []  # no voila_* folder, no site folder
    finally:
        _stop(launched)
        for pid in _alive(_tree(launched)):
            os.kill(pid, signal.SIGKILL)

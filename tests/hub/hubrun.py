"""A real JupyterHub for the test: local users, the local-process spawner, the idle culler.

:class:`HubRun` writes the hub's configuration into a temporary folder,
creates the users (``useradd``), hands them the course notebooks as a student
gets them (``micrograd-edu notebooks``, run as the user), starts JupyterHub on
127.0.0.1 and drives its REST API. :meth:`HubRun.stop` stops every server and
the hub, kills whatever is left of them, deletes the users with their homes
and files and returns what it had to clean (what a correct shutdown leaves
behind); it runs again harmlessly from the fixture's finalizer. Users created
by a run that was killed before its finalizer are listed in the cache's
``leftover-users.json`` and deleted by the next run.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from micrograd_edu.visualize.live.__main__ import free_port
from micrograd_edu.visualize.live.supervisor import descendants

HOST = "hub.test"
"""The hub's public name: Chromium maps it to 127.0.0.1 (``--host-resolver-rules``)."""
USER_PREFIX = "mgedu"
CULL_TIMEOUT = 30
"""Seconds without activity before the idle culler stops a server."""
CULL_EVERY = 5
ACTIVITY_INTERVAL = 5
"""Seconds between the activity reports of the users' servers and the proxy's."""

CONFIG = """\
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.public_url = "http://{host}:{port}/"
c.JupyterHub.db_url = "sqlite:///{folder}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{folder}/cookie_secret"
c.JupyterHub.last_activity_interval = {activity}
c.ConfigurableHTTPProxy.command = ["{proxy}"]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = "{folder}/proxy.pid"
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = "{password}"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = ["{venv}/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {{
    "PATH": "{venv}/bin:/usr/local/bin:/usr/bin:/bin",
    "JUPYTERHUB_ACTIVITY_INTERVAL": "{activity}",
}}
c.JupyterHub.services = [
    {{"name": "test-driver", "api_token": "{token}"}},
    {{
        "name": "idle-culler",
        "command": [
            "{venv}/bin/python", "-m", "jupyterhub_idle_culler",
            "--timeout={cull_timeout}", "--cull-every={cull_every}",
        ],
    }},
]
c.JupyterHub.load_roles = [
    {{
        "name": "test-driver",
        "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"],
        "services": ["test-driver"],
    }},
    {{
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }},
]
"""


def _run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def processes_of(uid: int) -> list[int]:
    """The pids of every process running as ``uid`` (Linux ``/proc``)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:
            continue
        uid_line = next((line for line in lines if line.startswith("Uid:")), "")
        if uid_line.split()[1:2] == [str(uid)]:
            found.append(int(status.parent.name))
    return found


def files_of(uid: int, folders: tuple[str, ...] = ("/tmp", "/var/tmp", "/dev/shm")) -> list[Path]:
    """Files and folders owned by ``uid`` in the shared temporary folders."""
    found = []
    for top in folders:
        for folder, dirs, names in os.walk(top):
            for name in dirs + names:
                path = Path(folder) / name
                try:
                    if path.lstat().st_uid == uid:
                        found.append(path)
                except OSError:
                    continue
    return found


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``condition`` until it returns something true (returned), or fail saying ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.5)


@dataclass
class HubRun:
    """One hub, its users and its folder (see the module's docstring)."""

    venv: Path
    proxy: Path
    cache: Path
    names: tuple[str, ...] = ("ada", "bob", "cy")
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="mgedu-hub-")))
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    token: str = field(default_factory=lambda: secrets.token_hex(24))
    users: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[Any] | None = None
    port: int = 0
    started: list[int] = field(default_factory=list)
    stopped: bool = False

    # ---------------------------------------------------------------- set-up
    @property
    def url(self) -> str:
        """The hub as the browser reaches it (through the non-loopback name)."""
        return f"http://{HOST}:{self.port}"

    @property
    def local_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.clean_leftovers()
        tag = secrets.token_hex(3)
        self.users = {name: f"{USER_PREFIX}{tag}{name}" for name in self.names}
        self._remember_users()
        for login in self.users.values():
            _run(["useradd", "--create-home", "--shell", "/bin/sh", login])
            self._hand_out_notebooks(login)
        self.port = free_port()
        (self.folder / "jupyterhub_config.py").write_text(
            CONFIG.format(
                port=self.port,
                hub_port=free_port(),
                proxy_api_port=free_port(),
                host=HOST,
                folder=self.folder,
                proxy=self.proxy,
                venv=self.venv,
                password=self.password,
                token=self.token,
                activity=ACTIVITY_INTERVAL,
                cull_timeout=CULL_TIMEOUT,
                cull_every=CULL_EVERY,
            )
        )
        log = (self.folder / "hub.log").open("w")
        config = self.folder / "jupyterhub_config.py"
        self.process = subprocess.Popen(
            [str(self.venv / "bin" / "jupyterhub"), "-f", str(config)],
            cwd=self.folder,
            env={"PATH": f"{self.venv}/bin:/usr/bin:/bin", "LANG": "C.UTF-8"},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_until(self._answers, 90, f"JupyterHub did not answer; its log:\n{self.log()}")
        self.api("POST", "users", {"usernames": sorted(self.users.values())})

    def _hand_out_notebooks(self, login: str) -> None:
        """``micrograd-edu notebooks ~/course``, run as the student."""
        home = Path(pwd.getpwnam(login).pw_dir)
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        _run(
            [runuser, "-u", login, "--", str(self.venv / "bin" / "micrograd-edu"),
             "notebooks", str(home / "course")],
            cwd=home,
            env={"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )  # fmt: skip

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.local_url}/hub/api/", timeout=5):
                return True
        except (OSError, urllib.error.HTTPError):
            return False

    def log(self) -> str:
        path = self.folder / "hub.log"
        return path.read_text()[-4000:] if path.exists() else "(no log)"

    # ---------------------------------------------------------------- REST
    def api(self, method: str, path: str, body: Any = None, timeout: float = 150) -> Any:
        """A request to the hub's REST API as the test's service; the decoded JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.local_url}/hub/api/{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    def spawn(self, name: str) -> None:
        """Start ``name``'s server through the API (returns once it is ready)."""
        login = self.users[name]
        self.api("POST", f"users/{login}/server")
        wait_until(lambda: self.server(name).get("ready"), 120, f"{login}'s server")

    def server(self, name: str) -> dict[str, Any]:
        """``name``'s default server as the hub sees it ({} when it has none)."""
        servers: dict[str, Any] = self.api("GET", f"users/{self.users[name]}")["servers"]
        return servers.get("", {})

    def uid(self, name: str) -> int:
        return pwd.getpwnam(self.users[name]).pw_uid

    # ---------------------------------------------------------------- tear-down
    def stop(self) -> dict[str, Any]:
        """Stop everything, delete the users; return what was left to clean (see above)."""
        if self.stopped:
            return {}
        self.stopped = True
        left: dict[str, Any] = {}
        if self.process is not None:
            for name in self.users:
                try:
                    if self.server(name):
                        self.api("DELETE", f"users/{self.users[name]}/server", timeout=60)
                        wait_until(lambda name=name: not self.server(name), 60, "stopping")
                except (OSError, urllib.error.HTTPError, ValueError, AssertionError) as error:
                    left[f"{name}'s server"] = f"not stopped: {error}"
            below = descendants(self.process.pid)
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                left["hub"] = "still running 60 s after SIGTERM"
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            deadline = time.monotonic() + 120  # the hub's children end just after it
            while (alive := [p for p in below if Path(f"/proc/{p}").exists()]) and (
                time.monotonic() < deadline
            ):
                time.sleep(0.5)
            if alive:
                left["hub's processes"] = alive
                for pid in alive:
                    _kill(pid)
        for login in self.users.values():
            left.update(self._delete_user(login))
        self._forget_users()
        shutil.rmtree(self.folder, ignore_errors=True)
        return left

    def _delete_user(self, login: str) -> dict[str, Any]:
        if not user_exists(login):
            return {}
        left: dict[str, Any] = {}
        uid = pwd.getpwnam(login).pw_uid
        deadline = time.monotonic() + 120  # a stopping server's kernels end within seconds
        while (running := processes_of(uid)) and time.monotonic() < deadline:
            time.sleep(0.5)
        if running:
            left[f"{login}'s processes"] = [_command(pid) for pid in running]
            for pid in running:
                _kill(pid)
        files = files_of(uid)
        if files:
            left[f"{login}'s files"] = [str(path) for path in files]
            for path in files:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        subprocess.run(["userdel", "--remove", login], capture_output=True, check=False)
        if user_exists(login):
            left[login] = "userdel failed"
        return left

    # Users of a run killed before its finalizer: deleted by the next run.
    def _ledger(self) -> Path:
        return self.cache / "leftover-users.json"

    def _remember_users(self) -> None:
        self._ledger().write_text(json.dumps(sorted(self.users.values())))

    def _forget_users(self) -> None:
        self._ledger().unlink(missing_ok=True)

    def clean_leftovers(self) -> None:
        ledger = self._ledger()
        if ledger.exists():
            for login in json.loads(ledger.read_text()):
                if login.startswith(USER_PREFIX):
                    self._delete_user(login)
            ledger.unlink()


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return str(pid)

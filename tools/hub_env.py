"""Build, once, the environment the JupyterHub test (tests/hub/) runs in, and cache it.

``make hub-env`` (a step of ``make pytest``; ``.ci/run`` runs it) calls
``python tools/hub_env.py``, which needs PyPI and npm; the test itself fetches
nothing and only reads what this wrote. What it writes, in the cache folder:

* ``venv/``: a virtual environment made from ``/usr/bin/python3`` (a
  Python that the test's local users may execute: one under ``/root`` fails
  for them with "bad interpreter: Permission denied"), holding JupyterHub,
  jupyter-server-proxy and the idle culler (:data:`HUB_REQUIREMENTS`) and this
  project's wheel installed as a student installs it, with its ``course``
  extra. ``venv/.complete`` holds a hash of the project's dependencies and
  extras and those pins: a change of either makes the venv anew;
* ``venv/.micrograd-sources``: the hash of the sources the installed
  wheel was built from. When only the sources changed, the wheel is rebuilt and
  reinstalled without its dependencies and without any index
  (:func:`ensure` with ``offline=True``, which the test calls), a few seconds;
* ``node/``: configurable-http-proxy from npm (:data:`PROXY_PACKAGE`);
* ``wheels/``: the last wheel built.

The cache folder is ``build/hub/`` in the checkout when every folder above it
can be entered by other users (the local users run the venv's Python), else
``/var/cache/micrograd-edu/hub``; ``MICROGRAD_HUB_CACHE`` chooses another.
A lock file serialises two builds (and a build and a test). Standard library
only.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = Path("/usr/bin/python3")
"""A Python every user may execute (Debian's)."""
HUB_REQUIREMENTS = (
    "jupyterhub==6.1.1",
    "jupyter-server-proxy==4.6.0",
    "jupyterhub-idle-culler==2.0.0",
    "setuptools>=68",  # builds the project's wheel offline when only the sources changed
)
"""What the hub and the users' servers run besides the course (measured with these)."""
PROXY_PACKAGE = "configurable-http-proxy@5.3.0"
"""JupyterHub's proxy (npm)."""
FALLBACK_CACHE = Path("/var/cache/micrograd-edu/hub")
CACHE_VARIABLE = "MICROGRAD_HUB_CACHE"
WHEEL_SOURCES = ("pyproject.toml", "README.md", "micrograd_edu")
SOURCES_STAMP = ".micrograd-sources"
COMPLETE_STAMP = ".complete"


class HubEnvironmentError(RuntimeError):
    """The hub's environment is missing or cannot be built; the message says what to run."""


@dataclass(frozen=True)
class HubEnvironment:
    """Where the built environment's pieces are."""

    venv: Path
    proxy: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"


def others_can_enter(path: Path) -> bool:
    """Whether every folder from ``/`` down to ``path`` is executable by other users."""
    path = path.resolve()
    for folder in [*reversed(path.parents), path]:
        if folder.exists() and not folder.stat().st_mode & stat.S_IXOTH:
            return False
    return True


def cache_folder(environ: dict[str, str] | None = None) -> Path:
    """The cache folder (see the module's docstring)."""
    environ = dict(os.environ) if environ is None else environ
    if environ.get(CACHE_VARIABLE):
        return Path(environ[CACHE_VARIABLE]).resolve()
    local = ROOT / "build" / "hub"
    return local if others_can_enter(ROOT) else FALLBACK_CACHE


def _hash_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def dependencies_key() -> str:
    """The venv's key: the project's dependencies and extras (``pyproject.toml``'s, the whole
    file where ``tomllib`` is missing), the pins and the system Python."""
    text = (ROOT / "pyproject.toml").read_bytes()
    try:
        import tomllib

        project = tomllib.loads(text.decode())["project"]
        text = json.dumps(
            [project.get("dependencies"), project.get("optional-dependencies")], sort_keys=True
        ).encode()
    except ImportError:  # Python 3.10
        pass
    digest = hashlib.sha256(text)
    digest.update("\n".join([*HUB_REQUIREMENTS, PROXY_PACKAGE, str(SYSTEM_PYTHON)]).encode())
    return digest.hexdigest()[:12]


def sources_key() -> str:
    """A hash of what the wheel is made of (the package, through the visualize link)."""
    files: list[Path] = []
    for name in WHEEL_SOURCES:
        path = ROOT / name
        if path.is_dir():
            for folder, dirs, names in os.walk(path, followlinks=True):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                files += [Path(folder) / n for n in sorted(names) if not n.endswith(".pyc")]
        else:
            files.append(path)
    return _hash_files(files)


@contextlib.contextmanager
def locked(cache: Path) -> Iterator[None]:
    """Hold the cache's lock (one builder or test at a time)."""
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise HubEnvironmentError(f"{what} failed ({' '.join(command[:4])} ...):\n{tail}")


def _build_wheel(cache: Path, python: Path, offline: bool) -> Path:
    """The project's wheel, built from a clean copy of its sources with ``python``."""
    dist = cache / "wheels"
    shutil.rmtree(dist, ignore_errors=True)
    dist.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="micrograd_edu-src-") as folder:
        source = Path(folder)
        for name in WHEEL_SOURCES:
            path = ROOT / name
            if path.is_dir():
                shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(path, source / name)
        command = [str(python), "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist)]
        if offline:
            command += ["--no-build-isolation", "--no-index"]
        _run([*command, str(source)], "building the project's wheel")
    (wheel,) = dist.glob("micrograd_edu-*.whl")
    return wheel


def _venv(cache: Path, offline: bool) -> Path:
    venv, key = cache / "venv", dependencies_key()
    stamp = venv / COMPLETE_STAMP
    if stamp.exists() and stamp.read_text() == key:
        return venv
    if offline:
        raise HubEnvironmentError(
            f"the hub's environment is not built in {cache}: run `make hub-env` "
            "(it needs PyPI and npm)"
        )
    if not SYSTEM_PYTHON.exists():
        raise HubEnvironmentError(
            f"{SYSTEM_PYTHON} is missing: apt-get install python3 python3-venv"
        )
    shutil.rmtree(venv, ignore_errors=True)
    _run([str(SYSTEM_PYTHON), "-m", "venv", str(venv)], "making the venv")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    _run([*pip, "install", *HUB_REQUIREMENTS], "installing JupyterHub")
    sources = sources_key()  # before the build: a file edited meanwhile makes the next run rebuild
    wheel = _build_wheel(cache, venv / "bin" / "python", offline=False)
    _run([*pip, "install", f"{wheel}[course]"], "installing micrograd_edu[course]")
    (venv / SOURCES_STAMP).write_text(sources)
    stamp.write_text(key)
    return venv


def _refresh_wheel(cache: Path, venv: Path, offline: bool) -> None:
    """Reinstall the project's wheel (no dependencies, no index) if its sources changed."""
    key = sources_key()
    stamp = venv / SOURCES_STAMP
    if stamp.exists() and stamp.read_text() == key:
        return
    python = venv / "bin" / "python"
    wheel = _build_wheel(cache, python, offline)
    _run(
        [str(python), "-m", "pip", "--disable-pip-version-check", "-q", "install",
         "--no-deps", "--no-index", "--force-reinstall", str(wheel)],
        "reinstalling the project's wheel",
    )  # fmt: skip
    stamp.write_text(key)


def _proxy(cache: Path, offline: bool) -> Path:
    node = cache / "node"
    binary = node / "node_modules" / ".bin" / "configurable-http-proxy"
    stamp = node / COMPLETE_STAMP
    if stamp.exists() and stamp.read_text() == PROXY_PACKAGE:
        return binary
    if offline:
        raise HubEnvironmentError(
            f"configurable-http-proxy is not installed in {node}: run `make hub-env`"
        )
    if shutil.which("npm") is None:
        raise HubEnvironmentError("npm is missing: apt-get install npm")
    shutil.rmtree(node, ignore_errors=True)
    node.mkdir(parents=True)
    _run(
        ["npm", "install", "--prefix", str(node), "--no-audit", "--no-fund", PROXY_PACKAGE],
        "installing configurable-http-proxy",
    )
    (node / COMPLETE_STAMP).write_text(PROXY_PACKAGE)
    return binary


def ensure(cache: Path | None = None, *, offline: bool = False) -> HubEnvironment:
    """The hub's environment, built or brought up to date (see the module's docstring).

    ``offline=True`` (the test) installs nothing from PyPI or npm: it raises
    :class:`HubEnvironmentError` when the venv or the proxy is missing, and only
    rebuilds the project's wheel from the checkout when the sources changed.
    """
    cache = cache_folder() if cache is None else cache
    with locked(cache):
        venv = _venv(cache, offline)
        _refresh_wheel(cache, venv, offline)
        proxy = _proxy(cache, offline)
    return HubEnvironment(venv=venv, proxy=proxy)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/hub_env.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--cache", type=Path, help="the cache folder (default: see above)")
    parser.add_argument(
        "--offline", action="store_true", help="install nothing; fail if something is missing"
    )
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        print("hub_env: the hub test runs only as root on Linux (useradd): nothing to build")
        return 0
    try:
        built = ensure(args.cache, offline=args.offline)
    except HubEnvironmentError as error:
        print(f"hub_env: {error}", file=sys.stderr)
        return 1
    print(json.dumps({"venv": str(built.venv), "proxy": str(built.proxy)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

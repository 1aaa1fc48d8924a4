"""The hub test's cached environment (tools/hub_env.py): where it lives and when it is remade.

No network and no root: the keys and the cache folder are computed on small checkouts
made here, and ``ensure(offline=True)`` is asked for one that was never built.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
try:
    from tools import hub_env
finally:
    sys.path.remove(str(ROOT))

PYPROJECT = """\
[project]
name = "micrograd_edu"
dependencies = ["numpy>=1.24"]

[project.optional-dependencies]
live = ["ipywidgets>=8.1"]

[tool.pytest.ini_options]
markers = ["slow: slow"]
"""


@pytest.fixture
def checkout(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A small checkout: pyproject.toml, README.md and a package of two modules, in a folder of
    the system's temporary folder that other users may enter (pytest's own is closed to them)."""
    top = Path(tempfile.mkdtemp(prefix="mgedu-hub-env-"))
    root = top / "shared" / "checkout"
    (root / "micrograd_edu").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "README.md").write_text("# micrograd_edu\n")
    (root / "micrograd_edu" / "__init__.py").write_text("")
    (root / "micrograd_edu" / "engine.py").write_text("x = 1\n")
    for folder in (top, root.parent, root):
        folder.chmod(0o755)
    monkeypatch.setattr(hub_env, "ROOT", root)
    try:
        yield root
    finally:
        shutil.rmtree(top)


def test_the_cache_is_in_the_checkout_when_others_can_enter_it(
    checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(hub_env.CACHE_VARIABLE, raising=False)
    if not hub_env.others_can_enter(checkout.parent.parent.parent):
        pytest.skip(f"{tempfile.gettempdir()} itself is closed to other users here")
    assert hub_env.cache_folder() == checkout / "build" / "hub"


def test_a_checkout_closed_to_other_users_uses_the_system_cache(
    checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(hub_env.CACHE_VARIABLE, raising=False)
    checkout.parent.chmod(0o700)  # as /root is: the local users could not run the venv
    try:
        assert not hub_env.others_can_enter(checkout)
        assert hub_env.cache_folder() == Path("/var/cache/micrograd-edu/hub")
    finally:
        checkout.parent.chmod(0o755)


def test_the_variable_names_the_cache(tmp_path: Path) -> None:
    environ = {hub_env.CACHE_VARIABLE: str(tmp_path / "elsewhere")}
    assert hub_env.cache_folder(environ) == (tmp_path / "elsewhere").resolve()


def test_the_venv_is_remade_for_new_extras_not_for_other_settings(checkout: Path) -> None:
    key = hub_env.dependencies_key()
    pyproject = checkout / "pyproject.toml"
    pyproject.write_text(PYPROJECT.replace('["slow: slow"]', '["slow: slow", "hub: hub"]'))
    assert hub_env.dependencies_key() == key  # a marker: the same venv
    pyproject.write_text(PYPROJECT.replace("ipywidgets>=8.1", "ipywidgets>=8.2"))
    assert hub_env.dependencies_key() != key  # an extra changed: a new venv


def test_the_wheel_is_rebuilt_when_a_source_changes_and_only_then(checkout: Path) -> None:
    key = hub_env.sources_key()
    cache = checkout / "micrograd_edu" / "__pycache__"
    cache.mkdir()
    (cache / "engine.cpython-311.pyc").write_bytes(b"\0")
    assert hub_env.sources_key() == key  # bytecode is not a source
    (checkout / "micrograd_edu" / "engine.py").write_text("x = 2\n")
    assert hub_env.sources_key() != key


def test_offline_nothing_is_installed_and_the_message_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(hub_env.HubEnvironmentError, match=r"run `make hub-env` \(it needs PyPI"):
        hub_env.ensure(tmp_path / "cache", offline=True)
    assert sorted(os.listdir(tmp_path / "cache")) == [".lock"]

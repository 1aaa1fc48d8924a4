"""The grader's scratch folders: removed after each notebook; those of a grader killed
meanwhile swept by the next grader at its start, never a live grader's, another user's, a
link or a folder whose owner the name does not say."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import grading_fake as fake
import pytest

from micrograd_edu.grade import cli
from micrograd_edu.grade.scratch import PREFIX, scratch_folder, sweep_stale

ROOT = Path(__file__).resolve().parents[2]
HELPERS = ROOT / "tests" / "helpers"

HOLD = """\
import sys
from pathlib import Path
from micrograd_edu.grade.scratch import scratch_folder
with scratch_folder(Path(sys.argv[1])) as base:
    (base / "box").mkdir()
    (base / "box" / "submission.ipynb").write_text("{}")
    (base / "box").chmod(0o500)  # made unwritable by its notebook: removed all the same
    print(base, flush=True)
    sys.stdin.read()
"""

LOCK = """\
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()
"""


def _wait_until(condition: Callable[[], object], seconds: float = 120.0) -> bool:
    """Poll ``condition()`` until it is true or ``seconds`` passed (a state, not a sleep)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


def _holder(parent: Path, started: list[subprocess.Popen[str]]) -> tuple[int, Path]:
    process = _python(HOLD, str(parent))
    started.append(process)
    assert process.stdout is not None
    return process.pid, Path(process.stdout.readline().strip())


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "gone"


def test_a_folder_is_named_after_its_grader_and_removed_after_use(tmp_path: Path) -> None:
    with scratch_folder(tmp_path) as base:
        assert base.parent == tmp_path
        assert base.name.startswith(f"{PREFIX}{os.getpid()}-")
        assert base.stat().st_mode & 0o777 == 0o700
        (base / "box").mkdir()
        (base / "box" / "kept").write_text("x")
        (base / "box").chmod(0o500)
        assert sweep_stale(tmp_path) == []  # its grader lives, and holds the lock
    assert list(tmp_path.iterdir()) == []


def test_only_a_dead_graders_folder_is_swept(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    dead, dead_folder = _holder(tmp_path, processes)
    _, live_folder = _holder(tmp_path, processes)
    processes[0].kill()  # not reaped: a zombie is dead too
    assert _wait_until(lambda: _state(dead) in ("Z", "gone")), "the killed grader lives on"
    # named after the dead grader but locked by a live one (a grader in another pid namespace)
    held = tmp_path / f"{PREFIX}{dead}-held"
    held.mkdir()
    locker = _python(LOCK, str(held))
    processes.append(locker)
    assert locker.stdout is not None and locker.stdout.readline() == "locked\n"
    target = tmp_path / "target"
    target.mkdir()
    (target / "keep").write_text("x")
    link = tmp_path / f"{PREFIX}{dead}-link"
    link.symlink_to(target)
    older = tmp_path / f"{PREFIX}abc123"  # an older grader's: its name says no owner
    older.mkdir()

    assert sweep_stale(tmp_path) == [dead_folder]
    assert not dead_folder.exists()
    assert live_folder.is_dir() and held.is_dir() and older.is_dir()
    assert link.is_symlink() and (target / "keep").read_text() == "x"

    processes[1].communicate("")  # the live grader ends: it removes its own folder
    assert not live_folder.exists()
    locker.communicate("")
    assert sweep_stale(tmp_path) == [held]


@pytest.mark.skipif(
    sys.platform != "linux" or os.geteuid() != 0, reason="needs root to give a folder away"
)
def test_another_users_folder_is_left_alone(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    _, folder = _holder(tmp_path, processes)
    processes[0].kill()
    processes[0].communicate()
    os.chown(folder, 65534, 65534)
    assert sweep_stale(tmp_path) == []
    assert folder.is_dir()
    os.chown(folder, 0, 0)
    assert sweep_stale(tmp_path) == [folder]


HANG = "while True:\n    pass\n"
GRADE = ("--timeout", "300", "--notebook", "90_fake")


@pytest.mark.slow
def test_the_next_grader_sweeps_what_a_killed_grader_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = fake.write(tmp_path / "stuck", "90_fake.ipynb", HANG)
    grader = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "micrograd_edu.grade",
            "--course",
            "grading_fake",
            *GRADE,
            str(path),
        ],
        env=dict(os.environ, PYTHONPATH=str(HELPERS)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    temporary = Path(tempfile.gettempdir())  # the grader's, in the same environment

    def left() -> list[Path]:
        return [
            folder
            for folder in temporary.glob(f"{PREFIX}{grader.pid}-*")
            if (folder / "worker.log").exists()
        ]

    try:
        assert _wait_until(left, 120), "the grader never made its scratch folder"
    finally:
        os.killpg(grader.pid, signal.SIGKILL)
        grader.wait()
    [folder] = left()  # killed: nothing removed it
    assert cli.main(["--notebook", "90_fake", str(tmp_path / "nowhere.ipynb")], course=fake) == 1
    assert "REFUSED" in capsys.readouterr().out
    assert not folder.exists()

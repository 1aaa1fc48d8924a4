"""The sandbox's layers one by one (issue 27, item 1): uid leases, the pid namespace and its
own /proc, the mount namespace (the checkout hidden, /tmp private, the installation bound
back), and submissions reached through a link anywhere on their path.

Tests that need root and Linux namespaces skip elsewhere, saying so; CI runs as root.
What changes mounts runs in a child process: the test process's own mounts never change.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import grading_fake as fake
import pytest
from processes import processes_running

from micrograd_edu.grade import leases
from micrograd_edu.grade import sandbox as sb
from micrograd_edu.grade.mounts import checkout_of
from micrograd_edu.grade.records import Options, grade_submission, read_submission

ROOT = Path(__file__).resolve().parents[2]
ROOTED = sys.platform == "linux" and os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOTED, reason="needs root on Linux (namespaces, setuid)")


def _wait_until(condition: object, seconds: float = 120.0) -> bool:
    """Poll ``condition()`` until it is true or ``seconds`` passed (a state, not a sleep)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


# ---------------------------------------------------------------------- uid leases
def test_two_leases_never_share_a_uid_and_a_released_one_is_free(tmp_path: Path) -> None:
    first = leases.take(hint=64950, folder=tmp_path)
    second = leases.take(hint=64950, folder=tmp_path)
    assert first is not None and second is not None
    assert (first.uid, second.uid) == (64950, 64951)
    assert (tmp_path / "64950").read_text() == f"{os.getpid()}\n"
    first.release()
    third = leases.take(hint=64950, folder=tmp_path)
    assert third is not None and third.uid == 64950
    second.release()
    third.release()


def test_a_dead_holders_lease_is_free_at_once(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pathlib\n"
            "from micrograd_edu.grade.leases import take\n"
            f"lease = take(hint=64955, folder=pathlib.Path({str(tmp_path)!r}))\n"
            "print(lease.uid, flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "64955\n"
        taken = leases.take(hint=64955, folder=tmp_path)
        assert taken is not None and taken.uid == 64956  # held by a live process
        taken.release()
    finally:
        holder.kill()
        holder.wait()
    again = leases.take(hint=64955, folder=tmp_path)
    assert again is not None and again.uid == 64955  # its holder died: free
    again.release()


def test_a_uid_with_an_account_is_never_leased(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(leases, "_has_account", lambda uid: uid == 64960)
    lease = leases.take(hint=64960, folder=tmp_path)
    assert lease is not None and lease.uid == 64961
    lease.release()


@needs_root
def test_a_uid_a_process_still_runs_as_is_skipped_not_killed(tmp_path: Path) -> None:
    leftover = subprocess.Popen(
        ["setpriv", "--reuid=64965", "--regid=65534", "--clear-groups", "sleep", "600"]
    )
    try:
        assert _wait_until(lambda: 64965 in leases.uids_running()), "uid 64965's sleep never ran"
        lease = leases.take(hint=64965, folder=tmp_path)
        assert lease is not None and lease.uid == 64966
        assert leftover.poll() is None  # never killed: it may be someone else's
        lease.release()
    finally:
        leftover.kill()
        leftover.wait()


# ---------------------------------------------------------------------- pid namespace
PROBE_PROCESSES = """\
import json, os, signal, subprocess, sys
outside = int(sys.argv[1])
seen = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
tries = {}
for target in (outside, os.getppid()):
    try:
        os.kill(target, signal.SIGKILL)
        tries[str(target)] = 'sent'
    except OSError as error:
        tries[str(target)] = type(error).__name__
subprocess.Popen(['sleep', sys.argv[2]], start_new_session=True)
with open(sys.argv[3], 'w') as out:
    json.dump({'pid': os.getpid(), 'parent': os.getppid(), 'seen': seen, 'tries': tries}, out)
signal.pause()
"""


@needs_root
def test_a_kernel_sees_and_signals_only_its_own_processes_and_they_die_together(
    tmp_path: Path,
) -> None:
    box = sb.Sandbox(tmp_path, sb.Limits(60))
    box.prepare(None, want_cgroup=False)
    word, report = f"600.{os.getpid()}7", tmp_path / "report.json"
    command = [sys.executable, "-c", PROBE_PROCESSES, str(os.getpid()), word, str(report)]
    first = box.start(command, dict(os.environ))
    try:
        assert _wait_until(lambda: report.exists() and report.read_text()), "no report written"
        seen = json.loads(report.read_text())
        assert {"pid namespace", "ipc namespace"} <= set(box.layers)
        assert box.weaknesses == []
        assert (seen["pid"], seen["parent"], seen["seen"]) == (2, 1, [1, 2])
        assert seen["tries"] == {
            str(os.getpid()): "ProcessLookupError",  # the test runner: not in its namespace
            "1": "sent",  # its parent, the namespace's first process, ignores it...
        }
        assert first.poll() is None  # ...and lives on
        assert processes_running(word)  # what it detached runs
    finally:
        os.kill(first.pid, signal.SIGKILL)  # the worker's kill: the namespace goes with it
        first.wait()
    assert _wait_until(lambda: not processes_running(word)), "the detached sleep lives on"


@needs_root
def test_the_pid_namespaces_first_process_ends_with_its_kernel(tmp_path: Path) -> None:
    box = sb.Sandbox(tmp_path, sb.Limits(60))
    box.prepare(None, want_cgroup=False)
    kernel = box.start([sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ))
    assert kernel.wait(timeout=60) == 3
    assert "pid namespace" in box.layers
    command = [sys.executable, "-c", "import os; os.kill(os.getpid(), 9)"]
    assert box.start(command, dict(os.environ)).wait(timeout=60) == 128 + signal.SIGKILL


# ---------------------------------------------------------------------- mount namespace
ISOLATE = """\
import json, os, sys
from pathlib import Path
from micrograd_edu.grade import mounts, run
expose, hide, keep = (json.loads(arg) for arg in sys.argv[1:4])
expose = [Path(p) for p in expose] or run._expose()
hide = [Path(p) for p in hide] or run._hidden({})
notes = mounts.isolate(expose, hide, Path(keep))
def look(path):
    try:
        return sorted(os.listdir(path)) if os.path.isdir(path) else open(path).read()[:40]
    except OSError as error:
        return type(error).__name__
def write(path):
    try:
        open(path, 'w').write('x')
        return 'written'
    except OSError as error:
        return type(error).__name__
checks = json.loads(sys.argv[4])
size = os.statvfs('/tmp')
print(json.dumps({'notes': notes, 'tmp_bytes': size.f_blocks * size.f_frsize,
                  'seen': {p: look(p) for p in checks['look']},
                  'write': {p: write(p) for p in checks['write']}}))
"""


def _isolated(expose: list[str], hide: list[str], keep: Path, **checks: list[str]) -> dict:
    """Run mounts.isolate in a child process; what it then sees and may write."""
    args = [json.dumps(expose), json.dumps(hide), json.dumps(str(keep)), json.dumps(checks)]
    done = subprocess.run(
        [sys.executable, "-c", ISOLATE, *args], capture_output=True, text=True, check=True
    )
    result: dict = json.loads(done.stdout)
    return result


@pytest.fixture
def box() -> Iterator[Path]:
    """A sandbox folder as the grader makes it: in the system's temporary folder."""
    base = Path(tempfile.mkdtemp(prefix="micrograd-grade-test-"))
    (base / "box").mkdir()
    (base / "box" / "submission.ipynb").write_text("{}")
    try:
        yield base / "box"
    finally:
        shutil.rmtree(base, ignore_errors=True)


@needs_root
def test_the_whole_checkout_is_hidden_git_included_the_package_stays(box: Path) -> None:
    package = ROOT / "micrograd_edu"
    seen = _isolated(
        [],
        [],
        box,
        look=[
            str(ROOT),
            str(ROOT / ".git"),
            str(ROOT / "notebooks"),
            str(ROOT / "tests"),
            str(package / "engine.py"),
            sys.prefix,
            str(box),
        ],
        write=[str(package / "planted.py"), str(box / "mine.txt")],
    )
    assert seen["notes"] == []
    looked = seen["seen"]
    assert set(looked[str(ROOT)]) <= {"micrograd_edu", "visualize", ".venv"}
    assert "micrograd_edu" in looked[str(ROOT)]
    for gone in (".git", "notebooks", "tests"):
        assert looked[str(ROOT / gone)] == "FileNotFoundError"
    assert looked[str(package / "engine.py")].startswith('"""The scalar autograd engine')
    assert "bin" in looked[sys.prefix]
    assert looked[str(box)] == ["submission.ipynb"]
    assert seen["write"] == {
        str(package / "planted.py"): "OSError",  # read-only (EROFS)
        str(box / "mine.txt"): "written",
    }
    assert not (package / "planted.py").exists()


@needs_root
def test_tmp_is_private_also_when_the_installation_lives_under_it(box: Path) -> None:
    installation = Path(tempfile.mkdtemp(prefix="micrograd-install-", dir="/tmp"))
    (installation / "lib").mkdir()
    (installation / "lib" / "module.py").write_text("# the installation")
    planted = Path(tempfile.mkdtemp(prefix="micrograd-note-", dir="/tmp")) / "note"
    planted.write_text("from another notebook")
    try:
        seen = _isolated(
            [str(installation)],
            ["/nonexistent-class-folder"],
            box,
            look=["/tmp", str(installation / "lib" / "module.py"), str(planted)],
            write=[str(installation / "lib" / "planted.py"), "/tmp/mine.txt"],
        )
    finally:
        shutil.rmtree(installation)
        shutil.rmtree(planted.parent)
    assert seen["notes"] == []  # nothing shared, nothing left visible
    assert seen["tmp_bytes"] == 64 << 20  # the 64 MB cap holds
    assert seen["seen"] == {
        "/tmp": sorted([installation.name, box.parent.name]),
        str(installation / "lib" / "module.py"): "# the installation",
        str(planted): "FileNotFoundError",
    }
    assert seen["write"] == {
        str(installation / "lib" / "planted.py"): "OSError",
        "/tmp/mine.txt": "written",
    }
    assert not Path("/tmp/mine.txt").exists()


def _real_installation() -> list[Path]:
    from micrograd_edu.grade import run

    return run._expose()


@needs_root
def test_a_checkout_inside_the_installation_is_hidden_too(box: Path) -> None:
    venv = Path(tempfile.mkdtemp(prefix="micrograd-venv-", dir="/var/tmp"))
    checkout = venv / "src" / "course"
    (checkout / ".git").mkdir(parents=True)
    (checkout / "notebooks").mkdir()
    (checkout / "package").mkdir()
    (checkout / "package" / "code.py").write_text("# the package")
    try:
        seen = _isolated(
            [str(venv), str(checkout / "package"), *map(str, _real_installation())],
            [str(checkout)],
            box,
            look=[str(checkout), str(checkout / "package" / "code.py")],
            write=[],
        )
    finally:
        shutil.rmtree(venv)
    assert seen["seen"] == {
        str(checkout): ["package"],
        str(checkout / "package" / "code.py"): "# the package",
    }


def test_the_checkout_of_a_package_is_its_folder_and_the_repository_above(
    tmp_path: Path,
) -> None:
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    package = repository / "course" / "micrograd_edu"
    package.mkdir(parents=True)
    assert checkout_of(package, []) == [repository, repository / "course"]
    site = tmp_path / "venv" / "lib" / "site-packages"
    assert checkout_of(site / "micrograd_edu", [site]) == []
    main = tmp_path / "main"
    (main / ".git" / "worktrees" / "wt").mkdir(parents=True)
    (main / ".git" / "worktrees" / "wt" / "commondir").write_text("../..\n")
    linked = tmp_path / "wt"
    (linked / "micrograd_edu").mkdir(parents=True)
    (linked / ".git").write_text(f"gitdir: {main / '.git' / 'worktrees' / 'wt'}\n")
    assert checkout_of(linked / "micrograd_edu", []) == [main, linked]


# ---------------------------------------------------------------------- links on the path
@pytest.fixture
def hand_in(tmp_path: Path) -> Path:
    """An nbgrader-style hand-in tree; mallory made her assignment folder a link."""
    (tmp_path / "course" / "notebooks").mkdir(parents=True)
    (tmp_path / "course" / "notebooks" / "02.ipynb").write_text('{"solutions": 1}')
    (tmp_path / "submitted" / "bob" / "02").mkdir(parents=True)
    (tmp_path / "submitted" / "bob" / "02" / "02.ipynb").write_text('{"bob": 1}')
    (tmp_path / "submitted" / "mallory").mkdir()
    (tmp_path / "submitted" / "mallory" / "02").symlink_to(tmp_path / "course" / "notebooks")
    (tmp_path / "submitted" / "eve").symlink_to(tmp_path / "submitted" / "bob")
    return tmp_path


def test_a_link_anywhere_on_the_path_is_refused_and_named(
    hand_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(hand_in)
    assert read_submission(Path("submitted/bob/02/02.ipynb")) == b'{"bob": 1}'
    for path, link in (
        ("submitted/mallory/02/02.ipynb", "submitted/mallory/02"),
        ("submitted/eve/02/02.ipynb", "submitted/eve"),
    ):
        expected = (
            f"a folder on its path is a symbolic link: {hand_in / link} "
            "(grade the files themselves)"
        )
        with pytest.raises(OSError, match=f"^{re.escape(expected)}$"):
            read_submission(Path(path))
    # `..` is read as written, never through the link
    assert read_submission(Path("submitted/mallory/02/../../bob/02/02.ipynb")) == b'{"bob": 1}'


def test_a_link_on_the_path_is_recorded_as_refused_not_graded(
    hand_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(hand_in)
    options = Options(sb.Limits(60), notebook="90_fake")
    record = grade_submission(Path("submitted/mallory/02/02.ipynb"), options, fake)
    assert (record.status, record.exercises, record.sha256) == ("refused", [], "")
    assert record.detail == (
        f"cannot read it: a folder on its path is a symbolic link: {hand_in}/submitted/"
        "mallory/02 (grade the files themselves)"
    )


@pytest.mark.skipif(not Path("/bin").is_symlink(), reason="/bin is not a link here")
def test_a_system_link_right_under_the_root_is_followed() -> None:
    assert read_submission(Path("/bin/env")) == Path("/usr/bin/env").read_bytes()


# ---------------------------------------------------------------------- weaknesses, not layers
def test_without_root_the_layers_that_cannot_run_are_weaknesses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from micrograd_edu.grade import run

    monkeypatch.setattr(run.os, "geteuid", lambda: 1000)  # a teacher's laptop
    box = sb.Sandbox(tmp_path, sb.Limits(60))
    assert run._isolate_files({"uid": 64000, "folder": str(tmp_path)}, box) is None
    assert box.layers == [] and box.lease is None
    assert box.weaknesses == [run.NOT_ROOT if sys.platform == "linux" else run.NOT_LINUX]
    monkeypatch.setattr(sb.os, "geteuid", lambda: 1000)
    box.prepare(None)
    started = box.start([sys.executable, "-c", "pass"], dict(os.environ))
    assert started.wait(timeout=60) == 0
    assert "pid namespace" not in box.layers and "cgroup" not in box.layers


def test_the_report_names_the_weaknesses_apart_from_the_layers() -> None:
    from micrograd_edu.grade.records import NotebookGrade
    from micrograd_edu.grade.report import class_report

    def record(name: str, weaknesses: list[str]) -> NotebookGrade:
        graded = NotebookGrade(f"{name}.ipynb", "0" * 64, name, "90_fake", "graded")
        graded.layers = ["folder", "environment", "limits"]
        graded.weaknesses = weaknesses
        return graded

    records = [record("ann", ["not root: …"]), record("bo", ["no mount namespace: *x* <b>"])]
    report = class_report(records)
    assert (
        "Sandbox layers that ran: environment (2 of 2), folder (2 of 2), limits (2 of 2)." in report
    )
    assert (
        "Sandbox weaknesses (layers that could not run): no mount namespace: \\*x\\* "
        "\\<b\\> (1 of 2); not root: … (1 of 2)." in report
    )
    alone = record("cy", ["not Linux: …"])
    alone.layers = []  # no layer ran at all: the weakness is said all the same
    assert "Sandbox weaknesses (layers that could not run): not Linux: … (1 of 1)." in (
        class_report([alone])
    )
    page = class_report(records, markdown=False)  # rendered: the text as it was, escaped
    assert (
        "<p>Sandbox weaknesses (layers that could not run): no mount namespace: *x* &lt;b&gt; "
        "(1 of 2); not root: … (1 of 2).</p>" in page
    )


def test_an_installed_package_keeps_its_site_packages_a_checkout_is_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import micrograd_edu
    from micrograd_edu.grade import run

    site = tmp_path / "venv" / "lib" / "python3" / "site-packages"
    (site / "micrograd_edu").mkdir(parents=True)
    checkout = tmp_path / "checkout"
    (checkout / ".git").mkdir(parents=True)
    (checkout / "micrograd_edu").mkdir()
    for package, path in ((site, [str(site)]), (checkout, [str(checkout), str(site)])):
        monkeypatch.setattr(micrograd_edu, "__file__", str(package / "micrograd_edu" / "x.py"))
        monkeypatch.setattr(sys, "path", path)
        exposed, hidden = run._expose(), run._hidden({"hide": ["/class"]})
        if package == site:  # a wheel (Gradescope): its site-packages is the installation
            assert site in exposed and hidden == [Path("/class")]
        else:  # a checkout on sys.path: only its package is shown, the rest hidden
            assert checkout not in exposed and checkout / "micrograd_edu" in exposed
            assert hidden == [Path("/class"), checkout]

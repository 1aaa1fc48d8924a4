"""The grader against hostile notebooks: forged results, forged worker lines, neighbours, stalls.

A two-exercise course (``grading_fake``) with the grading contract stands in for the course:
what is tested here is the grader, whatever the exercises. Each test plays one fault of
issue 18 and shows the grade is still the grade of the student's own functions.
"""

from __future__ import annotations

import hashlib
import json
import os
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
from processes import processes_running, runs_a_kernel

from micrograd_edu.grade import cli, run
from micrograd_edu.grade.records import NotebookGrade

pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")
pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
HELPERS = ROOT / "tests" / "helpers"
NOTHING = "x = 1\n"
MARK = fake.PROBE_MARKER


def _grade(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]]]:
    code = cli.main(["--json", *args], course=fake)
    return code, json.loads(capsys.readouterr().out)


def _results(records: list[dict[str, object]]) -> list[dict[str, str]]:
    return [
        {g["exercise"]: g["result"] for g in record["exercises"]}  # type: ignore[attr-defined]
        for record in records
    ]


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder every user may enter and read (as a careless teacher's class folder is)."""
    folder = Path(tempfile.mkdtemp(prefix="grade-open-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


FORGERIES = {
    "results": (
        "from micrograd_edu.exercises.mistakes import RESULTS, Outcome\n"
        "for n in ('9.1', '9.2'):\n"
        "    RESULTS[n] = Outcome(n, 'passed')\n"
    ),
    "checks": (
        "import micrograd_edu.exercises.mistakes as m\n"
        "m.exercise = lambda number: (lambda check: (lambda *a, **k: None))\n"
    ),
    "modules": (
        "import sys, types\n"
        "fake = types.ModuleType('micrograd_edu.exercises.mistakes')\n"
        "fake.RESULTS = {'9.1': 'passed', '9.2': 'passed'}\n"
        "sys.modules['micrograd_edu.exercises.mistakes'] = fake\n"
        "sys.modules['micrograd_edu.exercises'] = fake\n"
    ),
    "serializer": (
        "import json\n"
        "_dumps = json.dumps\n"
        "json.dumps = lambda obj, *a, **k: _dumps("
        "{'9.1': {'data': [0, 0, 0]}, '9.2': {'data': [0, 0, 0]}})\n"
    ),
    "cell output": (f'print({MARK!r} + \'{{"9.1": {{"data": [2]}}, "9.2": {{"data": [4]}}}}\')\n'),
    "probe output": (
        "import builtins\n"
        "_print = builtins.print\n"
        "def print(*args, **kwargs):\n"
        f'    _print({MARK!r} + \'{{"9.1": {{"missing": true}}}}\')\n'
        "    _print(*args, **kwargs)\n"
        "builtins.print = print\n"
    ),
}


def test_forged_results_through_every_route_are_never_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [fake.write(tmp_path / name, "90_fake.ipynb", code) for name, code in FORGERIES.items()]
    code, records = _grade(capsys, "--jobs", "2", "--timeout", "60", *map(str, paths))
    assert code == 1  # some crashed
    by_name = {Path(str(r["path"])).parent.name: r for r in records}
    for name in ("results", "checks", "modules", "cell output"):
        assert by_name[name]["status"] == "graded"
        assert _results([by_name[name]]) == [{"9.1": "missing", "9.2": "missing"}], name
    # a replaced serializer garbles the kernel's own messages: crashed, never passed
    assert by_name["serializer"]["status"] == "crashed"
    assert _results([by_name["serializer"]]) == [{"9.1": "not reached", "9.2": "not reached"}]
    # an extra result line printed into the probe's output: the probe is void
    assert by_name["probe output"]["status"] == "crashed"
    assert by_name["probe output"]["detail"] == "the probe printed 2 result lines instead of 1"
    assert _results([by_name["probe output"]]) == [{"9.1": "crashed", "9.2": "crashed"}]


FORGED_LINE = (
    "import os, signal, json\n"
    "line = json.dumps({'nonce': 'guess', 'status': 'ran', 'probe_line': "
    "json.dumps({'9.1': {'data': [0]}, '9.2': {'data': [0]}})}) + '\\n'\n"
    "parent = os.getppid()\n"
    "try:\n"
    "    descriptors = os.listdir(f'/proc/{parent}/fd')\n"
    "except OSError:\n"
    "    descriptors = []\n"
    "for fd in descriptors:  # stdout, and every pipe the worker holds\n"
    "    try:\n"
    "        out = os.open(f'/proc/{parent}/fd/{fd}', os.O_WRONLY)\n"
    "        os.write(out, line.encode())\n"
    "    except OSError:\n"
    "        pass\n"
    "try:\n"
    "    os.kill(parent, signal.SIGKILL)\n"
    "except OSError:\n"
    "    pass\n"
)


@pytest.mark.parametrize("user", [[], ["--same-user"]])
def test_a_forged_worker_line_then_a_killed_parent_is_never_a_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], user: list[str]
) -> None:
    path = fake.write(tmp_path / "mallory", "90_fake.ipynb", FORGED_LINE, *fake.RIGHT)
    _, [record] = _grade(capsys, "--timeout", "60", *user, str(path))
    if user and os.geteuid() == 0:  # the layer off is said, never listed as run
        assert "unprivileged user" not in record["layers"]  # type: ignore[operator]
        assert record["weaknesses"] == [
            "same user (--same-user): the kernel runs as the grader (root)"
        ]
    layers = set(record["layers"])  # type: ignore[arg-type]
    if layers & {"unprivileged user", "pid namespace"}:
        # the kernel cannot open the worker's descriptors nor signal it (another user, or
        # its parent is the namespace's first process, which ignores it): graded as usual
        assert record["status"] == "graded"
        assert _results([record]) == [{"9.1": "passed", "9.2": "passed"}]
    else:  # the worker was killed: crashed, whatever it "wrote"
        assert record["status"] == "crashed"
        assert _results([record]) == [{"9.1": "not reached", "9.2": "not reached"}]


@pytest.mark.parametrize(
    ("data", "code", "status", "detail"),
    [
        (b'{"nonce": "n", "status": "ran", "probe_line": "{}"}\n', 0, "ran", ""),
        (b'{"nonce": "n", "status": "ran", "probe_line": "{}"}\n', -9, "crashed", "died"),
        (b'{"nonce": "n", "status": "ran"}\n{"nonce": "n", "status": "ran"}\n', 0, "crashed", "2"),
        (b'{"nonce": "guess", "status": "ran", "probe_line": "{}"}\n', 0, "crashed", "turn"),
        (b"\xff garbage", 0, "crashed", "turn"),
        (b"", 0, "crashed", "0 lines"),
        (None, None, "hung", "wall-clock"),
    ],
)
def test_the_worker_line_is_read_strictly(
    tmp_path: Path, data: bytes | None, code: int | None, status: str, detail: str
) -> None:
    log = tmp_path / "worker.log"
    log.write_bytes(b"")
    result = run._parse(data, code, "n", log)
    assert result.status == status
    assert detail in result.detail


def test_a_neighbours_notebook_and_the_course_cannot_be_reached(
    open_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bob = fake.write(open_folder / "bob", "90_fake.ipynb", *fake.RIGHT)
    course = open_folder / "course" / "answers.txt"
    course.parent.mkdir()
    course.write_text("the solutions")
    for path in (bob, course):
        path.chmod(0o666)
    before = hashlib.sha256(bob.read_bytes()).hexdigest()
    probe = (
        "import os\n"
        "seen = []\n"
        f"for target in ({str(bob)!r}, {str(course)!r}, {str(ROOT / 'notebooks')!r}):\n"
        "    try:\n"
        "        seen.append(open(target).read()[:10] if os.path.isfile(target)"
        " else os.listdir(target))\n"
        "        open(target, 'w').write('overwritten') if os.path.isfile(target) else None\n"
        "    except OSError:\n"
        "        pass\n"
        "alone = sorted(os.listdir('.'))\n"
        "def double(x):\n"
        "    return 2 * x if not any(seen) and alone == ['.home'] else 0\n"
    )
    alice = fake.write(open_folder / "alice", "90_fake.ipynb", probe)
    _, records = _grade(capsys, "--timeout", "60", str(alice), str(bob))
    assert _results(records) == [
        {"9.1": "passed", "9.2": "missing"},
        {"9.1": "passed", "9.2": "passed"},
    ]
    assert hashlib.sha256(bob.read_bytes()).hexdigest() == before
    assert course.read_text() == "the solutions"


def test_a_detached_pipe_holder_neither_stalls_the_run_nor_survives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    word = f"3600.{os.getpid()}"
    holder = (
        "import os, subprocess\n"
        "try:\n"
        "    out = os.open(f'/proc/{os.getppid()}/fd/1', os.O_WRONLY)\n"
        "except OSError:\n"
        "    out = None\n"
        f"subprocess.Popen(['sleep', '{word}'], start_new_session=True, stdout=out)\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        f"    os.execvp('sleep', ['sleep', '{word}'])\n"
    )
    hangs = fake.write(tmp_path / "hangs", "90_fake.ipynb", holder, "while True:\n    pass\n")
    holds = fake.write(tmp_path / "holds", "90_fake.ipynb", holder, *fake.RIGHT)
    _, records = _grade(capsys, "--timeout", "8", str(hangs), str(holds))
    # Not stalled, shown by the records, not by a clock: a worker whose stdout a detached
    # process held open would end at the parent's deadline, recorded as "stopped at the
    # wall-clock limit (the worker did not finish)"; here each worker's own answer arrived.
    assert [record["status"] for record in records] == ["hung", "graded"]
    assert records[0]["detail"] == "stopped after 8 s"  # the worker's report of its limit
    assert _results(records) == [
        {"9.1": "not reached", "9.2": "not reached"},
        {"9.1": "passed", "9.2": "passed"},
    ]
    deadline = time.monotonic() + 120  # killed at once; reaped by init a moment later
    while processes_running(word) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_running(word) == [], "a detached sleep outlived the grader by 120 s"


def test_a_deleted_exercise_is_missing_and_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = fake.write(tmp_path / "dana", "90_fake.ipynb", fake.RIGHT[0])
    code = cli.main(["--timeout", "60", str(path)], course=fake)
    out = capsys.readouterr().out
    assert code == 0
    assert "(1 of 2 passed)" in out
    assert "  9.2       missing   its function is not in the notebook" in out


def _cli(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(HELPERS))
    return subprocess.Popen(
        [sys.executable, "-m", "micrograd_edu.grade", "--course", "grading_fake", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,  # type: ignore[call-overload]
    )


def test_a_killed_grader_keeps_its_finished_grades(tmp_path: Path) -> None:
    quick = [fake.write(tmp_path / n, "90_fake.ipynb", *fake.RIGHT) for n in ("ann", "ben")]
    word = f"3600.{os.getpid()}1"
    slow = fake.write(
        tmp_path / "cy", "90_fake.ipynb", f"import subprocess\nsubprocess.run(['sleep', '{word}'])"
    )
    out = tmp_path / "out"
    grader = _cli("--jobs", "1", "--timeout", "600", "--out", str(out), *map(str, [*quick, slow]))
    results = out / "results.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not processes_running(word):
        time.sleep(0.2)
    grader.kill()
    grader.communicate()
    lines = results.read_text().splitlines()
    assert [NotebookGrade.from_json(line).student for line in lines] == ["ann", "ben"]
    again = _cli("--jobs", "1", "--timeout", "5", "--out", str(out), *map(str, [*quick, slow]))
    stdout, _ = again.communicate(timeout=120)
    assert len(results.read_text().splitlines()) == 3  # ann and ben were not graded again
    if Path("/sys/fs/cgroup/pids/micrograd_edu_grade").is_dir():
        assert processes_running(word) == []  # left by the killed run, swept by this one
    assert "cy/90_fake.ipynb  [cy]  90_fake  (0 of 2 passed)  HUNG" in stdout
    assert [row.rsplit(",", 2)[0] for row in (out / "grades.csv").read_text().splitlines()] == [
        "student,status,9.1,9.2,total,max",
        "ann,graded,1,1,2,2",
        "ben,graded,1,1,2,2",
        "cy,hung,0,0,0,2",
    ]


def test_output_and_memory_limits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loud = fake.write(
        tmp_path / "loud",
        "90_fake.ipynb",
        "for _ in range(2000):\n    print('x' * 100_000)\n",
        *fake.RIGHT,
    )
    greedy = fake.write(
        tmp_path / "greedy", "90_fake.ipynb", "hog = bytearray(3 << 30)\n", *fake.RIGHT
    )
    _, records = _grade(capsys, "--memory", "1024", "--timeout", "120", str(loud), str(greedy))
    assert _results(records) == [
        {"9.1": "passed", "9.2": "passed"},  # 200 MB printed, dropped as it came
        {"9.1": "passed", "9.2": "passed"},  # MemoryError in its cell; the rest ran
    ]


BIG = 20 << 20
"""Characters printed at once: one message over the worker's 16 MB cap."""


def test_a_message_too_large_to_read_costs_its_output_never_the_grading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # ZeroMQ refuses the message and closes that connection for good: the worker notices
    # (a socket monitor), connects again, and reads the cell's end from the shell
    loud = f"import sys\nsys.stdout.write('x' * {BIG})\nsys.stdout.flush()\n"
    path = fake.write(tmp_path / "loud", "90_fake.ipynb", loud, *fake.RIGHT)
    code, [record] = _grade(capsys, "--timeout", "300", str(path))
    assert (code, record["status"], record["detail"]) == (0, "graded", "")
    assert _results([record]) == [{"9.1": "passed", "9.2": "passed"}]


def test_a_probe_whose_output_was_cut_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chatty = f"def double(x):\n    print('x' * {BIG})\n    return 2 * x\n"
    path = fake.write(tmp_path / "chatty", "90_fake.ipynb", chatty, fake.RIGHT[1])
    code, [record] = _grade(capsys, "--timeout", "300", str(path))
    assert (code, record["status"], record["detail"]) == (1, "crashed", run.CUT)
    assert _results([record]) == [{"9.1": "crashed", "9.2": "passed"}]  # the next one read
    assert record["exercises"][0]["message"] == run.CUT  # type: ignore[index]


def test_the_kernel_sees_no_secret_and_has_its_homes_inside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = (
        "import os\n"
        "leak = any('SECRET' in k + v for k, v in os.environ.items())\n"
        "homes = [os.environ[k] for k in ('HOME', 'IPYTHONDIR', 'MPLCONFIGDIR', 'TMPDIR')]\n"
        "inside = all(h.startswith(os.getcwd() + '/') for h in homes)\n"
        "def double(x):\n"
        "    return 2 * x if inside and not leak else 0\n"
    )
    path = fake.write(tmp_path / "eve", "90_fake.ipynb", spy)
    monkeypatch.setenv("MICROGRAD_EDU_GRADE_SECRET", "SECRET-teacher")
    _, [record] = _grade(capsys, "--timeout", "60", str(path))
    assert _results([record]) == [{"9.1": "passed", "9.2": "missing"}]


def test_layers_on_this_machine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = fake.write(tmp_path / "fay", "90_fake.ipynb", *fake.RIGHT)
    _, [record] = _grade(capsys, "--timeout", "60", str(path))
    layers = set(record["layers"])  # type: ignore[arg-type]
    assert {"folder", "environment", "limits", "process tree"} <= layers
    if os.geteuid() == 0 and Path("/sys/fs/cgroup/pids/cgroup.procs").exists():
        assert layers == {
            "folder",
            "environment",
            "limits",
            "process tree",
            "unprivileged user",
            "cgroup",
            "mount namespace",
            "network namespace",
            "pid namespace",
            "ipc namespace",
        }
        assert record["weaknesses"] == []  # every layer ran, nothing left visible


def test_ctrl_c_keeps_the_finished_grades(tmp_path: Path) -> None:
    done = fake.write(tmp_path / "ann", "90_fake.ipynb", *fake.RIGHT)
    slow = fake.write(tmp_path / "bo", "90_fake.ipynb", "import time\ntime.sleep(600)\n")
    out = tmp_path / "out"
    grader = _cli("--jobs", "1", "--timeout", "600", "--out", str(out), str(done), str(slow))
    results = out / "results.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (
        results.exists() and results.read_text() and runs_a_kernel(grader.pid)
    ):
        time.sleep(0.2)  # a poll: until ann's grade is kept and bo's kernel is running
    assert runs_a_kernel(grader.pid), "bo's kernel never started"
    grader.send_signal(signal.SIGINT)
    _, stderr = grader.communicate(timeout=60)
    assert grader.returncode == 130
    assert "interrupted: the notebooks graded so far are kept" in stderr
    assert [NotebookGrade.from_json(line).student for line in results.read_text().splitlines()] == [
        "ann"
    ]
    rows = (out / "grades.csv").read_text().splitlines()[1:]
    assert [row.rsplit(",", 2)[0] for row in rows] == ["ann,graded,1,1,2,2"]

"""A hostile review of the grader (issue 18): the attacks that worked, each closed.

One class run (``--jobs 2``) of hostile notebooks for the two-exercise fake course; each test
reads its part of the run. The attacks: files planted in the shared scratch folders for the
next notebook run as the same user, a disk filled from the sandbox, a 100 MB picture that
the worker used to hold in memory, a symbolic link to a neighbour's notebook, a FIFO that
blocked the grader, a backtick in a name that broke the Markdown report, code that reaches
into the grader (flagged for a human), a saved reference to a switched-off library function,
and a notebook handed in twice on Gradescope.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
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

from micrograd_edu import Value
from micrograd_edu.exercises.grading import grading_cases, judge
from micrograd_edu.exercises.probing import probe_one
from micrograd_edu.exercises.switch import SwitchedOffError, switched_off
from micrograd_edu.explain import explain_grad
from micrograd_edu.explain.gradcheck import numerical_grad
from micrograd_edu.grade import cli
from micrograd_edu.grade.gradescope import results_json
from micrograd_edu.grade.records import ExerciseGrade, NotebookGrade, touches_the_grader

pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")
pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

TOKEN = f"i18-attack-{secrets.token_hex(4)}"
PLANTED = [Path("/tmp") / TOKEN, Path("/var/tmp") / TOKEN, Path("/dev/shm") / TOKEN]
ROOTED = os.geteuid() == 0 and Path("/sys/fs/cgroup/pids/cgroup.procs").exists()
PLANT = "".join(f"open({str(path)!r}, 'w').write('for the next one')\n" for path in PLANTED)
# writes 32 MB files in its folder until refused; passes only if refused before 600 MB
FILL = (
    "written = 0\n"
    "try:\n"
    "    while written < 640:\n"
    "        open(f'fill{written}', 'wb').write(b'x' * (32 << 20))\n"
    "        written += 32\n"
    "except OSError:\n"
    "    pass\n"
    "def double(x):\n"
    "    return 2 * x if written < 600 else 0\n"
)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("attacks")
    victim = fake.write(folder / "victim", "90_fake.ipynb", *fake.RIGHT)
    paths = {
        "planter": fake.write(folder / "planter", "90_fake.ipynb", PLANT, *fake.RIGHT),
        "shouter": fake.write(
            folder / "shouter",
            "90_fake.ipynb",
            "from IPython.display import display\n"
            "display({'text/plain': 'x' * 100_000_000}, raw=True)\n",
            *fake.RIGHT,
        ),
        "toucher": fake.write(
            folder / "toucher",
            "90_fake.ipynb",
            "import micrograd_edu.exercises.switch as s\n",
            *fake.RIGHT,
        ),
        "linker": folder / "a`b" / "90_fake.ipynb",
        "piper": folder / "piper" / "90_fake.ipynb",
    }
    if ROOTED:  # without the mount namespace this would fill the disk: never run it there
        paths["filler"] = fake.write(folder / "filler", "90_fake.ipynb", FILL, fake.RIGHT[1])
    paths["linker"].parent.mkdir()
    paths["linker"].symlink_to(victim)
    paths["piper"].parent.mkdir()
    os.mkfifo(paths["piper"])
    out = folder / "out"
    try:
        shown = io.StringIO()
        with contextlib.redirect_stdout(shown):
            code = cli.main(
                ["--jobs", "2", "--timeout", "120", "--out", str(out), *map(str, paths.values())],
                course=fake,
            )
        assert code == 1  # the link and the FIFO were refused
        yield out, {"tables": shown.getvalue()}
    finally:
        for path in PLANTED:
            path.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)


def _records(out: Path) -> dict[str, NotebookGrade]:
    lines = (out / "results.jsonl").read_text().splitlines()
    return {r.student: r for r in map(NotebookGrade.from_json, lines)}


def _results(record: NotebookGrade) -> dict[str, str]:
    return {grade.exercise: grade.result for grade in record.exercises}


def test_nothing_planted_in_the_scratch_folders_outlives_the_notebook(
    run: tuple[Path, dict[str, str]],
) -> None:
    record = _records(run[0])["planter"]
    assert _results(record) == {"9.1": "passed", "9.2": "passed"}
    if "mount namespace" not in record.layers:
        pytest.skip("no mount namespace here (not root on Linux): /tmp is shared")
    # A scratch folder that holds the Python installation or the sandbox cannot be covered
    # (e.g. a checkout under /tmp): the grader says so in the record's layers.
    shared = {layer.rsplit(": ", 1)[1] for layer in record.layers if "folder shared" in layer}
    fresh = [path for path in PLANTED if str(path.parent) not in shared]
    if not fresh:
        pytest.skip(f"every scratch folder is shared here: {sorted(shared)}")
    assert [path for path in fresh if path.exists()] == []


def test_a_notebook_cannot_fill_the_disk_from_its_folder(
    run: tuple[Path, dict[str, str]],
) -> None:
    if not ROOTED:
        pytest.skip("the box is bounded only in the mount namespace (root on Linux)")
    record = _records(run[0])["filler"]
    assert "mount namespace" in record.layers
    assert _results(record) == {"9.1": "passed", "9.2": "passed"}  # refused before 600 MB


def test_a_huge_picture_never_reaches_the_worker(run: tuple[Path, dict[str, str]]) -> None:
    record = _records(run[0])["shouter"]
    assert (record.status, _results(record)) == ("graded", {"9.1": "passed", "9.2": "passed"})


def test_a_symbolic_link_or_a_fifo_is_refused_not_followed(
    run: tuple[Path, dict[str, str]],
) -> None:
    records = _records(run[0])
    linked, piped = records["a`b"], records["piper"]
    assert (linked.status, linked.detail) == (
        "refused",
        "cannot read it: it is a symbolic link (grade the file itself)",
    )
    assert (piped.status, piped.detail) == ("refused", "cannot read it: it is not a regular file")
    report = (run[0] / "report.md").read_text()
    assert f"- `` {linked.path} ``: refused — `cannot read it: it is a symbolic" in report


def test_code_reaching_into_the_grader_is_flagged_for_a_human(
    run: tuple[Path, dict[str, str]],
) -> None:
    records = _records(run[0])
    assert records["toucher"].flags == ["exercises.switch"]
    assert _results(records["toucher"]) == {"9.1": "passed", "9.2": "passed"}
    assert records["planter"].flags == []
    assert "  read it: its code reaches into the grader (exercises.switch)" in run[1]["tables"]
    report = (run[0] / "report.md").read_text()
    line = f"- `{records['toucher'].path}`: `exercises.switch`"
    assert "## Submissions to read: their code reaches into the grader" in report
    assert line in report


def test_what_counts_as_reaching_into_the_grader() -> None:
    def cells(*sources: str) -> bytes:
        return fake.notebook(*sources).encode()

    assert touches_the_grader(cells("import micrograd_edu.exercises.core as c\n")) == [
        "exercises.core"
    ]
    assert touches_the_grader(cells("import sys\nsys.modules['x'] = 1\n", "f.__code__")) == [
        "__code__",
        "sys.modules",
    ]
    assert touches_the_grader(cells("from micrograd_edu.exercises import core, switch\n")) == [
        "exercises import core, switch"
    ]
    assert touches_the_grader(cells("vars(exercises)['probing']\n")) == ["vars("]
    assert touches_the_grader(cells("from micrograd_edu import exercises\n", *fake.RIGHT)) == []
    assert touches_the_grader(b"not json") == []


def test_a_saved_reference_to_a_switched_off_function_is_switched_off_too() -> None:
    def backward(root: Value, _saved: object = Value.backward) -> None:
        _saved(root)  # type: ignore[operator]

    targets = [(Value, "backward", "Value.backward")]
    with (
        switched_off("2.4", "backward", targets) as calls,
        pytest.raises(SwitchedOffError, match=r"`Value\.backward` is switched off here"),
    ):
        backward(Value(2.0))
    assert calls == ["Value.backward"]
    value = Value(3.0)
    backward(value)  # restored: the saved reference works again
    assert value.grad == 1.0


def test_the_library_computing_a_derivative_by_hand_is_switched_off() -> None:
    def through_backward(a: float, b: float) -> tuple[float, float]:
        x, y = Value(a), Value(b)
        (x * y**-1).backward()
        return x.grad, y.grad

    def by_differences(a: float, b: float) -> list[float]:
        return numerical_grad(lambda p, q: p * q**-1, [a, b])

    def by_paths(a: float, b: float) -> tuple[float, float]:
        x, y = Value(a), Value(b)
        q = x * y**-1
        return explain_grad(q, x).gradient, explain_grad(q, y).gradient

    def backward_by_paths(root: Value) -> None:
        for node in root.topological_order():
            node.grad = explain_grad(root, node).gradient if node is not root else 1.0

    case = grading_cases("2.2", 7)
    cheats = [(through_backward, "Value.backward"), (by_differences, "numerical_grad")]
    for cheat, shown in [*cheats, (by_paths, "explain.explain_grad")]:
        outcome = judge("2.2", case, probe_one("2.2", case, {"local_grads": cheat}))
        assert (outcome.status, outcome.mistake) == ("wrong", "library-call")
        assert f"{shown}` is switched off here" in outcome.message
    right = probe_one("2.2", case, {"local_grads": lambda a, b: (1 / b, -a / b**2)})
    assert judge("2.2", case, right).status == "passed"
    case = grading_cases("2.4", 3)
    outcome = judge("2.4", case, probe_one("2.4", case, {"backward": backward_by_paths}))
    assert (outcome.status, outcome.mistake) == ("wrong", "library-call")


def test_a_notebook_handed_in_twice_counts_once_on_gradescope() -> None:
    def record(path: str, result: str) -> NotebookGrade:
        grades = [ExerciseGrade("9.1", result), ExerciseGrade("9.2", "passed")]
        return NotebookGrade(path, "0" * 64, "s", "90_fake", "graded", exercises=grades)

    results = results_json([record("a.ipynb", "wrong"), record("b.ipynb", "passed")])
    assert results["score"] == 1.0
    assert [(t["name"], t["score"]) for t in results["tests"]] == [
        ("Exercise 9.1 (90_fake)", 0.0),
        ("Exercise 9.2 (90_fake)", 1.0),
    ]
    assert results["output"] == "b.ipynb: another copy of 90_fake, not counted"


def test_a_second_grader_on_the_same_out_folder_is_in_the_grade_book(tmp_path: Path) -> None:
    out = tmp_path / "out"
    other = NotebookGrade("other/90_fake.ipynb", "1" * 64, "other", "90_fake", "graded")
    other.exercises = [ExerciseGrade("9.1", "passed"), ExerciseGrade("9.2", "passed")]

    class Concurrent:  # the fake course, and another grader finishing meanwhile
        PROBE_MARKER = fake.PROBE_MARKER
        course_exercises = staticmethod(fake.course_exercises)
        grading_cases = staticmethod(fake.grading_cases)
        probe_cell = staticmethod(fake.probe_cell)

        @staticmethod
        def judge(number: str, case: list[int], probe: dict[str, object]) -> object:
            if number == "9.1":
                with open(out / "results.jsonl", "a", encoding="ascii") as handle:
                    handle.write(other.to_json() + "\n")
            return fake.judge(number, case, probe)

    path = fake.write(tmp_path / "mine", "90_fake.ipynb", *fake.RIGHT)
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(["--timeout", "60", "--out", str(out), str(path)], course=Concurrent) == 0
    rows = [row.rsplit(",", 2)[0] for row in (out / "grades.csv").read_text().splitlines()]
    assert rows == [
        "student,status,9.1,9.2,total,max",
        "mine,graded,1,1,2,2",
        "other,graded,1,1,2,2",
    ]


def test_on_gradescope_only_the_teacher_sees_the_flag() -> None:
    grades = [ExerciseGrade("9.1", "passed"), ExerciseGrade("9.2", "passed")]
    record = NotebookGrade("hw.ipynb", "0" * 64, "s", "90_fake", "graded", exercises=grades)
    record.flags = ["exercises.switch"]
    results = results_json([record])
    assert results["score"] == 2.0
    assert results["tests"][-1] == {
        "name": "For the teacher: read hw.ipynb",
        "score": 0.0,
        "max_score": 0.0,
        "output": "Its code reaches into the grader: exercises.switch",
        "visibility": "hidden",
    }


# ---------------------------------------------------------------------- issue 27: across runs
ROOT = Path(__file__).resolve().parents[2]
HELPERS = ROOT / "tests" / "helpers"
rooted = pytest.mark.skipif(not ROOTED, reason="needs root on Linux with cgroups (namespaces)")


def _grader(*args: str, python: str = sys.executable) -> subprocess.Popen[str]:
    """``python -m micrograd_edu.grade --course grading_fake --json ARGS`` in a process."""
    return subprocess.Popen(
        [python, "-m", "micrograd_edu.grade", "--course", "grading_fake", "--json", *args],
        env=dict(os.environ, PYTHONPATH=str(HELPERS)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finished(grader: subprocess.Popen[str], seconds: float = 300) -> list[NotebookGrade]:
    out, err = grader.communicate(timeout=seconds)
    assert grader.returncode == 0, err
    return [
        NotebookGrade(**{**r, "exercises": [ExerciseGrade(**g) for g in r["exercises"]]})
        for r in json.loads(out)
    ]


WAIT_THEN_ATTACK = """\
import os, signal, time
go = []
signal.signal(signal.SIGUSR1, lambda *args: go.append(1))
open('ready', 'w').write({token!r})
deadline = time.monotonic() + 200
while not go and time.monotonic() < deadline:
    time.sleep(0.05)
other = int(open('other').read()) if go else 0
seen = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
hits = [('sees', other)] if other in seen else []
try:
    hits.append(('reads', os.listdir(f'/proc/{{other}}/cwd')))
except OSError:
    pass
try:
    os.kill(other, signal.SIGKILL)
    hits.append(('kills', other))
except OSError:
    pass
def double(x):
    return 2 * x if go and other and not hits and seen == [1, 2] else 0
"""


def _kernel_with(token: str) -> int | None:
    """The host pid of the kernel whose notebook wrote ``token`` in its folder, if running."""
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if (entry / "cmdline").read_bytes().split(b"\0")[1:3] != [b"-m", b"ipykernel_launcher"]:
                continue  # not a kernel (the pid namespace's first process names it too)
            if (entry / "cwd" / "ready").read_text() == token:
                return int(entry.name)
        except OSError:
            continue
    return None


def _uid(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])


@rooted
def test_two_graders_at_once_never_share_a_uid_and_their_kernels_cannot_meet(
    tmp_path: Path,
) -> None:
    tokens = {name: f"{name}-{secrets.token_hex(4)}" for name in ("first", "second")}
    graders = {}
    for name, token in tokens.items():
        path = fake.write(
            tmp_path / name / "ann",
            "90_fake.ipynb",
            WAIT_THEN_ATTACK.format(token=token),
            fake.RIGHT[1],
        )
        graders[name] = _grader("--timeout", "240", str(path))
    try:
        deadline = time.monotonic() + 180
        kernels: dict[str, int | None] = {name: None for name in tokens}
        while time.monotonic() < deadline and None in kernels.values():
            kernels = {name: kernels[name] or _kernel_with(token) for name, token in tokens.items()}
            time.sleep(0.1)
        first, second = kernels["first"], kernels["second"]
        assert first is not None and second is not None, "both kernels run at once"
        assert _uid(first) != _uid(second)  # leased machine-wide: never the same uid
        assert {_uid(first), _uid(second)} <= set(range(64000, 65000))
        Path(f"/proc/{first}/cwd/other").write_text(str(second))
        Path(f"/proc/{second}/cwd/other").write_text(str(first))
        os.kill(first, signal.SIGUSR1)
        os.kill(second, signal.SIGUSR1)
        records = [_finished(graders[name])[0] for name in tokens]
    finally:
        for grader in graders.values():
            grader.kill()
            grader.communicate()
    for record in records:
        assert record.status == "graded", record.detail
        assert _results(record) == {"9.1": "passed", "9.2": "passed"}  # neither saw the other
        assert {"unprivileged user", "pid namespace"} <= set(record.layers)


GIT_AND_CHECKOUT = """\
import os, subprocess
import micrograd_edu.engine  # the package itself: still there
found = []
for folder in {folders!r}:
    for inside in ('.git', 'notebooks', 'tests', 'pyproject.toml'):
        if os.path.exists(os.path.join(folder, inside)):
            found.append(os.path.join(folder, inside))
    for command in (['git', '-C', folder, 'show', 'HEAD:notebooks/02_backpropagation.ipynb'],
                    ['git', '-C', folder, 'log', '-1']):
        shown = subprocess.run(command, capture_output=True)
        if shown.returncode == 0 or shown.stdout:
            found.append(' '.join(command))
package = os.path.dirname(micrograd_edu.engine.__file__)
for above in ('../.git', '../notebooks', '../tests', '../README.md'):
    if os.path.exists(os.path.join(package, above)):
        found.append(above)
def double(x):
    return 2 * x if not found else 0
"""


@rooted
def test_the_checkout_and_its_git_history_are_hidden(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from micrograd_edu.grade.mounts import checkout_of

    folders = [str(folder) for folder in checkout_of(ROOT / "micrograd_edu", [])]
    assert str(ROOT) in folders and (ROOT / ".git").exists()
    path = fake.write(
        tmp_path / "mallory",
        "90_fake.ipynb",
        GIT_AND_CHECKOUT.format(folders=folders),
        fake.RIGHT[1],
    )
    code = cli.main(["--json", "--timeout", "120", str(path)], course=fake)
    [record] = json.loads(capsys.readouterr().out)
    assert code == 0
    assert "mount namespace" in record["layers"]
    assert [g["result"] for g in record["exercises"]] == ["passed", "passed"]


TMP_WRITER = """\
open('/tmp/{note}', 'w').write('for the next notebook')
written = 0
try:
    while written < 100:
        with open(f'/tmp/fill{{written}}', 'wb') as out:
            out.write(b'x' * (8 << 20))
        written += 8
except OSError:
    pass
def double(x):
    return 2 * x if written < 64 else 0
"""
TMP_READER = """\
import os
def double(x):
    return 2 * x if not os.path.exists('/tmp/{note}') else 0
"""


@rooted
def test_tmp_is_private_when_the_python_installation_lives_under_tmp(tmp_path: Path) -> None:
    import site
    import sysconfig

    installation = Path(tempfile.mkdtemp(prefix="micrograd-venv-", dir="/tmp"))
    installation.chmod(0o755)  # as a CI workspace is: readable by the kernel's user
    note = f"note-{secrets.token_hex(4)}"
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", str(installation)], check=True
        )
        ours = sysconfig.get_paths()["purelib"]
        theirs = subprocess.run(
            [
                str(installation / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        Path(theirs, "course.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
        assert site  # the venv reaches this one's packages through the .pth file
        writer = fake.write(
            tmp_path / "writer", "90_fake.ipynb", TMP_WRITER.format(note=note), fake.RIGHT[1]
        )
        reader = fake.write(
            tmp_path / "reader", "90_fake.ipynb", TMP_READER.format(note=note), fake.RIGHT[1]
        )
        grader = _grader(
            "--jobs",
            "1",
            "--timeout",
            "120",
            str(writer),
            str(reader),
            python=str(installation / "bin" / "python"),
        )
        records = _finished(grader)
    finally:
        shutil.rmtree(installation, ignore_errors=True)
    assert not Path("/tmp", note).exists()
    for record in records:
        assert _results(record) == {"9.1": "passed", "9.2": "passed"}, record.student
        assert "mount namespace" in record.layers
        assert record.weaknesses == []  # /tmp was not shared, nothing left visible


@rooted
def test_a_link_on_the_hand_in_path_is_refused_in_a_class_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    solutions = fake.write(tmp_path / "course" / "notebooks", "90_fake.ipynb", *fake.RIGHT)
    bob = fake.write(tmp_path / "submitted" / "bob" / "90", "90_fake.ipynb", fake.RIGHT[0])
    (tmp_path / "submitted" / "mallory").mkdir()
    (tmp_path / "submitted" / "mallory" / "90").symlink_to(solutions.parent)
    mallory = tmp_path / "submitted" / "mallory" / "90" / "90_fake.ipynb"
    out = tmp_path / "out"
    args = ["--timeout", "120", "--student-from", "nbgrader", "--out", str(out)]
    assert cli.main([*args, str(bob), str(mallory)], course=fake) == 1  # one refused
    records = _records(out)
    assert _results(records["bob"]) == {"9.1": "passed", "9.2": "missing"}
    assert (records["mallory"].status, records["mallory"].exercises) == ("refused", [])
    assert records["mallory"].detail == (
        "cannot read it: a folder on its path is a symbolic link: "
        f"{tmp_path}/submitted/mallory/90 (grade the files themselves)"
    )
    assert capsys.readouterr().out.count("REFUSED") == 1


INPUT_TRANSFORMER = """\
def forge(lines):
    if any('_json.dumps' in line for line in lines):  # only the grader's probe cell
        return ['def double(x):\\n', '    return 2 * x\\n',
                'def square(x):\\n', '    return x * x\\n', *lines]
    return lines
get_ipython().input_transformers_cleanup.append(forge)
"""


def test_an_input_transformer_rewriting_the_probe_is_flagged_for_a_human(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = fake.write(tmp_path / "trudy", "90_fake.ipynb", INPUT_TRANSFORMER)
    assert cli.main(["--json", "--timeout", "120", str(path)], course=fake) == 0
    [record] = json.loads(capsys.readouterr().out)
    # it cannot be stopped inside the kernel (the notebook defines neither function; a
    # teacher running it sees nothing), so it is flagged for a teacher to read
    assert [g["result"] for g in record["exercises"]] == ["passed", "passed"]
    assert record["flags"] == ["get_ipython", "input_transformers_cleanup"]

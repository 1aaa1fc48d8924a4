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
import os
import secrets
import shutil
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

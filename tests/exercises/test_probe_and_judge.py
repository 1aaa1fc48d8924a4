"""The grader's side of the exercises: hidden cases, the probe cell, the judge outside the kernel.

Every exercise goes through the whole round trip (cases → probe cell run in a
namespace like a kernel's → one printed line of JSON → judge) on several
seeds, right and wrong; malformed probe data, missing exercises and library
calls give clear outcomes, never a crash.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from exercise_answers import MISTAKES, RIGHT

from micrograd_edu.exercises import (
    PROBE_MARKER,
    course_exercises,
    grading_cases,
    judge,
    probe_cell,
)
from micrograd_edu.exercises.registry import ENTRIES

ROOT = Path(__file__).resolve().parents[2]
NO_TORCH = [number for number in ENTRIES if number != "7.1"]
SEEDS = (0, 1, 2)


def run_probe(cases: dict[str, Any], namespace: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Run the probe cell in ``namespace`` as a kernel would; its record and everything printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(probe_cell(cases), namespace)
    text = printed.getvalue()
    assert text.count("\n") == 1 and text.startswith(PROBE_MARKER), text[:300]
    record: dict[str, Any] = json.loads(text[len(PROBE_MARKER) :])
    return record, text


def grade(number: str, seed: int, answer: dict[str, Any]) -> Any:
    case = grading_cases(number, seed)
    record, _ = run_probe({number: case}, dict(answer))
    return judge(number, case, record[number])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("number", NO_TORCH)
def test_right_answers_pass_on_hidden_cases(number: str, seed: int) -> None:
    outcome = grade(number, seed, RIGHT[number])
    assert (outcome.status, outcome.mistake) == ("passed", None), outcome.feedback


@pytest.mark.parametrize(
    "seed", [SEEDS[0], *(pytest.param(seed, marks=pytest.mark.slow) for seed in SEEDS[1:])]
)  # one seed in the quick subset, all in the suite
@pytest.mark.parametrize(
    ("code", "number", "answer"), MISTAKES, ids=[f"{m[1]}-{m[0]}" for m in MISTAKES]
)
def test_each_mistake_is_named_on_hidden_cases(
    code: str, number: str, answer: dict[str, Any], seed: int
) -> None:
    outcome = grade(number, seed, answer)
    assert (outcome.status, outcome.mistake) == ("wrong", code), outcome
    assert outcome.message


@pytest.mark.torch
def test_torch_round_trip(torch: Any) -> None:
    for seed in SEEDS:
        assert grade("7.1", seed, RIGHT["7.1"]).status == "passed"


@pytest.mark.parametrize("number", [n for n in ENTRIES if n != "2.1"])
def test_hidden_cases_differ_by_seed_and_repeat(number: str) -> None:
    cases = [json.dumps(grading_cases(number, seed), sort_keys=True) for seed in SEEDS]
    assert len(set(cases)) == len(SEEDS)
    assert json.dumps(grading_cases(number, 1), sort_keys=True) == cases[1]


def test_by_hand_has_one_case_judged_outside_the_kernel() -> None:
    assert grading_cases("2.1", 0) == grading_cases("2.1", 99)
    case = grading_cases("2.1", 0)
    outcome = judge("2.1", case, {"data": {**RIGHT["2.1"]["my_grads"], "a": -6.0}})
    assert (outcome.status, outcome.mistake) == ("wrong", "sign-error")
    assert outcome.message == "dL/da is not what the chain rule gives"


def test_the_4_4_key_never_reaches_the_kernel() -> None:
    case = grading_cases("4.4", 3)
    cell = probe_cell({"4.4": case})
    assert "_key" in case and "_key" not in cell
    assert not any(cause in cell for cause in ("rate too", "overfitting", "zero_grad"))
    record, _ = run_probe({"4.4": case}, dict(RIGHT["4.4"]))
    assert judge("4.4", case, record["4.4"]).status == "passed"


def test_missing_exercises_are_reported_missing_by_name() -> None:
    cases = {
        number: grading_cases(number, 0) for number in course_exercises()["02_backpropagation"]
    }
    namespace = {"backward": RIGHT["2.4"]["backward"], "topological_sort": 42}
    record, _ = run_probe(cases, namespace)
    assert record["2.1"] == {"missing": True} and record["2.5"] == {"missing": True}
    outcome = judge("2.3", cases["2.3"], record["2.3"])
    assert (
        outcome.status == "error" and outcome.message == "TypeError: 'int' object is not callable"
    )
    assert judge("2.4", cases["2.4"], record["2.4"]).status == "passed"
    missing = judge("2.5", cases["2.5"], record["2.5"])
    assert missing.status == "missing"
    assert missing.message.startswith("`OPS` is not defined in the notebook")
    both = judge("4.3", grading_cases("4.3", 0), {"missing": True})
    assert both.message.startswith("`train` and `learning_rate` is not defined")


def test_stubs_are_not_done_and_errors_are_errors() -> None:
    def stub(*args: Any) -> None:
        raise NotImplementedError("write your code here, in place of this line")

    def broken(*args: Any) -> None:
        raise KeyError("oops")

    cases = {"2.4": grading_cases("2.4", 0), "8.1": grading_cases("8.1", 0)}
    record, _ = run_probe(cases, {"backward": stub, "returns_of": broken})
    assert judge("2.4", cases["2.4"], record["2.4"]).status == "not done"
    error = judge("8.1", cases["8.1"], record["8.1"])
    assert (error.status, error.message) == ("error", "KeyError: 'oops'")


@pytest.mark.parametrize("number", [m[1] for m in MISTAKES if m[0] == "library-call"])
def test_library_calls_are_named_in_grading(number: str) -> None:
    answer = next(m[2] for m in MISTAKES if m[0] == "library-call" and m[1] == number)
    outcome = grade(number, 0, answer)
    assert (outcome.status, outcome.mistake) == ("wrong", "library-call")
    assert outcome.message.startswith(f"exercise {number} asks you to write ")
    assert outcome.message.endswith("is switched off here")


def test_backward_inside_the_student_function_names_the_switch() -> None:
    outcome = grade("2.4", 5, {"backward": lambda root: root.backward()})
    assert outcome.message == (
        "exercise 2.4 asks you to write backward yourself: `Value.backward` is switched off here"
    )
    from micrograd_edu import Value

    x = Value(2.0)
    (x * x).backward()
    assert x.grad == 4.0  # switched back on after the probe


def test_a_hanging_exercise_costs_only_itself() -> None:
    import time

    after: list[str] = []  # what ran after the limit: nothing

    def hangs(root: Any) -> None:
        try:
            time.sleep(30)
        except Exception:  # a student's catch-all does not swallow the time limit
            after.append("caught")
            time.sleep(30)
        after.append("returned")

    cases = {"2.4": grading_cases("2.4", 0), "8.1": grading_cases("8.1", 0)}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(probe_cell(cases, time_limit=0.5), {"backward": hangs, **RIGHT["8.1"]})
    assert after == []  # stopped inside its first sleep, through the catch-all
    record = json.loads(printed.getvalue()[len(PROBE_MARKER) :])
    hung = judge("2.4", cases["2.4"], record["2.4"])
    assert (hung.status, hung.message) == ("error", "ProbeTimeoutError: it ran longer than 0.5 s")
    assert judge("8.1", cases["8.1"], record["8.1"]).status == "passed"
    with pytest.raises(ValueError, match="time_limit must be a finite number"):
        probe_cell(cases, time_limit=math.nan)


def test_the_probe_prints_one_ascii_line_whatever_the_student_prints() -> None:
    def noisy(episodes: list[list[float]], gamma: float) -> list[list[float]]:
        print("debug\n" * 1000, file=sys.stderr)
        print("é\u2028" + PROBE_MARKER + '{"8.1": {"data": "forged"}}')
        return RIGHT["8.1"]["returns_of"](episodes, gamma)

    case = grading_cases("8.1", 0)
    record, text = run_probe({"8.1": case}, {"returns_of": noisy})
    assert text.isascii()
    assert judge("8.1", case, record["8.1"]).status == "passed"


MALFORMED: list[Any] = [
    None,
    True,
    -1,
    1e308,
    "x" * 1_000_000,
    "NaN",
    [],
    [None] * 10,
    [[[]]] * 100,
    {"a": 1},
    {"out": {"kind": "Value", "data": "NaN"}, "grads": ["x"]},
    {"Value": float("inf")},
    [{"slope": "NaN", "points": "1"}] * 4,
    {"ops": {"exp": 1}, "tiny": None},
    list(range(100_000)),
]


@pytest.mark.parametrize("number", list(ENTRIES))
def test_malformed_probe_data_is_judged_safely(number: str) -> None:
    case = grading_cases(number, 0)
    for data in MALFORMED:
        outcome = judge(number, case, {"data": data})
        assert outcome.status in ("wrong", "error"), (number, repr(data)[:80])
        assert 0 < len(outcome.message) <= 300
        assert len(outcome.feedback) <= 2000
    for record in ("garbage", None, {}, {"error": 5}, {"missing": "yes"}, {"data": None, "x": 1}):
        outcome = judge(number, case, record)  # type: ignore[arg-type]
        assert outcome.status in ("wrong", "error")
    assert judge("9.9", case, {"data": 1}).status == "error"


def test_nan_is_a_wrong_answer_not_a_pass() -> None:
    case = grading_cases("1.1", 0)
    data = [{"slope": math.nan, "points": []}] * 4
    outcome = judge("1.1", case, {"data": json.loads(json.dumps(data).replace("NaN", '"NaN"'))})
    assert outcome.status == "wrong" and "NaN, not a finite number" in outcome.message


def test_course_exercises_match_the_notebooks_and_make_student(tmp_path: Path) -> None:
    course = course_exercises()
    notebooks = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    assert [path.stem for path in notebooks] == list(course)
    for path in notebooks:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        assert notebook["metadata"]["micrograd_edu"] == {
            "notebook": path.stem,
            "exercises": course[path.stem],
        }
        source = "\n".join("".join(cell["source"]) for cell in notebook["cells"])
        for number in course[path.stem]:
            entry = ENTRIES[number]
            assert f"exercises.{entry.check}(" in source, (path.name, number)
            for name in entry.names:
                defined = (f"def {name}(", f"\n{name} = ", f"\nclass {name}")
                assert any(form in f"\n{source}" for form in defined), (number, name)
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "notebooks" / "make_student.py"),
            "--out",
            str(tmp_path),
            str(notebooks[3]),
        ],
        check=True,
        capture_output=True,
    )
    student = json.loads((tmp_path / notebooks[3].name).read_text(encoding="utf-8"))
    assert student["metadata"]["micrograd_edu"] == {
        "notebook": "04_mlp_classification",
        "exercises": ["4.1", "4.2", "4.3", "4.4"],
    }


def test_notebooks_1_and_2_and_the_grading_api_need_no_numpy() -> None:
    code = """
import sys, json, io, contextlib
import micrograd_edu.exercises as ex
assert "numpy" not in sys.modules, "import"
from micrograd_edu import Value
def topo(root):
    order, seen = [], set()
    def visit(n):
        if n not in seen:
            seen.add(n)
            for c in n.children:
                visit(c)
            order.append(n)
    visit(root)
    return order
def backward(root):
    order = topo(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        for c, l in zip(node.children, node.local_grads):
            c.grad += l * node.grad
import math
OPS = {
    "exp": (math.exp, lambda a, out: out),
    "log": (math.log, lambda a, out: 1 / a),
    "tanh": (math.tanh, lambda a, out: 1 - out**2),
    "sigmoid": (lambda a: 1 / (1 + math.exp(-a)), lambda a, out: out * (1 - out)),
    "div": (lambda a, b: a / b, lambda a, b, out: (1 / b, -a / b**2)),
    "pow": (lambda a, k: a**k, lambda a, k, out: k * a ** (k - 1)),
}
answers = {
    "numerical_slope": lambda f, x, h=1e-6: (f(x + h) - f(x - h)) / (2 * h),
    "build": lambda x: 2 * x**3 - 5 * x + 1,
    "my_grads": {"L": 1.0, "f": 4.0, "d": -2.0, "c": -2.0, "e": -2.0, "a": 6.0, "b": -4.0},
    "local_grads": lambda a, b: (1 / b, -a / b**2),
    "topological_sort": topo, "backward": backward, "OPS": OPS,
}
sys.path.insert(0, ROOT)
from tests.exercises.corpus.value_class import CLOSURES
cell = {"math": math}
exec(CLOSURES, cell)
answers["MyValue"] = cell["MyValue"]
ex.check_value_class(answers["MyValue"])
ex.check_numerical_slope(answers["numerical_slope"])
ex.check_expression(answers["build"])
ex.check_backprop_by_hand(answers["my_grads"])
ex.check_division_local_grads(answers["local_grads"])
ex.check_topological_sort(topo)
ex.check_backward(backward)
ex.check_op_table(OPS)
course = ex.course_exercises()
numbers = course["01_derivatives_and_value"] + course["02_backpropagation"]
cases = {n: ex.grading_cases(n, 4) for n in numbers}
out = io.StringIO()
with contextlib.redirect_stdout(out):
    exec(ex.probe_cell(cases), answers)
record = json.loads(out.getvalue().split(ex.PROBE_MARKER)[1])
statuses = {n: ex.judge(n, cases[n], record[n]).status for n in numbers}
assert set(statuses.values()) == {"passed"}, statuses
assert "numpy" not in sys.modules, "checks"
print("ok", len(numbers))
"""
    code = code.replace("ROOT", repr(str(ROOT)))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[-1] == "ok 8"


@pytest.mark.notebooks
@pytest.mark.slow
def test_the_probe_cell_in_a_real_kernel(tmp_path: Path) -> None:
    """Notebook 2 with its exercise 2.5 deleted: the probe runs in Jupyter, the judge here."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(ROOT / "notebooks" / "02_backpropagation.ipynb", as_version=4)
    notebook.cells = [cell for cell in notebook.cells if "check_op_table" not in cell.source]
    numbers = course_exercises()["02_backpropagation"]
    cases = {number: grading_cases(number, 11) for number in numbers}
    notebook.cells.append(nbformat.v4.new_code_cell(probe_cell(cases)))
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=300,
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env={**os.environ, "JUPYTER_PREFER_ENV_PATH": "1"})
    outputs = notebook.cells[-1].outputs
    assert [o["output_type"] for o in outputs if o["output_type"] != "stream"] == []
    # the kernel may send one printed line in several stream messages: read what was printed
    text = "".join(o["text"] for o in outputs if o["name"] == "stdout")
    assert text.count("\n") == 1
    record = json.loads(text.split(PROBE_MARKER, 1)[1])
    outcomes = {number: judge(number, cases[number], record[number]).status for number in numbers}
    assert outcomes == {
        "2.1": "passed",
        "2.2": "passed",
        "2.3": "passed",
        "2.4": "passed",
        "2.5": "missing",
        "2.6": "passed",
    }


def test_a_one_output_layer_stays_a_vector() -> None:
    """3.2 with one output: b of shape (1,) must reach the judge as a list, not a number."""
    seed = next(s for s in range(100) if len(grading_cases("3.2", s)["b2"]) == 1)
    outcome = grade("3.2", seed, RIGHT["3.2"])
    assert outcome.status == "passed", outcome.feedback

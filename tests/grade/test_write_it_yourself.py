"""Write it yourself, closed where it can be (issue 27, item 5): every derivative route of the
library switched off, copies of switched-off code refused, a new process refused; and the
grader's flag for what cannot be stopped: NFKC-normalised text, the constructs that switch
the guard off or rewrite the probe.

Each attack is a student's answer run through the probe then the judge, as the grader does
(probe_one in the kernel, judge in the grader), on a hidden case.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import subprocess
import sys
import textwrap
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from micrograd_edu import Value
from micrograd_edu.engine import MATH, OPS, gc_paused
from micrograd_edu.exercises.copies import (
    MIN_INSTRUCTIONS,
    fingerprint,
    module_file,
    same_bytecode,
    source_functions,
)
from micrograd_edu.exercises.grading import grading_cases, judge
from micrograd_edu.exercises.probing import probe_one
from micrograd_edu.exercises.switch import (
    DERIVATIVE_ROUTES,
    SwitchedOffError,
    resolve,
    route_codes,
    switched_off,
)
from micrograd_edu.grade.records import touches_the_grader
from micrograd_edu.tape import capture

ROOT = Path(__file__).resolve().parents[2]


def _verdict(number: str, name: str, answer: Callable[..., Any]) -> tuple[str, str | None, str]:
    case = grading_cases(number, 27)
    outcome = judge(number, case, probe_one(number, case, {name: answer}))
    return outcome.status, outcome.mistake, outcome.message


def _refused(number: str, name: str, answer: Callable[..., Any], shown: str) -> None:
    status, mistake, message = _verdict(number, name, answer)
    assert (status, mistake) == ("wrong", "library-call"), message
    assert f"`{shown}` is switched off here" in message


# ---------------------------------------------------------------------- every route switched off
def test_the_tape_computing_the_local_derivatives_is_switched_off() -> None:
    def by_tape(a: float, b: float) -> tuple[float, float]:
        tape = capture(lambda v: v[0] * v[1] ** -1, [a, b])
        tape.forward([a, b])
        tape.backward()
        grads = tape.input_grads
        assert grads is not None
        return float(grads[0]), float(grads[1])

    assert by_tape(6.0, 3.0) == pytest.approx((1 / 3, -6 / 9))  # outside the check: right
    _refused("2.2", "local_grads", by_tape, "Tape.backward")


def test_the_checks_own_simulation_and_the_op_rules_are_switched_off() -> None:
    from micrograd_edu.exercises.graphs import gradient_suspects

    def by_simulation(root: Value) -> None:
        order = root.topological_order()
        for node, grad in zip(order, gradient_suspects(root, order)["expected"], strict=True):
            node.grad = grad

    def by_rule(a: float, b: float) -> tuple[float, float]:
        _, (da, db) = OPS["/"](MATH, a, b)  # the engine's rule for a / b
        return da, db

    _refused("2.4", "backward", by_simulation, "graphs.simulated_grads")
    _refused("2.2", "local_grads", by_rule, "Value.__truediv__")
    assert OPS["/"](MATH, 6.0, 3.0) == (2.0, (1 / 3, -2 / 3))  # back on


def test_the_simulations_of_the_rewritten_checks_are_switched_off() -> None:
    """2.6's simulated backward pass (for 2.4 and 2.6), 8.1's simulated returns: each gave
    the right answer without writing it."""
    from micrograd_edu.exercises.graphs import build
    from micrograd_edu.exercises.nb08 import _returns_variant
    from micrograd_edu.exercises.value_mistakes import _backprop

    def by_simulated_backprop(root: Value) -> None:
        order = root.topological_order()[::-1]
        grads = _backprop(order, root)
        for node in order:
            node.grad = grads.get(id(node), 0.0)

    def by_simulated_returns(episodes: list[list[float]], gamma: float) -> list[list[float]]:
        return _returns_variant(episodes, gamma, None)

    spec = grading_cases("2.4", 27)["graphs"][3]  # outside the check: right
    nodes, root = build(spec)
    by_simulated_backprop(root)
    simulated = {name: node.grad for name, node in nodes.items()}
    nodes, root = build(spec)
    root.backward()
    assert simulated == pytest.approx({name: node.grad for name, node in nodes.items()})
    assert by_simulated_returns([[1.0, 2.0]], 0.5) == [[2.0, 2.0]]
    _refused("2.4", "backward", by_simulated_backprop, "value_mistakes._backprop")
    _refused("8.1", "returns_of", by_simulated_returns, "nb08._returns_variant")


def test_a_module_imported_only_inside_the_answer_is_switched_off_too() -> None:
    code = (
        "import sys\n"
        "from micrograd_edu.exercises.grading import grading_cases, judge\n"
        "from micrograd_edu.exercises.probing import probe_one\n"
        "def by_tape(a, b):\n"
        "    from micrograd_edu.tape import capture\n"
        "    tape = capture(lambda v: v[0] * v[1] ** -1, [a, b])\n"
        "    tape.forward([a, b]); tape.backward()\n"
        "    return tuple(tape.input_grads)\n"
        "assert 'micrograd_edu.tape' not in sys.modules\n"
        "case = grading_cases('2.2', 27)\n"
        "outcome = judge('2.2', case, probe_one('2.2', case, {'local_grads': by_tape}))\n"
        "print(outcome.status, outcome.mistake, outcome.message)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == (
        "wrong library-call exercise 2.2 asks you to write the local derivatives of a / b "
        "yourself: `Tape.backward` is switched off here\n"
    )


@pytest.mark.torch
def test_pytorch_autograd_is_switched_off(torch: Any) -> None:
    def by_backward(a: float, b: float) -> tuple[float, float]:
        x = torch.tensor(a, requires_grad=True)
        y = torch.tensor(b, requires_grad=True)
        (x / y).backward()
        return x.grad.item(), y.grad.item()

    def by_grad(a: float, b: float) -> list[float]:
        x = torch.tensor(a, requires_grad=True)
        y = torch.tensor(b, requires_grad=True)
        return [g.item() for g in torch.autograd.grad(x / y, [x, y])]

    _refused("2.2", "local_grads", by_backward, "Tensor.backward")
    _refused("2.2", "local_grads", by_grad, "autograd.grad")
    assert by_grad(6.0, 3.0) == pytest.approx([1 / 3, -2 / 3])  # back on


def test_sympy_and_numpy_differentiating_are_switched_off() -> None:
    def by_sympy(a: float, b: float) -> tuple[float, float]:
        import sympy

        x, y = sympy.symbols("x y")
        q = x / y
        return float(q.diff(x).subs({x: a, y: b})), float(sympy.diff(q, y).subs({x: a, y: b}))

    def by_numpy(a: float, b: float) -> tuple[float, float]:
        import numpy as np

        h = 1e-6
        slopes_a = np.gradient([(a - h) / b, a / b, (a + h) / b], h)
        slopes_b = np.gradient([a / (b - h), a / b, a / (b + h)], h)
        return float(slopes_a[1]), float(slopes_b[1])

    assert by_sympy(6.0, 3.0) == pytest.approx((1 / 3, -2 / 3))  # outside the check: right
    assert by_numpy(6.0, 3.0) == pytest.approx((1 / 3, -2 / 3), rel=1e-5)
    _refused("2.2", "local_grads", by_sympy, "Derivative.__new__")
    status, mistake, message = _verdict("2.2", "local_grads", by_numpy)
    assert (status, mistake) == ("wrong", "library-call")
    assert "gradient` is switched off here" in message


def test_a_new_process_is_refused_while_the_library_is_switched_off() -> None:
    def in_a_fresh_python(a: float, b: float) -> tuple[float, float]:
        program = (
            f"from micrograd_edu import Value\nx, y = Value({a}), Value({b})\n"
            "(x / y).backward()\nprint(x.grad, y.grad)"
        )
        out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
        da, db = out.stdout.split()
        return float(da), float(db)

    def by_system(a: float, b: float) -> tuple[float, float]:
        os.system("true")
        return 1 / b, -a / b**2

    _refused("2.2", "local_grads", in_a_fresh_python, "subprocess._fork_exec")
    _refused("2.2", "local_grads", by_system, "os.system")
    assert subprocess.run(["true"], check=True).returncode == 0  # back on


def test_right_answers_written_by_the_student_still_pass() -> None:
    def backward(root: Value) -> None:  # the chain rule, as the notebook teaches it
        order = root.topological_order()
        for node in order:
            node.grad = 0.0
        root.grad = 1.0
        for node in reversed(order):
            for child, local_grad in zip(node.children, node.local_grads, strict=True):
                child.grad += local_grad * node.grad

    assert _verdict("2.2", "local_grads", lambda a, b: (1 / b, -a / b**2))[0] == "passed"
    assert _verdict("2.4", "backward", backward)[0] == "passed"


def test_a_short_function_is_refused_as_itself_never_by_its_bytecode() -> None:
    from micrograd_edu.exercises.core import load
    from micrograd_edu.optim import Optimizer

    def stub(self: object) -> None:  # every stub of the notebooks is this
        raise NotImplementedError

    assert same_bytecode(stub.__code__, Optimizer.step.__code__)
    its_own_code = types.FunctionType(Optimizer.step.__code__, {})
    routes = load("4.2").switch
    with switched_off("4.2", "the SGD step", resolve(routes), None, routes) as calls:
        with pytest.raises(NotImplementedError):
            stub(None)  # the student's stub: not a copy
        with pytest.raises(SwitchedOffError, match=r"`Optimizer\.step` is switched off here"):
            its_own_code(None)  # the library's own code, however it is reached
    assert calls == ["Optimizer.step"]
    status, _, _ = _verdict("4.2", "sgd_step", lambda params, lr: stub(None))
    assert status == "not done"


# ---------------------------------------------------------------------- copies refused
def _copies_of_backward() -> dict[str, Callable[..., Any]]:
    code = Value.backward.__code__  # saved before the check, as a notebook cell would
    namespace: dict[str, Any] = {"gc_paused": gc_paused}
    exec(textwrap.dedent(inspect.getsource(Value.backward)), namespace)
    renamed = textwrap.dedent(inspect.getsource(Value.backward)).replace("node", "n")
    renamed = renamed.replace("def backward(self)", "def mine(root)").replace("self", "root")
    exec(renamed, namespace)
    return {
        "FunctionType": types.FunctionType(code, {"gc_paused": gc_paused}),
        "getsource + exec": namespace["backward"],
        "renamed and no docstring": namespace["mine"],
    }


@pytest.mark.parametrize("how", ["FunctionType", "getsource + exec", "renamed and no docstring"])
def test_a_copy_of_a_switched_off_function_is_refused(how: str) -> None:
    copy = _copies_of_backward()[how]
    x = Value(3.0)
    copy(x * x)  # outside the check the copy works
    assert x.grad == 6.0
    _refused("2.4", "backward", copy, "Value.backward")


def test_a_refused_copy_caught_by_the_student_is_still_recorded_and_the_hook_removed() -> None:
    copy = _copies_of_backward()["getsource + exec"]
    before = sys.gettrace()
    with switched_off(
        "2.4", "backward", resolve(DERIVATIVE_ROUTES), None, DERIVATIVE_ROUTES
    ) as calls:
        try:
            copy(Value(2.0) * 3.0)
        except SwitchedOffError as error:
            caught = error.problem
    assert calls == ["Value.backward"]  # the guard fails the exercise on it
    assert "`Value.backward` is switched off here (its code is refused however it is" in caught
    assert sys.gettrace() is before


def test_the_hook_cannot_be_taken_away_to_run_a_copy() -> None:
    copy = _copies_of_backward()["getsource + exec"]
    saved_settrace = sys.settrace  # kept before the check, as a notebook cell would

    def switching_the_hook_off(root: Value) -> None:
        sys.settrace(None)
        copy(root)

    def through_a_saved_reference(root: Value) -> None:
        saved_settrace(None)
        copy(root)

    def in_a_new_thread(root: Value) -> None:
        import threading

        threading.settrace(None)  # type: ignore[arg-type]
        worker = threading.Thread(target=copy, args=(root,))
        worker.start()
        worker.join()

    _refused("2.4", "backward", switching_the_hook_off, "sys.settrace")
    _refused("2.4", "backward", through_a_saved_reference, "sys.settrace")  # gone at the end

    def quietly(root: Value) -> None:  # the refusal caught, in the thread
        with contextlib.suppress(SwitchedOffError):
            copy(root)

    def copy_in_a_thread(root: Value) -> None:
        import threading

        worker = threading.Thread(target=quietly, args=(root,))
        worker.start()
        worker.join()

    _refused("2.4", "backward", in_a_new_thread, "threading.settrace")
    _refused("2.4", "backward", copy_in_a_thread, "Value.backward")  # watched there too
    assert sys.settrace is saved_settrace  # the real one again


def _deep(n: int) -> int:
    return _deep(n + 1)  # recursion without end: the recursion limit


def test_the_recursion_limit_taking_the_hook_away_is_no_library_call() -> None:
    """At the recursion limit the hook itself cannot start, and Python takes it away: an
    answer that catches its RecursionError and goes on is not accused of removing it."""
    routes = DERIVATIVE_ROUTES
    with switched_off("2.4", "backward", resolve(routes), None, routes) as calls:
        with pytest.raises(RecursionError):
            _deep(0)
        removed = sys.gettrace() is None  # Python's doing
    assert removed and calls == []
    before = sys.gettrace()

    def recursing_then_honest(root: Value) -> None:
        with contextlib.suppress(RecursionError):
            _deep(0)  # the recursive way tried first, too deep: a loop instead
        order = root.topological_order()
        for node in order:
            node.grad = 0.0
        root.grad = 1.0
        for node in reversed(order):
            for child, local_grad in zip(node.children, node.local_grads, strict=True):
                child.grad += local_grad * node.grad

    assert _verdict("2.4", "backward", recursing_then_honest)[0] == "passed"
    assert sys.gettrace() is before


def test_an_error_at_the_recursion_limit_names_the_students_call_not_a_def() -> None:
    from micrograd_edu.exercises.code_errors import location

    routes = DERIVATIVE_ROUTES
    with switched_off("2.4", "backward", resolve(routes), None, routes):
        try:
            _deep(0)
        except RecursionError as error:
            where = location(error.__traceback__)
    line = _deep.__code__.co_firstlineno + 1
    assert where == (
        f"line {line} of {Path(__file__).name}",
        "return _deep(n + 1)  # recursion without end: the recursion limit",
    )


def test_fingerprints_ignore_names_docstrings_and_lines_not_code() -> None:
    def f(a: float) -> float:
        """A docstring."""
        total = 0.0
        for i in range(3):
            total += a * i
        return total

    source = (
        "\n\n\ndef g(b):\n    t = 0.0\n    for j in range(3):\n        t += b * j\n    return t\n"
    )
    g = compile(source, "<elsewhere>", "exec").co_consts[0]
    h = compile(source.replace("* j", "* j + 0"), "<elsewhere>", "exec").co_consts[0]
    assert fingerprint(f.__code__) == fingerprint(g)
    assert fingerprint(f.__code__) != fingerprint(h)  # one instruction more: not the same


def test_the_library_source_is_read_without_importing_it() -> None:
    code = (
        "import sys\n"
        "from micrograd_edu.exercises.copies import module_file, source_functions\n"
        "path = module_file('micrograd_edu.tape.scalar')\n"
        "names = source_functions(path)\n"
        "print(path.name, 'ScalarProgram.backward' in names, 'micrograd_edu.tape' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["scalar.py", "True", "False"]
    engine = source_functions(module_file("micrograd_edu.engine"))  # type: ignore[arg-type]
    assert engine["Value.backward"].co_firstlineno == Value.backward.__code__.co_firstlineno
    assert "Value.__truediv__" in engine  # the rule inside the class, not the built method
    assert module_file("micrograd_edu.nowhere") is None


def test_every_route_is_found_and_long_ones_are_compared_by_bytecode() -> None:
    targets = resolve(DERIVATIVE_ROUTES)  # as the guard does: the imported ones patched
    codes = {shown: code for code, shown in route_codes(DERIVATIVE_ROUTES, targets)}
    others = ("Tensor", "autograd", "function.", "Derivative", "_function_base_impl")
    library = [shown for shown in codes if not shown.startswith(others)]
    assert sorted(library) == [
        "BatchProgram.backward",
        "ScalarProgram.backward",
        "Tape.backward",
        "Value._backward",
        "Value.backward",
        "backward.backward_steps",
        "explain.explain_grad",
        "gradcheck.numerical_grad",
        "graphs.simulated_grads",
        "paths._list_paths",
        "value_mistakes._backprop",
    ]
    sizes = {shown: len(list(_instructions(code))) for shown, code in codes.items()}
    assert sizes["Value._backward"] < MIN_INSTRUCTIONS <= sizes["Value.backward"]


def _instructions(code: types.CodeType) -> Any:
    import dis

    skipped = {"RESUME", "NOP", "CACHE", "PRECALL", "EXTENDED_ARG"}
    return (ins for ins in dis.get_instructions(code) if ins.opname not in skipped)


# ---------------------------------------------------------------------- the flag
def _flags(*sources: str) -> list[str]:
    cells = [{"cell_type": "code", "source": source} for source in sources]
    return touches_the_grader(json.dumps({"cells": cells}).encode())


@pytest.mark.parametrize(
    ("source", "flags"),
    [
        ("ｅｘｅｃ(code)\n", ["exec( (in look-alike letters)"]),
        (
            "import micrograd_edu.ｅｘｅｒｃｉｓｅｓ.ｓｗｉｔｃｈ\n",
            ["exercises.switch (in look-alike letters)"],
        ),
        ("getattr(switch, 'switched_' + 'off')\n", ["getattr(…, a name built in code)"]),
        ("setattr(m, name, None)\n", ["setattr(…, a name built in code)"]),
        ("delattr(m, f'{a}b')\n", ["delattr(…, a name built in code)"]),
        (
            "ip = get_ipython()\nip.input_transformers_cleanup.append(f)\n",
            ["get_ipython", "input_transformers_cleanup"],
        ),
        ("shell.input_transformers_post.insert(0, f)\n", ["input_transformers_post"]),
        ("shell.events.register('pre_run_cell', f)\n", ["events.register"]),
        ("sys.addaudithook(hook)\n", ["addaudithook"]),
        ("sys.settrace(None)\nsys.setprofile(None)\n", ["setprofile", "settrace"]),
        ("import sys as s\ns.settrace(None)\n", ["import sys as", "settrace"]),
        ("hook = sys.gettrace()\n", ["gettrace"]),
        ("timeit.timeit(text)\n", ["timeit."]),
        (
            "code.InteractiveInterpreter().runsource(text)\n",
            ["InteractiveInterpreter", "runsource"],
        ),
        ("runpy.run_path(path)\n", ["runpy"]),
        ("types.FunctionType(code, globals())\n", ["FunctionType"]),
        ("src = inspect.getsource(Value.backward)\n", ["getsource"]),
        ("c = compile(src, 'x', 'single')\n", ["compile("]),
        ("base64.b64decode(blob)\n", ["b64decode"]),
        ("codecs.decode(blob, 'rot13')\n", ["codecs", "rot13"]),
        ("frame = sys._getframe(1).f_back\n", ["_getframe", "f_back"]),
        ("run = exec\n", ["exec"]),
        ("import subprocess\n", ["subprocess"]),
        (
            "from micrograd_edu.exercises import value_mistakes, training_loop\n",
            ["exercises import value_mistakes, training_loop"],
        ),
        ("micrograd_edu.exercises.training_loop._training_variant\n", ["exercises.training_loop"]),
    ],
)
def test_the_flag_reads_the_code_as_python_does_and_names_the_construct(
    source: str, flags: list[str]
) -> None:
    assert _flags(source) == flags


def test_what_is_not_flagged() -> None:
    assert (
        _flags(
            "x = getattr(obj, 'weight', None)\n",
            "setattr(model, 'lr', 0.1)\n",
            "model.eval()\npattern = re.compile('a+')\n",
            "# getattr(obj, name) in a comment\ntext = 'setattr(o, n, v) in a string'\n",
            "accuracy = evaluate(model, X, y)\n",
        )
        == []
    )


def test_the_course_notebooks_are_not_flagged() -> None:
    notebooks = sorted((ROOT / "notebooks").glob("0*.ipynb"))
    students = sorted((ROOT / "micrograd_edu" / "course").glob("0*.ipynb"))
    assert len(notebooks) == len(students) == 9
    assert {path.name: touches_the_grader(path.read_bytes()) for path in notebooks + students} == {
        path.name: [] for path in notebooks + students
    }


def test_a_pathological_cell_is_read_to_its_end() -> None:
    # the attribute calls are found in one pass over the tokens (no rescan per call), and
    # each regular expression starts with a literal: the search stays linear
    cell = "getattr(o, (" * 2000 + "\n" + "exercises " * 2000
    assert _flags(cell) == ["getattr(…, a name built in code)"]
    assert _flags("getattr(getattr(o, 'a'), name)\n") == ["getattr(…, a name built in code)"]

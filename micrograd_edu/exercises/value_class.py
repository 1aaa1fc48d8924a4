"""Exercise 2.6, build your own ``Value``: the student's class, run on hidden graphs.

The student writes a class from nothing, in the lecture's style: ``data``,
``grad``, its children, ``+``, ``*`` (a plain number on either side: ``a + 1``,
``2 * a``), ``tanh`` and ``backward()`` over a topological order. Closures
(``out._backward``) and stored local derivatives are both accepted: the check
reads only ``MyValue(number)``, ``.data``, ``.grad``, the operators, ``.tanh()``
and ``.backward()``.

The **probe** builds, with the student's class, first one operation with a
plain number on each side (``a + k``, ``a * k``, ``k + a``, ``k * a``), then
each graph of the case (``a + a``, ``a * a``, numbers on both sides, a diamond,
a neuron, a node squared, a chain of 2,000 nodes; when grading, a random graph
too). Every graph is built anew and ``backward()`` is called once on its
output; the probe returns every node's ``data`` and ``grad``. An exception of
the student's code ends the check as in every exercise
(:class:`~micrograd_edu.exercises.code_errors.StudentCodeError`: its type,
message and the line of the student's cell, or what the check was computing),
except where a catalogued mistake of this exercise raises one: an operation
with a number, and ``backward()`` on the chain. Those the probe records (an
operation with a number that raised is run again with the number wrapped in
the student's class), and the **judge** names the mistake when the error is
the one the mistake gives — the plain number's own error in ``a + k``, and
with the number wrapped no error; Python's "unsupported operand type(s)" for
``k * a`` alone; a RecursionError on the chain alone — else reports the error.

The judge builds the same graphs with the engine's
:class:`~micrograd_edu.engine.Value` and compares every number
(:func:`~micrograd_edu.exercises.compare.diagnose`); a wrong gradient is named
only when it is what a mistake simulated on the same graphs gives
(:mod:`~micrograd_edu.exercises.value_mistakes`).

>>> case = VALUE_CLASS.notebook_case()
>>> [spec["name"] for spec in case["graphs"]][:3]
['a + a', 'a * a', 'numbers on both sides']
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from typing import Any

from ..engine import Value
from .code_errors import StudentCodeError, from_record
from .compare import diagnose, first_difference, is_number
from .core import Exercise, Guard, plain, run_check
from .mistakes import WrongAnswerError, exercise, not_done
from .switch import DERIVATIVE_ROUTES
from .value_mistakes import (
    CHAIN_LENGTH,
    FORMS,
    Spec,
    build,
    case_graphs,
    draw,
    expanded,
    form_spec,
    node_expression,
    random_graph,
    resolved_suspects,
    shown_graph,
    simulations,
)

__all__ = ["CHAIN_LENGTH", "EXERCISES", "VALUE_CLASS", "check_value_class"]

NUMBER = "2.6"
TOLERANCE = 1e-6
"""Relative (and absolute) difference allowed between the student's numbers and the engine's."""
METHODS = ("__add__", "__mul__", "__radd__", "__rmul__", "tanh", "backward")
"""What the class must define (a None left in their place: not done yet)."""

_VALUE = "micrograd_edu.engine:Value"
_SWITCH = (
    *DERIVATIVE_ROUTES,
    (_VALUE, "topological_order"),
    (_VALUE, "__add__"),
    (_VALUE, "__radd__"),
    (_VALUE, "__mul__"),
    (_VALUE, "__rmul__"),
    (_VALUE, "tanh"),
)
Record = dict[str, Any]
Catch = Callable[[StudentCodeError, str], bool]


# ------------------------------------------------------------------ cases
def _notebook_case() -> dict[str, Any]:
    return {"forms": [1.5, 3.0], "graphs": case_graphs(0.7, -1.3, 0.9, 3.0, 0.5)}


def _hidden_case(rng: random.Random) -> dict[str, Any]:
    a, b, w = draw(rng), draw(rng), draw(rng)
    k = round(rng.uniform(1.5, 4.0), 2)
    graphs = case_graphs(a, b, w, k, round(rng.uniform(0.2, 0.8), 2))
    graphs.insert(-1, random_graph(rng))  # the chain stays last
    return {"forms": [draw(rng, 0.5, 2.5), round(rng.uniform(1.5, 4.0), 2)], "graphs": graphs}


# ------------------------------------------------------------------ probe
def _nothing_left(cls: Any) -> None:
    """Raise "not done" for the class, or one of its methods, left None."""
    if cls is None:
        raise not_done("MyValue is still None")
    if isinstance(cls, type):
        for method in METHODS:
            if getattr(cls, method, 0) is None:
                raise not_done(f"{cls.__name__[:60]}.{method} is still None")


def _placed(
    error: StudentCodeError, spec: Spec, node: str, stage: str, cls: str
) -> StudentCodeError:
    """``error``, saying what the check was computing when no line of the student's own
    code raised it (an operator or a method the class lacks, a constructor's arguments)."""
    if error.line is not None:
        return error
    if stage == "backward":
        where, code = f"in backward() on {spec['name']}", f"{spec['nodes'][-1][0]}.backward()"
    elif stage == "reading":
        where, code = f"reading the nodes of {spec['name']}", "node.data, node.grad"
    elif node == "leaves":
        name, value = spec["leaves"][0]
        where, code = f"while building {spec['name']}", f"{name} = {cls}({value:g})"
    else:
        where, code = f"while building {spec['name']}", f"{node} = {node_expression(spec, node)}"
    return StudentCodeError(NUMBER, error.message, where, code)


def _run(guard: Guard, cls: Any, spec: Spec, catch: Catch) -> Record:
    """Build ``spec`` with the student's class, call backward() once, read every watched
    node's data and grad. An error of the student's code is recorded where ``catch``
    says a mistake of the exercise raises it (the judge names it), else raised."""
    at: dict[str, str] = {}
    stage = "building"
    try:
        with guard():
            nodes, out = build(cls, spec, at)
        kind = type(next(iter(nodes.values())))
        if not isinstance(out, kind):
            found = "NoneType" if out is None else type(out).__name__[:60]
            return {"returned": {"node": at["node"], "type": found, "class": kind.__name__[:60]}}
        stage = "backward"
        with guard():
            out.backward()
        stage = "reading"
        watched = spec.get("watch", list(nodes))
        with guard():
            return {
                attribute: {name: plain(getattr(nodes[name], attribute)) for name in watched}
                for attribute in ("data", "grad")
            }
    except StudentCodeError as error:
        node, name = at.get("node", "leaves"), at.get("class", getattr(cls, "__name__", "?"))
        if catch(error, stage):
            record = {"raised": error.record_text(), "stage": stage, "node": node}
            return {**record, "class": str(name)[:60]}
        raise _placed(error, spec, node, stage, str(name)[:60]) from error.__cause__


def _anything(error: StudentCodeError, stage: str) -> bool:
    return True


def _nothing(error: StudentCodeError, stage: str) -> bool:
    return False


def _too_deep(error: StudentCodeError, stage: str) -> bool:
    return stage == "backward" and error.message.startswith("RecursionError")


def _probe(case: Any, guard: Guard, cls: Any) -> Any:
    _nothing_left(cls)
    if isinstance(cls, type) and issubclass(cls, Value):
        return {"subclass": cls.__name__[:60]}
    if not callable(cls):
        return {"kind": type(cls).__name__[:60]}
    a, k = case["forms"]
    limit = sys.getrecursionlimit()
    try:
        forms = []
        for form in FORMS:
            forms.append(_run(guard, cls, form_spec(form, a, k), _anything))
            if "raised" in forms[-1]:  # would the operation work with the number wrapped?
                forms[-1]["wrapped"] = _run(guard, cls, form_spec(form, a, k, True), _anything)
            if "data" not in forms[-1]:
                return {"forms": forms}  # the first operation that fails is judged
        graphs = []
        for spec in map(expanded, case["graphs"]):
            graphs.append(_run(guard, cls, spec, _too_deep if spec.get("deep") else _nothing))
    finally:
        sys.setrecursionlimit(limit)  # the student's code may have changed it
    return {"forms": forms, "graphs": graphs}


# ------------------------------------------------------------------ judge
def _malformed() -> WrongAnswerError:
    return WrongAnswerError(NUMBER, "the probe's answer has the wrong form")


def _line(error: StudentCodeError) -> str | None:
    """The line of the student's cell that raised ``error``, as feedback shows it."""
    return f"{error.line}:  {error.code}" if error.line and error.code else error.line


def _recorded(record: Record) -> StudentCodeError:
    return from_record(NUMBER, str(record.get("raised", ""))[:400])


def _form_mistake(spec: Spec, error: StudentCodeError, record: Record) -> str | None:
    """The mistake whose error ``error`` is, on the operation ``spec`` with a number, or None.

    With the number wrapped the operation must run (the mistake's simulation: the
    operator that wraps it). Then Python's own "unsupported operand type(s)" for a
    number on the left is the missing reflected operator; the number's own error
    (its type named: it has no ``data``, no ``grad``) is the number not wrapped.
    """
    if len(spec["nodes"]) != 1 or len(spec["nodes"][0]) != 4:
        return None  # not an operation with a number: no mistake of this kind
    _, op, left, right = spec["nodes"][0]
    number = right if isinstance(left, str) else left
    kind = "int" if isinstance(number, int) else "float"
    wrapped = record.get("wrapped")
    if not (isinstance(wrapped, dict) and "data" in wrapped):
        return None
    symbol = "+" if op == "add" else "*"
    cls = str(record.get("class", ""))
    if not isinstance(left, str) and error.message == (
        f"TypeError: unsupported operand type(s) for {symbol}: '{kind}' and '{cls}'"
    ):
        return "missing-reflected-op"
    error_type, _, message = error.message.partition(": ")
    if error_type in ("AttributeError", "TypeError") and f"'{kind}'" in message:
        return "number-not-wrapped"
    return None


def _judge_raised(spec: Spec, record: Record) -> None:
    """An error the probe recorded: its mistake named if it is one, else the error itself."""
    error = _recorded(record)
    stage = str(record.get("stage", ""))
    mistake = None
    if spec.get("deep"):
        deep = stage == "backward" and error.message.startswith("RecursionError")
        mistake = "recursion-depth" if deep else None
        problem = f"backward() raised RecursionError on {spec['name']}"
    else:
        mistake = _form_mistake(spec, error, record)
        problem = f"{node_expression(spec, 'out')} raised {error.message}"
    if mistake is None:
        node, cls = str(record.get("node", "")), str(record.get("class", "MyValue"))
        raise _placed(error, spec, node, stage, cls[:60])
    raise WrongAnswerError(
        NUMBER, problem, mistake=mistake, where=_line(error), input=shown_graph(spec)
    )


def _judge_returned(spec: Spec, record: Record) -> None:
    """An operation returned something else than a node of the student's class."""
    returned = record["returned"] if isinstance(record["returned"], dict) else {}
    node, found = str(returned.get("node", "out")), str(returned.get("type", "?"))[:60]
    cls = str(returned.get("class", "MyValue"))[:60]
    what = "None" if found == "NoneType" else f"a {found}"
    missing = "a method without `return` gives None: " if found == "NoneType" else ""
    raise WrongAnswerError(
        NUMBER,
        f"{node_expression(spec, node)} returned {what}, not a {cls}",
        input=shown_graph(spec),
        hint=f"{missing}every operation returns a new {cls}, which remembers the nodes it was "
        "computed from",
    )


def _what(value: Any) -> str:
    if value is None or value in ("NaN", "Infinity", "-Infinity"):
        return str(value)
    if isinstance(value, dict) and "Value" in value:
        return "a Value of the engine"
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return f"a {value['type'][:60]}"
    return f"a {type(value).__name__}"


_NUMBER_HINTS = {
    "data": "data holds a plain number: the operation's result, computed from the operands' data",
    "grad": "grad holds a plain number: 0 for a new node, then what backward() adds to it",
}


def _watched(spec: Spec) -> list[str]:
    return list(
        spec.get("watch", [name for name, _ in spec["leaves"]] + [n[0] for n in spec["nodes"]])
    )


def _numbers(ran: list[tuple[Spec, Record]], attribute: str) -> list[dict[str, Any]]:
    """Every watched node's ``attribute`` (data or grad), by graph; raises where one is no
    number."""
    found = []
    for spec, record in ran:
        values = record.get(attribute)
        if not isinstance(values, dict) or not set(_watched(spec)) <= set(values):
            raise _malformed()
        for name in _watched(spec):
            if not is_number(values[name]):
                raise WrongAnswerError(
                    NUMBER,
                    f"{name}.{attribute} is {_what(values[name])}, not a number",
                    where=f"{name} on {spec['name']}",
                    input=shown_graph(spec),
                    hint=_NUMBER_HINTS[attribute],
                )
        found.append({name: values[name] for name in _watched(spec)})
    return found


def _first_graph(specs: list[Spec], expected: list[Any], got: list[Any]) -> str:
    """The graph of the first wrong number, as the student would write it."""
    path = first_difference(got, expected, TOLERANCE)
    return shown_graph(specs[path[0] if path else 0])


def _judge_forward(specs: list[Spec], got: list[dict[str, Any]]) -> None:
    expected = []
    for spec in specs:
        nodes, _ = build(Value, spec)
        expected.append({name: nodes[name].data for name in _watched(spec)})
    diagnose(
        NUMBER,
        expected,
        got,
        problem="a node's value is wrong (the forward pass)",
        input=_first_graph(specs, expected, got),
        entry=lambda path: f"{path[1]}.data on {specs[path[0]]['name']}",
        hint="check the forward formula of the operation that computed it",
        tol=TOLERANCE,
    )


def _judge_grads(specs: list[Spec], got: list[dict[str, Any]]) -> None:
    candidates = simulations(specs)
    expected = [options[0] for options in candidates.pop("expected")]
    diagnose(
        NUMBER,
        expected,
        got,
        resolved_suspects(candidates, got, TOLERANCE),
        problem="backward() gave wrong gradients",
        input=_first_graph(specs, expected, got),
        entry=lambda path: f"{path[1]}.grad on {specs[path[0]]['name']}",
        hint="backward() seeds the output's gradient with 1; then, from the output back, each "
        "node adds its local derivative times its own gradient to each child's gradient",
        formula="child.grad += local_grad × out.grad",
        tol=TOLERANCE,
    )


def _records(data: dict[str, Any], key: str, count: int | None = None) -> list[Record]:
    """The probe's records under ``key`` (``count`` of them, if given), each a dict."""
    records = data.get(key)
    if not isinstance(records, list) or (count is not None and len(records) != count):
        raise _malformed()
    if not all(isinstance(record, dict) for record in records):
        raise _malformed()
    return records


def _judge_broken(spec: Spec, record: Record) -> None:
    if "returned" in record:
        _judge_returned(spec, record)
    if "raised" in record:
        _judge_raised(spec, record)


def _judge(case: Any, data: Any) -> str:
    data = data if isinstance(data, dict) else {}
    if "subclass" in data:
        name = str(data["subclass"])[:60]
        raise WrongAnswerError(
            NUMBER,
            f"{name} is built on the library's Value: write the class from nothing "
            f"(class {name}:, no base class)",
            mistake="library-call",
        )
    if "kind" in data:
        raise WrongAnswerError(
            NUMBER,
            f"check_value_class needs the class itself, got a {str(data['kind'])[:60]}",
            hint="pass the class, not a node made with it: check_value_class(MyValue)",
        )
    a, k = case["forms"]
    specs = [form_spec(form, a, k) for form in FORMS]
    for spec, record in zip(specs, _records(data, "forms"), strict=False):
        _judge_broken(spec, record)  # the probe stops at the first operation that fails
    records = _records(data, "forms", len(FORMS)) + _records(data, "graphs", len(case["graphs"]))
    specs += [expanded(spec) for spec in case["graphs"]]
    broken = [(s, r) for s, r in zip(specs, records, strict=True) if "raised" in r]
    ran = [(s, r) for s, r in zip(specs, records, strict=True) if "raised" not in r]
    for spec, record in ran:
        if "returned" in record:
            _judge_returned(spec, record)
    judged = [spec for spec, _ in ran]
    _judge_forward(judged, _numbers(ran, "data"))
    _judge_grads(judged, _numbers(ran, "grad"))
    for spec, record in broken:  # the chain's RecursionError, once every other graph is right
        _judge_raised(spec, record)
    return (
        "your Value agrees with the engine on every node: numbers on both sides, a + a, a * a, "
        f"a diamond, a neuron, a node squared and a chain of {CHAIN_LENGTH:,} nodes."
    )


VALUE_CLASS = Exercise(
    number=NUMBER,
    what="the Value class",
    notebook_case=_notebook_case,
    hidden_case=_hidden_case,
    probe=_probe,
    judge=_judge,
    switch=_SWITCH,
)

EXERCISES = {NUMBER: VALUE_CLASS}


@exercise(NUMBER)
def check_value_class(cls: Callable[[float], Any]) -> None:
    """Exercise 2.6: your own ``Value`` class agrees with the engine on hidden graphs.

    ``cls`` is the class itself (``check_value_class(MyValue)``). Each graph is
    built anew with it and ``backward()`` called once; every node's data and
    grad is compared with :class:`~micrograd_edu.engine.Value`'s. The classic
    mistakes (``=`` for ``+=``, a number not wrapped, no reflected operator, no
    seed, a sort without a visited set, recursion too deep, ...) are named when
    the answer is what they give; an error of your own code is shown with its line.
    """
    run_check(NUMBER, cls)

"""A method made from a rule shows the rule: help(), inspect, IPython's ? and ??.

A student who follows ``a + b`` lands on the rule of ``+`` in engine.py, not on
the code that makes the methods fast (micrograd_edu/_engine/builders.py).
"""

from __future__ import annotations

import inspect
import operator
import pydoc
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from micrograd_edu import engine
from micrograd_edu.engine import OPS, Value, make_methods, operation, reflected

ENGINE_PY = Path(engine.__file__).resolve()
METHODS = {
    "__add__": ("+", "(self, other)", "a + b.  d/da = 1, d/db = 1."),
    "__pow__": ("**", "(self, other)", "a ** k.  d/da = k · a^(k−1),  d/dk = a^k · ln a  "
                "(0 where a ≤ 0)."),
    "tanh": ("tanh", "(self)", "tanh a.  d/da = 1 − tanh²a."),
    "log": ("log", "(self)", "ln a  (a > 0).  d/da = 1/a."),
    "__abs__": ("abs", "(self)", "|a|.  d/da = sign(a): 0 at a = 0, as in PyTorch."),
}  # fmt: skip
"""A method, its op, the signature it shows, its docstring (the rule's)."""


@pytest.mark.parametrize("attribute", sorted(METHODS))
def test_a_method_is_its_rule_for_inspect(attribute: str) -> None:
    op, signature, doc = METHODS[attribute]
    method = getattr(Value, attribute)
    assert method.__wrapped__ is OPS[op]
    assert (method.__module__, method.__doc__) == ("micrograd_edu.engine", doc)
    assert method.__qualname__ == f"Value.{OPS[op].__name__}"
    assert str(inspect.signature(method)) == signature
    assert Path(inspect.getsourcefile(inspect.unwrap(method)) or "").resolve() == ENGINE_PY
    source = inspect.getsource(method)
    assert source.lstrip().startswith(f'@operation("{op}", arity=')
    assert f"def {OPS[op].__name__}(math: Any" in source


REFLECTED = {
    "__rsub__": ("-", "__sub__", "number first: 2 − a, the rule of − with the operands swapped.\n\n"
                 "The rule, run on (the number, this Value): a − b.  d/da = 1, d/db = −1."),
    "__rtruediv__": ("/", "__truediv__", "number first: 2 / a, the rule of / with the operands "
                     "swapped.\n\nThe rule, run on (the number, this Value): a / b.  d/da = 1/b, "
                     "d/db = −a/b²  (as −(a/b)/b: b·b underflows for tiny b)."),
    "__rpow__": ("**", "__pow__", "number first: 2 ** a, the rule of ** with the operands swapped."
                 "\n\nThe rule, run on (the number, this Value): a ** k.  d/da = k · a^(k−1),  "
                 "d/dk = a^k · ln a  (0 where a ≤ 0)."),
}  # fmt: skip
"""A reflected method (number <op> value), its op, the rule's name, its docstring."""


@pytest.mark.parametrize("attribute", sorted(REFLECTED))
def test_a_reflected_method_has_its_own_name_and_says_the_number_comes_first(
    attribute: str,
) -> None:
    op, rule_name, doc = REFLECTED[attribute]
    method = getattr(Value, attribute)
    assert (method.__name__, method.__qualname__) == (attribute, f"Value.{attribute}")
    assert (method.__module__, method.__doc__) == ("micrograd_edu.engine", doc)
    assert method.__wrapped__ is OPS[op]
    assert OPS[op].__name__ == rule_name
    assert str(inspect.signature(method)) == "(self, other)"
    source = inspect.getsource(method)
    assert source.lstrip().startswith(f'@operation("{op}", arity=2)')
    assert f"def {rule_name}(math: Any" in source
    shown = pydoc.render_doc(method, renderer=pydoc.plaintext)
    assert shown.splitlines()[:4] == [
        f"Python Library Documentation: function {attribute} in module micrograd_edu.engine",
        "",
        f"{attribute}(self, other)",
        f"    number first: 2 {'−' if op == '-' else op} a, the rule of "
        f"{'−' if op == '-' else op} with the operands swapped.",
    ]
    # what the docstring says: 2 <op> x runs the rule on (2, x), the number first
    x = Value(3.0)
    out = {"-": operator.sub, "/": operator.truediv, "**": operator.pow}[op](2.0, x)
    expected, (_, local) = OPS[op](engine.MATH, 2.0, 3.0)
    assert (out.op, out.data, out.local_grads, out.constants) == (
        op,
        expected,
        (local,),
        (2.0, None),
    )


def test_the_source_of_add_is_the_rule_in_engine_py() -> None:
    lines, first = inspect.getsourcelines(Value.__add__)
    engine_lines = ENGINE_PY.read_text(encoding="utf-8").splitlines(keepends=True)
    assert engine_lines[first - 1 : first - 1 + len(lines)] == lines
    assert "".join(lines) == (
        '    @operation("+", arity=2)\n'
        "    def __add__(math: Any, a: Any, b: Any) -> Any:\n"
        '        """a + b.  d/da = 1, d/db = 1."""\n'
        "        return a + b, (1.0, 1.0)\n"
    )


def test_help_shows_the_rule_in_engine_py() -> None:
    """pydoc (help()) names the module, the method's own signature and the rule's docstring."""
    tanh = pydoc.render_doc(Value.tanh, renderer=pydoc.plaintext)
    assert tanh.splitlines()[:4] == [
        "Python Library Documentation: function tanh in module micrograd_edu.engine",
        "",
        "tanh(self)",
        "    tanh a.  d/da = 1 − tanh²a.",
    ]
    add = pydoc.render_doc(Value.__add__, renderer=pydoc.plaintext)
    assert "function __add__ in module micrograd_edu.engine" in add
    assert "__add__(self, other)\n    a + b.  d/da = 1, d/db = 1." in add
    whole_class = pydoc.render_doc(Value, renderer=pydoc.plaintext)
    assert " |  __mul__(self, other)\n |      a · b.  d/da = b, d/db = a.\n" in whole_class
    assert " |  tanh(self)\n |      tanh a.  d/da = 1 − tanh²a.\n" in whole_class


def _ipython_inspector() -> Any:
    oinspect = pytest.importorskip("IPython.core.oinspect")
    parameters = inspect.signature(oinspect.Inspector).parameters
    return (
        oinspect.Inspector(theme_name="nocolor")
        if "theme_name" in parameters
        else (oinspect.Inspector())
    )


def test_ipython_question_marks_show_the_rule() -> None:
    """``Value.tanh?`` shows the rule's docstring, ``Value.tanh??`` the rule's source."""
    inspector = _ipython_inspector()
    one = inspector.info(Value.tanh, "Value.tanh", detail_level=0)
    assert one["docstring"] == "tanh a.  d/da = 1 − tanh²a."
    assert one["definition"] == "Value.tanh(self)"
    assert Path(one["file"]).resolve() == ENGINE_PY
    two = inspector.info(Value.tanh, "Value.tanh", detail_level=1)
    assert two["source"] == (
        '    @operation("tanh", arity=1)\n'
        "    def tanh(math: Any, a: Any) -> Any:\n"
        '        """tanh a.  d/da = 1 − tanh²a."""\n'
        "        t = math.tanh(a)\n"
        "        return t, (1.0 - t * t,)"
    )
    add = inspector.info(Value.__add__, "Value.__add__", detail_level=0)
    assert add["definition"] == "Value.__add__(self, other)"


def test_aliases_are_the_same_method() -> None:
    assert Value.__radd__ is Value.__add__
    assert Value.__rmul__ is Value.__mul__
    assert Value.abs is Value.__abs__
    assert Value.__rsub__ is not Value.__sub__
    assert Value.__rsub__.__wrapped__ is Value.__sub__.__wrapped__


@pytest.fixture
def cube() -> Iterator[None]:
    """A rule marked and made a method outside the class (as docs/add-an-op.md does)."""

    @operation("cube", arity=1)
    def cube(math: Any, a: Any) -> Any:
        """a³.  d/da = 3a²."""
        return a * a * a, (3.0 * a * a,)

    Value.cube = cube  # type: ignore[attr-defined]
    make_methods()
    yield
    del OPS["cube"], Value.cube  # type: ignore[attr-defined]


@pytest.mark.usefixtures("cube")
def test_a_rule_marked_outside_the_class_becomes_a_method_too() -> None:
    x = Value(2.0)
    y = x.cube()  # type: ignore[attr-defined]
    y.backward()
    assert (y.data, y.op, x.grad) == (8.0, "cube", 12.0)
    assert Value.cube.__doc__ == "a³.  d/da = 3a²."  # type: ignore[attr-defined]
    assert str(inspect.signature(Value.cube)) == "(self)"  # type: ignore[attr-defined]
    make_methods()  # again: nothing left to make, nothing changes
    assert OPS["cube"] is Value.cube.__wrapped__  # type: ignore[attr-defined]


@pytest.mark.usefixtures("cube")
def test_two_rules_of_one_name_are_refused() -> None:
    @operation("cube", arity=1)
    def other(math: Any, a: Any) -> Any:
        return a, (1.0,)

    Value.other_cube = other  # type: ignore[attr-defined]
    try:
        with pytest.raises(
            ValueError, match=re.escape("operation 'cube': another rule of that name is in OPS")
        ):
            make_methods()
    finally:
        del Value.other_cube  # type: ignore[attr-defined]


def test_the_markers_check_what_they_are_given() -> None:
    message = "operation 'sum': arity must be 1 (a.op()) or 2 (a op b), got 0"
    with pytest.raises(ValueError, match=re.escape(message)):
        operation("sum", arity=0)  # type: ignore[call-overload]
    with pytest.raises(
        TypeError, match=re.escape("reflected() takes a rule marked @operation(name, arity=2)")
    ):
        reflected(lambda self, other: self)
    unary = operation("neg", arity=1)(lambda math, a: (-a, (-1.0,)))
    with pytest.raises(TypeError, match=re.escape("reflected() takes a rule marked")):
        reflected(unary)  # type: ignore[arg-type]

"""The engine's plumbing, kept out of the lecture's file (:mod:`micrograd_edu.engine`).

* :func:`real_number` -- the one test of "is this a plain real number?";
* :class:`ScalarMath` -- the elementary functions the op rules call, for floats
  (the tape has the NumPy twin, :class:`micrograd_edu.tape.ArrayMath`);
* :func:`shared_constants` -- one tuple per distinct constants template, so that
  100,000 nodes ``x * 0.5`` keep one ``(None, 0.5)``;
* :func:`node_kind` -- a node's op and constants as one shared pair, so that a
  node keeps one slot for both (:attr:`micrograd_edu.engine.Value.op`);
* :func:`gc_paused` -- CPython's cyclic garbage collector paused while large
  graphs (which never hold cycles) are built and walked;
* :data:`RENAMED` -- micrograd's op names: ``a ** 2`` is the op ``**2``.

This module imports nothing but the standard library.
"""

from __future__ import annotations

import gc
import math
import numbers
import operator
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

__all__ = [
    "MATH",
    "RENAMED",
    "Kind",
    "ScalarMath",
    "gc_paused",
    "left_constant",
    "node_kind",
    "power_name",
    "real_number",
    "remember_kind",
    "right_constant",
    "shared_constants",
]


def real_number(x: object) -> float | None:
    """``x`` as a float if it is a real number, else None.

    Real numbers are ``int``, ``float`` and everything registered as
    :class:`numbers.Real` (``numpy.float64``, ``numpy.float32``, ``numpy.int64``).
    ``bool`` is refused: ``Value(True)`` is almost always a mistake.

    >>> real_number(3), real_number(True), real_number("3")
    (3.0, None, None)
    """
    if type(x) is float:
        return x
    if type(x) is int:  # before the slower test of numbers.Real (bool is not int's type)
        return float(x)
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    return float(x)


class ScalarMath:
    """The elementary functions of the op rules, for Python floats.

    Each has the NumPy function of the same name as its model (the tape runs
    the same rules with NumPy): they follow IEEE 754 (``inf``, ``nan``) where
    Python's :mod:`math` would raise, except :meth:`exp`, whose overflow the
    engine reports by name. The engine checks each op's domain before its rule
    runs (:data:`micrograd_edu.engine.DOMAIN`).

    >>> MATH.step(-2.0), MATH.pow(0.0, -1.0), MATH.pow(-8.0, 0.5)
    (0.0, inf, nan)
    """

    exp = staticmethod(math.exp)
    log = staticmethod(math.log)  # the engine checks a > 0 before
    sqrt = staticmethod(math.sqrt)
    tanh = staticmethod(math.tanh)
    abs = staticmethod(abs)
    maximum = staticmethod(max)  # max(nan, 0.0) is nan: the first argument wins ties
    minimum = staticmethod(min)

    @staticmethod
    def where(condition: object, if_true: float, if_false: float) -> float:
        """``if_true`` if ``condition`` else ``if_false`` (both already computed)."""
        return if_true if condition else if_false

    @staticmethod
    def sigmoid(a: float) -> float:
        """1 / (1 + e^−a), computed as e^a / (1 + e^a) for a < 0 so nothing overflows."""
        if a >= 0.0:
            return 1.0 / (1.0 + math.exp(-a))
        e = math.exp(a)
        return e / (1.0 + e)

    @staticmethod
    def step(a: float) -> float:
        """The Heaviside step: 1 for a > 0, 0 for a ≤ 0, NaN for NaN."""
        return 1.0 if a > 0.0 else (0.0 if a <= 0.0 else a)

    @staticmethod
    def sign(a: float) -> float:
        """−1, 0 or 1 as a is negative, zero or positive; NaN for NaN."""
        return 1.0 if a > 0.0 else (-1.0 if a < 0.0 else (0.0 if a == 0.0 else a))

    @staticmethod
    def divide(x: float, y: float) -> float:
        """x / y as IEEE 754 says: ±inf for y = 0 (NaN for 0/0), never an exception."""
        if y:
            return x / y
        return math.copysign(math.inf, x) * math.copysign(1.0, y) if x else math.nan

    @staticmethod
    def pow(a: float, k: float) -> float:
        """a ** k as IEEE 754 says: ±inf, not an exception; NaN, not a complex number."""
        try:
            result = a**k
        except ZeroDivisionError:  # 0 ** negative
            return math.inf
        except OverflowError:
            odd = float(k).is_integer() and k % 2 == 1
            return math.copysign(math.inf, a) if odd else math.inf
        return result if type(result) is float else math.nan

    @staticmethod
    def dot(weights: Sequence[float], inputs: Sequence[float]) -> float:
        """w₁x₁ + … + wₙxₙ, added left to right."""
        total: float = sum(map(operator.mul, weights, inputs))
        return total


for _name in dir(math):  # every other function of `math` (math.sin): a new op needs no entry
    if not _name.startswith("_") and not hasattr(ScalarMath, _name):
        setattr(ScalarMath, _name, staticmethod(getattr(math, _name)))

MATH = ScalarMath()
"""The elementary functions for floats, as the Value methods use them."""

Template = tuple[float | None, ...]
"""A node's operands as numbers (None where a Value operand stands), or ``()``."""

_SHARED: dict[tuple[object, ...], Template] = {}
_RIGHT: dict[float, Template] = {}
_LEFT: dict[float, Template] = {}
_MAX_SHARED = 1024


def _shareable(number: float | None) -> bool:
    # Zeros (0.0 and -0.0 are equal keys but differ in sign) and NaN (never equal
    # to itself) are not shared.
    return number is None or bool(number and number == number)


def shared_constants(template: Template) -> Template:
    """``template``, one shared tuple per distinct one: a node's ``constants``.

    The table is emptied when it is full.

    >>> shared_constants((None, 0.5)) is shared_constants((None, 0.5))
    True
    """
    shared = _SHARED.get(template)
    if shared is not None:
        return shared
    if all(map(_shareable, template)):
        if len(_SHARED) >= _MAX_SHARED:
            _SHARED.clear()
        _SHARED[template] = template
    return template


def right_constant(number: float) -> Template:
    """``(None, number)`` shared: the constants of ``value <op> number``.

    >>> right_constant(2.0)
    (None, 2.0)
    """
    shared = _RIGHT.get(number)
    return shared if shared is not None else _remember(_RIGHT, number, (None, number))


def left_constant(number: float) -> Template:
    """``(number, None)`` shared: the constants of ``number <op> value``.

    >>> left_constant(1.0)
    (1.0, None)
    """
    shared = _LEFT.get(number)
    return shared if shared is not None else _remember(_LEFT, number, (number, None))


def _remember(table: dict[float, Template], number: float, template: Template) -> Template:
    if _shareable(number):
        if len(table) >= _MAX_SHARED:
            table.clear()
        table[number] = template
    return template


Kind = tuple[str, Template]
"""A node's ``(op, constants)``: one slot of a Value holds both."""

_KINDS: dict[Kind, Kind] = {}


def node_kind(op: str, constants: Template) -> Kind:
    """``(op, constants)``, one shared tuple per distinct pair (not per node).

    The table is emptied when it is full; constants that are not shared
    (0.0, -0.0, NaN) give a pair of their own.

    >>> node_kind("*", (None, 0.5)) is node_kind("*", (None, 0.5))
    True
    """
    kind = (op, constants)
    shared = _KINDS.get(kind)
    if shared is not None:
        return shared
    if all(map(_shareable, constants)):
        if len(_KINDS) >= _MAX_SHARED:
            _KINDS.clear()
        _KINDS[kind] = kind
    return kind


def remember_kind(table: dict[float, Kind], number: float, op: str, constants: Template) -> Kind:
    """The kind of a node of ``op`` with one ``number`` operand, remembered in ``table``
    (one op's table, by number, so that the next such node costs one lookup).

    >>> table: dict[float, Kind] = {}
    >>> remember_kind(table, 2.0, "*", (None, 2.0)), table
    (('*', (None, 2.0)), {2.0: ('*', (None, 2.0))})
    """
    kind = node_kind(op, constants)
    if _shareable(number):
        if len(table) >= _MAX_SHARED:
            table.clear()
        table[number] = kind
    return kind


def power_name(k: float) -> str:
    """micrograd's name for the op of ``a ** k`` with a number ``k``.

    >>> power_name(2.0), power_name(-1.0), power_name(0.5)
    ('**2', '**-1', '**0.5')
    """
    return _POWER_NAMES.get(k) or f"**{k:g}"


_POWER_NAMES = {float(k): f"**{k}" for k in range(-4, 5)}
RENAMED: dict[str, Callable[[float], str]] = {"**": power_name}
"""The ops whose node is named by their number operand: op → name(number)."""

_gc_lock = threading.Lock()
_gc_depth = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause CPython's *cyclic* garbage collector inside the ``with`` block.

    Graphs of Values never contain reference cycles (a node points only to
    the nodes it was computed from), so reference counting alone frees them.
    But every node is a tracked object, and while a large graph is being built
    the cyclic collector keeps re-scanning all of them: measured here, about as
    much time as the engine's own work. ``fit`` pauses it for each training
    step and ``Value.backward`` for the backward pass. Nested and concurrent
    uses (the live Playground trains in a thread) are counted: the collector
    is enabled again when the last block ends, and only if it was enabled when
    the first began.

    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()

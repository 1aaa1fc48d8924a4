"""Switch the library's own version off while a write-it-yourself exercise runs.

Exercise 2.4 asks the student to write ``backward``: while their function
runs, ``Value.backward`` raises :class:`SwitchedOffError` ("exercise 2.4 asks
you to write backward yourself: `Value.backward` is switched off here").
:func:`switched_off` replaces the attributes for the duration of a ``with``
block and restores them afterwards, even when the block raises. Names in the
student's namespace bound to the same objects (``from micrograd_edu.train
import fit``) are replaced too. Every call is recorded, so a student's code
that catches the error is still caught.

>>> from micrograd_edu import Value
>>> with switched_off("2.4", "backward", [(Value, "backward", "Value.backward")]) as calls:
...     Value(2.0).backward()
Traceback (most recent call last):
...
micrograd_edu.exercises.switch.SwitchedOffError: ✗ Exercise 2.4: exercise 2.4 asks you to write \
backward yourself: `Value.backward` is switched off here
  mistake:  the library's own version called — ...
>>> v = Value(2.0); v.backward(); v.grad  # restored
1.0

While the block runs, a copy of a switched-off function is refused too (its code object
reused through ``types.FunctionType``, or its source compiled again): see :mod:`.copies`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from types import CodeType, FunctionType
from typing import Any, TypeGuard

from .copies import Watch, module_file, source_functions
from .mistakes import WrongAnswerError

__all__ = [
    "DERIVATIVE_ROUTES",
    "NEW_PROCESSES",
    "NOT_IMPORTED",
    "WATCH",
    "SwitchedOffError",
    "Target",
    "resolve",
    "route_codes",
    "switched_off",
]

Target = tuple[Any, str, str]
"""(owner: a class or module, attribute name, the name shown to the student)."""

DERIVATIVE_ROUTES: tuple[tuple[str, str], ...] = (
    ("micrograd_edu.engine:Value", "backward"),
    ("micrograd_edu.engine:Value", "_backward"),
    ("micrograd_edu.explain", "explain_grad"),
    ("micrograd_edu.explain.paths", "_list_paths"),
    ("micrograd_edu.explain.gradcheck", "numerical_grad"),
    ("micrograd_edu.exercises.graphs", "simulated_grads"),
    ("micrograd_edu.exercises.value_mistakes", "_backprop"),
    ("micrograd_edu.tape.tape:Tape", "backward"),
    ("micrograd_edu.tape.scalar:ScalarProgram", "backward"),
    ("micrograd_edu.tape.batch:BatchProgram", "backward"),
    ("micrograd_edu.visualize.backward", "backward_steps"),
    ("torch._tensor:Tensor", "backward"),
    ("torch.autograd", "backward"),
    ("torch.autograd", "grad"),
    ("sympy.core.function", "diff"),
    ("sympy.core.function:Derivative", "__new__"),
    ("numpy", "gradient"),
    ("numpy.lib._function_base_impl", "gradient"),
    ("numpy.lib.function_base", "gradient"),
)
"""Every route by which the library computes a derivative, as an exercise's ``switch``
entries: switched off wherever the student is to find one (x · y⁻¹ then backward,
explain_grad's path sums, central differences, the tape's backward, the backward player's
steps, the checks' own simulated backward passes (2.4's and 2.6's) all gave the right
numbers without the calculus or the chain rule), and what the course's installation brings:
PyTorch's autograd, SymPy's symbolic derivatives (PyTorch needs SymPy), NumPy's finite
differences. A module not imported when the check starts is not imported for it (the tape
needs NumPy, ``visualize`` is not the core's to import, PyTorch is heavy): its functions are
refused when they run (:mod:`.copies`)."""

_STARTS = ("fork", "forkpty", "system", "posix_spawn", "posix_spawnp", "execv", "execve")
NEW_PROCESSES: tuple[tuple[str, str], ...] = (
    *((module, name) for module in ("os", "posix") for name in _STARTS),
    ("_posixsubprocess", "fork_exec"),
    ("subprocess", "_fork_exec"),
)
"""Every way a new process starts (``subprocess``, ``multiprocessing``, ``os.system`` go
through them): switched off with the library while a write-it-yourself check runs, since a
new Python process would run the library switched on."""

WATCH: tuple[tuple[str, str], ...] = (
    ("sys", "settrace"),
    ("sys", "setprofile"),
    ("threading", "settrace"),
    ("threading", "setprofile"),
)
"""What would take away the hook that refuses copies (:mod:`.copies`): switched off with it."""

NOT_IMPORTED = ("micrograd_edu.tape", "micrograd_edu.visualize")
"""Modules of the package that :func:`resolve` does not import when they are not imported yet."""


class SwitchedOffError(WrongAnswerError):
    """The library's version of what the exercise asks the student to write was called."""

    def __init__(self, number: str, what: str, shown: str, copy: bool = False) -> None:
        self.shown = shown
        how = " (its code is refused however it is reached, copies included)" if copy else ""
        super().__init__(
            number,
            f"exercise {number} asks you to write {what} yourself: "
            f"`{shown}` is switched off here{how}",
            mistake="library-call",
        )


def resolve(paths: Sequence[tuple[str, str]]) -> list[Target]:
    """Targets from ``(owner path, attribute)`` pairs such as ``("micrograd_edu.engine:Value",
    "backward")``; owners that do not exist (or lack the attribute) are skipped, and so are
    modules not imported yet that are not the package's own or are in :data:`NOT_IMPORTED`
    (:func:`route_codes` still refuses their code)."""
    targets: list[Target] = []
    for owner_path, attribute in paths:
        module_name, _, rest = owner_path.partition(":")
        owner = _module(module_name)
        for part in rest.split(".") if rest and owner is not None else []:
            owner = getattr(owner, part, None)
        if owner is not None and hasattr(owner, attribute):
            targets.append((owner, attribute, _shown(owner_path, attribute)))
    return targets


def _module(name: str) -> Any:
    if name in sys.modules:
        return sys.modules[name]
    ours = name.split(".")[0] == "micrograd_edu"
    if not ours or any(name == n or name.startswith(f"{n}.") for n in NOT_IMPORTED):
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _shown(owner_path: str, attribute: str) -> str:
    module_name, _, rest = owner_path.partition(":")
    return f"{rest or module_name.rsplit('.', 1)[-1]}.{attribute}"


def _plain(function: Any) -> TypeGuard[FunctionType]:
    """A function whose code is its own (a closure made by a builder shares its code)."""
    return isinstance(function, FunctionType) and not function.__code__.co_freevars


def route_codes(
    paths: Sequence[tuple[str, str]], targets: Sequence[Target] = ()
) -> list[tuple[CodeType, str]]:
    """The code of every switched-off function, with the name shown: the function's own
    code where it is a plain function, else the code compiled from its owner's source (for
    an op, its rule: ``Value.__truediv__``'s ``a / b, (1/b, -a/b²)``), also for a module not
    imported (its file is compiled, not run). Call it before :func:`switched_off` swaps them."""
    codes: list[tuple[CodeType, str]] = []
    for owner, attribute, shown in targets:
        function = getattr(owner, attribute, None)
        if _plain(function):
            codes.append((function.__code__, shown))
        elif isinstance(owner, type):
            codes += _from_source(owner.__module__, f"{owner.__qualname__}.{attribute}", shown)
        else:  # a module's attribute made by a decorator (NumPy's dispatchers)
            codes += _from_source(owner.__name__, attribute, shown)
    resolved = {shown for _, _, shown in targets}
    for owner_path, attribute in paths:
        shown = _shown(owner_path, attribute)
        if shown not in resolved:
            module_name, _, rest = owner_path.partition(":")
            qualname = f"{rest}.{attribute}" if rest else attribute
            codes += _from_source(module_name, qualname, shown)
    return codes


def _from_source(module_name: str, qualname: str, shown: str) -> list[tuple[CodeType, str]]:
    path = module_file(module_name)
    code = source_functions(path).get(qualname) if path is not None else None
    return [(code, shown)] if code is not None else []


def _stand_in(
    number: str,
    what: str,
    shown: str,
    calls: list[str],
    original: Any,
    live: list[bool],
    allowed: Any = None,
) -> Any:
    """Raises while the block runs, unless called with ``allowed`` (the watch's own hook, set
    by ``threading`` in the threads started meanwhile); afterwards (a module imported
    meanwhile kept it, as ``subprocess`` keeps ``fork_exec``) it is the original again."""

    def switched_off_here(*args: Any, **kwargs: Any) -> Any:
        if not live or (allowed is not None and args == (allowed,)):
            return original(*args, **kwargs)
        calls.append(shown)
        raise SwitchedOffError(number, what, shown)

    return switched_off_here


def _trap_code(function: Any, stand_in: Any) -> list[tuple[Any, Any, str]]:
    """Make ``function`` itself call ``stand_in`` (its ``__code__`` swapped), so that a
    reference saved before the block (``def backward(root, _b=Value.backward)``) is
    switched off too. Returns what to restore; nothing for what is not a plain function
    or has a closure (its code cannot be swapped)."""
    if not isinstance(function, FunctionType) or function.__code__.co_freevars:
        return []
    key = f"__micrograd_edu_switched_off_{id(function)}__"
    source = f"def _switched_off(*args, **kwargs):\n    return {key}(*args, **kwargs)\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, function.__code__.co_filename, "exec"), namespace)
    code = function.__code__
    function.__globals__[key] = stand_in
    function.__code__ = namespace["_switched_off"].__code__
    return [(function, code, key)]


@contextmanager
def switched_off(
    number: str,
    what: str,
    targets: Sequence[Target],
    namespace: MutableMapping[str, Any] | None = None,
    routes: Sequence[tuple[str, str]] = (),
) -> Iterator[list[str]]:
    """Inside the block each target raises :class:`SwitchedOffError`; yields the calls made.

    ``what`` is what the exercise asks for ("backward"); ``namespace`` (the
    student's globals) has its names bound to a target's original replaced too.
    The code of every target and of every route in ``routes`` (``(owner path,
    attribute)``, imported or not) is refused wherever it starts running, a copy of it
    too (:class:`~micrograd_edu.exercises.copies.Watch`); and while anything is switched
    off, so is starting a process (:data:`NEW_PROCESSES`) and taking the hook away
    (:data:`WATCH`).
    """
    around = resolve((*NEW_PROCESSES, *WATCH)) if targets or routes else []
    calls: list[str] = []
    live = [True]  # emptied when the block ends
    saved: list[tuple[Any, str, Any, bool]] = []
    renamed: list[tuple[str, Any]] = []
    trapped: list[tuple[Any, Any, str]] = []
    watch = Watch(  # made first: it keeps the real settrace functions
        route_codes(routes, targets),
        calls,
        lambda shown: SwitchedOffError(number, what, shown, copy=True),
    )
    try:
        for owner, attribute, shown in [*targets, *around]:
            original = getattr(owner, attribute)
            hook = watch.hook if (owner, attribute, shown) in around else None
            stand_in = _stand_in(number, what, shown, calls, original, live, hook)
            saved.append((owner, attribute, vars(owner).get(attribute), attribute in vars(owner)))
            setattr(owner, attribute, stand_in)
            if (owner, attribute, shown) not in around:  # the watch calls those it kept
                trapped.extend(_trap_code(original, stand_in))
            renamed += _rename(namespace, original, stand_in)
        with watch:
            yield calls
    finally:
        for function, code, key in reversed(trapped):
            function.__code__ = code
            function.__globals__.pop(key, None)
        for owner, attribute, original, own in reversed(saved):
            if own:
                setattr(owner, attribute, original)
            else:
                delattr(owner, attribute)
        for name, value in renamed:
            if namespace is not None:
                namespace[name] = value
        live.clear()


def _rename(
    namespace: MutableMapping[str, Any] | None, original: Any, stand_in: Any
) -> list[tuple[str, Any]]:
    """Bind the student's names for ``original`` to ``stand_in``; what to restore."""
    renamed = [(name, value) for name, value in (namespace or {}).items() if value is original]
    for name, _ in renamed:
        if namespace is not None:
            namespace[name] = stand_in
    return renamed

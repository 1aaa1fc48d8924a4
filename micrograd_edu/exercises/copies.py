"""Copies of switched-off functions, refused while a write-it-yourself check runs.

:mod:`.switch` switches a library function off where it can be reached: its attribute, the
names bound to it, its own code object. A *copy* is other code that does the same:
``types.FunctionType(f.__code__, globals())`` made before the check (the function's own code
object), ``exec`` of :func:`inspect.getsource`'s text (new code, same bytecode), or the
function reached through a module imported only while the check runs. :class:`Watch` is a
trace hook (:func:`sys.settrace`; :func:`threading.settrace` for the threads started
meanwhile) that looks once at each code object starting to run and refuses it when it is

* **a switched-off function's own code**, wherever it came from: found by its file, name and
  first line. The library's source files are compiled, never imported, to know these, so a
  module imported only inside the student's function is covered too (PyTorch's
  ``Tensor.backward`` with it); or
* **the same bytecode** as a switched-off function: the same instructions with the same
  constants and names, whatever the local variables are called, the docstring and the line
  numbers. Only for functions of at least :data:`MIN_INSTRUCTIONS` instructions: equal
  bytecode in a shorter one (a ``raise NotImplementedError`` stub, the one-line chain-rule
  step ``Value._backward``) is what anyone writes, not evidence of a copy.

The hook cannot be taken away unseen: ``sys.settrace`` and ``setprofile`` are switched off
with the library (:data:`.switch.WATCH`), and a hook gone at the end of the check counts as a
call of ``sys.settrace`` — unless Python took it away itself: the hook is a Python function
called as each function starts, so at the recursion limit it is the hook that cannot start,
and Python then removes it (:data:`RECURSION_MARGIN`). Not covered: code that differs by one
instruction (an edited copy), code run in a thread started before the check, a copy run at a
module's top level (``exec`` of a function's body), and a copy run after the student's code
recursed to the limit and caught the RecursionError. Copying is a human matter; the grader
flags notebooks that use ``getsource``, ``compile``, ``exec`` or ``FunctionType`` for a
teacher to read.

>>> def backward(root):  # a "library" function
...     for node in reversed(root):
...         node.append(sum(node))
...     return [len(node) for node in root]
>>> twin = compile("def mine(r):\\n for n in reversed(r):\\n  n.append(sum(n))\\n"
...                " return [len(n) for n in r]", "<copy>", "exec").co_consts[0]
>>> same_bytecode(twin, backward.__code__)
True
"""

from __future__ import annotations

import dis
import importlib.util
import os
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

__all__ = [
    "MIN_INSTRUCTIONS",
    "RECURSION_MARGIN",
    "Watch",
    "fingerprint",
    "same_bytecode",
    "source_functions",
]

MIN_INSTRUCTIONS = 30
"""Functions shorter than this are refused as themselves (their own code), never as bytecode."""
RECURSION_MARGIN = 50
"""A hook gone at the end is Python's doing, not the student's, when the last function it saw
start was this close to the recursion limit (a deep recursion, its RecursionError caught)."""

Location = tuple[str, int, str]
"""Where a function's code was compiled from: (real file path, first line, name)."""

_SKIPPED = {"RESUME", "NOP", "CACHE", "PRECALL", "EXTENDED_ARG"}
_LOCAL = set(dis.haslocal) | set(dis.hasfree)
_FUNCTION = 0x3  # CO_OPTIMIZED | CO_NEWLOCALS: a function's code (a class body has neither)


def fingerprint(code: CodeType) -> tuple[Any, ...]:
    """The code's instructions with their arguments resolved: constants by value (nested code
    by its fingerprint), names by name, local variables by slot (their names left out).

    >>> def f(a):
    ...     return a + 1
    >>> def g(b):
    ...     'Another name, a docstring, other lines: the same program.'
    ...     return b + 1
    >>> fingerprint(f.__code__) == fingerprint(g.__code__)
    True
    """
    items: list[tuple[str, Any]] = []
    for ins in dis.get_instructions(code):
        if ins.opname in _SKIPPED:
            continue
        if isinstance(ins.argval, CodeType):
            items.append((ins.opname, fingerprint(ins.argval)))
        elif ins.opcode in _LOCAL:
            items.append((ins.opname, ins.arg))
        elif ins.opcode in dis.hasconst:
            items.append((ins.opname, (type(ins.argval).__name__, repr(ins.argval))))
        else:
            items.append((ins.opname, ins.argval))
    return (code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount, tuple(items))


def same_bytecode(code: CodeType, other: CodeType) -> bool:
    """Whether two code objects are the same program (see :func:`fingerprint`)."""
    return fingerprint(code) == fingerprint(other)


_PRINTED: dict[int, tuple[CodeType, tuple[Any, ...] | None]] = {}


def _printed(code: CodeType) -> tuple[Any, ...] | None:
    """The fingerprint of a switched-off function's code, None when it is too short."""
    known = _PRINTED.get(id(code))
    if known is None:
        size = sum(ins.opname not in _SKIPPED for ins in dis.get_instructions(code))
        known = _PRINTED[id(code)] = (code, fingerprint(code) if size >= MIN_INSTRUCTIONS else None)
    return known[1]


def _prefilter(code: CodeType) -> tuple[Any, ...]:
    """A cheap key that a copy shares with its original (checked before the fingerprint)."""
    return (code.co_argcount, code.co_kwonlyargcount, tuple(sorted(code.co_names)))


# ---------------------------------------------------------------------- the library's source
def module_file(name: str) -> Path | None:
    """The source file of module ``name``, found without importing it (or its package).

    >>> module_file("micrograd_edu.tape.tape").name
    'tape.py'
    """
    module = sys.modules.get(name)
    if module is not None:
        found = getattr(module, "__file__", None)
        return Path(found) if found and str(found).endswith(".py") else None
    top, *rest = name.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if not rest:
        return Path(spec.origin) if spec.origin and spec.origin.endswith(".py") else None
    locations = list(spec.submodule_search_locations or [])
    if not locations:
        return None
    folder = Path(locations[0])
    for part in rest[:-1]:
        folder = folder / part
    for candidate in (folder / rest[-1] / "__init__.py", folder / f"{rest[-1]}.py"):
        if candidate.is_file():
            return candidate
    return None


_SOURCES: dict[tuple[str, float], dict[str, CodeType]] = {}


def source_functions(path: Path) -> dict[str, CodeType]:
    """Every function compiled from the file ``path``, by qualified name (its ``__qualname__``).

    The file is compiled, not run. Cached while the file is unchanged.
    """
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError:
        return {}
    if key not in _SOURCES:
        try:
            top = compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
        except (OSError, SyntaxError, ValueError):
            return {}
        found: dict[str, CodeType] = {}
        _collect(top, "", found)
        _SOURCES[key] = found
    return _SOURCES[key]


def _collect(code: CodeType, prefix: str, found: dict[str, CodeType]) -> None:
    for const in code.co_consts:
        if not isinstance(const, CodeType) or const.co_name.startswith("<"):
            continue
        qualname = f"{prefix}{const.co_name}"
        if const.co_flags & _FUNCTION:  # its own nested functions are <locals>
            found.setdefault(qualname, const)
            _collect(const, f"{qualname}.<locals>.", found)
        else:  # a class body
            _collect(const, f"{qualname}.", found)


# ---------------------------------------------------------------------- the watch
class Watch:
    """While active, refuses every code object that is a switched-off function or its copy.

    ``codes`` maps each switched-off function's code to the name shown to the student;
    ``refuse(shown)`` makes the exception raised where such code starts (the call is also
    appended to ``calls``, so that code catching the exception is still caught).
    """

    def __init__(
        self,
        codes: Iterable[tuple[CodeType, str]],
        calls: list[str],
        refuse: Callable[[str], BaseException],
    ) -> None:
        self.calls, self.refuse = calls, refuse
        self.places: dict[Location, str] = {}
        self.prints: dict[tuple[Any, ...], dict[tuple[Any, ...], str]] = {}
        for code, shown in codes:
            self.places[_location(code)] = shown
            printed = _printed(code)
            if printed is not None:
                self.prints.setdefault(_prefilter(code), {})[printed] = shown
        self.seen: dict[int, tuple[CodeType, str | None]] = {}
        self.active = self.refused = False
        self.last: FrameType | None = None  # the last frame the hook saw start
        self.previous: Any = None
        self.previous_threads: Any = None
        self.hook = self._hook  # one bound method, to know it again
        self.settrace, self.settrace_threads = sys.settrace, threading.settrace  # the real ones

    def __enter__(self) -> Watch:
        self.previous, self.previous_threads = sys.gettrace(), threading.gettrace()
        self.active = True
        self.settrace_threads(self.hook)
        self.settrace(self.hook)
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop watching; if the student's code took the hook away, that is a call too."""
        self.active = False
        gone = sys.gettrace() is not self.hook and not self.refused
        if gone and not self._at_the_recursion_limit():
            self.calls.append("sys.settrace")
        self.last = None
        self.settrace(self.previous)
        self.settrace_threads(self.previous_threads)

    def _at_the_recursion_limit(self) -> bool:
        """Whether the last function the hook saw start was at the recursion limit (then the
        hook could not start for the next one, and Python took it away)."""
        depth, frame = 0, self.last
        while frame is not None:
            depth, frame = depth + 1, frame.f_back
        return depth + RECURSION_MARGIN >= sys.getrecursionlimit()

    def which(self, code: CodeType) -> str | None:
        """The switched-off function ``code`` is (or copies), if any; remembered per code."""
        known = self.seen.get(id(code))
        if known is not None:
            return known[1]
        shown = self.places.get(_location(code))
        candidates = self.prints.get(_prefilter(code))
        if shown is None and candidates:
            shown = candidates.get(fingerprint(code))
        self.seen[id(code)] = (code, shown)  # kept alive: its id is not reused meanwhile
        return shown

    def _hook(self, frame: FrameType, event: str, arg: Any) -> Any:
        if not self.active:  # a thread started meanwhile outlived the check
            self.settrace(None)
            return None
        self.last = frame
        try:
            shown = self.which(frame.f_code)
        except Exception:  # code the disassembler cannot read: not a copy of ours
            shown = None
        if shown is not None:
            self.calls.append(shown)
            self.refused = True  # Python takes the hook away when it raises
            raise self.refuse(shown)
        return self.previous(frame, event, arg) if self.previous is not None else None


_REAL: dict[str, str] = {}


def _location(code: CodeType) -> Location:
    path = _REAL.get(code.co_filename)
    if path is None:
        path = _REAL[code.co_filename] = os.path.realpath(code.co_filename)
    return (path, code.co_firstlineno, code.co_name)

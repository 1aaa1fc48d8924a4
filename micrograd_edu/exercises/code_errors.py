"""An exception raised by the student's own code, shown as feedback the student can act on.

When the student's function raises (``b^2`` on a Value, a lambda with the
wrong number of arguments, ``math.tanh(value)``), the check says so in one
block, with the error's type and message and the line of the student's cell
that raised it — never a traceback through the checker:

.. code-block:: text

    ✗ Exercise 1.2: your code raised TypeError: unsupported operand type(s) for ^: ...
      line 2 of your cell:  return 2 * x^3 - 5 * x + 1
      hint:     ^ is Python's bitwise xor: a power is written **

The line is the last frame of the traceback that belongs to neither this
package nor the Python installation (the student's cell, or their own file).
The grader gets the same text through the probe's record (:func:`record_text`,
:func:`from_record`): the first line is the error, the second where it was.
"""

from __future__ import annotations

import dis
import functools
import linecache
import os
import re
import sys
import sysconfig
from pathlib import Path
from types import TracebackType
from typing import ClassVar

from .mistakes import WrongAnswerError

__all__ = ["StudentCodeError", "definition", "error_hint", "from_record", "location"]

_PACKAGES = tuple(
    str(path.resolve())
    for path in (Path(__file__).parents[1], Path(__file__).parents[1] / "visualize")
)
_CELL = re.compile(r"(ipykernel_\d+[/\\]\d+\.py|<ipython-input-\d+-[0-9a-f]+>)$")

_HINTS = (
    (r"unsupported operand type\(s\) for \^", "^ is Python's bitwise xor: a power is written **"),
    (
        r"must be real number, not Value|can't convert type 'Value'|"
        r"float\(\) argument must be .*Value|'Value' object cannot be interpreted",
        "math, statistics and NumPy's functions work on plain numbers: build the answer with "
        "the Values' own operators and methods (+, *, **, .tanh(), .log(), .exp())",
    ),
    (
        r"takes \d+ positional arguments? but \d+ (were|was) given|missing \d+ required",
        "the function is called with a different number of arguments than it accepts: "
        "compare its parameters with what the exercise passes it",
    ),
    (
        r"'NoneType' object|'NoneType' and|and 'NoneType'",
        "a None was used as a number or a function: something was left None, or a function "
        "without `return` gave None",
    ),
    (r"is not defined", "a name is used before it was defined: was its cell run?"),
    (
        r"maximum recursion depth exceeded",
        "a function called itself (directly, or through an operator) again and again until "
        "Python stopped it: follow what each call calls",
    ),
    (r"has no attribute", "check the name of the attribute or method (a typo?)"),
)


@functools.cache
def _library_prefixes() -> tuple[str, ...]:
    """Where the Python installation keeps code: the standard library, installed packages."""
    paths = sysconfig.get_paths()
    roots = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    roots |= {sys.prefix, sys.base_prefix, sys.exec_prefix}
    return tuple(str(Path(root).resolve()) for root in roots if root)


def _is_students(filename: str) -> bool:
    if filename.startswith("<frozen"):
        return False
    if filename.startswith("<"):
        return True
    path = str(Path(filename).resolve())
    return not any(
        path == root or path.startswith(root.rstrip(os.sep) + os.sep)
        for root in _PACKAGES + _library_prefixes()
    )


def location(tb: TracebackType | None) -> tuple[str, str] | None:
    """Where in the student's code ``tb`` was raised: ("line 3 of your cell", the line's text).

    None when no frame of the traceback is the student's. A frame that raised before it ran
    an instruction of its own (the recursion limit reached as it started, where the checks'
    trace hook runs: :mod:`.copies`) names its caller's line, the call, not its ``def``.
    """
    found = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if _is_students(code.co_filename) and (found is None or _started(tb)):
            found = (code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    if found is None:
        return None
    filename, line = found
    name = "your cell" if _CELL.search(filename) else Path(filename).name
    return f"line {line} of {name}", linecache.getline(filename, line).strip()[:120]


def _started(tb: TracebackType) -> bool:
    """Whether the frame of ``tb`` ran past its start (its first ``RESUME``, if any)."""
    start = next(
        (i.offset for i in dis.get_instructions(tb.tb_frame.f_code) if i.opname == "RESUME"), -1
    )
    return tb.tb_lasti > start


def definition(function: object) -> tuple[str, str] | None:
    """Where the student's ``function`` was defined, as :func:`location` says it, or None."""
    code = getattr(function, "__code__", None)
    filename = getattr(code, "co_filename", None)
    if not isinstance(filename, str) or not _is_students(filename):
        return None
    line = int(getattr(code, "co_firstlineno", 0))
    name = "your cell" if _CELL.search(filename) else Path(filename).name
    return f"line {line} of {name}", linecache.getline(filename, line).strip()[:120]


def error_hint(text: str) -> str | None:
    """A hint for the common errors of students' code, from the error's text."""
    for pattern, hint in _HINTS:
        if re.search(pattern, text):
            return hint
    return None


def _one_line(error: BaseException) -> str:
    try:
        message = str(error)
    except Exception:  # a __str__ that raises
        message = ""
    message = " ".join(message.split())[:200]
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


class StudentCodeError(WrongAnswerError):
    """The student's code raised ``error`` while the check ran it (an "error" outcome).

    ``message`` is the error on one line (``"TypeError: ..."``), ``line``
    (``"line 3 of your cell"``) and ``code`` where the student's code raised it
    (None if unknown).
    """

    status: ClassVar[str] = "error"

    def __init__(
        self, exercise: str, message: str, where: str | None = None, code: str | None = None
    ) -> None:
        self.message = message
        self.line = where
        self.code = code
        super().__init__(exercise, f"your code raised {message}", hint=error_hint(message))

    @property
    def summary(self) -> str:
        return self.message

    def details(self) -> list[str]:
        if self.line is None:
            return []
        return [f"  {self.line}:  {self.code}" if self.code else f"  {self.line}"]

    @classmethod
    def from_exception(
        cls, exercise: str, error: BaseException, blame: object = None
    ) -> StudentCodeError:
        """The feedback for ``error``, raised by the student's code (or by calling ``blame``)."""
        where = location(error.__traceback__) or definition(blame)
        return cls(exercise, _one_line(error), *(where or (None, None)))

    def record_text(self) -> str:
        """The probe's record of this error: the error's line, then where (if known)."""
        if self.line is None:
            return self.message
        return f"{self.message}\n{self.line}:  {self.code or ''}".rstrip()


def from_record(exercise: str, text: str) -> StudentCodeError:
    """The error back from the probe's record (:meth:`StudentCodeError.record_text`).

    >>> text = "NameError: name 'bb' is not defined\\nline 2 of your cell:  a / bb"
    >>> error = from_record("2.2", text)
    >>> print(error.at_stage(2))
    ✗ Exercise 2.2: your code raised NameError: name 'bb' is not defined
      line 2 of your cell:  a / bb
      hint:     a name is used before it was defined: was its cell run?
    """
    message, _, where = text.partition("\n")
    place, _, code = where.partition(":  ")
    return StudentCodeError(exercise, message, place or None, code or None)

"""The probe, as it runs in the student's kernel: :func:`probe_all`.

The grader appends one cell, :func:`~micrograd_edu.exercises.grading.probe_cell`,
that calls :func:`probe_all` with the hidden cases and the notebook's globals.
For each exercise it finds the student's objects by the course's names, runs
the probe (the library's own version switched off), and collects plain data
or the error; what the student's code prints meanwhile is dropped. Then it
prints exactly one line: the marker and the JSON record of every exercise.

Nothing here decides a grade: the judge does, in the grader's process.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

from .code_errors import StudentCodeError
from .core import load, run_probe
from .grading import FORM, NOT_DONE, PROBE_MARKER, SWITCHED_OFF
from .mistakes import WrongAnswerError, unfinished_detail
from .registry import ENTRIES
from .switch import SwitchedOffError

__all__ = ["ProbeTimeoutError", "probe_all", "probe_one"]

MAX_ERROR = 300


class ProbeTimeoutError(BaseException):
    """One exercise's probe ran past its time limit (a BaseException: ``except Exception``
    in the student's code does not swallow it)."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (where the platform has timers; else no limit)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if seconds <= 0 or not usable:
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise ProbeTimeoutError(f"it ran longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Sink:
    """A stream that drops everything written to it (the student's prints during the probe)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def probe_one(
    number: str, case: Any, namespace: MutableMapping[str, Any], time_limit: float = 0.0
) -> dict[str, Any]:
    """One exercise's record: ``{"data": ...}``, ``{"error": "..."}`` or ``{"missing": True}``.

    ``time_limit`` (seconds, 0: none) stops a probe that hangs, so that the
    other exercises are still probed.

    >>> probe_one("8.1", {"episodes": [[1.0, 1.0]], "gamma": 0.5}, {})
    {'missing': True}
    >>> probe_one("8.1", {"episodes": [[1.0, 1.0]], "gamma": 0.5}, {"returns_of": lambda e, g: 7})
    {'data': {'returns': 7, 'again': 7}}
    """
    entry = ENTRIES.get(number)
    if entry is None:
        return {"error": f"unknown exercise {number[:20]!r}"}
    if any(name not in namespace for name in entry.names):
        return {"missing": True}
    objects = tuple(namespace[name] for name in entry.names)
    try:
        with _time_limit(time_limit):
            return {"data": run_probe(load(number), case, objects, namespace)}
    except SwitchedOffError as error:
        return {"error": (SWITCHED_OFF + error.problem)[:MAX_ERROR]}
    except NotImplementedError as error:
        detail = unfinished_detail(error)
        return {"error": f"{NOT_DONE}: {detail}"[:MAX_ERROR] if detail else NOT_DONE}
    except StudentCodeError as error:  # the line of the student's code that raised, too
        return {"error": error.record_text()[:MAX_ERROR]}
    except WrongAnswerError as error:
        return {"error": f"{FORM}{error.problem}"[:MAX_ERROR]}
    except BaseException as error:  # the student's code: anything, even SystemExit
        return {"error": _error_text(error)}


def _error_text(error: BaseException) -> str:
    try:
        text = f"{type(error).__name__}: {error}".strip()
    except BaseException:  # a __str__ that raises
        text = type(error).__name__
    return text[:MAX_ERROR]


def probe_all(
    cases_json: str, namespace: MutableMapping[str, Any], time_limit: float = 0.0
) -> None:
    """Probe every exercise of ``cases_json`` in ``namespace``; print the one marked line.

    ``time_limit``: seconds allowed to each exercise's probe (0: no limit).
    """
    cases = json.loads(cases_json)
    records: dict[str, Any] = {}
    out, err = sys.stdout, sys.stderr
    sink = _Sink()
    try:
        sys.stdout = sys.stderr = sink
        for number, case in cases.items():
            records[number] = probe_one(number, case, namespace, time_limit)
    finally:
        sys.stdout, sys.stderr = out, err
    line = PROBE_MARKER + json.dumps(records, ensure_ascii=True, allow_nan=False)
    print(line, flush=True)

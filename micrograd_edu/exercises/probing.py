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
import sys
from collections.abc import MutableMapping
from typing import Any

from ..mistakes import WrongAnswerError
from .core import load, run_probe
from .grading import NOT_DONE, PROBE_MARKER, SWITCHED_OFF
from .registry import ENTRIES
from .switch import SwitchedOffError

__all__ = ["probe_all", "probe_one"]

MAX_ERROR = 300


class _Sink:
    """A stream that drops everything written to it (the student's prints during the probe)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def probe_one(number: str, case: Any, namespace: MutableMapping[str, Any]) -> dict[str, Any]:
    """One exercise's record: ``{"data": ...}``, ``{"error": "..."}`` or ``{"missing": True}``."""
    entry = ENTRIES.get(number)
    if entry is None:
        return {"error": f"unknown exercise {number[:20]!r}"}
    if any(name not in namespace for name in entry.names):
        return {"missing": True}
    objects = tuple(namespace[name] for name in entry.names)
    try:
        return {"data": run_probe(load(number), case, objects, namespace)}
    except SwitchedOffError as error:
        return {"error": (SWITCHED_OFF + error.problem)[:MAX_ERROR]}
    except NotImplementedError:
        return {"error": NOT_DONE}
    except WrongAnswerError as error:
        return {"error": f"WrongAnswerError: {error.problem}"[:MAX_ERROR]}
    except BaseException as error:  # the student's code: anything, even SystemExit
        return {"error": _error_text(error)}


def _error_text(error: BaseException) -> str:
    try:
        text = f"{type(error).__name__}: {error}".strip()
    except BaseException:  # a __str__ that raises
        text = type(error).__name__
    return text[:MAX_ERROR]


def probe_all(cases_json: str, namespace: MutableMapping[str, Any]) -> None:
    """Probe every exercise of ``cases_json`` in ``namespace``; print the one marked line."""
    cases = json.loads(cases_json)
    records: dict[str, Any] = {}
    out, err = sys.stdout, sys.stderr
    sink = _Sink()
    try:
        sys.stdout = sys.stderr = sink
        for number, case in cases.items():
            records[number] = probe_one(number, case, namespace)
    finally:
        sys.stdout, sys.stderr = out, err
    line = PROBE_MARKER + json.dumps(records, ensure_ascii=True, allow_nan=False)
    print(line, flush=True)

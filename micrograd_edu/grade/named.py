"""Mistakes the teacher names: groups of the same wrong answer, named in a small TOML file.

A wrong answer that no catalogued mistake explains is grouped, in the class report, with
the others that gave the *same answer to the common case* (the notebook's own example,
the same for every student; :func:`answer_id` is the group's id). The teacher names a
group in a TOML file, one ``[[mistake]]`` table each::

    [[mistake]]
    exercise = "2.4"
    answer = "5f0c2a9e81d4"          # the group's id, as report.md shows it
    name = "grads reset inside the loop"
    explanation = "each node's grad was set to 0 as it was reached, wiping its parents' shares"
    hint = "reset every grad once, before the loop"   # optional

``grade --mistakes FILE`` (or a ``mistakes.toml`` in the output folder) applies it when
grading, and ``grade --rejudge DIR`` to a class already graded: no code changes. The
file is read strictly: an unknown key, a missing one or a malformed id is an error that
names the table.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["NamedMistake", "NamedMistakesError", "answer_id", "load_named", "shown_answer"]

ID_LENGTH = 12
_ID = re.compile(rf"^[0-9a-f]{{{ID_LENGTH}}}$")
_REQUIRED = ("exercise", "answer", "name", "explanation")
_LIMITS = {"exercise": 20, "answer": ID_LENGTH, "name": 100, "explanation": 600, "hint": 600}


class NamedMistakesError(ValueError):
    """The teacher's mistakes file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class NamedMistake:
    """A wrong answer the teacher named: exercise, the group's answer id, name, why, a hint."""

    exercise: str
    answer: str
    name: str
    explanation: str
    hint: str = ""

    @property
    def code(self) -> str:
        """The mistake's code in the records: ``teacher:<exercise>:<answer id>``."""
        return f"teacher:{self.exercise}:{self.answer}"


def _canonical(value: Any) -> Any:
    """JSON data with floats at 10 significant digits (the last bits of a libm differ)."""
    if isinstance(value, float):
        return float(f"{value:.10g}") + 0.0  # + 0.0: no -0.0
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def answer_id(entry: Any) -> str:
    """The id of a probe's answer: 12 hex digits of the SHA-256 of its canonical JSON.

    >>> answer_id({"data": [0.1 + 0.2]}) == answer_id({"data": [0.3]})
    True
    >>> answer_id({"data": [1.0]})
    '8b188483e5d1'
    """
    try:
        text = json.dumps(_canonical(entry), sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        text = repr(entry)
    return hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()[:ID_LENGTH]


def shown_answer(entry: Any, limit: int = 160) -> str:
    """A probe's answer as short JSON for the teacher's report (cut with … past ``limit``).

    >>> shown_answer({"data": [1.0, 2.5]})
    '[1.0, 2.5]'
    >>> shown_answer({"error": "ValueError: no"})
    'raised ValueError: no'
    """
    if isinstance(entry, dict) and len(entry) == 1:
        ((kind, value),) = entry.items()
        if kind == "error":
            text = f"raised {value}"
        elif kind == "missing":
            text = "missing"
        else:
            text = json.dumps(_canonical(value), ensure_ascii=False)
    else:
        text = json.dumps(entry, ensure_ascii=False, default=repr)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise NamedMistakesError(f"{path}: cannot read it: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise NamedMistakesError(f"{path}: not valid TOML: {error}") from None
    return data


def _one(path: Path, index: int, table: Any) -> NamedMistake:
    where = f"{path}: [[mistake]] number {index}"
    if not isinstance(table, dict):
        raise NamedMistakesError(f"{where} is not a table")
    unknown = sorted(set(table) - set(_LIMITS))
    if unknown:
        raise NamedMistakesError(
            f"{where}: unknown key {unknown[0]!r} (known: {', '.join(_LIMITS)})"
        )
    for key in _REQUIRED:
        if key not in table:
            raise NamedMistakesError(f"{where}: no {key!r}")
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise NamedMistakesError(f"{where}: {key!r} must be a non-empty string")
        if len(value) > _LIMITS[key]:
            raise NamedMistakesError(f"{where}: {key!r} is longer than {_LIMITS[key]} characters")
    if not _ID.match(table["answer"]):
        raise NamedMistakesError(
            f"{where}: 'answer' must be the group's id as the report shows it "
            f"({ID_LENGTH} hex digits), not {table['answer']!r}"
        )
    return NamedMistake(**{key: value.strip() for key, value in table.items()})


def load_named(path: Path) -> dict[tuple[str, str], NamedMistake]:
    """The teacher's named mistakes, by (exercise, answer id). NamedMistakesError if unusable."""
    data = _toml(path)
    unknown = sorted(set(data) - {"mistake"})
    if unknown:
        raise NamedMistakesError(f"{path}: unknown key {unknown[0]!r} (write [[mistake]] tables)")
    tables = data.get("mistake", [])
    if not isinstance(tables, list):
        raise NamedMistakesError(f"{path}: 'mistake' must be [[mistake]] tables")
    named: dict[tuple[str, str], NamedMistake] = {}
    for index, table in enumerate(tables, 1):
        mistake = _one(path, index, table)
        key = (mistake.exercise, mistake.answer)
        if key in named:
            raise NamedMistakesError(
                f"{path}: [[mistake]] number {index} names exercise {key[0]}'s answer "
                f"{key[1]} again"
            )
        named[key] = mistake
    return named

"""A small course with the grading contract of micrograd_edu.exercises (for tests).

Notebook ``90_fake``: exercise 9.1 asks for ``double(x)``, 9.2 for ``square(x)``; notebook
``91_other``: 9.3 asks for ``cube(x)``. The probe calls them on the hidden cases; the judge
names a sign error. The optional parts of the contract are here too: the names each
exercise defines, a common case, a catalogue version. Small enough that a test reads it whole.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from micrograd_edu.exercises.mistakes import Outcome

PROBE_MARKER = "@@micrograd_edu.probe@@"
STEM = "90_fake"
OTHER = "91_other"
FUNCTIONS = {
    "9.1": ("double", lambda x: 2 * x),
    "9.2": ("square", lambda x: x * x),
    "9.3": ("cube", lambda x: x * x * x),
}
VERSION = "fake-1"


def course_exercises() -> dict[str, list[str]]:
    return {STEM: ["9.1", "9.2"], OTHER: ["9.3"]}


def exercise_names(number: str) -> tuple[str, ...]:
    return (FUNCTIONS[number][0],)


def common_case(number: str) -> list[int]:
    return [1, 2, 3]


def catalogue_version() -> str:
    return VERSION


def grading_cases(number: str, seed: int) -> list[int]:
    rng = random.Random(f"{number}/{seed}")
    return [rng.randint(-1000, 1000) for _ in range(3)]


def probe_cell(cases: dict[str, Any]) -> str:
    names = {number: FUNCTIONS[number][0] for number in cases}
    return f"""\
import json as _json
_out = {{}}
for _number, _name in {names!r}.items():
    if _name not in globals():
        _out[_number] = {{"missing": True}}
        continue
    try:
        _out[_number] = {{"data": [globals()[_name](_x) for _x in {cases!r}[_number]]}}
    except Exception as _error:
        _out[_number] = {{"error": f"{{type(_error).__name__}}: {{_error}}"}}
print({PROBE_MARKER!r} + _json.dumps(_out))
"""


def judge(number: str, case: list[int], probe: dict[str, Any]) -> Outcome:
    if "error" in probe:
        if str(probe["error"]).startswith("NotImplementedError"):
            return Outcome(number, "not done")
        return Outcome(number, "wrong", None, f"it raised {probe['error']}")
    expected = [FUNCTIONS[number][1](x) for x in case]
    if probe["data"] == expected:
        return Outcome(number, "passed")
    if probe["data"] == [-v for v in expected]:
        return Outcome(number, "wrong", "sign-error", "the values have the wrong sign")
    return Outcome(number, "wrong", None, "wrong values")


def notebook(*sources: str, tags: dict[int, list[str]] | None = None, stem: str = STEM) -> str:
    """A notebook (JSON text) of code cells, with course metadata naming ``stem``."""
    cells = []
    for index, source in enumerate(sources):
        metadata = {"tags": (tags or {}).get(index, [])}
        cells.append(
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": metadata,
                "outputs": [],
                "source": source,
            }
        )
    meta = {"micrograd_edu": {"notebook": stem, "exercises": course_exercises().get(stem, [])}}
    return json.dumps({"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 5})


RIGHT = ("def double(x):\n    return 2 * x\n", "def square(x):\n    return x * x\n")


def write(folder: Path, name: str, *sources: str, stem: str = STEM) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(notebook(*sources, stem=stem), encoding="utf-8")
    return path

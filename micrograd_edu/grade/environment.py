"""The grader's own environment, checked before any notebook runs.

A missing package is the teacher's to install, never a student's fault: the grader imports
what it needs first (:func:`problems`) and, when something is missing, stops with the pip
command to run (:func:`advice`) before any notebook starts, recording nothing. Everything
it needs is the ``grade`` extra: ``pip install "micrograd_edu[grade]"``.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterable
from typing import Any

__all__ = ["INSTALL", "KERNEL", "REPORT", "advice", "kernel_problems", "problems"]

INSTALL = '"micrograd_edu[grade]"'
"""What to install (pip's argument): the ``grade`` extra."""

KERNEL = (("zmq", "pyzmq"), ("jupyter_client", "jupyter_client"), ("ipykernel", "ipykernel"))
"""(module, distribution) the grader needs to run notebooks: a kernel and its messaging."""

REPORT = (("markdown_it", "markdown-it-py"),)
"""(module, distribution) the grader needs to write the class report's HTML."""

TOML = (("tomllib", "tomli"),) if sys.version_info >= (3, 11) else (("tomli", "tomli"),)
"""(module, distribution) that reads the teacher's mistakes file."""


Problem = tuple[str, str]
"""What is missing (with the error), and what to install for it."""


def problems(modules: tuple[tuple[str, str], ...]) -> list[Problem]:
    """Each package of ``modules`` that cannot be imported here, with the error it gave.

    >>> problems((("json", "json"),))
    []
    """
    found = []
    for module, distribution in modules:
        try:
            importlib.import_module(module)
        except Exception as error:  # ImportError, or a broken native library (OSError)
            found.append((f"{distribution} ({type(error).__name__}: {error})", INSTALL))
    return found


def kernel_problems(course: Any, notebooks: Iterable[str]) -> list[Problem]:
    """What the kernels cannot import for ``notebooks`` (the course's ``kernel_requirements``).

    Found, not imported (a kernel imports them): a course without the function needs none.
    """
    requirements = getattr(course, "kernel_requirements", None)
    found: dict[str, Problem] = {}
    for stem in sorted(set(notebooks)):
        for module, install in requirements(stem) if requirements is not None else []:
            if module not in found and importlib.util.find_spec(module) is None:
                why = f"No module named {module!r}; notebook {stem} imports it"
                found[module] = (f"{module} ({why})", install)
    return list(found.values())


def advice(missing: list[Problem]) -> str:
    """The message a teacher reads when the grader's packages are missing."""
    python = sys.executable or "python"
    lines = [f"the grader cannot start: packages it needs are missing or broken in {python}:"]
    lines += [f"  {what}" for what, _ in missing]
    lines.append("Install them into that Python, then run the same command again:")
    for install in dict.fromkeys(install for _, install in missing):
        lines.append(f"  {python} -m pip install {install}")
        if install == INSTALL:
            lines.append(f'(in a clone of the repository: {python} -m pip install -e ".[grade]")')
    lines.append("Nothing was graded and nothing was recorded.")
    return "\n".join(lines)

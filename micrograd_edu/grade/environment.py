"""The grader's own environment, checked before any notebook runs.

A missing package is the teacher's to install, never a student's fault: the grader imports
what it needs first (:func:`problems`) and, when something is missing, stops with the pip
command to run (:func:`advice`) before any notebook starts, recording nothing. Everything
it needs is the ``grade`` extra: ``pip install "micrograd_edu[grade]"``.
"""

from __future__ import annotations

import importlib
import sys

__all__ = ["INSTALL", "KERNEL", "REPORT", "advice", "problems"]

INSTALL = '"micrograd_edu[grade]"'
"""What to install (pip's argument): the ``grade`` extra."""

KERNEL = (("zmq", "pyzmq"), ("jupyter_client", "jupyter_client"), ("ipykernel", "ipykernel"))
"""(module, distribution) the grader needs to run notebooks: a kernel and its messaging."""

REPORT = (("markdown_it", "markdown-it-py"),)
"""(module, distribution) the grader needs to write the class report's HTML."""

TOML = (("tomllib", "tomli"),) if sys.version_info >= (3, 11) else (("tomli", "tomli"),)
"""(module, distribution) that reads the teacher's mistakes file."""


def problems(modules: tuple[tuple[str, str], ...]) -> list[str]:
    """Each package of ``modules`` that cannot be imported here, with the error it gave.

    >>> problems((("json", "json"),))
    []
    """
    found = []
    for module, distribution in modules:
        try:
            importlib.import_module(module)
        except Exception as error:  # ImportError, or a broken native library (OSError)
            found.append(f"{distribution} ({type(error).__name__}: {error})")
    return found


def advice(missing: list[str]) -> str:
    """The message a teacher reads when the grader's packages are missing."""
    python = sys.executable or "python"
    lines = [f"the grader cannot start: packages it needs are missing or broken in {python}:"]
    lines += [f"  {item}" for item in missing]
    lines += [
        "Install them into that Python, then run the same command again:",
        f"  {python} -m pip install {INSTALL}",
        f'(in a clone of the repository: {python} -m pip install -e ".[grade]")',
        "Nothing was graded and nothing was recorded.",
    ]
    return "\n".join(lines)

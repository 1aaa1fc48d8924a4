"""A git "clean" filter: the notebooks in git never carry outputs.

Git runs it on every notebook it stores (``git add``, ``git commit``,
``git status``): it reads the notebook on standard input and writes it back
without outputs or execution counts, in the layout Jupyter itself writes. The
notebook on disk keeps its outputs; only what git stores is clean, so a
notebook that was run shows no change in ``git status``.

Installed by ``make lab`` and ``make test``::

    git config filter.strip-outputs.clean "python3 notebooks/strip_outputs.py"

with ``notebooks/*.ipynb filter=strip-outputs`` in ``.gitattributes``. Only the
standard library is needed. Text that is not a notebook (a merge conflict, say)
passes through unchanged, so git never fails because of this filter.
"""

from __future__ import annotations

import json
import sys


def strip_outputs(text: str) -> str:
    """The notebook ``text`` without outputs and execution counts (or ``text`` itself)."""
    try:
        notebook = json.loads(text)
        cells = notebook["cells"]
    except (ValueError, KeyError, TypeError):
        return text
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    # The layout of nbformat.write: one-space indents, sorted keys, UTF-8, final newline.
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    data = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
    sys.stdout.buffer.write(strip_outputs(data).encode("utf-8", "surrogateescape"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

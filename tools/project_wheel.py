"""Build this project's wheel from a clean copy of its sources.

``pip wheel .`` builds in place, and setuptools never empties ``build/lib``:
a module deleted or turned into a package since an earlier build would still
be copied into the wheel. Copying just what the wheel is made of (the
``pyproject.toml``, the README it uses as description and the package, whose
``visualize`` link is copied as the folder it points to, without caches) into a
temporary folder avoids that. Standard library only.

Usage: ``python tools/project_wheel.py DIST`` (``make autograder`` does this).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "micrograd_edu")


def build_wheel(dist: Path, python: str = sys.executable) -> Path:
    """Build ``micrograd_edu-*.whl`` into ``dist`` (``pip wheel --no-deps``); returns its path."""
    dist.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="micrograd_edu-src-") as folder:
        source = Path(folder)
        for name in SOURCES:
            path = ROOT / name
            if path.is_dir():
                shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(path, source / name)
        subprocess.run(
            [python, "-m", "pip", "wheel", "--disable-pip-version-check", "-q", "--no-deps",
             "-w", str(dist), str(source)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    (wheel,) = dist.glob("micrograd_edu-*.whl")
    return wheel


def main(argv: list[str] | None = None) -> int:
    """``python tools/project_wheel.py DIST``: build the wheel into DIST; print its path."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python tools/project_wheel.py DIST", file=sys.stderr)
        return 2
    print(build_wheel(Path(args[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())

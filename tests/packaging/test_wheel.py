"""The wheel a student installs: built, installed outside the checkout, run as a student would.

One wheel is built (``pip wheel --no-deps`` on a clean copy of the sources) and
installed, not editable, into a fresh virtual environment in a temporary folder with only the base
dependencies (NumPy, tqdm: no matplotlib, no Jupyter, no torch). From there,
with the checkout out of reach (another working folder, ``PYTHONPATH`` unset),
``micrograd-edu demo`` and ``micrograd-edu notebooks`` run and notebook 1's
cells (all but the exercises) run in that environment's Python.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from micrograd_edu.cli import student
from tools.project_wheel import build_wheel

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
LIVE = "micrograd_edu.visualize.live"


def _run(command: list[str | Path], cwd: Path, timeout: float = 300) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["MPLBACKEND"] = "Agg"
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment outside the checkout, with the wheel and its base dependencies."""
    home = tmp_path_factory.mktemp("student")
    _run([sys.executable, "-m", "venv", "--without-pip", home / "venv"], cwd=home)
    python = home / "venv" / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", "--python", python]
    _run([*pip, "install", "--prefer-binary", wheel], cwd=home)
    return home


def _solution_lines(path: Path) -> set[str]:
    """The lines found only inside the notebook's solution blocks (longer than a keyword)."""
    text = "\n".join(
        "".join(cell["source"]) for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
    )
    block = re.compile(rf"{re.escape(student.BEGIN)}\n(.*?){re.escape(student.END)}", re.S)
    inside = {line.strip() for found in block.findall(text) for line in found.splitlines()}
    outside = {line.strip() for line in block.sub("", text).splitlines()}
    return {line for line in inside - outside if len(line) > 24}


def test_the_wheel_holds_no_solution(wheel: Path) -> None:
    solutions = {path.name: _solution_lines(path) for path in NOTEBOOKS}
    assert sum(map(len, solutions.values())) > 20  # the scan below has something to find
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        notebooks = sorted(n for n in names if n.startswith("micrograd_edu/course/"))
        assert [Path(n).name for n in notebooks] == [p.name for p in NOTEBOOKS]
        for name in names:
            text = archive.read(name).decode("utf-8", "replace")
            if not name.endswith(".dist-info/METADATA"):  # the README explains the markers
                assert student.BEGIN not in text and student.END not in text, name
            if name.endswith(".ipynb"):
                leaked = [line for line in solutions[Path(name).name] if line in text]
                assert not leaked, f"{name} holds solution lines: {leaked[:3]}"
    assert "micrograd_edu/visualize/live/app.py" in names  # subpackages are in the wheel too
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"micrograd_edu"}  # one import name: no top-level `visualize` beside it
    stale = [n for n in names if n.endswith(".py") and not (ROOT / n).is_file()]
    assert stale == [], "modules that are no longer in the sources"
    assert "micrograd_edu/cli/main.py" in names


def test_the_wheel_is_typed_for_the_users_type_checkers(wheel: Path, venv: Path) -> None:
    """PEP 561: ``py.typed`` in the wheel, so mypy reads the installed package's hints."""
    with zipfile.ZipFile(wheel) as archive:
        assert "micrograd_edu/py.typed" in archive.namelist()
    script = venv / "typed.py"
    script.write_text(
        "from micrograd_edu import Value\n\nx: int = Value(2.0) + 1\n", encoding="utf-8"
    )
    python = venv / "venv" / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--python-executable", str(python), "--no-incremental",
         "--cache-dir", os.devnull, "--strict", script.name],
        cwd=venv, env=env, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert checked.stdout.splitlines()[0] == (
        'typed.py:3: error: Incompatible types in assignment (expression has type "Value", '
        'variable has type "int")  [assignment]'
    ), checked.stdout + checked.stderr


def test_demo_runs_from_the_installed_wheel(venv: Path) -> None:
    out = _run([venv / "venv" / "bin" / "micrograd-edu", "demo", "--epochs", "2"], cwd=venv)
    assert "  g =    24.7041   dg/dg =     1.0000" in out
    assert "  a =    -4.0000   dg/da =   138.8338" in out
    assert "pictures skipped: matplotlib and graphviz not installed" in out
    assert (venv / "out" / "model.json").is_file()
    python = venv / "venv" / "bin" / "python"
    where = _run([python, "-c", "import micrograd_edu; print(micrograd_edu.__file__)"], cwd=venv)
    assert where.startswith(str(venv / "venv")), "the checkout was imported, not the wheel"


def test_commands_without_the_extras_print_help_or_one_line_never_a_traceback(
    venv: Path,
) -> None:
    """The wheel alone (NumPy, tqdm: no graphviz, no matplotlib): ``--help`` still works."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    bin_ = venv / "venv" / "bin"

    def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(part) for part in command],
            cwd=venv, env=env, capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip

    pictures = run(bin_ / "python", "-m", "micrograd_edu.visualize", "--help")
    assert (pictures.returncode, pictures.stderr) == (0, "")
    assert pictures.stdout.startswith("usage: python -m micrograd_edu.visualize [-h] [--out OUT]")
    written = run(bin_ / "python", "-m", "micrograd_edu.visualize", "--out", "pictures")
    assert (written.returncode, written.stdout) == (1, "")
    assert written.stderr == (
        "python -m micrograd_edu.visualize: error: the pictures need matplotlib and graphviz "
        '(not installed): pip install "micrograd_edu[viz]"\n'
    )
    for prog, command in [
        ("micrograd-edu playground", [bin_ / "micrograd-edu", "playground"]),
        ("python -m micrograd_edu.visualize.live", [bin_ / "python", "-m", LIVE]),
    ]:
        helped = run(*command, "--help")
        assert (helped.returncode, helped.stderr) == (0, "")
        assert helped.stdout.startswith(f"usage: {prog} [-h] [--port PORT]")
        served = run(*command)
        assert (served.returncode, served.stdout) == (1, "")
        assert served.stderr == (
            f"{prog}: error: the Playground needs matplotlib, graphviz, ipywidgets, anywidget, "
            'voila and ipykernel (not installed): pip install "micrograd_edu[course]"\n'
        )


def test_notebooks_command_and_notebook_1_from_the_installed_wheel(venv: Path) -> None:
    cli = venv / "venv" / "bin" / "micrograd-edu"
    printed = _run([cli, "notebooks", "course"], cwd=venv)
    assert printed.count("wrote course") == 9
    notebook = json.loads((venv / "course" / NOTEBOOKS[0].name).read_text(encoding="utf-8"))
    cells = [
        "".join(cell["source"])
        for cell in notebook["cells"]
        if cell["cell_type"] == "code" and student.STUB_MESSAGE not in "".join(cell["source"])
    ]
    assert len(cells) >= 5
    script = venv / "notebook_1.py"
    script.write_text("\n\n".join(cells) + "\n", encoding="utf-8")
    out = _run([venv / "venv" / "bin" / "python", script], cwd=venv)
    assert "h = 0.0001  slope ≈ 14.000300" in out
    assert "grad = 14.0, predicted f(3.01) ≈ 20.1400, actual 20.1403" in out


def test_the_sdist_holds_no_solution(tmp_path: Path) -> None:
    """``python -m build`` in the repository also makes an sdist: it must not carry the tests,
    which hold solution lines (the exercises are checked with them), nor ``notebooks/``."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "tests/exercises/test_probe_and_judge.py" in tracked and "MANIFEST.in" in tracked
    source = tmp_path / "checkout"
    for name in tracked:
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes((ROOT / name).read_bytes())
    build = "from setuptools import build_meta; print(build_meta.build_sdist(r'{}'))"
    _run([sys.executable, "-c", build.format(tmp_path / "dist")], cwd=source)
    (sdist,) = (tmp_path / "dist").glob("micrograd_edu-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = [member.name.split("/", 1)[1] for member in archive if member.isfile()]
        texts = {name: archive.extractfile(f"{archive.getnames()[0]}/{name}") for name in names}
        contents = {
            name: file.read().decode("utf-8", "replace") for name, file in texts.items() if file
        }
    assert "micrograd_edu/course/01_derivatives_and_value.ipynb" in names
    assert not [name for name in names if name.startswith(("tests/", "notebooks/", "build/"))]
    solutions = set().union(*(_solution_lines(path) for path in NOTEBOOKS))
    for name, text in contents.items():
        if not name.endswith("PKG-INFO"):  # the README explains the markers
            assert student.BEGIN not in text and student.END not in text, name
        if name.endswith(".ipynb"):
            assert not [line for line in solutions if line in text], name

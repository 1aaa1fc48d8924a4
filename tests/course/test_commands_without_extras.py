"""Commands on an install without the extras: ``--help`` works, or one line says what to install.

Each command runs in a fresh interpreter where the missing packages are blocked
(``sys.modules[name] = None``: importing them raises ``ModuleNotFoundError``, as
on a minimal install). tests/packaging/test_wheel.py runs the same commands in a
real environment with NumPy and tqdm only.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

cli_main = importlib.import_module("micrograd_edu.cli.main")  # the module, not main()
ROOT = Path(__file__).resolve().parents[2]


pytestmark = pytest.mark.slow  # each test starts a fresh Python process


def _run(blocked: tuple[str, ...], code: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    script = "import sys\n" + "".join(f"sys.modules[{name!r}] = None\n" for name in blocked) + code
    return subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, check=False
    )


def _pictures(*argv: str) -> str:
    return (
        f"import runpy\nsys.argv = ['python -m micrograd_edu.visualize', *{list(argv)!r}]\n"
        "runpy.run_module('micrograd_edu.visualize', run_name='__main__', alter_sys=True)\n"
    )


@pytest.mark.parametrize("blocked", [("graphviz",), ("graphviz", "matplotlib")])
def test_pictures_help_without_viz(blocked: tuple[str, ...]) -> None:
    done = _run(blocked, _pictures("--help"))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("usage: python -m micrograd_edu.visualize [-h] [--out OUT]")
    assert "--readme    also write the README's example pictures" in done.stdout


@pytest.mark.parametrize(
    ("blocked", "needed"),
    [(("graphviz",), "graphviz"), (("graphviz", "matplotlib"), "matplotlib and graphviz")],
)
def test_pictures_without_viz_say_what_to_install_in_one_line(
    blocked: tuple[str, ...], needed: str, tmp_path: Path
) -> None:
    done = _run(blocked, _pictures("--out", str(tmp_path / "out")))
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"python -m micrograd_edu.visualize: error: the pictures need {needed} "
        '(not installed): pip install "micrograd_edu[viz]"\n'
    )
    assert not (tmp_path / "out").exists()


def test_graph_names_without_graphviz_raise_an_import_error_naming_it() -> None:
    done = _run(
        ("graphviz",),
        "import micrograd_edu.visualize as viz\n"
        "print(viz.find_renderer.__name__)\n"
        "try:\n    from micrograd_edu.visualize import draw_graph\n"
        "except ImportError as error:\n    print(error.name, error)\n",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "find_renderer",
        "graphviz micrograd_edu.visualize.draw_graph needs graphviz: "
        "pip install 'micrograd_edu[viz]'",
    ]


def _playground(*argv: str) -> str:
    return (
        f"import runpy\nsys.argv = ['python -m micrograd_edu.visualize.live', *{list(argv)!r}]\n"
        "runpy.run_module('micrograd_edu.visualize.live', run_name='__main__', alter_sys=True)\n"
    )


def _cli(*argv: str) -> str:
    return f"from micrograd_edu.cli import main\nsys.exit(main({list(argv)!r}))\n"


@pytest.mark.parametrize(
    ("code", "usage"),
    [
        (_playground("--help"), "usage: python -m micrograd_edu.visualize.live [-h] [--port PORT]"),
        (_cli("playground", "--help"), "usage: micrograd-edu playground [-h] [--port PORT]"),
    ],
)
def test_playground_help_without_the_course_extra(code: str, usage: str) -> None:
    done = _run(("matplotlib", "graphviz"), code)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(usage)
    assert "--trusted-host NAME" in done.stdout


@pytest.mark.parametrize(
    ("blocked", "needed"),
    [
        (("matplotlib",), "matplotlib"),
        (("matplotlib", "graphviz", "voila"), "matplotlib, graphviz and voila"),
    ],
)
@pytest.mark.parametrize(
    ("code", "prog"),
    [
        (_playground("--port", "8899"), "python -m micrograd_edu.visualize.live"),
        (_cli("playground", "--port", "8899"), "micrograd-edu playground"),
    ],
)
def test_playground_without_the_course_extra_says_what_to_install_in_one_line(
    blocked: tuple[str, ...], needed: str, code: str, prog: str
) -> None:
    done = _run(blocked, code)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"{prog}: error: the Playground needs {needed} (not installed): "
        'pip install "micrograd_edu[course]"\n'
    )


def test_the_playgrounds_names_without_matplotlib_raise_an_import_error_naming_it() -> None:
    done = _run(
        ("matplotlib",),
        "import micrograd_edu.visualize.live as live\n"
        "for name in ('live_playground', 'PlaygroundSession'):\n"
        "    try:\n        getattr(live, name)()\n"
        "    except ImportError as error:\n        print(error.name, error)\n",
    )
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.splitlines()
        == [
            "matplotlib the live Playground needs matplotlib (not installed): "
            'pip install "micrograd_edu[course]"'
        ]
        * 2
    )


def test_a_command_whose_entry_point_is_missing_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli_main, "entry_points", lambda group: [])
    assert cli_main.main(["playground", "--help"]) == 1
    assert capsys.readouterr() == (
        "",
        'micrograd-edu playground: not installed: pip install "micrograd_edu[course]"\n',
    )

"""Help and errors name the command the user typed, in plain text.

``micrograd-edu train`` runs ``python -m micrograd_edu train`` in the same process
(and ``grade``, ``playground`` theirs): its usage line and its errors say
``micrograd-edu train``; run directly, ``python -m micrograd_edu train``. Help
texts taken from docstrings show no reST markup (the double backquotes).
"""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from micrograd_edu.cli import COMMANDS
from micrograd_edu.cli import main as micrograd_edu_main
from micrograd_edu.cli.train import build_parser

if TYPE_CHECKING:
    from tests.conftest import Cli

SCRIPT = "import sys; from micrograd_edu.cli import main; sys.exit(main())"  # micrograd-edu's


def micrograd_edu(cli: Cli, *args: str) -> subprocess.CompletedProcess[str]:
    """``micrograd-edu ARGS...`` in a fresh process (what the console script runs)."""
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        cwd=cli.cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.slow  # by count or by processes: out of the quick subset
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_micrograd_edu_command_names_itself_in_its_help(cli: Cli, name: str) -> None:
    done = micrograd_edu(cli, name, "--help")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(f"usage: micrograd-edu {name} [-h]")
    assert "python -m" not in done.stdout.split("\n\n")[0]  # the usage block
    assert "``" not in done.stdout


@pytest.mark.slow  # by count or by processes: out of the quick subset
@pytest.mark.parametrize(
    ("module", "args", "usage"),
    [
        ("micrograd_edu", ("train",), "python -m micrograd_edu train"),
        ("micrograd_edu", ("rl",), "python -m micrograd_edu rl"),
        ("micrograd_edu", (), "python -m micrograd_edu"),
        ("micrograd_edu.grade", (), "python -m micrograd_edu.grade"),
        ("micrograd_edu.visualize", (), "python -m micrograd_edu.visualize"),
        ("micrograd_edu.visualize.live", (), "python -m micrograd_edu.visualize.live"),
        ("micrograd_edu.explain.optable", (), "python -m micrograd_edu.explain.optable"),
    ],
)
def test_run_directly_a_command_names_its_module_and_shows_no_markup(
    cli: Cli, module: str, args: tuple[str, ...], usage: str
) -> None:
    done = cli(*args, "--help", module=module)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(f"usage: {usage} [-h]")
    assert "``" not in done.stdout


@pytest.mark.slow  # by count or by processes: out of the quick subset
def test_the_descriptions_lose_their_synopsis_and_backquotes(cli: Cli) -> None:
    pictures = cli("--help", module="micrograd_edu.visualize").stdout.split("\n\n")[1]
    assert pictures == "Write the demo's pictures."
    playground = micrograd_edu(cli, "playground", "--help").stdout.split("\n\n")[1]
    assert playground == "The live Playground as a web page."
    top = " ".join(cli("--help").stdout.split("\n\n")[1].split())
    assert (
        top
        == "The command line: python -m micrograd_edu train ... and python -m micrograd_edu rl ...."
    )


def test_errors_name_the_command_typed(cli: Cli) -> None:
    typed = micrograd_edu(cli, "train", "--epochs", "0")
    cli.assert_one_line_error(typed, 2, "micrograd-edu train: error: argument --epochs")
    assert typed.stderr == (
        "micrograd-edu train: error: argument --epochs: must be a positive integer, "
        "got '0' (see --help)\n"
    )
    direct = cli("train", "--epochs", "0")
    assert direct.stderr == typed.stderr.replace("micrograd-edu", "python -m micrograd_edu", 1)


def test_after_a_delegated_command_the_name_is_the_modules_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In one process (a notebook calling ``main``), the name does not stick."""
    assert micrograd_edu_main(["train", "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: micrograd-edu train [-h]")
    assert build_parser().prog == "python -m micrograd_edu"

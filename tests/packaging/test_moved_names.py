"""Old import names (before the package was sorted into folders) still work, with a warning."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import micrograd_edu.visualize
from micrograd_edu._support import moved
from micrograd_edu._support.moved import MOVED, MovedModuleWarning

ROOT = Path(__file__).resolve().parents[2]


def _fresh_python(
    code: str, cwd: Path, extra_path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter (imports start from nothing), warnings shown."""
    env_path = [str(extra_path)] if extra_path else []
    script = "import sys\n" + "".join(f"sys.path.insert(0, {p!r})\n" for p in env_path)
    return subprocess.run(
        [sys.executable, "-W", "always::DeprecationWarning", "-c", script + textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_an_old_name_is_the_new_module_with_a_warning_naming_it(old: str, new: str) -> None:
    sys.modules.pop(old, None)
    with pytest.warns(MovedModuleWarning, match=f"^{old} is now {new}: import it by its new name"):
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)
    sys.modules.pop(old, None)


def test_an_old_notebook_runs_from_outside_the_checkout(tmp_path: Path) -> None:
    result = _fresh_python(
        """
        from micrograd_edu import Value
        from micrograd_edu.gradcheck import gradcheck
        from visualize import draw_graph
        import visualize.live, micrograd_edu.visualize.live as live
        print(visualize.live is live, draw_graph.__module__, gradcheck.__module__)
        """,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "micrograd_edu.visualize.graph",
        "micrograd_edu.explain.gradcheck",
    ]
    warned = [line for line in result.stderr.splitlines() if "MovedModuleWarning" in line]
    assert [line.split("MovedModuleWarning: ")[1].split(":")[0] for line in warned] == [
        "micrograd_edu.gradcheck is now micrograd_edu.explain.gradcheck",
        "visualize is now micrograd_edu.visualize",
        "visualize.live is now micrograd_edu.visualize.live",
    ]


@pytest.mark.parametrize(
    ("old", "cwd", "new"),
    [
        ("micrograd_edu.demo", None, "micrograd_edu.cli.demo"),  # the old `make demo`
        ("micrograd_edu.optable", None, "micrograd_edu.explain.optable"),
        ("visualize.live", ROOT, "micrograd_edu.visualize.live"),  # the old `make playground`
    ],
)
def test_an_old_command_name_says_the_new_command(
    old: str, cwd: Path | None, new: str, tmp_path: Path
) -> None:
    """``python -m OLD`` does not run (its relative imports would not resolve): it says
    which command to run, where it used to fail with the finder's AttributeError."""
    result = subprocess.run(
        [sys.executable, "-m", old, "--help"],
        cwd=cwd or tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        f"{sys.executable}: {old} is now {new}: run python -m {new}"
    )


def test_the_checkouts_visualize_folder_imported_first_is_one_module_not_two() -> None:
    result = _fresh_python(
        """
        import visualize.graph
        import micrograd_edu.visualize.graph as graph
        same = sys.modules["visualize"] is sys.modules["micrograd_edu.visualize"]
        print(visualize.graph is graph, same)
        """,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]
    assert "visualize is now micrograd_edu.visualize" in result.stderr


def test_another_package_named_visualize_wins(tmp_path: Path) -> None:
    other = tmp_path / "site" / "visualize"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("WHO = 'the other project'\n")
    result = _fresh_python(
        """
        import micrograd_edu, visualize
        print(visualize.WHO)
        """,
        cwd=tmp_path,
        extra_path=tmp_path / "site",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "the other project"
    assert "MovedModuleWarning" not in result.stderr


def test_names_that_did_not_move_are_left_to_the_import_system() -> None:
    assert moved.new_name("micrograd_edu.engine") is None
    assert moved.new_name("micrograd_edu.nowhere") is None
    with pytest.raises(ModuleNotFoundError, match=r"micrograd_edu\.nowhere"):
        importlib.import_module("micrograd_edu.nowhere")


def test_the_package_holds_the_pictures_under_its_own_name() -> None:
    assert micrograd_edu.visualize.__name__ == "micrograd_edu.visualize"
    assert Path(micrograd_edu.visualize.__file__).resolve() == ROOT / "visualize" / "__init__.py"

"""The course as the package ships it: student notebooks, ``micrograd-edu``, NumPy-free lessons."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd_edu import cli
from micrograd_edu.cli import student

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
COURSE = ROOT / "micrograd_edu" / "course"


def test_packaged_notebooks_are_the_student_versions_of_notebooks() -> None:
    shipped = sorted(path.name for path in COURSE.glob("*.ipynb"))
    assert shipped == [path.name for path in SOURCES]
    for source in SOURCES:
        expected, _ = student.student_notebook(json.loads(source.read_text(encoding="utf-8")))
        shipped = json.loads((COURSE / source.name).read_text(encoding="utf-8"))
        assert shipped == expected, f"course/{source.name} is out of date: run make course"


def test_no_solution_text_in_the_packaged_notebooks() -> None:
    for path in COURSE.glob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, path.name
        assert student.STUB_MESSAGE in text, f"{path.name} has no exercise stub"


def test_course_notebooks_lists_the_nine_in_order() -> None:
    assert [path.name[:2] for path in student.course_notebooks()] == [
        "01", "02", "03", "04", "05", "06", "07", "08", "09",
    ]  # fmt: skip


def test_notebooks_command_writes_copies_and_never_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "course"
    assert cli.main(["notebooks", str(folder)]) == 0
    first = folder / "01_derivatives_and_value.ipynb"
    assert first.read_bytes() == (COURSE / first.name).read_bytes()
    assert len(list(folder.glob("*.ipynb"))) == 9
    first.write_text("my work", encoding="utf-8")
    (folder / "02_backpropagation.ipynb").unlink()
    capsys.readouterr()
    assert cli.main(["notebooks", str(folder)]) == 0
    out = capsys.readouterr().out
    assert first.read_text(encoding="utf-8") == "my work"
    assert f"kept  {first} (yours: delete it to start it afresh)" in out
    assert f"wrote {folder / '02_backpropagation.ipynb'}" in out
    assert out.count("wrote ") == 1


def test_notebooks_into_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "a_file"
    target.write_text("x", encoding="utf-8")
    assert cli.main(["notebooks", str(target)]) == 1
    assert "it is a file, not a folder" in capsys.readouterr().err


def test_release_writes_student_versions_without_solutions(tmp_path: Path) -> None:
    out = tmp_path / "release"
    assert cli.main(["release", str(out), "--source", str(ROOT / "notebooks")]) == 0
    for source in SOURCES:
        released = (out / source.name).read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in released
        assert json.loads(released) == json.loads((COURSE / source.name).read_text("utf-8"))


def test_release_refuses_to_overwrite_the_solutions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "notebooks"
    source.mkdir()
    solution = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"
    notebook = {"cells": [{"cell_type": "code", "source": solution, "outputs": []}]}
    (source / "01_x.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    assert cli.main(["release", str(source), "--source", str(source)]) == 1
    assert "would overwrite the solutions" in capsys.readouterr().err
    assert "BEGIN SOLUTION" in (source / "01_x.ipynb").read_text(encoding="utf-8")


def test_release_names_a_misspelt_marker_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "notebooks"
    source.mkdir()
    cell = "def f():\n    ## BEGIN SOLUTION\n    return 1\n    ## END SOLUTION"
    notebook = {"cells": [{"cell_type": "code", "source": cell, "outputs": []}]}
    (source / "01_x.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    with pytest.raises(student.MarkerError, match="solution marker text is left"):
        student.release(source, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_release_without_notebooks_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no course notebooks \(\[0-9\]\*\.ipynb\) in"):
        student.release(tmp_path, tmp_path / "out")


def test_unknown_command_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["trian"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'trian'" in err
    for name in cli.COMMANDS:
        assert f"  {name} " in err


def test_train_is_delegated_to_python_m_micrograd_edu(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["train", "--epochs", "0"]) == 2
    assert capsys.readouterr().err == (  # the error names the command typed
        "micrograd-edu train: error: argument --epochs: must be a positive integer, got '0' "
        "(see --help)\n"
    )


def _imported_after(code: str) -> set[str]:
    """Top-level modules imported by ``code`` in a fresh interpreter."""
    script = (
        f"import sys\n{code}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(result.stdout.split())


def test_engine_lessons_import_neither_numpy_nor_matplotlib() -> None:
    modules = _imported_after(
        "import micrograd_edu, micrograd_edu.engine, micrograd_edu.explain.gradcheck, "
        "micrograd_edu.losses, micrograd_edu.optim, micrograd_edu.cli.student, micrograd_edu.cli"
    )
    assert "micrograd_edu" in modules
    assert not modules & {"numpy", "matplotlib", "tqdm"}


def test_graphs_are_drawn_where_numpy_and_matplotlib_are_missing() -> None:
    code = (
        "import sys; sys.modules['numpy'] = None; sys.modules['matplotlib'] = None\n"
        "from micrograd_edu import Value\n"
        "from micrograd_edu.visualize import backward_player, draw_graph\n"
        "a, b = Value(2.0, label='a'), Value(-3.0, label='b')\n"
        "out = a * b\n"
        "out.backward()\n"
        "print(draw_graph(out).source.count('record'), len(backward_player(out).frames))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.split() == ["3", "2"]


def test_plotting_names_without_numpy_say_what_is_missing() -> None:
    code = (
        "import sys; sys.modules['numpy'] = None; sys.modules['matplotlib'] = None\n"
        "from micrograd_edu import visualize\n"
        "try:\n    visualize.plot_history\nexcept ImportError as e:\n    print(e)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.startswith(
        "micrograd_edu.visualize.plot_history needs matplotlib: pip install 'micrograd_edu[viz]'"
    )
    assert result.stderr == ""  # no MovedModuleWarning: the package's own name


class _FakeViz:
    """Stands in for the ``@viz-js/viz`` instance: records the DOT text it was given."""

    def __init__(self) -> None:
        self.sources: list[str] = []

    def renderString(self, source: str, options: object) -> str:  # noqa: N802 - viz.js's name
        self.sources.append(source)
        return "<svg>drawn in WebAssembly</svg>"


def _fake_pyodide(monkeypatch: pytest.MonkeyPatch, can_run_sync: bool) -> None:
    """Pyodide's ``js`` and ``pyodide.ffi`` modules, as much of them as the renderer uses."""
    import types

    js = types.ModuleType("js")
    js.Object = types.SimpleNamespace(fromEntries=dict)  # type: ignore[attr-defined]
    ffi = types.ModuleType("pyodide.ffi")
    ffi.can_run_sync = lambda: can_run_sync  # type: ignore[attr-defined]
    ffi.run_sync = lambda awaitable: pytest.fail("run_sync without JSPI")  # type: ignore[attr-defined]
    ffi.JsException = RuntimeError  # type: ignore[attr-defined]
    ffi.to_js = lambda value, dict_converter: dict_converter(value.items())  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "js", js)
    monkeypatch.setitem(sys.modules, "pyodide", types.ModuleType("pyodide"))
    monkeypatch.setitem(sys.modules, "pyodide.ffi", ffi)
    monkeypatch.setattr(sys, "platform", "emscripten")


def test_in_the_browser_graphs_go_to_webassembly_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    from micrograd_edu.visualize import renderer

    _fake_pyodide(monkeypatch, can_run_sync=True)
    viz = _FakeViz()
    monkeypatch.setattr(renderer, "_viz", viz)
    assert renderer.render("digraph { a -> b }") == b"<svg>drawn in WebAssembly</svg>"
    assert viz.sources == ["digraph { a -> b }"]
    with pytest.raises(renderer.RenderError, match="in the browser graphs are drawn as SVG only"):
        renderer.render("digraph { a -> b }", "png")


def test_without_jspi_the_browser_asks_for_load_viz(monkeypatch: pytest.MonkeyPatch) -> None:
    from micrograd_edu.visualize import renderer

    _fake_pyodide(monkeypatch, can_run_sync=False)
    monkeypatch.setattr(renderer, "_viz", None)
    with pytest.raises(
        renderer.GraphvizNotFoundError, match=r"await visualize\.renderer\.load_viz"
    ):
        renderer.render("digraph { a -> b }")


def test_lab_without_jupyterlab_copies_the_notebooks_and_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "jupyterlab" else real_find_spec(name, *args),
    )
    assert cli.main(["lab", str(tmp_path / "course")]) == 1
    assert len(list((tmp_path / "course").glob("*.ipynb"))) == 9
    assert (
        "micrograd-edu lab: JupyterLab is not installed here: pip install 'micrograd_edu[lab]'"
        in capsys.readouterr().err
    )


def test_lab_says_how_to_get_pytorchs_cpu_build_when_it_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    from micrograd_edu.cli import lab

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "torch" else real_find_spec(name, *args),
    )
    monkeypatch.setattr(lab, "run_lab", lambda folder, args: 0)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert cli.main(["lab", str(tmp_path / "course")]) == 0
    assert "\n    pip install torch==2.13.0\n" in capsys.readouterr().out  # the CPU build there
    monkeypatch.setattr(sys, "platform", "linux")
    assert cli.main(["lab", str(tmp_path / "course")]) == 0
    out = capsys.readouterr().out
    assert (
        "Notebook 7 compares with PyTorch, which is not installed here. Its CPU build:\n"
        "    pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu\n"
    ) in out
    monkeypatch.setattr(importlib.util, "find_spec", real_find_spec)
    assert cli.main(["lab", str(tmp_path / "course")]) == 0
    if real_find_spec("torch") is not None:
        assert "PyTorch" not in capsys.readouterr().out


def test_grade_on_a_system_without_process_groups_says_to_use_wsl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    monkeypatch.delattr(os, "killpg")  # as on Windows
    assert cli.main(["grade", str(tmp_path / "a.ipynb")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("micrograd-edu grade: grading runs each notebook in a process group")
    assert "on Windows run it in WSL" in err


def test_demo_refuses_bad_options_before_it_prints_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args, message in [
        (["--epochs", "-1"], "argument --epochs: must be a positive integer, got '-1'"),
        (["--epochs", "many"], "argument --epochs: must be a positive integer, got 'many'"),
    ]:
        with pytest.raises(SystemExit) as stopped:
            cli.main(["demo", *args])
        assert stopped.value.code == 2
        out, err = capsys.readouterr()
        assert out == "" and f"micrograd-edu demo: error: {message}" in err
    file = tmp_path / "out"
    file.write_text("mine", encoding="utf-8")
    with pytest.raises(SystemExit):
        cli.main(["demo", "--out", str(file)])
    out, err = capsys.readouterr()
    assert out == ""
    assert f"--out: cannot write into {str(file)!r}: it is a file, not a folder" in err
    assert file.read_text(encoding="utf-8") == "mine"


def test_demo_without_viz_says_once_that_pictures_are_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: (
            None if name in ("matplotlib", "graphviz") else real_find_spec(name, *args)
        ),
    )
    out_dir = tmp_path / "out"
    assert cli.main(["demo", "--epochs", "1", "--out", str(out_dir)]) == 0
    out = capsys.readouterr().out
    assert out.count("pictures skipped") == 1
    skipped = "pictures skipped: matplotlib and graphviz not installed"
    assert f"{skipped} (pip install 'micrograd_edu[viz]')" in out
    assert sorted(path.name for path in out_dir.iterdir()) == ["history.json", "model.json"]


def test_release_of_a_student_copy_warns_that_it_holds_no_solution(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    student.write_notebooks(tmp_path / "copy")
    assert cli.main(["release", str(tmp_path / "out"), "--source", str(tmp_path / "copy")]) == 0
    err = capsys.readouterr().err
    assert err == (
        f"micrograd-edu release: warning: {tmp_path / 'copy'} holds no solution at all: "
        "is it already a student copy? (--source is the folder with the solutions)\n"
    )
    assert cli.main(["release", str(tmp_path / "out2"), "--source", str(ROOT / "notebooks")]) == 0
    assert capsys.readouterr().err == ""


def test_lab_passes_jupyterlab_options_with_or_without_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from micrograd_edu.cli import lab

    calls: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(lab, "run_lab", lambda folder, args: calls.append((str(folder), args)) or 0)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["lab", "--no-browser", "--port", "8890"]) == 0
    assert cli.main(["lab", "my course", "--no-browser"]) == 0
    assert calls == [
        (str(cli.DEFAULT_FOLDER), ["--no-browser", "--port", "8890"]),
        ("my course", ["--no-browser"]),
    ]
    shipped = len(student.course_notebooks())
    assert len(list((tmp_path / cli.DEFAULT_FOLDER).glob("*.ipynb"))) == shipped
    assert len(list((tmp_path / "my course").glob("*.ipynb"))) == shipped


@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_playground_refuses_a_port_no_browser_opens(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("graphviz")  # the live extra's imports: visualize.live needs them
    with pytest.raises(SystemExit) as stopped:
        cli.main(["playground", "--port", port])
    assert stopped.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"error: --port must be a TCP port, 1 to 65535, got {port}" in err


def _catches(pid: int, signum: int) -> bool:
    """Whether process ``pid`` has a handler for ``signum`` (its ``SigCgt`` mask, Linux)."""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) >> (signum - 1) & 1)


@pytest.mark.skipif(sys.platform != "linux", reason="SIGTERM, and /proc to see it is caught")
def test_lab_passes_sigterm_on_to_jupyterlab(tmp_path: Path) -> None:
    """`kill` (or a process manager) stopping `micrograd-edu lab` stops JupyterLab too."""
    import os
    import signal
    import time

    pid_file = tmp_path / "child.pid"
    script = (
        "import subprocess, sys\n"
        "from micrograd_edu.cli.lab import wait_for\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "print('exit', wait_for(child), flush=True)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120  # until the child runs and wait_for catches SIGTERM
        while not (
            pid_file.is_file() and pid_file.read_text() and _catches(parent.pid, signal.SIGTERM)
        ):
            assert parent.poll() is None, "the parent ended before wait_for"
            assert time.monotonic() < deadline, "wait_for did not catch SIGTERM within 120 s"
            time.sleep(0.05)
        parent.send_signal(signal.SIGTERM)
        out, _ = parent.communicate(timeout=120)
    finally:
        parent.kill()
    assert out == f"exit {-signal.SIGTERM}\n"
    child = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)

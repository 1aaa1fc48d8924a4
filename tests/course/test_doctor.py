"""``micrograd-edu doctor`` on deliberately broken environments: it names the fix for each.

Each environment is a folder of distributions as pip leaves them (``NAME-VERSION.dist-info``
with its ``METADATA``: name, version, ``Requires-Dist``), read by the real
``importlib.metadata``; programs are executable files in a folder of their own, and
JupyterLab's extensions ``package.json`` files in Jupyter data folders. The healthy one
copies this environment's own metadata (micrograd_edu's extras, ipywidgets' front-end
pins, the versions installed here); each test breaks one thing, as it breaks on a
student's or a teacher's machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from micrograd_edu.cli.doctor import (
    PYODIDE_CDN,
    Environment,
    Finding,
    Requirement,
    diagnose,
    report,
)

ROOT = Path(__file__).resolve().parents[2]
WIDGETS = {"ipywidgets": "8.1.9", "jupyterlab_widgets": "3.0.17", "widgetsnbextension": "4.0.16"}
WIDGET_PINS = ["widgetsnbextension~=4.0.16", "jupyterlab_widgets~=3.0.17"]


def _own_requirements() -> list[str]:
    return metadata.metadata("micrograd_edu").get_all("Requires-Dist") or []


def _needed_names() -> set[str]:
    names = set()
    for line in _own_requirements():
        requirement = Requirement.parse(line)
        if requirement.name.replace("-", "_") != "micrograd_edu":
            names.add(requirement.name)
    return names


class FakeEnvironment:
    """A Python environment on disk: distributions, programs, Jupyter data folders."""

    def __init__(self, folder: Path) -> None:
        self.site = folder / "site"
        self.bin = folder / "bin"
        self.home = folder / "home-jupyter"
        self.prefix = folder / "prefix-jupyter"
        for path in (self.site, self.bin, self.home, self.prefix):
            path.mkdir(parents=True)
        self.environ: dict[str, str] = {"PATH": str(self.bin)}
        self.platform = "linux"
        self.fetched: list[str] = []
        self.offline = False

    def install(self, name: str, version: str, requires: list[str] | None = None) -> None:
        dist = self.site / f"{name.replace('-', '_')}-{version}.dist-info"
        dist.mkdir()
        lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
        lines += [f"Requires-Dist: {line}" for line in requires or []]
        (dist / "METADATA").write_text("\n".join(lines) + "\n")

    def uninstall(self, name: str) -> None:
        for dist in self.site.glob(f"{name.replace('-', '_')}-*.dist-info"):
            for file in dist.iterdir():
                file.unlink()
            dist.rmdir()

    def program(self, name: str) -> None:
        path = self.bin / name
        path.write_text("#!/bin/sh\nexit 0\n")
        path.chmod(0o755)

    def lab_extension(self, where: Path, name: str, version: str) -> Path:
        folder = where / "labextensions" / name
        folder.mkdir(parents=True)
        (folder / "package.json").write_text(json.dumps({"name": name, "version": version}))
        return folder

    def fetch(self, url: str) -> None:
        self.fetched.append(url)
        if self.offline:
            raise OSError("[Errno -3] Temporary failure in name resolution")

    def environment(self) -> Environment:
        return Environment(
            path=[str(self.site)],
            environ=self.environ,
            programs=[str(self.bin)],
            data=[self.home, self.prefix],
            platform=self.platform,
            fetch=self.fetch,
        )

    def diagnose(self, use: str = "student", network: bool = False) -> list[Finding]:
        return diagnose(use, self.environment(), network=network)

    def problems(self, use: str = "student", network: bool = False) -> list[Finding]:
        return [f for f in self.diagnose(use, network) if f.problem]


@pytest.fixture
def healthy(tmp_path: Path) -> FakeEnvironment:
    """Everything a student, a teacher, a grader and the docs need, as installed here."""
    env = FakeEnvironment(tmp_path)
    env.install("micrograd_edu", "0.2.0", _own_requirements())
    for name in sorted(_needed_names() - set(WIDGETS)):
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "99.0"  # an extra this test environment lacks (bench's micrograd)
        env.install(name, version)
    env.install("ipywidgets", WIDGETS["ipywidgets"], ["comm>=0.1.3", *WIDGET_PINS])
    env.install("jupyterlab_widgets", WIDGETS["jupyterlab_widgets"])
    env.install("widgetsnbextension", WIDGETS["widgetsnbextension"])
    env.install("torch", "2.13.0+cpu", ["filelock", "sympy>=1.13.3"])
    env.lab_extension(env.prefix, "@jupyter-widgets/jupyterlab-manager", "5.0.16")
    env.lab_extension(env.prefix, "anywidget", "0.11.0")
    env.program("graphviz-pure")
    env.program("chromium")
    return env


@pytest.mark.parametrize("use", ["student", "teacher", "grading", "docs"])
def test_a_healthy_environment_is_ready(healthy: FakeEnvironment, use: str) -> None:
    findings = healthy.diagnose(use)
    assert [f for f in findings if f.problem] == []
    text, code = report(use, findings, network=False)
    assert code == 0 and text.splitlines()[-1].startswith("Ready for ")
    assert "[--]   the course site's CDN: not checked (micrograd-edu doctor --network)" in text
    assert healthy.fetched == []  # no network request unless asked


def test_broken_1_a_venv_without_the_live_extra(healthy: FakeEnvironment) -> None:
    for name in ("ipywidgets", "anywidget", "voila"):
        healthy.uninstall(name)
    (problem,) = healthy.problems("student")
    assert problem.check == "the course extra"
    assert problem.problem == "ipywidgets missing, anywidget missing, voila missing"
    assert problem.fix == 'pip install "micrograd_edu[course]"' and problem.blocking
    text, code = report("student", healthy.diagnose("student"), network=False)
    assert code == 1
    assert "[fix]  the course extra: ipywidgets missing, anywidget missing, voila missing" in text
    assert '       fix: pip install "micrograd_edu[course]"' in text
    assert text.splitlines()[-1] == "1 problem(s) to fix for a student, 0 warning(s)."


def test_broken_2_a_cuda_build_of_pytorch(healthy: FakeEnvironment) -> None:
    healthy.uninstall("torch")
    healthy.install("torch", "2.13.0+cu128", ["nvidia-cublas-cu12==12.8.4.1"])
    (problem,) = healthy.problems("student")
    assert problem.check == "PyTorch 2.13.0+cu128"
    assert problem.fix == (
        "pip uninstall -y torch && pip install torch==2.13.0 "
        "--index-url https://download.pytorch.org/whl/cpu"
    )
    assert not problem.blocking  # it works: a warning, exit 0
    assert report("student", healthy.diagnose("student"), network=False)[1] == 0


def test_broken_2b_pypis_linux_wheel_is_a_cuda_build_without_saying_so(
    healthy: FakeEnvironment,
) -> None:
    healthy.uninstall("torch")
    healthy.install("torch", "2.13.0", ["filelock", "nvidia-cudnn-cu12==9.10.2.21"])
    (problem,) = healthy.problems("grading")
    assert "a CUDA build" in (problem.problem or "")
    healthy.platform = "darwin"  # macOS wheels are CPU builds: no nvidia-* there anyway
    assert healthy.problems("grading") == []


def test_broken_3_no_pytorch_for_notebook_7(healthy: FakeEnvironment) -> None:
    healthy.uninstall("torch")
    (problem,) = healthy.problems("teacher")
    assert (problem.check, problem.problem) == ("PyTorch (notebook 7)", "not installed")
    assert problem.fix.endswith("--index-url https://download.pytorch.org/whl/cpu")
    healthy.platform = "darwin"
    (problem,) = healthy.problems("teacher")
    assert problem.fix == "pip install torch==2.13.0"


def test_broken_4_widget_front_end_and_kernel_versions_differ(healthy: FakeEnvironment) -> None:
    healthy.uninstall("jupyterlab_widgets")
    healthy.install("jupyterlab_widgets", "1.1.11")  # ipywidgets 7's front end
    (problem,) = healthy.problems("student")
    assert problem.check == "widget front end jupyterlab_widgets"
    assert problem.problem == "1.1.11, but ipywidgets 8.1.9 needs ~=3.0.17"
    assert problem.fix == 'pip install "jupyterlab_widgets~=3.0.17"' and problem.blocking


def test_broken_5_an_old_jupyterlab_extension_in_the_home_folder_hides_the_new_one(
    healthy: FakeEnvironment,
) -> None:
    stale = healthy.lab_extension(healthy.home, "@jupyter-widgets/jupyterlab-manager", "3.1.9")
    (problem,) = healthy.problems("student")
    assert (
        problem.check
        == f"JupyterLab extension @jupyter-widgets/jupyterlab-manager 3.1.9 in {stale}"
    )
    assert problem.fix == f"rm -r {stale}"


def test_broken_6_a_jupyterlab_extension_missing(healthy: FakeEnvironment) -> None:
    for file in (healthy.prefix / "labextensions" / "anywidget").iterdir():
        file.unlink()
    (healthy.prefix / "labextensions" / "anywidget").rmdir()
    (problem,) = healthy.problems("student")
    assert problem.check == "JupyterLab extension anywidget"
    assert problem.problem == "missing: widgets show as text in JupyterLab"
    assert problem.fix == "pip install --force-reinstall --no-deps anywidget"


def test_broken_7_no_graphviz_renderer(healthy: FakeEnvironment) -> None:
    (healthy.bin / "graphviz-pure").unlink()
    (problem,) = healthy.problems("student")
    assert (problem.check, problem.fix, problem.blocking) == (
        "Graphviz renderer",
        "pip install graphviz-pure",
        True,
    )
    healthy.program("dot")  # a system Graphviz will do
    assert healthy.problems("student") == []


def test_broken_8_on_a_hub_without_jupyter_server_proxy_or_the_hubs_name(
    healthy: FakeEnvironment,
) -> None:
    healthy.environ["JUPYTERHUB_SERVICE_PREFIX"] = "/user/ada/"
    problems = healthy.problems("student")
    assert [p.check for p in problems] == [
        "JupyterHub: the Live Playground in JupyterLab's launcher",
        "JupyterHub: the hub's public host name",
    ]
    assert problems[0].fix.startswith("pip install jupyter-server-proxy")
    assert (
        problems[1].fix
        == 'c.JupyterHub.public_url = "https://HUB.EXAMPLE.ORG/" in jupyterhub_config.py'
    )
    assert not any(p.blocking for p in problems)
    healthy.install("jupyter-server-proxy", "4.6.0")
    healthy.environ["JUPYTERHUB_PUBLIC_URL"] = "https://hub.example.org/user/ada/"
    assert healthy.problems("student") == []
    text, _ = report("student", healthy.diagnose("student"), network=False)
    assert (
        "micrograd-edu playground --base-url /user/ada/proxy/absolute/8866/ "
        "--trusted-host hub.example.org" in text
    )


def test_broken_9_grading_on_windows(healthy: FakeEnvironment) -> None:
    healthy.platform = "win32"
    (problem,) = healthy.problems("grading")
    assert (problem.check, problem.fix) == ("grading", "run micrograd-edu grade in WSL")


def test_broken_10_the_docs_with_an_old_mkdocs(healthy: FakeEnvironment) -> None:
    healthy.uninstall("mkdocs")
    healthy.install("mkdocs", "1.5.3")
    (problem,) = healthy.problems("docs")
    assert problem.problem == "mkdocs 1.5.3 (needs <2,>=1.6)"
    assert problem.fix == 'pip install "micrograd_edu[docs]"'


def test_broken_11_an_old_micrograd_edu_without_the_grade_extra(
    healthy: FakeEnvironment,
) -> None:
    healthy.uninstall("micrograd_edu")
    old = [line for line in _own_requirements() if 'extra == "grade"' not in line]
    healthy.install("micrograd_edu", "0.1.0", old)
    (problem,) = healthy.problems("grading")
    assert problem.problem == "this micrograd_edu (0.1.0) has no 'grade' extra"
    assert problem.fix == 'pip install --upgrade "micrograd_edu[grade]"'


def test_the_cdn_is_asked_only_with_network(healthy: FakeEnvironment) -> None:
    healthy.offline = True
    assert healthy.problems("student") == [] and healthy.fetched == []
    (problem,) = healthy.problems("student", network=True)
    assert healthy.fetched == [PYODIDE_CDN + "pyodide-lock.json"]
    assert problem.check == "the course site's CDN" and not problem.blocking
    assert "make site PYODIDE_DIST=" in problem.fix
    healthy.offline = False
    assert healthy.problems("student", network=True) == []


def test_the_cdn_is_the_sites() -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from tools import build_site
    finally:
        sys.path.remove(str(ROOT))
    assert build_site.CDN == PYODIDE_CDN


def test_an_unknown_use_is_refused() -> None:
    with pytest.raises(ValueError, match="use must be one of student, teacher, grading, docs"):
        diagnose("admin")


def _doctor_in(env: FakeEnvironment, *args: str) -> subprocess.CompletedProcess[str]:
    """``micrograd-edu doctor`` in a Python that sees only ``env``'s distributions (no site
    packages) and the project's source."""
    return subprocess.run(
        [sys.executable, "-S", "-m", "micrograd_edu.cli.main", "doctor", *args],
        env={**env.environ, "PYTHONPATH": os.pathsep.join([str(env.site), str(ROOT)])},
        capture_output=True,
        text=True,
        check=False,
        cwd=env.site,
        timeout=120,
    )


def test_the_command_in_a_python_without_the_course(healthy: FakeEnvironment) -> None:
    for name in ("matplotlib", "gymnasium"):
        healthy.uninstall(name)
    result = _doctor_in(healthy, "--for", "student")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("micrograd-edu doctor, for a student: Python ")
    assert "[fix]  the course extra: gymnasium missing, matplotlib missing" in lines
    assert '       fix: pip install "micrograd_edu[course]"' in lines


def test_the_command_here(cli: Any) -> None:
    """This test environment has every extra a student needs."""
    result = cli("doctor", module="micrograd_edu.cli.main")
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1].startswith("Ready for a student")

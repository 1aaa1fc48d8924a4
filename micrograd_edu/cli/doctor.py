"""``micrograd-edu doctor``: what is missing or mismatched here, and the one fix for each.

``micrograd-edu doctor [--for student|teacher|grading|docs] [--network]`` looks at the
Python environment it runs in, without importing the course's heavy packages, and
prints one line per check: ``[ok]``, ``[fix]`` (needed for the chosen use: the exit
status is 1) or ``[warn]`` (works, but something is off), each problem followed by
the one command or setting that fixes it. What it checks:

- the extras the use needs (``course``; ``grading``; ``docs``), package by package,
  with the versions ``pyproject.toml`` asks for;
- PyTorch (notebook 7): missing, or a CUDA build (``+cu…`` version, ``nvidia-*``
  requirements) where the course's CPU build was meant;
- the widgets: the kernel's ``ipywidgets`` against the front end's
  ``jupyterlab_widgets`` / ``widgetsnbextension`` versions it requires, and the
  JupyterLab extensions that draw them (the first copy JupyterLab finds: an old one
  in the home folder hides the environment's);
- a Graphviz renderer (``dot``, or ``graphviz-pure`` next to this Python);
- Chromium, for the Playground's screenshot (teachers);
- a JupyterHub (``JUPYTERHUB_SERVICE_PREFIX`` set): jupyter-server-proxy for the
  launcher's Live Playground, the hub's public host name it must trust, and the
  ``--base-url`` a Playground started by hand needs;
- with ``--network`` only: the CDN the zero-install site takes NumPy and matplotlib
  from. By default doctor makes no network request (an offline classroom, a
  school's proxy: a check must not hang or leak).

Everything it reads comes from an :class:`Environment` (the distributions on a path,
the environment variables, the folders searched for programs and JupyterLab's
extensions), so that tests can run it on deliberately broken environments.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import sysconfig
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["PYODIDE_CDN", "USES", "Environment", "Finding", "diagnose", "main"]

USES = ("student", "teacher", "grading", "docs")
EXTRAS = {
    "student": ("course",),
    "teacher": ("course", "grade"),
    "grading": ("grade",),
    "docs": ("docs",),
}
"""The extras each use needs (the use ``grading`` needs the ``grade`` extra)."""
FOR_WHOM = {
    "student": "a student",
    "teacher": "a teacher",
    "grading": "grading",
    "docs": "the docs",
}
PYODIDE_CDN = "https://cdn.jsdelivr.net/pyodide/v314.0.6/full/"
"""Where the course site's Pyodide packages come from (``tools/build_site.py``'s ``CDN``)."""
TORCH = "torch==2.13.0"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
WIDGET_FRONT_ENDS = {"8": "5", "7": "3"}
"""ipywidgets' major version -> the major version of the JupyterLab extension that draws it."""
REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*)(;.*)?")


def normalize(name: str) -> str:
    """A distribution's name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Requirement:
    """One ``Requires-Dist`` line: a name, its extras, a version specifier, its extra marker."""

    name: str
    extras: tuple[str, ...]
    specifier: str
    extra: str | None

    @classmethod
    def parse(cls, line: str) -> Requirement:
        """``Requirement.parse('ipywidgets>=8.1; extra == "live"')``.

        >>> Requirement.parse('micrograd_edu[lab,live]; extra == "course"')
        Requirement(name='micrograd_edu', extras=('lab', 'live'), specifier='', extra='course')
        """
        match = REQUIREMENT.fullmatch(line)
        if match is None:
            raise ValueError(f"not a requirement: {line!r}")
        name, extras, specifier, marker = match.groups()
        extra = re.search(r"""extra\s*==\s*["']([^"']+)["']""", marker or "")
        return cls(
            name,
            tuple(e.strip() for e in (extras or "[]")[1:-1].split(",") if e.strip()),
            specifier.strip().strip("()"),
            extra.group(1) if extra else None,
        )


@dataclass
class Environment:
    """Where doctor looks. The defaults are this process's; tests pass broken ones.

    ``path``: folders holding the distributions (None: ``sys.path``); ``environ``: the
    environment variables; ``programs``: the folders searched for programs (None: the
    PATH and this Python's scripts folder); ``data``: Jupyter's data folders in
    JupyterLab's order (None: ``jupyter_core``'s, or the usual ones);
    ``fetch``: opens a URL (only with ``--network``).
    """

    path: list[str] | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    programs: list[str] | None = None
    data: list[Path] | None = None
    platform: str = sys.platform
    fetch: Callable[[str], object] = lambda url: urllib.request.urlopen(url, timeout=5).close()
    _dists: dict[str, metadata.Distribution] | None = field(default=None, init=False, repr=False)

    def distribution(self, name: str) -> metadata.Distribution | None:
        if self._dists is None:
            self._dists = {}
            for dist in metadata.distributions(path=self.path or sys.path):
                self._dists.setdefault(normalize(dist.metadata["Name"] or ""), dist)
        return self._dists.get(normalize(name))

    def version(self, name: str) -> str | None:
        dist = self.distribution(name)
        return None if dist is None else dist.version

    def requires(self, name: str) -> list[Requirement]:
        dist = self.distribution(name)
        return [Requirement.parse(line) for line in (dist.requires or [])] if dist else []

    def which(self, program: str) -> str | None:
        folders = self.programs
        if folders is None:
            scripts = [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
            folders = [*self.environ.get("PATH", "").split(os.pathsep), *scripts]
        return shutil.which(program, path=os.pathsep.join(folders))

    def data_folders(self) -> list[Path]:
        if self.data is not None:
            return self.data
        try:
            from jupyter_core.paths import jupyter_path
        except ImportError:
            home = Path(self.environ.get("JUPYTER_DATA_DIR", "~/.local/share/jupyter"))
            return [home.expanduser(), Path(sys.prefix, "share", "jupyter")]
        return [Path(folder) for folder in jupyter_path()]


@dataclass(frozen=True)
class Finding:
    """One check's result: ``problem`` (None when fine), its ``fix``, and whether the chosen
    use needs it (``blocking``: the exit status is 1) or it is a warning."""

    check: str
    problem: str | None = None
    fix: str = ""
    blocking: bool = True

    def lines(self) -> list[str]:
        if self.problem is None:
            return [f"[ok]   {self.check}"]
        mark = "[fix] " if self.blocking else "[warn]"
        return [f"{mark} {self.check}: {self.problem}", f"       fix: {self.fix}"]


def satisfies(version: str, specifier: str) -> bool | None:
    """Whether ``version`` meets ``specifier`` (None: cannot tell, ``packaging`` is missing)."""
    if not specifier:
        return True
    try:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
        from packaging.version import InvalidVersion, Version
    except ImportError:
        return None
    try:
        return Version(version) in SpecifierSet(specifier, prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return None


def extra_requirements(
    env: Environment, extra: str, seen: set[str] | None = None
) -> list[Requirement]:
    """The distributions an extra of micrograd_edu needs, extras of extras expanded."""
    seen = set() if seen is None else seen
    if extra in seen:
        return []
    seen.add(extra)
    found: list[Requirement] = []
    for requirement in env.requires("micrograd_edu"):
        if requirement.extra != extra:
            continue
        if normalize(requirement.name) == "micrograd-edu":
            for inner in requirement.extras:
                found += extra_requirements(env, inner, seen)
        else:
            found.append(requirement)
    return found


def check_extra(env: Environment, extra: str) -> Finding:
    """Every package of ``micrograd_edu[extra]`` installed, at a version it accepts."""
    check = f"the {extra} extra"
    if env.distribution("micrograd_edu") is None:
        return Finding(
            check, "micrograd_edu is not installed here", f'pip install "micrograd_edu[{extra}]"'
        )
    requirements = extra_requirements(env, extra)
    if not requirements:
        return Finding(
            check,
            f"this micrograd_edu ({env.version('micrograd_edu')}) has no {extra!r} extra",
            f'pip install --upgrade "micrograd_edu[{extra}]"',
        )
    bad = []
    for requirement in requirements:
        version = env.version(requirement.name)
        if version is None:
            bad.append(f"{requirement.name} missing")
        elif satisfies(version, requirement.specifier) is False:
            bad.append(f"{requirement.name} {version} (needs {requirement.specifier})")
    if bad:
        return Finding(check, ", ".join(bad), f'pip install "micrograd_edu[{extra}]"')
    return Finding(f"{check} ({', '.join(sorted({r.name for r in requirements}))})")


def check_torch(env: Environment, blocking: bool) -> Finding:
    """PyTorch for notebook 7: present, and the CPU build the course pins."""
    version = env.version("torch")
    cpu = f"pip install {TORCH}"
    if env.platform != "darwin":  # PyPI's Linux and Windows wheels are CUDA builds
        cpu += f" --index-url {CPU_INDEX}"
    if version is None:
        return Finding("PyTorch (notebook 7)", "not installed", cpu, blocking)
    cuda = "+cu" in version or any(r.name.startswith("nvidia-") for r in env.requires("torch"))
    if cuda and env.platform != "darwin":
        return Finding(
            f"PyTorch {version}",
            "a CUDA build (GBs of GPU libraries; the course runs on the CPU build)",
            f"pip uninstall -y torch && {cpu}",
            blocking=False,
        )
    return Finding(f"PyTorch {version} (CPU)")


def check_widgets(env: Environment) -> list[Finding]:
    """The kernel's ipywidgets against the front ends it requires, and JupyterLab's copies."""
    version = env.version("ipywidgets")
    if version is None:
        return []  # the live extra's check says so
    findings = []
    for requirement in env.requires("ipywidgets"):
        if normalize(requirement.name) not in ("jupyterlab-widgets", "widgetsnbextension"):
            continue
        front = env.version(requirement.name)
        if front is None or satisfies(front, requirement.specifier) is False:
            findings.append(
                Finding(
                    f"widget front end {requirement.name}",
                    f"{front or 'missing'}, but ipywidgets {version} needs {requirement.specifier}",
                    f'pip install "{requirement.name}{requirement.specifier}"',
                )
            )
    if env.distribution("jupyterlab") is not None:
        findings += check_lab_extensions(env, version.split(".")[0])
    return findings or [Finding(f"widgets: ipywidgets {version} and its front ends match")]


def _first_extension(env: Environment, name: str) -> tuple[Path, str] | None:
    """The first copy of a JupyterLab extension JupyterLab would load, and its version."""
    for folder in env.data_folders():
        package = folder / "labextensions" / name / "package.json"
        if package.is_file():
            try:
                return package.parent, str(json.loads(package.read_text())["version"])
            except (OSError, ValueError, KeyError):
                return package.parent, "unreadable"
    return None


def check_lab_extensions(env: Environment, widgets_major: str) -> list[Finding]:
    findings = []
    extensions = [("@jupyter-widgets/jupyterlab-manager", "jupyterlab_widgets")]
    for name, dist in [*extensions, ("anywidget", "anywidget")]:
        found = _first_extension(env, name)
        if found is None:
            findings.append(
                Finding(
                    f"JupyterLab extension {name}",
                    "missing: widgets show as text in JupyterLab",
                    f"pip install --force-reinstall --no-deps {dist}",
                )
            )
        elif dist == "jupyterlab_widgets" and found[1].split(".")[0] != WIDGET_FRONT_ENDS.get(
            widgets_major
        ):
            findings.append(
                Finding(
                    f"JupyterLab extension {name} {found[1]} in {found[0]}",
                    f"draws ipywidgets {widgets_major}'s widgets with another version's code "
                    '("Failed to load model class")',
                    f"rm -r {found[0]}",
                )
            )
    return findings


def check_renderer(env: Environment, blocking: bool) -> Finding:
    found = env.which("dot") or env.which("graphviz-pure")
    if found:
        return Finding(f"Graphviz renderer ({found})")
    return Finding(
        "Graphviz renderer",
        "none (computation graphs cannot be drawn)",
        "pip install graphviz-pure",
        blocking,
    )


def check_chromium(env: Environment) -> Finding:
    for program in ("chromium", "chromium-browser", "google-chrome"):
        found = env.which(program)
        if found:
            return Finding(f"Chromium for screenshots ({found})")
    linux = env.platform.startswith("linux")
    fix = "apt-get install chromium" if linux else "install Chromium or Google Chrome"
    return Finding(
        "Chromium for screenshots", "not found (only make pictures needs it)", fix, blocking=False
    )


def check_hub(env: Environment) -> list[Finding]:
    """On a JupyterHub user server: the launcher's Playground, and one started by hand."""
    prefix = env.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if not prefix:
        return []
    findings = []
    if env.distribution("jupyter-server-proxy") is None:
        findings.append(
            Finding(
                "JupyterHub: the Live Playground in JupyterLab's launcher",
                "jupyter-server-proxy is not installed in the users' environment",
                "pip install jupyter-server-proxy (in the users' image), then restart the servers",
                blocking=False,
            )
        )
    named = ("JUPYTERHUB_PUBLIC_URL", "MICROGRAD_PLAYGROUND_TRUSTED_HOSTS")
    if not any(env.environ.get(variable) for variable in named):
        findings.append(
            Finding(
                "JupyterHub: the hub's public host name",
                "unknown here, so the Live Playground will refuse it (403)",
                'c.JupyterHub.public_url = "https://HUB.EXAMPLE.ORG/" in jupyterhub_config.py',
                blocking=False,
            )
        )
    host = urlsplit(env.environ.get("JUPYTERHUB_PUBLIC_URL", "")).hostname or "HUB.EXAMPLE.ORG"
    findings.append(
        Finding(
            f"JupyterHub (prefix {prefix}): a Playground started by hand in a terminal needs "
            f"micrograd-edu playground --base-url {prefix}proxy/absolute/8866/ "
            f"--trusted-host {host}, then {prefix}proxy/absolute/8866/ in the browser"
        )
    )
    return findings


def check_grading_platform(env: Environment) -> Finding:
    if env.platform.startswith("win"):
        return Finding(
            "grading", "needs Linux or macOS (process groups)", "run micrograd-edu grade in WSL"
        )
    return Finding(f"grading runs on {env.platform}")


def check_cdn(env: Environment) -> Finding:
    try:
        env.fetch(PYODIDE_CDN + "pyodide-lock.json")
    except OSError as error:
        return Finding(
            "the course site's CDN",
            f"{PYODIDE_CDN} unreachable ({error}): the zero-install site's NumPy and matplotlib",
            "allow cdn.jsdelivr.net in the school's firewall, or build the site with "
            "make site PYODIDE_DIST=<a full Pyodide 314.0.6>",
            blocking=False,
        )
    return Finding(f"the course site's CDN ({PYODIDE_CDN})")


def diagnose(use: str, env: Environment | None = None, network: bool = False) -> list[Finding]:
    """Every check for ``use`` (one of :data:`USES`) in ``env`` (default: this process's)."""
    if use not in USES:
        raise ValueError(f"use must be one of {', '.join(USES)}, got {use!r}")
    env = Environment() if env is None else env
    findings = [check_extra(env, extra) for extra in EXTRAS[use]]
    if use != "docs":
        findings.append(check_torch(env, blocking=False))
    if use in ("student", "teacher"):
        findings += check_widgets(env)
        findings.append(check_renderer(env, blocking=True))
        findings += check_hub(env)
    if use in ("teacher", "grading"):
        findings.append(check_grading_platform(env))
    if use == "teacher":
        findings.append(check_chromium(env))
    if network:
        findings.append(check_cdn(env))
    return findings


def report(use: str, findings: Iterable[Finding], network: bool) -> tuple[str, int]:
    """The printed report and the exit status (1 if something ``use`` needs is missing)."""
    findings = list(findings)
    whom = FOR_WHOM[use]
    lines = [f"micrograd-edu doctor, for {whom}: Python {sys.version.split()[0]} ({sys.prefix})"]
    for finding in findings:
        lines += finding.lines()
    if not network:
        lines.append("[--]   the course site's CDN: not checked (micrograd-edu doctor --network)")
    blocking = [f for f in findings if f.problem and f.blocking]
    warnings = [f for f in findings if f.problem and not f.blocking]
    if blocking:
        lines.append(f"{len(blocking)} problem(s) to fix for a {use}, {len(warnings)} warning(s).")
    else:
        lines.append(
            f"Ready for a {use}" + (f" ({len(warnings)} warning(s))." if warnings else ".")
        )
    return "\n".join(lines), 1 if blocking else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="micrograd-edu doctor",
        description="Check this environment for the course; print the fix for each problem.",
    )
    parser.add_argument(
        "--for", dest="use", choices=USES, default="student", help="what for (default: student)"
    )
    parser.add_argument(
        "--network",
        action="store_true",
        help="also check the course site's CDN (one HTTPS request)",
    )
    args = parser.parse_args(argv)
    text, code = report(args.use, diagnose(args.use, network=args.network), args.network)
    print(text)
    return code

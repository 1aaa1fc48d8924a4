"""Old import names that still work for one release, with a warning that names the new one.

The package was sorted into folders by role in 0.2 (``micrograd_edu.gradcheck`` is
now ``micrograd_edu.explain.gradcheck``, ``visualize`` is ``micrograd_edu.visualize``).
A notebook written before still runs: importing an old name gives the module under
its new name and a :class:`MovedModuleWarning`. The old names go in 0.3.

``import visualize`` is answered only where no other installed package of that name
exists (one on PyPI does): that package always wins.

>>> from micrograd_edu.explain import gradcheck
>>> MOVED['micrograd_edu.gradcheck'] == gradcheck.__name__
True
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

__all__ = ["MOVED", "MovedModuleWarning", "install", "new_name"]

_HERE = "micrograd_edu."
MOVED = {
    _HERE + old: _HERE + new
    for old, new in {
        "gradcheck": "explain.gradcheck",
        "formulas": "explain.formulas",
        "health": "explain.health",
        "layerview": "explain.layerview",
        "optable": "explain.optable",
        "mistakes": "exercises.mistakes",
        "symptoms": "exercises.symptoms",
        "environments": "rl.environments",
        "student": "cli.student",
        "lab": "cli.lab",
        "demo": "cli.demo",
        "files": "_support.files",
        "strict_json": "_support.strict_json",
        "validation": "_support.validation",
        "sums": "engine",  # sum_values and dot live with the other ops since 0.2
    }.items()
}
"""Old module name → its name since 0.2 (``visualize`` and its modules are handled apart)."""


class MovedModuleWarning(DeprecationWarning):
    """An old import name was used; shown by default (students see it in notebooks)."""


def _our_visualize() -> Path:
    return (Path(__file__).resolve().parent.parent / "visualize").resolve()


def _another_visualize() -> bool:
    """Is a package named ``visualize`` that is not ours importable? (It wins.)"""
    spec = importlib.machinery.PathFinder.find_spec("visualize")
    if spec is None or spec.origin is None:
        return (
            spec is not None
            and spec.submodule_search_locations is not None
            and not any(
                Path(p).resolve() == _our_visualize() for p in spec.submodule_search_locations
            )
        )
    return Path(spec.origin).resolve().parent != _our_visualize()


def new_name(fullname: str) -> str | None:
    """The name since 0.2 of the old module ``fullname``; None if it did not move.

    >>> new_name("micrograd_edu.mistakes")
    'micrograd_edu.exercises.mistakes'
    >>> new_name("micrograd_edu.engine") is None
    True
    """
    if fullname in MOVED:
        return MOVED[fullname]
    if fullname == "visualize":
        return None if _another_visualize() else _HERE + "visualize"
    if fullname.startswith("visualize."):
        ours = sys.modules.get(_HERE + "visualize")
        if ours is not None and sys.modules.get("visualize") is ours:
            return _HERE + fullname
    return None


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers an old name with the module of its new name (one module object, two names)."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        new = new_name(fullname)
        return None if new is None else importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = new_name(spec.name)
        assert new is not None  # find_spec said so
        warnings.warn(
            f"{spec.name} is now {new}: import it by its new name "
            "(the old one goes in micrograd_edu 0.3)",
            MovedModuleWarning,
            stacklevel=2,
        )
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module was imported under its new name."""

    def get_code(self, fullname: str) -> None:
        """``python -m OLD`` asks for the code to run: refused, naming the new command
        (run under the old name, the module's relative imports would not resolve)."""
        old = fullname.removesuffix(".__main__")
        new = (new_name(fullname) or new_name(old) or old).removesuffix(".__main__")
        raise ImportError(f"{old} is now {new}: run python -m {new}")


_FINDER = _Finder()


def install() -> None:
    """Answer the old names from now on (done once, by ``import micrograd_edu``)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
        warnings.filterwarnings("default", category=MovedModuleWarning)

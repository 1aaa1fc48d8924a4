"""The command lines: ``micrograd-edu``, ``python -m micrograd_edu train|rl``, student copies, lab.

:mod:`~micrograd_edu.cli.main` is ``micrograd-edu``; :mod:`~micrograd_edu.cli.train`
is ``python -m micrograd_edu train|rl``; :mod:`~micrograd_edu.cli.student` writes the
students' copies of the notebooks; :mod:`~micrograd_edu.cli.lab` starts JupyterLab;
:mod:`~micrograd_edu.cli.demo` is the engine's demo.
"""

from .main import COMMANDS, DEFAULT_FOLDER, main

__all__ = ["COMMANDS", "DEFAULT_FOLDER", "main"]

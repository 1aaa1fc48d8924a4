"""Wrong answers in IPython and Jupyter: the feedback block alone, without a traceback.

:func:`install_feedback` (called when :mod:`micrograd_edu.exercises` is
imported) makes IPython show a :class:`~micrograd_edu.exercises.mistakes.WrongAnswerError`
or a :class:`~micrograd_edu.exercises.mistakes.NotDoneError` as its message
only: the student reads what is wrong, not the checker's code.
"""

from __future__ import annotations

from typing import Any

from .mistakes import NotDoneError, WrongAnswerError

__all__ = ["install_feedback"]


def _show_feedback(
    shell: Any, etype: type[BaseException], value: BaseException, tb: Any, tb_offset: Any = None
) -> list[str]:
    """IPython's handler for a wrong or unfinished answer: the feedback block, no traceback.

    ``_showtraceback`` is how IPython itself shows an error: the terminal
    prints it, a Jupyter kernel publishes it as the cell's error output (a
    :class:`NotDoneError` under the name NotImplementedError, what the stub
    raised), so graders and front ends still see the error.
    """
    shown = NotImplementedError if isinstance(value, NotDoneError) else etype
    shell._showtraceback(shown, value, [str(value)])
    return []


def install_feedback() -> bool:
    """In IPython/Jupyter, show a wrong answer as its feedback block, without a traceback.

    Returns whether a shell was found. Called when :mod:`micrograd_edu.exercises`
    is imported; harmless elsewhere.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((WrongAnswerError, NotDoneError), _show_feedback)
    return True

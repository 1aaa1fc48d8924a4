"""The live TensorFlow Playground on the scalar engine, with a neuron inspector.

:func:`live_playground` returns the app (ipywidgets, for JupyterLab, Notebook 7,
VS Code and Voilà); :class:`~micrograd_edu.visualize.live.session.PlaygroundSession` is its
model, usable without any widget. ``python -m micrograd_edu.visualize.live`` (``make
playground``) serves it as a web page on 127.0.0.1, whose URL query holds the
settings (:mod:`micrograd_edu.visualize.live.task`).

The Playground needs the ``course`` extra (matplotlib, graphviz, ipywidgets, anywidget,
Voilà). Without it this package still imports, so that ``python -m
micrograd_edu.visualize.live --help`` works and the command says in one line what to
install; :class:`PlaygroundSession` and :func:`live_playground` then raise an
``ImportError`` naming the missing package and ``pip install "micrograd_edu[course]"``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

INSTALL = 'pip install "micrograd_edu[course]"'
"""What installs everything the Playground needs."""
_OPTIONAL = ("numpy", "matplotlib", "tqdm", "graphviz")
"""The packages :mod:`.session` imports that a minimal install may lack."""

try:
    from .session import NeuronInspection, PlaygroundSession
except ModuleNotFoundError as error:  # a minimal install: see __getattr__
    if (error.name or "").split(".")[0] not in _OPTIONAL:
        raise

if TYPE_CHECKING:
    from .task import Goal

__all__ = ["NeuronInspection", "PlaygroundSession", "live_playground", "served_playground"]

FOLDER_VARIABLE = "MICROGRAD_PLAYGROUND_FOLDER"
"""Set by ``python -m micrograd_edu.visualize.live``: the folder it was started in (files go
there)."""
CPU_SHARE_VARIABLE = "MICROGRAD_PLAYGROUND_CPU_SHARE"
"""Set by ``python -m micrograd_edu.visualize.live --cpu-share``: Play's share of one core."""
MESSAGE_LIMIT = 300
"""A bad link's message is cut to this many characters."""


def live_playground(
    *,
    data: tuple[Any, Any] | None = None,
    hide: Iterable[str] = (),
    goal: str | Goal | None = None,
    **settings: Any,
) -> Any:
    """The live Playground with these settings (:func:`~micrograd_edu.visualize.playground`'s).

    Settings: ``dataset``, ``features``, ``hidden``, ``activation``, ``lr``,
    ``regularization`` (``None`` = ``"none"``), ``reg_rate``, ``noise``,
    ``train_ratio``, ``batch_size``, ``seed``, and also ``loss`` and ``n``
    (points; 500 as in the Playground). Bad settings raise ``ValueError`` with
    the same messages as :func:`~micrograd_edu.visualize.playground`.

    A teacher's task: ``hide=("features",)`` hides controls (names in
    :data:`~micrograd_edu.visualize.live.task.CONTROLS`), ``goal="test_loss<0.1"`` announces
    when the student reaches it. ``data=(X, y)`` trains on your own points
    (``X`` of shape (n, 2) in [−6, 6]², ``y`` labels 0/1 or values).
    App options (``cpu_share``, ``redraws_per_second``, ``folder``, ``url``)
    go to :class:`~micrograd_edu.visualize.live.app.LivePlayground`.

    Returns a :class:`~micrograd_edu.visualize.live.app.LivePlayground`, which displays as
    the app where widgets can show and as the static Playground figure where
    they cannot (nbconvert, GitHub). Without ipywidgets and anywidget installed
    it returns that static figure (a matplotlib ``Figure``) instead.
    """
    options = {
        name: settings.pop(name)
        for name in ("cpu_share", "redraws_per_second", "folder", "url")
        if name in settings
    }
    session = _from_session("PlaygroundSession")(data=data, **settings)
    try:
        from .app import LivePlayground
    except ImportError:  # no widgets: the static picture of the same settings
        return session.figure()
    return LivePlayground(session, hide=hide, goal=goal, **options)


def served_playground(query: str | None = None) -> Any:
    """The app of the served page: settings, ``hide`` and ``goal`` from the page's URL query.

    Voilà gives the kernel the page's query in ``QUERY_STRING``. A bad link
    opens the default app with the problem in its message line.
    """
    from .task import parse_query

    query = os.environ.get("QUERY_STRING", "") if query is None else query
    options: dict[str, Any] = {
        "folder": os.environ.get(FOLDER_VARIABLE) or None,
        "url": True,
        "cpu_share": float(os.environ.get(CPU_SHARE_VARIABLE) or 0.5),
    }
    try:
        task = parse_query(query)
        return live_playground(hide=task.hide, goal=task.goal, **task.settings, **options)
    except (ValueError, TypeError) as error:
        app = live_playground(**options)
        text = str(error)  # a link can be long: the message line stays short
        text = text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"
        app.show_message(f"The link's settings were not used: {text}")
        return app


def _from_session(name: str) -> Any:
    """``name`` of :mod:`.session`; ``ImportError`` naming the missing package and
    ``pip install "micrograd_edu[course]"`` (its ``name`` is the missing package's)."""
    try:
        return getattr(importlib.import_module(".session", __name__), name)
    except ModuleNotFoundError as error:
        missing = (error.name or "").split(".")[0]
        raise ImportError(
            f"the live Playground needs {missing} (not installed): {INSTALL}", name=missing
        ) from error


def __getattr__(name: str) -> Any:
    """The session's names when they could not be imported with the package (the course
    extra missing): try again now (:func:`_from_session`)."""
    if name not in ("NeuronInspection", "PlaygroundSession"):
        raise AttributeError(f"module 'micrograd_edu.visualize.live' has no attribute {name!r}")
    value = _from_session(name)
    globals()[name] = value
    return value

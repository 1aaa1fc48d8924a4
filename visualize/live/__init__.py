"""The live TensorFlow Playground on the scalar engine, with a neuron inspector.

:func:`live_playground` returns the app (ipywidgets, for JupyterLab, Notebook 7,
VS Code and Voilà); :class:`~visualize.live.session.PlaygroundSession` is its
model, usable without any widget. ``python -m visualize.live`` (``make
playground``) serves it as a web page on 127.0.0.1.
"""

from __future__ import annotations

from typing import Any

from .session import NeuronInspection, PlaygroundSession

__all__ = ["NeuronInspection", "PlaygroundSession", "live_playground"]


def live_playground(**settings: Any) -> Any:
    """The live Playground with these settings (the keywords of :func:`visualize.playground`).

    Settings: ``dataset``, ``features``, ``hidden``, ``activation``, ``lr``,
    ``regularization`` (``None`` = ``"none"``), ``reg_rate``, ``noise``,
    ``train_ratio``, ``batch_size``, ``seed``, and also ``loss`` and ``n``
    (points; 500 as in the Playground). Bad settings raise ``ValueError`` with
    the same messages as :func:`~visualize.playground`.

    Returns a :class:`~visualize.live.app.LivePlayground`, which displays as
    the app where widgets can show and as the static Playground figure where
    they cannot (nbconvert, GitHub). Without ipywidgets and anywidget installed
    it returns that static figure (a matplotlib ``Figure``) instead.
    """
    session = PlaygroundSession(**settings)
    try:
        from .app import LivePlayground
    except ImportError:  # no widgets: the static picture of the same settings
        return session.figure()
    return LivePlayground(session)

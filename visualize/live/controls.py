"""The settings' widgets: built from the registries, read into settings, filled from settings.

Each setting of :class:`~micrograd_edu.visualize.playground.PlaygroundSettings` has one
control here; its options come from where the library defines them (the
activations of :mod:`micrograd_edu.nn`, the data sets and features of
:mod:`micrograd_edu.datasets`, the losses of :mod:`micrograd_edu.visualize.playground`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from micrograd_edu import datasets
from micrograd_edu.nn import ACTIVATIONS

from ..playground import LOSSES, PlaygroundSettings
from .task import number_text
from .views import button

__all__ = [
    "LEARNING_RATES",
    "LIVE_DATASETS",
    "REG_RATES",
    "SettingsControls",
    "losses",
    "point_classes",
]

LIVE_DATASETS = {
    "classification": list(datasets.CLASSIFICATION),
    "regression": list(datasets.REGRESSION),
}
"""The data sets of the live app: the registries'."""

LEARNING_RATES = ("0.00001", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3")
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
POINT_CLASSES = {
    "classification": [("class 1 (blue square)", 1.0), ("class 0 (orange circle)", 0.0)],
    "regression": [("value +1", 1.0), ("value 0", 0.0), ("value −1", -1.0)],
    "three classes": [
        ("class 0 (orange circle)", 0.0),
        ("class 1 (blue square)", 1.0),
        ("class 2 (black triangle)", 2.0),
    ],
}


def point_classes(s: PlaygroundSettings) -> list[tuple[str, float]]:
    """The "new point" menu: the classes, or values for regression."""
    return POINT_CLASSES["three classes" if s.classes == 3 else s.problem]


def losses(s: PlaygroundSettings) -> tuple[str, ...]:
    """The losses that fit the data set: only cross-entropy for more than two classes."""
    return ("cross_entropy",) if s.classes > 2 else LOSSES[s.problem]


def _percent(value: float) -> int:
    return round(value * 100)


class SettingsControls:
    """One widget per setting, plus the problem type.

    ``fields`` lists ``(setting, widget, widget value → setting value)`` for
    the controls that map one-to-one; features and hidden layers have their
    own buttons (in the app).
    """

    def __init__(self, s: PlaygroundSettings) -> None:
        self.problem = widgets.Dropdown(
            options=list(LIVE_DATASETS), value=s.problem, description="Problem"
        )
        self.dataset = widgets.Dropdown(
            options=LIVE_DATASETS[s.problem], value=s.dataset, description="Data"
        )
        self.loss = widgets.Dropdown(options=losses(s), value=s.loss, description="Loss")
        self.noise = widgets.IntSlider(_percent(s.noise), 0, 50, 5, description="Noise %")
        self.ratio = widgets.IntSlider(_percent(s.train_ratio), 10, 90, 10, description="Train %")
        self.batch = widgets.IntSlider(s.batch_size, 1, 30, 1, description="Batch")
        self.activation = widgets.Dropdown(
            options=list(ACTIVATIONS), value=s.activation, description="Activation"
        )
        self.lr = widgets.Combobox(
            value=number_text(s.lr),
            options=LEARNING_RATES,
            description="Learning rate",
            continuous_update=False,  # applied on Enter or when the box loses focus
        )
        self.regularization = widgets.Dropdown(
            options=["none", "l1", "l2"], value=s.regularization, description="Regularize"
        )
        self.reg_rate = widgets.Dropdown(
            options=REG_RATES, value=_nearest(s.reg_rate), description="Rate"
        )
        self.features = {
            name: widgets.ToggleButton(
                value=name in s.features, description=name, layout=widgets.Layout(width="70px")
            )
            for name in datasets.FEATURES
        }
        self.add_layer = button("+ layer")
        self.remove_layer = button("− layer")
        self.layer_rows = widgets.VBox()
        self.regenerate = button("Regenerate")
        self.fields: list[tuple[str, widgets.ValueWidget, Callable[[Any], Any]]] = [
            ("dataset", self.dataset, str),
            ("loss", self.loss, str),
            ("noise", self.noise, lambda v: v / 100),
            ("train_ratio", self.ratio, lambda v: v / 100),
            ("batch_size", self.batch, int),
            ("activation", self.activation, str),
            ("regularization", self.regularization, str),
            ("reg_rate", self.reg_rate, float),
        ]

    def show(self, s: PlaygroundSettings, data_name: str) -> None:
        """Set every control to ``s`` (call inside the app's ``quiet()``)."""
        self.problem.value = s.problem
        names = LIVE_DATASETS[s.problem]
        self.dataset.options = names if data_name in names else [*names, data_name]
        self.dataset.value = data_name
        self.loss.options = losses(s)
        self.loss.value = s.loss
        self.noise.value = _percent(s.noise)
        self.ratio.value = _percent(s.train_ratio)
        self.batch.value = s.batch_size
        self.activation.value = s.activation
        self.lr.value = number_text(s.lr)
        self.regularization.value = s.regularization
        self.reg_rate.value = _nearest(s.reg_rate)
        for name, toggle in self.features.items():
            toggle.value = name in s.features

    def chosen_features(self) -> tuple[str, ...]:
        return tuple(name for name, toggle in self.features.items() if toggle.value)

    def hideable(self) -> dict[str, list[widgets.Widget]]:
        """The widgets each name of ``hide=`` hides."""
        return {
            "problem": [self.problem],
            # the problem type picks a data set: a fixed data set fixes the problem too
            "dataset": [self.dataset, self.problem],
            "loss": [self.loss],
            "noise": [self.noise],
            "train_ratio": [self.ratio],
            "batch_size": [self.batch],
            "activation": [self.activation],
            "lr": [self.lr],
            "regularization": [self.regularization],
            "reg_rate": [self.reg_rate],
            "features": list(self.features.values()),
            "hidden": [self.add_layer, self.remove_layer, self.layer_rows],
            "regenerate": [self.regenerate],
            "seed": [self.regenerate],
        }


def _nearest(rate: float) -> float:
    """The menu's rate closest to ``rate`` (the menu offers the Playground's rates)."""
    return min(REG_RATES, key=lambda option: abs(option - rate))

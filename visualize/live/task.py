"""A task a teacher writes as a link: settings, hidden controls and a goal in the URL query.

As in the TensorFlow Playground (its state lives in the URL, any control is
hidden by ``<name>_hide=true``), the page's query holds every setting under
the name of :func:`~micrograd_edu.visualize.live.live_playground`'s keyword, plus

- ``hide=features,lr`` (or ``features_hide=true``): controls the student does not see;
- ``goal=test_loss<0.1``: a challenge the page checks after every epoch.

>>> task = parse_query("dataset=xor&features=x1,x2&hide=features&goal=test_loss<0.1")
>>> task.settings, task.hide, task.goal.describe()
({'dataset': 'xor', 'features': ('x1', 'x2')}, ('features',), 'test loss < 0.1')
"""

from __future__ import annotations

import math
import operator
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ..playground import PlaygroundSettings

__all__ = ["CONTROLS", "METRICS", "Goal", "Task", "parse_goal", "parse_query", "query_string"]

SETTINGS = tuple(PlaygroundSettings.__dataclass_fields__)
"""The URL keys of the settings: ``live_playground(...)``'s keywords."""

CONTROLS = (
    *SETTINGS,
    "problem",
    "regenerate",
    "points",
    "upload",
    "inspector",
    "insight",
    "export",
)
"""What ``hide=`` can hide: each setting's control and the app's other panels."""

METRICS = ("test_loss", "train_loss", "test_accuracy", "train_accuracy", "epoch")
"""What a goal can be about."""

_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}
_INTEGERS = ("batch_size", "seed", "n")
_FLOATS = ("lr", "reg_rate", "noise", "train_ratio")


@dataclass(frozen=True)
class Goal:
    """``metric`` compared with ``target``, e.g. ``test_loss < 0.1``."""

    metric: str
    comparison: str
    target: float

    def describe(self) -> str:
        return f"{self.metric.replace('_', ' ')} {self.comparison} {number_text(self.target)}"

    def reached(self, measured: float) -> bool:
        """Whether ``measured`` (the metric's current value) meets the goal (NaN never does)."""
        return math.isfinite(measured) and _COMPARISONS[self.comparison](measured, self.target)

    def text(self) -> str:
        """The goal as written in a link: ``test_loss<0.1``."""
        return f"{self.metric}{self.comparison}{number_text(self.target)}"


def parse_goal(text: str) -> Goal:
    """``"test_loss<0.1"`` as a :class:`Goal`; ``ValueError`` names what is wrong.

    >>> parse_goal("test_accuracy >= 0.95")
    Goal(metric='test_accuracy', comparison='>=', target=0.95)
    """
    match = re.fullmatch(r"\s*([a-z_]+)\s*(<=|>=|<|>)\s*([-+0-9.eE]+)\s*", text)
    if match is None:
        raise ValueError(
            f"goal {shown(text)} is not of the form metric<number (e.g. test_loss<0.1); "
            f"metrics: {', '.join(METRICS)}"
        )
    metric, comparison, number = match.groups()
    if metric not in METRICS:
        raise ValueError(
            f"goal: unknown metric {shown(metric)}; choose one of {', '.join(METRICS)}"
        )
    try:
        target = float(number)
    except ValueError:
        raise ValueError(f"goal: {number!r} is not a number") from None
    if not math.isfinite(target):
        raise ValueError(f"goal: {number!r} is not a finite number")
    return Goal(metric, comparison, target)


def number_text(value: float) -> str:
    """``value`` written so that ``float`` reads it back exactly: ``0.1``, ``1e-05``, ``2``.

    >>> number_text(0.0123456789), number_text(2.0), number_text(1e-05)
    ('0.0123456789', '2', '1e-05')
    """
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def shown(text: str, limit: int = 60) -> str:
    """``text`` as quoted in a message: ``repr``, cut to ``limit`` characters (a link can be
    very long; the message line stays one line).

    >>> shown("x" * 100, limit=10)
    "'xxxxxxxx…"
    """
    quoted = repr(text)
    return quoted if len(quoted) <= limit else quoted[: limit - 1] + "…"


@dataclass(frozen=True)
class Task:
    """What a link asks for: settings (keyword → value), controls to hide, a goal."""

    settings: dict[str, Any] = field(default_factory=dict)
    hide: tuple[str, ...] = ()
    goal: Goal | None = None


def check_hide(names: Iterable[str]) -> tuple[str, ...]:
    """The names, checked against :data:`CONTROLS` (``ValueError`` names the unknown ones)."""
    hide = tuple(dict.fromkeys(name.strip() for name in names if name.strip()))
    unknown = [shown(name) for name in hide if name not in CONTROLS]
    if unknown:
        raise ValueError(
            f"hide: unknown control(s) [{', '.join(unknown)}]; choose from {', '.join(CONTROLS)}"
        )
    return hide


def _setting(name: str, text: str) -> Any:
    if name in ("features", "hidden"):
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if name == "features":
            return tuple(parts)
        try:
            return tuple(int(part) for part in parts)
        except ValueError:
            raise ValueError(
                f"hidden must be numbers of neurons like 4,2, got {shown(text)}"
            ) from None
    if name in _INTEGERS or name in _FLOATS:
        try:
            return int(text) if name in _INTEGERS else float(text)
        except ValueError:
            raise ValueError(f"{name} must be a number, got {shown(text)}") from None
    return None if name == "loss" and text in ("", "default") else text


def parse_query(query: str) -> Task:
    """A page's query string (``a=1&b=2``, with or without ``?``) as a :class:`Task`.

    Unknown keys raise ``ValueError`` naming them (a teacher's typo must show);
    the settings' values are checked later, by the session.
    """
    pairs = urllib.parse.parse_qsl(query.lstrip("?"), keep_blank_values=True)
    settings: dict[str, Any] = {}
    hide: list[str] = []
    goal = None
    unknown = []
    for key, value in pairs:
        if key == "hide":
            hide += value.split(",")
        elif key.endswith("_hide") and key[: -len("_hide")] in CONTROLS:
            if value.lower() in ("", "true", "1", "yes"):
                hide.append(key[: -len("_hide")])
        elif key == "goal":
            goal = parse_goal(value) if value.strip() else None
        elif key in SETTINGS:
            settings[key] = _setting(key, value)
        else:
            unknown.append(shown(key))
    if unknown:
        raise ValueError(
            f"unknown key(s) [{', '.join(unknown)}] in the link; "
            f"the settings are {', '.join(SETTINGS)}, plus hide and goal"
        )
    return Task(settings, check_hide(hide), goal)


def _text(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(str(part) for part in value)
    return number_text(value) if isinstance(value, float) else str(value)


def query_string(
    settings: PlaygroundSettings | Mapping[str, Any],
    hide: Iterable[str] = (),
    goal: Goal | None = None,
) -> str:
    """Every setting, the hidden controls and the goal as a query (no leading ``?``).

    >>> query_string(PlaygroundSettings(dataset="xor"), hide=("lr",))[:40]
    'dataset=xor&features=x1,x2&hidden=4,2&ac'
    """
    values = asdict(settings) if isinstance(settings, PlaygroundSettings) else dict(settings)
    pairs = [(name, _text(value)) for name, value in values.items() if value is not None]
    if hide:
        pairs.append(("hide", ",".join(hide)))
    if goal is not None:
        pairs.append(("goal", goal.text()))
    # "<" and ">" (a goal's) stay percent-encoded: chat apps, e-mail and Markdown end a
    # link at a bare "<" or ">", so a pasted Share link would lose its goal.
    return urllib.parse.urlencode(pairs, safe=",*^()=")

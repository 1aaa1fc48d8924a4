"""The live Playground's challenge: a goal announced when reached, on the task's data only.

:class:`ChallengeCheck` is the part of :class:`~micrograd_edu.visualize.live.app.LivePlayground`
that checks the goal after each redraw and writes the line above the panels:
"reach ...", with the reason when it cannot be reached now, or the epoch at
which it was reached.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from .session import PlaygroundSession
from .task import Goal
from .userdata import UserData

__all__ = ["ChallengeCheck", "goal_unreachable"]


def goal_unreachable(goal: Goal | None, problem: str) -> bool:
    """Whether ``goal`` is about an accuracy on a regression problem (it has none).

    >>> from micrograd_edu.visualize.live.task import parse_goal
    >>> goal_unreachable(parse_goal("test_accuracy>0.9"), "regression")
    True
    """
    return goal is not None and goal.metric.endswith("accuracy") and problem == "regression"


class ChallengeCheck:
    """The goal's line (a mixin of ``LivePlayground``).

    ``goal`` is the challenge (None: none), ``goal_epoch`` the epoch at which it
    was reached (None: not yet, or forgotten by a restart), ``_task_data`` the
    data the task started on (None: a data set's).
    """

    session: PlaygroundSession
    goal: Goal | None
    goal_epoch: int | None
    goal_label: widgets.HTML
    _task_data: UserData | None

    def on_task_data(self) -> bool:
        """Whether the data is the task's: not uploaded, no point added or cleared by hand
        (a goal reached on easier data of one's own would not count)."""
        return self.session.user_data is self._task_data and not self.session.points_edited

    def _goal_note(self, counts: bool) -> str:
        """Why the goal cannot be reached now, if it cannot ("" if it can)."""
        if goal_unreachable(self.goal, self.session.settings.problem):
            return " (an accuracy has no meaning for a regression: this goal cannot be reached)"
        if not counts:
            return (
                " (it counts on the task's data only, not on your own points: "
                "Regenerate, or choose a data set, to get it back)"
            )
        return ""

    def _check_goal(self) -> None:
        goal = self.goal
        if goal is None:
            return
        counts = self.on_task_data()
        pending = self.goal_epoch is None and counts and self.session.epoch
        if pending and self.session.goal_reached(goal):
            self.goal_epoch = self.session.epoch
        if self.goal_epoch is None:
            self.goal_label.value = (
                f"🎯 Challenge: reach {html.escape(goal.describe())}{self._goal_note(counts)}"
            )
        else:
            self.goal_label.value = (
                f"<b>✔ Challenge reached at epoch {self.goal_epoch:,}: "
                f"{html.escape(goal.describe())}</b>"
            )

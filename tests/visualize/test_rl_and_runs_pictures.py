"""RL pictures and symptom runs in words; the CartPole episode as a player that waits for Play."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt
from PIL import Image

from micrograd_edu import rl
from micrograd_edu.exercises.symptoms import Run
from micrograd_edu.nn import MLP
from micrograd_edu.visualize.alttext import number
from micrograd_edu.visualize.rl import (
    cartpole_caption,
    cartpole_gif,
    cartpole_player,
    plot_gridworld_policy,
    plot_returns,
)
from micrograd_edu.visualize.symptoms import plot_runs


@pytest.fixture(autouse=True)
def _close_figures() -> None:
    yield
    plt.close("all")


def test_the_grid_world_policy_is_said_cell_by_cell() -> None:
    env = rl.GridWorld()
    policy = rl.Policy(env.observation_size, 4, hidden=(), seed=3)
    text = plot_gridworld_policy(env, policy).description
    rows, cols = env.shape
    lines = text.split("with its probability: ", 1)[1].rstrip(".").split("; ")
    said = [re.fullmatch(r"row (\d+)(?: \(top\))?: (.*)", line).groups() for line in lines]  # type: ignore[union-attr]
    assert [int(r) for r, _ in said] == list(range(1, rows + 1))
    for r, (_, cells) in enumerate(said):
        words = cells.split(", ")
        assert len(words) == cols
        for c, word in enumerate(words):
            kind = env.layout[r][c]
            if kind != ".":
                assert word == {"G": "goal", "T": "trap", "#": "wall"}[kind]
                continue
            p = policy.probabilities(env.observation((r, c)))
            best = int(np.argmax(p))
            assert word == f"{rl.ACTIONS[best]} {number(float(p[best]))}"


def test_the_returns_are_said_with_their_running_mean() -> None:
    history = rl.RLHistory(returns=[1.0, 3.0, 10.0, 8.0, 7.0], lengths=[1] * 5)
    text = plot_returns(history, window=2).description
    assert text == (
        "Return per episode over 5 episodes: the return (light) rises from 1 to 7, highest 10 "
        "at episode 3, then falls; its mean over the last 2 (thick) rises from 1 to 7.5, "
        "highest 9 at episode 4, then falls."
    )
    assert history.running_mean(2)[3:] == [9.0, 7.5]


def test_symptom_runs_are_said_row_by_row() -> None:
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
    y = np.array([0.0, 1.0, 1.0])
    model = MLP(2, [2, 1], seed=0)
    run = Run(None, [0.7, 0.4, 0.2], [1.0, 0.5, 0.25], [0.33, 0.67, 1.0], model, X, y)
    bad = Run("update-sign", [0.7, 2.0, 9.0], [1.0, 3.0, 8.0], [0.67, 0.33, 0.33], model, X, y)
    text = plot_runs({"correct": run, "A": bad}).description
    assert text.startswith("2 training runs, one row each (loss and gradient norm on log scales).")
    assert "Run 'correct': loss falls from 0.7 to 0.2 over 3 steps; gradient norm falls " in text
    assert "Run 'A': loss rises from 0.7 to 9 over 3 steps" in text
    assert "accuracy falls from 67 % to 33 %" in text
    assert "update-sign" not in text  # a mystery run's description does not give it away
    assert text.count("decision boundary over") == 2


class _Track:
    """A CartPole-like environment whose states are set by the test."""

    def __init__(self, states: list[list[float]]) -> None:
        self.states = [np.array(state) for state in states]
        self.t = 0
        self.action_space = type("Space", (), {"n": 2})()

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, dict[str, object]]:
        self.t = 0
        return self.states[0], {}

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict[str, object]]:
        self.t += 1
        state = self.states[self.t]
        fallen = abs(math.degrees(state[2])) > 12 or abs(state[0]) > 2.4
        return state, 1.0, bool(fallen), False, {}


def test_the_cartpole_player_says_each_moment_and_why_it_ends() -> None:
    states = [[0.0, 0, 0.01, 0], [0.05, 0, -0.03, 0], [0.1, 0, -0.1, 0], [0.1, 0, -0.25, 0]]
    env = _Track(states)
    policy = rl.Policy(4, 2, hidden=(), seed=0)
    player = cartpole_player(policy, env, every=1)
    assert len(player.frames) == 3  # the state after the last step is not drawn
    actions = [policy.greedy(np.array(state)) for state in states[:3]]
    expected = [cartpole_caption(t, states[t], actions[t]) for t in range(3)]
    expected[-1] += " The episode ends at t = 0.06 s: the pole fell past 12°."
    assert list(player.captions) == expected
    assert "the pole leaning 5.7° to the left" in player.captions[2]
    for frame, caption in zip(player.frames, player.captions, strict=True):
        assert f'role="img" aria-label="{caption}"' in frame.replace("&#x27;", "'")
    page = player.html_fragment()
    assert "interval: 20, autoplay: false" in page  # real time; never starts by itself
    assert 'data-action="play" aria-pressed="false"' in page
    assert (
        "autoplay: true" in cartpole_player(policy, _Track(states), autoplay=True).html_fragment()
    )


def test_the_gif_plays_once(tmp_path: Path) -> None:
    states = [[0.0, 0, 0.0, 0], [0.0, 0, 0.0, 0], [0.0, 0, 0.3, 0]]
    path = cartpole_gif(rl.Policy(4, 2, seed=0), _Track(states), tmp_path / "c.gif", every=1)
    image = Image.open(path)
    assert image.n_frames == 2
    assert "loop" not in image.info  # no looping extension: it stops after one pass

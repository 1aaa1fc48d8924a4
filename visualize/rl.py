"""Pictures of reinforcement learning: returns, the grid world's policy, the cart-pole.

* :func:`plot_returns` — the return of every training episode and its running mean;
* :func:`plot_gridworld_policy` — the best action in each cell as arrows, each
  as long as its probability;
* :func:`cartpole_gif` — one greedy CartPole episode drawn with matplotlib,
  as an animated GIF (Pillow, which matplotlib already needs, writes it).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from micrograd_edu.io import write_atomically
from micrograd_edu.rl import GridWorld, Policy, RLHistory, RLRun, env_action

from .plots import BLUE, ORANGE, save_figure

__all__ = ["cartpole_gif", "plot_gridworld_policy", "plot_returns", "write_rl_pictures"]

_ARROWS = {0: (0.0, 1.0), 1: (1.0, 0.0), 2: (0.0, -1.0), 3: (-1.0, 0.0)}  # dx, dy on screen


def plot_returns(history: RLHistory, ax: Axes | None = None, window: int = 20) -> Figure:
    """The return per episode (light) and its running mean over ``window`` episodes."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.5))
    else:
        fig = ax.figure  # type: ignore[assignment]
    episodes = np.arange(1, len(history.returns) + 1)
    ax.plot(episodes, history.returns, color=BLUE, alpha=0.3, linewidth=1, label="return")
    ax.plot(
        episodes,
        history.running_mean(window),
        color=BLUE,
        linewidth=2,
        label=f"mean of the last {window}",
    )
    ax.set_xlabel("episode")
    ax.set_ylabel("return")
    ax.legend(loc="lower right")
    return fig


def plot_gridworld_policy(env: GridWorld, policy: Policy, ax: Axes | None = None) -> Figure:
    """Each free cell with four arrows, as long as the probability of each action.

    The most probable action is dark; walls are grey, the goal green, the trap red.
    """
    rows, cols = env.shape
    if ax is None:
        fig, ax = plt.subplots(figsize=(1.1 * cols + 0.5, 1.1 * rows + 0.3))
    else:
        fig = ax.figure  # type: ignore[assignment]
    colors = {"#": "#9ca3af", "G": "#86efac", "T": "#fca5a5", ".": "white"}
    for r, c in env.cells:
        kind = env.layout[r][c]
        y = rows - 1 - r
        ax.add_patch(Rectangle((c, y), 1, 1, facecolor=colors[kind], edgecolor="#475569"))
        if kind in "GT":
            ax.text(
                c + 0.5,
                y + 0.5,
                "goal" if kind == "G" else "trap",
                ha="center",
                va="center",
                fontsize=9,
            )
        if kind != ".":
            continue
        probabilities = policy.probabilities(env.observation((r, c)))
        best = int(np.argmax(probabilities))
        for action, (dx, dy) in _ARROWS.items():
            length = 0.42 * float(probabilities[action])
            if length < 0.02:
                continue
            ax.arrow(
                c + 0.5,
                y + 0.5,
                dx * length,
                dy * length,
                width=0.03,
                head_width=0.12,
                head_length=min(0.1, length),
                length_includes_head=True,
                color="#111827" if action == best else "#94a3b8",
            )
    ax.set_xlim(0, cols)
    ax.set_ylim(0, rows)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("the best action in each cell (arrow length: probability)", fontsize=9)
    return fig


def _draw_cartpole(ax: Axes, state: Any, step: int) -> None:
    x, _, theta, _ = (float(v) for v in state)
    ax.clear()
    ax.set_xlim(-2.6, 2.6)
    ax.set_ylim(-0.4, 1.4)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.plot([-2.4, 2.4], [0, 0], color="#475569", linewidth=1)
    ax.add_patch(Rectangle((x - 0.25, -0.08), 0.5, 0.16, facecolor=BLUE))
    length = 1.0  # drawn pole (CartPole's half-length is 0.5)
    ax.plot(
        [x, x + length * np.sin(theta)],
        [0.08, 0.08 + length * np.cos(theta)],
        color=ORANGE,
        linewidth=6,
        solid_capstyle="round",
    )
    ax.text(-2.5, 1.3, f"step {step}", fontsize=9, va="top")


def cartpole_gif(
    policy: Policy,
    env: Any,
    path: str | os.PathLike[str],
    max_frames: int = 200,
    seed: int = 0,
    every: int = 2,
) -> Path:
    """One greedy episode of CartPole as an animated GIF (every ``every``-th step)."""
    from PIL import Image

    state, _ = env.reset(seed=seed)
    fig = Figure(figsize=(4, 1.6), dpi=80)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    frames = []
    for step in range(max_frames * every):
        if step % every == 0:
            _draw_cartpole(ax, state, step)
            canvas.draw()  # type: ignore[no-untyped-call]
            rgba = np.asarray(canvas.buffer_rgba())  # type: ignore[no-untyped-call]
            frames.append(Image.fromarray(rgba).convert("P"))
        state, _, terminated, truncated, _ = env.step(env_action(env, policy.greedy(state)))
        if terminated or truncated:
            break
    buffer = io.BytesIO()
    frames[0].save(
        buffer, format="GIF", save_all=True, append_images=frames[1:], duration=40 * every, loop=0
    )
    return write_atomically(path, buffer.getvalue())


def write_rl_pictures(run: RLRun, out: Path) -> list[Path]:
    """The pictures of ``python -m micrograd_edu rl`` (an entry point): returns, and the
    grid world's policy or a CartPole episode."""
    written = []
    figure = plot_returns(run.history)
    written.append(save_figure(figure, out / "returns.png"))
    plt.close(figure)
    if isinstance(run.env, GridWorld):
        figure = plot_gridworld_policy(run.env, run.policy)
        written.append(save_figure(figure, out / "policy.png"))
        plt.close(figure)
    else:
        written.append(cartpole_gif(run.policy, run.env, out / "cartpole.gif"))
    return written

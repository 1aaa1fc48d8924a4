"""Pictures of reinforcement learning: returns, the grid world's policy, the cart-pole.

* :func:`plot_returns` — the return of every training episode and its running mean;
* :func:`plot_gridworld_policy` — the best action in each cell as arrows, each
  as long as its probability;
* :func:`cartpole_player` — one greedy CartPole episode as an HTML player that
  waits for Play, can be paused and stepped, and says each step in words (the cart's
  place, the pole's angle, the push), announced in a polite live region;
* :func:`cartpole_gif` — the same episode as an animated GIF (Pillow, which
  matplotlib already needs, writes it) that plays once, for files and slides.

The figures carry descriptions written from their data
(:func:`~micrograd_edu.visualize.alttext.describe`): the returns' trend, the best
action in each cell of the grid world.
"""

from __future__ import annotations

import html
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from micrograd_edu.io import write_atomically
from micrograd_edu.rl import ACTIONS, GridWorld, Policy, RLHistory, RLRun, env_action

from . import interactive
from .alttext import DescribedFigure, number, series_text, set_description
from .backward import player_html
from .figures import save_figure
from .palette import BLUE, ORANGE

__all__ = [
    "CartPolePlayer",
    "cartpole_caption",
    "cartpole_gif",
    "cartpole_player",
    "plot_gridworld_policy",
    "plot_returns",
    "write_rl_pictures",
]

_ARROWS = {0: (0.0, 1.0), 1: (1.0, 0.0), 2: (0.0, -1.0), 3: (-1.0, 0.0)}  # dx, dy on screen


def plot_returns(history: RLHistory, ax: Axes | None = None, window: int = 20) -> Figure:
    """The return per episode (light) and its running mean over ``window`` episodes (thick).

    The description says where both start and end, and the best mean.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.5), FigureClass=DescribedFigure)
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
    ax.legend(loc="upper left")  # returns rise as the agent learns: that corner stays empty
    set_description(
        ax,
        f"Return per episode over {len(history.returns):,} episodes: "
        + series_text("the return (light)", history.returns, "episode", "highest", count=False)
        + "; "
        + series_text(
            f"its mean over the last {window} (thick)",
            history.running_mean(window),
            "episode",
            "highest",
            count=False,
        ),
    )
    return fig


def plot_gridworld_policy(env: GridWorld, policy: Policy, ax: Axes | None = None) -> Figure:
    """Each free cell with four arrows, as long as the probability of each action.

    The most probable action is dark; walls are grey, the goal green and the trap red,
    each also written in its cell. The description gives the best action in each cell,
    row by row, with its probability.
    """
    rows, cols = env.shape
    if ax is None:
        fig, ax = plt.subplots(
            figsize=(1.1 * cols + 0.5, 1.1 * rows + 0.3), FigureClass=DescribedFigure
        )
    else:
        fig = ax.figure  # type: ignore[assignment]
    colors = {"#": "#9ca3af", "G": "#86efac", "T": "#fca5a5", ".": "white"}
    for r, c in env.cells:
        kind = env.layout[r][c]
        y = rows - 1 - r
        ax.add_patch(Rectangle((c, y), 1, 1, facecolor=colors[kind], edgecolor="#475569"))
        if kind in "GT#":
            ax.text(
                c + 0.5,
                y + 0.5,
                _CELL_NAMES[kind],
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
    set_description(ax, policy_text(env, policy))
    return fig


_CELL_NAMES = {"G": "goal", "T": "trap", "#": "wall", ".": "free"}


def policy_text(env: GridWorld, policy: Policy) -> str:
    """The grid world's policy in words: row by row, each cell's best action and its
    probability, or what the cell is."""
    rows, cols = env.shape
    lines = []
    for r in range(rows):
        cells = []
        for c in range(cols):
            kind = env.layout[r][c]
            if kind != ".":
                cells.append(_CELL_NAMES.get(kind, kind))
                continue
            probabilities = policy.probabilities(env.observation((r, c)))
            best = int(np.argmax(probabilities))
            cells.append(f"{ACTIONS[best]} {number(float(probabilities[best]))}")
        lines.append(f"row {r + 1}{' (top)' if r == 0 else ''}: {', '.join(cells)}")
    return (
        f"Grid world of {rows} rows and {cols} columns, the most probable action in each cell "
        "with its probability: " + "; ".join(lines)
    )


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


X_LIMIT, ANGLE_LIMIT = 2.4, 12.0
"""Where a CartPole episode ends: the cart beyond ±2.4 or the pole beyond ±12°."""
SECONDS_PER_STEP = 0.02
"""CartPole's time step (``tau``)."""


def _episode(
    policy: Policy, env: Any, max_frames: int, seed: int, every: int
) -> tuple[list[tuple[int, Any, int]], str]:
    """One greedy episode: (step, state, action) every ``every`` steps, and why it ended."""
    state, _ = env.reset(seed=seed)
    kept = []
    ending = f"The player stops here, after {max_frames} pictures."
    for step in range(max_frames * every):
        action = policy.greedy(state)
        if step % every == 0:
            kept.append((step, state, action))
        state, _, terminated, truncated, _ = env.step(env_action(env, action))
        if terminated or truncated:
            x, theta = float(state[0]), math.degrees(float(state[2]))
            ending = (
                f"The episode ends at t = {(step + 1) * SECONDS_PER_STEP:.2f} s: "
                + (
                    "the pole fell past 12°"
                    if abs(theta) > ANGLE_LIMIT
                    else "the cart left the track"
                    if abs(x) > X_LIMIT
                    else "the time limit, the pole still up"
                )
                + "."
            )
            break
    return kept, ending


def cartpole_caption(step: int, state: Any, action: int) -> str:
    """One moment of a CartPole episode in words.

    >>> print(cartpole_caption(12, [0.1234, 0.0, -0.05, 0.0], 1))  # doctest: +NORMALIZE_WHITESPACE
    t = 0.24 s: the cart at x = 0.12 (the track runs from -2.4 to 2.4), the pole leaning
    2.9° to the left; the policy pushes right.
    """
    x, theta = float(state[0]), math.degrees(float(state[2]))
    pole = (
        "upright"
        if abs(theta) < 0.05
        else f"leaning {abs(theta):.1f}° to the {'right' if theta > 0 else 'left'}"
    )
    push = "right" if action == 1 else "left"
    return (
        f"t = {step * SECONDS_PER_STEP:.2f} s: the cart at x = {x:.2f} (the track runs from "
        f"-{X_LIMIT} to {X_LIMIT}), the pole {pole}; the policy pushes {push}."
    )


def _cartpole_svg(state: Any, caption: str) -> str:
    """One moment as SVG: the track, the cart (blue) and the pole (orange)."""
    x, theta = float(state[0]), float(state[2])
    scale, ground, width = 75.0, 110.0, 400.0

    def sx(u: float) -> float:
        return width / 2 + scale * u

    top = (sx(x + np.sin(theta)), ground - 6 - scale * np.cos(theta))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="130" '
        f'viewBox="0 0 {width:.0f} 130" role="img" aria-label="{html.escape(caption)}">'
        f'<rect width="{width:.0f}" height="130" fill="#ffffff"/>'
        f'<line x1="{sx(-X_LIMIT):.1f}" y1="{ground}" x2="{sx(X_LIMIT):.1f}" y2="{ground}" '
        'stroke="#475569" stroke-width="1.5"/>'
        f'<rect x="{sx(x) - 20:.1f}" y="{ground - 12}" width="40" height="14" fill="{BLUE}" '
        'stroke="#1f2937"/>'
        f'<line x1="{sx(x):.1f}" y1="{ground - 6}" x2="{top[0]:.1f}" y2="{top[1]:.1f}" '
        f'stroke="{ORANGE}" stroke-width="7" stroke-linecap="round"/></svg>'
    )


CARTPOLE_KEYS = (
    "Keyboard: Play starts and pauses the episode (it never starts by itself); First, "
    "Previous, Next and Last step through it. Each step is said in words."
)


@dataclass(frozen=True)
class CartPolePlayer:
    """A CartPole episode as an HTML player (shows itself in Jupyter): it waits for Play,
    can be paused and stepped, and says each moment in words (:attr:`captions`)."""

    frames: tuple[str, ...]
    captions: tuple[str, ...]
    interval: int = 80
    autoplay: bool = False

    def html_fragment(self) -> str:
        return player_html(
            self.frames,
            self.captions,
            "A CartPole episode",
            keys=CARTPOLE_KEYS,
            interval=self.interval,
            autoplay=self.autoplay,
        )

    def html_page(self, title: str = "A CartPole episode") -> str:
        return interactive.page_html(title, self.html_fragment())

    def _repr_html_(self) -> str:
        return self.html_fragment()


def cartpole_player(
    policy: Policy,
    env: Any,
    max_frames: int = 200,
    seed: int = 0,
    every: int = 2,
    autoplay: bool = False,
) -> CartPolePlayer:
    """One greedy episode of CartPole (every ``every``-th step, at most ``max_frames``
    pictures) as a player that waits for Play and can be paused (WCAG 2.2.2); with
    ``autoplay`` it starts by itself, except for a user who prefers reduced motion."""
    kept, ending = _episode(policy, env, max_frames, seed, every)
    captions = [cartpole_caption(step, state, action) for step, state, action in kept]
    captions[-1] += " " + ending
    frames = tuple(
        _cartpole_svg(state, caption) for (_, state, _), caption in zip(kept, captions, strict=True)
    )
    interval = round(1000 * SECONDS_PER_STEP * every)  # real time
    return CartPolePlayer(frames, tuple(captions), interval=interval, autoplay=autoplay)


def cartpole_gif(
    policy: Policy,
    env: Any,
    path: str | os.PathLike[str],
    max_frames: int = 200,
    seed: int = 0,
    every: int = 2,
) -> Path:
    """One greedy episode of CartPole as an animated GIF (every ``every``-th step) that
    plays once (a page that shows it must still let it be paused: use
    :func:`cartpole_player` there)."""
    from PIL import Image

    fig = Figure(figsize=(4, 1.6), dpi=80)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    frames = []
    for step, state, _ in _episode(policy, env, max_frames, seed, every)[0]:
        _draw_cartpole(ax, state, step)
        canvas.draw()  # type: ignore[no-untyped-call]
        rgba = np.asarray(canvas.buffer_rgba())  # type: ignore[no-untyped-call]
        frames.append(Image.fromarray(rgba).convert("P"))
    buffer = io.BytesIO()
    frames[0].save(
        buffer, format="GIF", save_all=True, append_images=frames[1:], duration=40 * every
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

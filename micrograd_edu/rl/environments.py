"""Environments for :mod:`micrograd_edu.rl`: gymnasium's interface, and a small grid world.

An environment has ``reset(seed=...)`` → (state, info), ``step(action)`` →
(state, reward, terminated, truncated, info) and a ``Discrete`` action space
(``action_space.n``, ``action_space.start``). :class:`GridWorld` is built in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .._support import validation

__all__ = [
    "ACTIONS",
    "DEFAULT_LAYOUT",
    "Environment",
    "GridWorld",
    "check_environment",
    "encode_observation",
    "env_action",
    "shortest_path_actions",
]

FloatArray = npt.NDArray[np.float64]


class Environment(Protocol):
    """What :func:`reinforce` needs of an environment (gymnasium's interface)."""

    def reset(self, *, seed: int | None = None) -> tuple[Any, Any]: ...

    def step(self, action: Any) -> tuple[Any, Any, bool, bool, Any]: ...


def check_environment(env: object) -> int:
    """The number of actions of ``env``, or a clear error if it is not an environment."""
    for method in ("reset", "step"):
        if not callable(getattr(env, method, None)):
            raise TypeError(
                f"the environment needs reset() and step() methods (gymnasium's interface); "
                f"{type(env).__name__} has no {method}()"
            )
    return _discrete(getattr(env, "action_space", None), "action_space")[0]


def _discrete(space: object, name: str) -> tuple[int, int]:
    """(n, start) of a discrete space (gymnasium's ``Discrete``), or a clear error."""
    n = getattr(space, "n", None)
    shape = getattr(space, "shape", ())
    if n is None or (shape is not None and tuple(shape) != ()):
        continuous = type(space).__name__ == "Box" or hasattr(space, "low")
        why = (
            "continuous actions need a policy that outputs a distribution over numbers "
            "(e.g. a Gaussian), which REINFORCE here does not have"
            if continuous
            else "REINFORCE here chooses one action among n"
        )
        raise TypeError(
            f"the environment's {name} must be discrete (gymnasium's Discrete(n), one choice "
            f"among n), got {space!r}: {why}"
        )
    return validation.integer(f"{name}.n", n), int(getattr(space, "start", 0))


def env_action(env: Environment, index: int) -> int:
    """The action sent to ``env`` for the policy's output ``index`` (0 … n − 1): the
    action space's ``start`` + ``index`` (gymnasium's ``Discrete(n, start=...)``).

    >>> class Space:
    ...     n, start = 3, 10
    >>> class Env:
    ...     action_space = Space()
    >>> env_action(Env(), 2)
    12
    """
    return _discrete(getattr(env, "action_space", None), "action_space")[1] + int(index)


def encode_observation(env: Environment, state: Any) -> Any:
    """``state`` as the policy reads it: one-hot (n numbers) if ``env``'s observation space is
    gymnasium's ``Discrete(n, start=s)``, else unchanged (an array of numbers).

    Raises ``ValueError`` if a discrete state is outside the space.

    >>> class Space:
    ...     n, start = 4, 0
    >>> class Env:
    ...     observation_space = Space()
    >>> encode_observation(Env(), 2).tolist()
    [0.0, 0.0, 1.0, 0.0]
    """
    space = getattr(env, "observation_space", None)
    if getattr(space, "n", None) is None or tuple(getattr(space, "shape", ()) or ()) != ():
        return state
    n, start = _discrete(space, "observation_space")
    number = np.asarray(state)
    if number.shape != () or number.dtype.kind not in "iu":
        raise ValueError(f"a discrete observation must be one integer, got {state!r}")
    index = int(number) - start
    if not 0 <= index < n:
        raise ValueError(f"observation {state!r} is outside the observation space {space!r}")
    vector = np.zeros(n)
    vector[index] = 1.0
    return vector


# --------------------------------------------------------------------- returns
ACTIONS = ("up", "right", "down", "left")
_MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))

DEFAULT_LAYOUT = (
    "....G",
    ".#.#T",
    "...#.",
    ".#...",
)
"""``.`` free, ``#`` wall, ``G`` goal (+1, ends), ``T`` trap (−1, ends)."""


class _Discrete:
    def __init__(self, n: int) -> None:
        self.n = n

    def contains(self, action: object) -> bool:
        return isinstance(action, (int, np.integer)) and 0 <= int(action) < self.n

    def __repr__(self) -> str:
        return f"Discrete({self.n})"


class GridWorld:
    """A small grid: walk to the goal, avoid the trap, walls block.

    The state is the agent's cell as a one-hot vector (one number per cell).
    Each step costs ``step_reward``; reaching the goal gives +1 and the trap −1,
    both end the episode, as do ``max_steps`` steps. Every episode starts in a
    random free cell (seeded), so that the agent learns what to do everywhere.
    """

    def __init__(
        self,
        layout: Sequence[str] = DEFAULT_LAYOUT,
        step_reward: float = -0.04,
        max_steps: int = 50,
    ) -> None:
        rows = [str(row) for row in layout]
        if not rows or len({len(row) for row in rows}) != 1:
            raise ValueError("the layout must be non-empty rows of equal length")
        if sum(row.count("G") for row in rows) != 1:
            raise ValueError("the layout needs exactly one goal G")
        self.layout = tuple(rows)
        self.shape = (len(rows), len(rows[0]))
        self.cells = [(r, c) for r in range(self.shape[0]) for c in range(self.shape[1])]
        self.goal = next(cell for cell in self.cells if self._at(cell) == "G")
        self.traps = {cell for cell in self.cells if self._at(cell) == "T"}
        self.starts = [cell for cell in self.cells if self._at(cell) == "."]
        self.step_reward = float(step_reward)
        self.max_steps = validation.integer("max_steps", max_steps)
        self.action_space = _Discrete(len(ACTIONS))
        self.observation_size = len(self.cells)
        self.rng = np.random.default_rng()
        self.position = self.starts[0]
        self.steps = 0

    def _at(self, cell: tuple[int, int]) -> str:
        return self.layout[cell[0]][cell[1]]

    def observation(self, cell: tuple[int, int] | None = None) -> FloatArray:
        """The one-hot vector of ``cell`` (default: the agent's)."""
        vector = np.zeros(self.observation_size)
        vector[self.cells.index(cell or self.position)] = 1.0
        return vector

    def reset(
        self, *, seed: int | None = None, start: tuple[int, int] | None = None
    ) -> tuple[FloatArray, dict[str, Any]]:
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self.position = (
            start if start is not None else self.starts[self.rng.integers(len(self.starts))]
        )
        self.steps = 0
        return self.observation(), {}

    def move(self, cell: tuple[int, int], action: int) -> tuple[int, int]:
        """Where ``action`` leads from ``cell`` (a wall or the edge: nowhere)."""
        dr, dc = _MOVES[action]
        row, col = cell[0] + dr, cell[1] + dc
        if 0 <= row < self.shape[0] and 0 <= col < self.shape[1] and self._at((row, col)) != "#":
            return row, col
        return cell

    def step(self, action: int) -> tuple[FloatArray, float, bool, bool, dict[str, Any]]:
        if not self.action_space.contains(action):
            raise ValueError(f"action {action!r} is outside the action space 0..3 ({ACTIONS})")
        self.position = self.move(self.position, int(action))
        self.steps += 1
        if self.position == self.goal:
            return self.observation(), 1.0, True, False, {}
        if self.position in self.traps:
            return self.observation(), -1.0, True, False, {}
        return self.observation(), self.step_reward, False, self.steps >= self.max_steps, {}


def shortest_path_actions(env: GridWorld) -> dict[tuple[int, int], set[int]]:
    """For every start cell, the actions that begin a shortest path to the goal (avoiding traps)."""
    distance = {env.goal: 0}
    frontier = [env.goal]
    while frontier:
        following = []
        for cell in frontier:
            for neighbour in env.starts:
                if neighbour not in distance and any(
                    env.move(neighbour, a) == cell for a in range(len(ACTIONS))
                ):
                    distance[neighbour] = distance[cell] + 1
                    following.append(neighbour)
        frontier = following
    return {
        cell: {
            a
            for a in range(len(ACTIONS))
            if distance.get(env.move(cell, a), -1) == distance[cell] - 1
        }
        for cell in env.starts
        if cell in distance
    }

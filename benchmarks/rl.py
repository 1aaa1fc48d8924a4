"""Reinforcement learning's training targets, timed: the grid world and CartPole.

* grid world: seconds until the greedy policy follows a shortest path to the
  goal from every cell (target: under 10 s);
* CartPole-v1: training episodes and seconds until the kept policy reaches a
  greedy mean return of 475 over 100 evaluation episodes (target: at most
  1,000 episodes).
"""

from __future__ import annotations

import time

from micrograd_edu import rl

__all__ = ["rl_rows"]


def _gridworld_seconds() -> tuple[float, bool]:
    start = time.perf_counter()
    run = rl.train(rl.GridWorld(), "gridworld", seed=0)
    seconds = time.perf_counter() - start
    env, policy = run.env, run.policy
    best = rl.shortest_path_actions(env)
    solved = all(policy.greedy(env.observation(cell)) in actions for cell, actions in best.items())
    return seconds, solved


def _cartpole() -> tuple[int, float, float]:
    import gymnasium

    env = gymnasium.make("CartPole-v1")
    start = time.perf_counter()
    run = rl.train(env, "cartpole", seed=0)
    seconds = time.perf_counter() - start
    mean, _ = rl.evaluate(run.policy, env, 100, seed=123)
    return len(run.history.returns), seconds, mean


def rl_rows() -> list[list[str]]:
    """Rows of the targets table: what, measured, target, met."""
    seconds, solved = _gridworld_seconds()
    episodes, cart_seconds, mean = _cartpole()
    return [
        [
            "grid world: seconds to shortest paths from every cell",
            f"{seconds:.1f} s",
            "< 10 s",
            "✔" if solved and seconds < 10 else "✘",
        ],
        [
            "CartPole-v1: episodes to a greedy mean of 475 (100 evaluations)",
            f"{episodes} episodes, {cart_seconds:.0f} s (mean {mean:.0f})",
            "≤ 1,000 episodes",
            "✔" if episodes <= 1000 and mean >= 475 else "✘",
        ],
    ]

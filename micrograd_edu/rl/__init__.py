"""Reinforcement learning: policies, returns, REINFORCE, and the environments they play.

Everything is importable from here, as before the package was split:
:mod:`~micrograd_edu.rl.policy` (the policy network, returns, the REINFORCE loss, an
episode), :mod:`~micrograd_edu.rl.training` (REINFORCE's loop, recipes, evaluation) and
:mod:`~micrograd_edu.rl.environments` (gymnasium's interface, the grid world).
"""

from .environments import (
    ACTIONS,
    Environment,
    GridWorld,
    encode_observation,
    env_action,
    shortest_path_actions,
)
from .policy import Episode, Policy, discounted_returns, normalized, policy_loss, run_episode
from .training import RECIPES, Recipe, RLHistory, RLRun, StopReason, evaluate, reinforce, train

__all__ = [
    "ACTIONS",
    "RECIPES",
    "Environment",
    "Episode",
    "GridWorld",
    "Policy",
    "RLHistory",
    "RLRun",
    "Recipe",
    "StopReason",
    "discounted_returns",
    "encode_observation",
    "env_action",
    "evaluate",
    "normalized",
    "policy_loss",
    "reinforce",
    "run_episode",
    "shortest_path_actions",
    "train",
]

"""A policy: a network whose outputs are the probabilities of the actions in a state.

:class:`Policy` (an MLP, its softmax and the choice of an action), the returns
Gₜ = rₜ + γ rₜ₊₁ + … of an episode (:func:`discounted_returns`) and the
REINFORCE loss L = −Σₜ log π(aₜ | sₜ) · Âₜ (:func:`policy_loss`), and one
episode played by a policy (:func:`run_episode`). Training them is
:mod:`micrograd_edu.rl.training`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import losses
from .._support import validation
from ..engine import Value, sum_values
from ..module import Module
from ..nn import MLP, ActivationName
from .environments import (
    Environment,
    check_environment,
    encode_observation,
    env_action,
)

__all__ = [
    "Episode",
    "Policy",
    "discounted_returns",
    "normalized",
    "policy_loss",
    "run_episode",
]

FloatArray = npt.NDArray[np.float64]


def discounted_returns(rewards: Sequence[float], gamma: float) -> list[float]:
    """Gₜ = rₜ + γ·Gₜ₊₁ for one episode, computed backwards from the last reward.

    >>> discounted_returns([1.0, 1.0, 1.0], gamma=0.5)
    [1.75, 1.5, 1.0]
    """
    gamma = validation.real("gamma", gamma, low=0.0, high=1.0)
    returns = [0.0] * len(rewards)
    running = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        running = float(rewards[t]) + gamma * running
        returns[t] = running
    return returns


def normalized(returns: Sequence[float]) -> list[float]:
    """(Gₜ − mean) / std over the episode: a baseline, so that only better-than-usual
    actions are reinforced (all zero when every return is the same)."""
    values = np.asarray(returns, dtype=np.float64)
    spread = float(values.std())
    if spread < 1e-12:
        return [0.0] * len(values)
    advantages: list[float] = ((values - values.mean()) / spread).tolist()
    return advantages


# --------------------------------------------------------------------- policy
class Policy(Module):
    """An MLP whose outputs are action logits; softmax turns them into π(a | s).

    ``act`` samples an action (seeded generator), ``greedy`` takes the most
    probable one (for evaluation). Both use NumPy, without a graph; only the
    loss at the end of an episode is built with Values.

    A :class:`~micrograd_edu.module.Module`, like the networks of notebook 4:
    ``parameters()`` are its MLP's (named ``model.layers.0...``), and
    ``zero_grad()`` zeroes their gradients.

    >>> policy = Policy(3, 2, hidden=(4,), seed=0)
    >>> len(policy.parameters()), next(policy.named_parameters())[0]
    (26, 'model.layers.0.neurons.0.w.0')
    >>> policy_loss(policy, [[0.1, 0.2, 0.3]], [1], [1.0]).backward()
    >>> policy.zero_grad()
    >>> {p.grad for p in policy.parameters()}
    {0.0}
    """

    def __init__(
        self,
        n_observations: int,
        n_actions: int,
        hidden: Sequence[int] = (16,),
        activation: ActivationName = "tanh",
        seed: int | None = None,
    ) -> None:
        n_actions = validation.integer("n_actions", n_actions, minimum=2)
        self.model = MLP(n_observations, [*hidden, n_actions], activation=activation, seed=seed)
        self.rng = np.random.default_rng(seed)

    @property
    def n_observations(self) -> int:
        return self.model.nin

    @property
    def n_actions(self) -> int:
        return self.model.nout

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """The MLP's parameters, their names prefixed with ``model.`` (as PyTorch names them)."""
        for name, p in self.model.named_parameters():
            yield f"model.{name}", p

    def parameters(self) -> list[Value]:
        """The MLP's parameters, in its order."""
        return self.model.parameters()

    def _observation(self, state: Any) -> FloatArray:
        array = validation.real_array("observation", state).reshape(-1)
        if array.shape != (self.n_observations,):
            raise ValueError(
                f"the policy reads observations of {self.n_observations} numbers, got {array.size}"
            )
        return array

    def probabilities(self, state: Any) -> FloatArray:
        """π(· | state): the softmax of the logits, with NumPy.

        Raises ``FloatingPointError`` if a logit is infinite or NaN (the weights
        diverged, e.g. with a too large learning rate): no distribution to sample.
        """
        with np.errstate(all="ignore"):
            logits = self.model.forward_array(self._observation(state)[None, :])[0]
        if not np.all(np.isfinite(logits)):
            raise FloatingPointError(
                f"the policy's logits became {logits.tolist()} (the weights diverged; "
                "a smaller learning rate?)"
            )
        with np.errstate(over="ignore", under="ignore"):  # a logit far below the largest: 0
            return losses.softmax_array(logits)

    def act(self, state: Any) -> int:
        """An action sampled from π(· | state)."""
        return int(self.rng.choice(self.n_actions, p=self.probabilities(state)))

    def greedy(self, state: Any) -> int:
        """The most probable action."""
        return int(np.argmax(self.probabilities(state)))

    def log_probability(self, state: Any, action: int) -> Value:
        """log π(action | state) as a Value (part of the loss graph)."""
        if not 0 <= action < self.n_actions:
            raise ValueError(f"action {action} is outside the action space 0..{self.n_actions - 1}")
        logits = self.model(self._observation(state))
        logits = logits if isinstance(logits, list) else [logits]
        return losses.log_softmax(logits)[action]


def policy_loss(
    policy: Policy, states: Sequence[Any], actions: Sequence[int], advantages: Sequence[float]
) -> Value:
    """L = −(1/T) Σₜ log π(aₜ | sₜ) · Âₜ — minimising it is gradient *ascent* on the return."""
    if not len(states) == len(actions) == len(advantages) or not states:
        raise ValueError(
            f"states, actions and advantages must be non-empty and of one length, got "
            f"{len(states)}, {len(actions)}, {len(advantages)}"
        )
    terms = [
        policy.log_probability(s, a) * float(g)
        for s, a, g in zip(states, actions, advantages, strict=True)
        if g != 0.0
    ]
    if not terms:
        return Value(0.0)
    return sum_values(terms) * (-1.0 / len(states))


# --------------------------------------------------------------------- episodes
@dataclass
class Episode:
    states: list[Any] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)

    @property
    def total(self) -> float:
        return float(sum(self.rewards))


def run_episode(
    env: Environment,
    policy: Policy,
    greedy: bool = False,
    seed: int | None = None,
    max_steps: int = 10_000,
) -> Episode:
    """Play one episode: sampled actions (or the greedy ones); returns what happened.

    The episode records the states as the policy read them
    (:func:`encode_observation`) and the policy's action indices 0 … n − 1; the
    environment receives :func:`env_action` of each. Raises ``FloatingPointError``
    if the policy's logits are not finite.
    """
    n_actions = check_environment(env)
    first_action = env_action(env, 0)
    if n_actions != policy.n_actions:
        raise ValueError(
            f"the policy has {policy.n_actions} outputs but the environment {n_actions} actions"
        )
    state = encode_observation(env, env.reset(seed=seed)[0])
    episode = Episode()
    for _ in range(max_steps):
        action = policy.greedy(state) if greedy else policy.act(state)
        next_state, reward, terminated, truncated, _ = env.step(first_action + action)
        episode.states.append(state)
        episode.actions.append(action)
        episode.rewards.append(float(reward))
        state = encode_observation(env, next_state)
        if terminated or truncated:
            break
    return episode

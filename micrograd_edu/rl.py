"""Reinforcement learning: a network that learns the best action in each state (REINFORCE).

The course's third kind of network: its outputs are not class probabilities
or a value but the probabilities of the **actions** an agent can take in the
state it observes. The agent plays an *episode*: observe the state sₜ, sample
an action aₜ from the policy π(a | sₜ), receive a reward rₜ, until the episode
ends. Nobody says which action was right; the only signal is the *return*

    Gₜ = rₜ + γ rₜ₊₁ + γ² rₜ₊₂ + …      (γ ∈ [0, 1] discounts the future)

REINFORCE makes actions that were followed by a high return more probable:
it minimises L = −Σₜ log π(aₜ | sₜ) · Âₜ, where Âₜ is the return normalised
over the episode (a *baseline*: better-than-usual actions get Â > 0).
Backpropagating L gives the policy gradient; it is not a supervised loss, as
there is no target: the "labels" are the agent's own actions, weighted by
how well things went afterwards.

Environments follow gymnasium's interface (``reset(seed=...)`` → (state,
info); ``step(action)`` → (state, reward, terminated, truncated, info);
``action_space.n``). :class:`GridWorld` is a small one built in; CartPole
comes from gymnasium (the ``rl`` extra). This module imports only the package
and NumPy.

Spaces. The policy chooses among the ``n`` actions of a **discrete** action
space (gymnasium's ``Discrete(n, start=s)``): its outputs are numbered
0 … n − 1 and the environment receives ``s + index`` (:func:`env_action`), so
every action sent is in ``env.action_space``. Continuous actions (``Box``)
and several choices at once (``MultiDiscrete``, ``MultiBinary``) are refused
with a ``TypeError``: they need another kind of policy. A ``Discrete``
*observation* (a cell number, as in FrozenLake) is fed to the policy one-hot
encoded (:func:`encode_observation`), not as a raw number; any other
observation is read as an array of numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from . import losses, validation
from .engine import Value, gc_paused, sum_values
from .environments import (
    ACTIONS,
    Environment,
    GridWorld,
    check_environment,
    encode_observation,
    env_action,
    shortest_path_actions,
)
from .nn import MLP, ActivationName
from .optim import Adam, Optimizer

__all__ = [
    "ACTIONS",
    "RECIPES",
    "Environment",
    "GridWorld",
    "Policy",
    "RLHistory",
    "RLRun",
    "Recipe",
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
class Policy:
    """An MLP whose outputs are action logits; softmax turns them into π(a | s).

    ``act`` samples an action (seeded generator), ``greedy`` takes the most
    probable one (for evaluation). Both use NumPy, without a graph; only the
    loss at the end of an episode is built with Values.
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

    def parameters(self) -> list[Value]:
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


@dataclass
class RLHistory:
    """Return and length of every training episode; ``stopped`` says why training ended."""

    returns: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    best_mean: float = -math.inf
    stopped: str = ""

    def running_mean(self, window: int = 20) -> list[float]:
        """The mean return of the last ``window`` episodes, after each episode."""
        values = np.asarray(self.returns, dtype=np.float64)
        return [float(values[max(0, i - window + 1) : i + 1].mean()) for i in range(len(values))]

    def as_dict(self) -> dict[str, Any]:
        return {"returns": self.returns, "lengths": self.lengths, "stopped": self.stopped}


def reinforce(
    policy: Policy,
    env: Environment,
    episodes: int = 500,
    gamma: float = 0.99,
    optimizer: Optimizer | None = None,
    *,
    target_return: float | None = None,
    batch: int = 1,
    baseline: Literal["normalize", "state"] = "normalize",
    keep_best: bool = True,
    window: int = 20,
    eval_episodes: int = 10,
    seed: int | None = None,
    progress: bool = True,
) -> RLHistory:
    """Train ``policy`` on ``env`` with REINFORCE and a normalised-return baseline.

    Each episode: play it with sampled actions and compute its returns Gₜ. Every
    ``batch`` episodes: turn the returns into advantages Âₜ with a baseline;
    build
    L = −mean log π(aₜ|sₜ)·Âₜ as one graph; backward; one optimizer step
    (default: Adam, lr 0.01).

    Baselines: ``"normalize"`` standardises the returns over the batch (good
    when every episode starts alike, as CartPole's); ``"state"`` subtracts the
    average return seen so far from the same state (a table, for small worlds
    such as :class:`GridWorld` whose episodes start anywhere: a far cell's
    returns are always lower, and only a per-state baseline tells its good
    actions from its bad ones). With ``keep_best`` the policy with the best
    running mean return (over ``window`` episodes) is restored at the end. With
    ``target_return``, once the running mean reaches it, the greedy policy is
    evaluated on ``eval_episodes`` episodes and training stops when it reaches
    the target too. An episode whose loss is NaN, or whose policy's logits became
    infinite or NaN (a too large learning rate), stops training: the best weights
    are kept and ``history.stopped`` says why.
    """
    check_environment(env)
    episodes = validation.integer("episodes", episodes, maximum=1_000_000)
    gamma = validation.real("gamma", gamma, low=0.0, high=1.0)
    batch = validation.integer("batch", batch, maximum=1000)
    if baseline not in ("normalize", "state"):
        raise ValueError(f"baseline must be 'normalize' or 'state', got {baseline!r}")
    state_values: dict[bytes, float] = {}
    opt = optimizer if optimizer is not None else Adam(policy.parameters(), lr=0.01)
    seeds = np.random.default_rng(seed)
    history = RLHistory()
    params = policy.parameters()
    best = [p.data for p in params]
    collected: list[Episode] = []
    bar = tqdm(range(episodes), disable=not progress, unit="episode")
    for number in bar:
        try:
            episode = run_episode(env, policy, seed=int(seeds.integers(2**31)))
        except FloatingPointError as error:
            history.stopped = f"episode {number + 1}: {error}"
            break
        history.returns.append(episode.total)
        history.lengths.append(len(episode.rewards))
        running = float(np.mean(history.returns[-window:]))
        if len(history.returns) >= min(window, episodes) and running > history.best_mean:
            history.best_mean = running
            best = [p.data for p in params]
        collected.append(episode)
        if len(collected) == batch:
            loss = _update(policy, collected, gamma, baseline, state_values, opt)
            collected = []
            if not math.isfinite(loss):
                history.stopped = f"episode {number + 1}: the loss became {loss}"
                break
        bar.set_postfix(mean_return=f"{running:.1f}")
        if target_return is not None and running >= target_return:
            score = evaluate(policy, env, eval_episodes, seed=int(seeds.integers(2**31)))[0]
            if score >= target_return:
                history.stopped = f"episode {number + 1}: greedy mean return {score:.1f}"
                best = [p.data for p in params]
                history.best_mean = max(history.best_mean, score)
                break
    bar.close()
    if keep_best or history.stopped:
        for p, value in zip(params, best, strict=True):
            p.data = value
    return history


def _update(
    policy: Policy,
    episodes: list[Episode],
    gamma: float,
    baseline: str,
    state_values: dict[bytes, float],
    opt: Optimizer,
) -> float:
    """One REINFORCE step on ``episodes``; returns the loss (no step if it is not finite)."""
    with gc_paused():  # the update builds one large graph without cycles
        states = [s for e in episodes for s in e.states]
        returns = [g for e in episodes for g in discounted_returns(e.rewards, gamma)]
        if baseline == "state":
            advantages = _state_advantages(states, returns, state_values)
        else:
            advantages = normalized(returns)
        actions = [a for e in episodes for a in e.actions]
        try:
            loss = policy_loss(policy, states, actions, advantages)
        except OverflowError:  # an op of the graph overflowed: the loss is infinite
            return math.inf
        if math.isfinite(loss.data):
            opt.zero_grad()
            loss.backward()
            opt.step()
    return loss.data


@dataclass
class RLRun:
    """A trained policy with its history and environment, as ``python -m micrograd_edu rl``
    produces it (the picture writers receive it)."""

    policy: Policy
    history: RLHistory
    env_name: str
    env: Any


@dataclass(frozen=True)
class Recipe:
    """Settings with which REINFORCE learns an environment well (see :data:`RECIPES`)."""

    hidden: tuple[int, ...]
    lr: float
    gamma: float
    batch: int
    baseline: Literal["normalize", "state"]
    keep_best: bool
    target_return: float | None


RECIPES = {
    # One-hot states, a linear softmax policy, episodes starting anywhere: a per-state baseline.
    "gridworld": Recipe((), 0.1, 0.9, 10, "state", False, None),
    # Four numbers, 16 tanh neurons, one update per episode; stop at the "solved" mark.
    "cartpole": Recipe((16,), 0.01, 0.99, 1, "normalize", True, 475.0),
}
"""The recipes of ``python -m micrograd_edu rl``, by environment name."""


def train(
    env: Environment,
    recipe: str | Recipe,
    episodes: int = 1000,
    seed: int = 0,
    lr: float | None = None,
    gamma: float | None = None,
    progress: bool = False,
) -> RLRun:
    """A fresh policy for ``env`` trained with a recipe (a name of :data:`RECIPES` or a
    :class:`Recipe`); ``lr`` and ``gamma`` override the recipe's."""
    chosen = RECIPES[recipe] if isinstance(recipe, str) else recipe
    n_actions = check_environment(env)
    observation = encode_observation(env, env.reset(seed=seed)[0])
    policy = Policy(
        validation.real_array("observation", observation).size,
        n_actions,
        hidden=chosen.hidden,
        seed=seed,
    )
    history = reinforce(
        policy,
        env,
        episodes=episodes,
        gamma=chosen.gamma if gamma is None else gamma,
        optimizer=Adam(policy.parameters(), lr=chosen.lr if lr is None else lr),
        batch=chosen.batch,
        baseline=chosen.baseline,
        keep_best=chosen.keep_best,
        target_return=chosen.target_return,
        seed=seed,
        progress=progress,
    )
    name = recipe if isinstance(recipe, str) else type(env).__name__
    return RLRun(policy, history, name, env)


def _state_advantages(
    states: list[Any], returns: list[float], table: dict[bytes, float], rate: float = 0.1
) -> list[float]:
    """Gₜ − b(sₜ), with b(s) the running average of the returns seen from state s."""
    advantages = []
    for state, g in zip(states, returns, strict=True):
        key = np.asarray(state, dtype=np.float64).tobytes()
        expected = table.get(key, g)
        advantages.append(g - expected)
        table[key] = expected + rate * (g - expected)
    return advantages


def evaluate(
    policy: Policy, env: Environment, episodes: int = 100, seed: int | None = None
) -> tuple[float, float]:
    """Mean and standard deviation of the return of the greedy policy over ``episodes``."""
    episodes = validation.integer("episodes", episodes, maximum=1_000_000)
    seeds = np.random.default_rng(seed)
    totals = [
        run_episode(env, policy, greedy=True, seed=int(seeds.integers(2**31))).total
        for _ in range(episodes)
    ]
    return float(np.mean(totals)), float(np.std(totals))


# --------------------------------------------------------------------- a grid world

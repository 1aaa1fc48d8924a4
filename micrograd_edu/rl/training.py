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
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from .._support import validation
from ..engine import Value, gc_paused
from ..optim import Adam, Optimizer
from ..steps import check_optimizer, gradient_step, restore_weights
from .environments import (
    Environment,
    check_environment,
    encode_observation,
)
from .policy import Episode, Policy, discounted_returns, normalized, policy_loss, run_episode

__all__ = [
    "RECIPES",
    "RLHistory",
    "RLRun",
    "Recipe",
    "StopReason",
    "evaluate",
    "reinforce",
    "train",
]

FloatArray = npt.NDArray[np.float64]

StopReason = Literal["episodes", "diverged", "target_return"]
"""Why :func:`reinforce` stopped: it played all its ``episodes``; the policy or the
loss ``diverged`` (infinite or NaN); the greedy policy reached ``target_return``."""


@dataclass
class RLHistory:
    """Return and length of every training episode; why training ended, as a value
    (``stop_reason``) and in words (``stopped``: empty when all the episodes ran)."""

    returns: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    best_mean: float = -math.inf
    stopped: str = ""
    stop_reason: StopReason = "episodes"

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

    Each episode: play it with sampled actions and compute its returns Gₜ. Every ``batch``
    episodes: turn the returns into advantages Âₜ with a baseline; build L = −mean
    log π(aₜ|sₜ)·Âₜ as one graph; backward; one optimizer step (default: Adam, lr 0.01).

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
    are kept and ``history.stopped`` says why (``history.stop_reason`` is
    ``"diverged"``). An optimizer must update this policy's parameters (a subset
    is fine): one built from another policy is refused (``ValueError``).
    """
    episodes, gamma, batch = _checked(env, episodes, gamma, batch, baseline)
    params = policy.parameters()
    opt = optimizer if optimizer is not None else Adam(params, lr=0.01)
    check_optimizer(opt, params, "policy", "Adam(policy.parameters(), lr=0.01)")
    seeds = np.random.default_rng(seed)
    run = _Run(policy, env, params, opt, gamma, batch, baseline, window, episodes, seeds)
    bar = tqdm(range(episodes), disable=not progress, unit="episode")
    for number in bar:
        if not run.train_episode(number):
            break
        bar.set_postfix(mean_return=f"{run.running:.1f}")
        if target_return is not None and run.reached(target_return, eval_episodes, number):
            break
    bar.close()
    if keep_best or run.history.stopped:
        restore_weights(params, run.best)
    return run.history


def _checked(
    env: Environment, episodes: int, gamma: float, batch: int, baseline: str
) -> tuple[int, float, int]:
    """:func:`reinforce`'s environment (:func:`check_environment`) and settings checked;
    ``episodes``, ``gamma`` and ``batch`` as numbers (a ValueError names a wrong one)."""
    check_environment(env)
    episodes = validation.integer("episodes", episodes, maximum=1_000_000)
    gamma = validation.real("gamma", gamma, low=0.0, high=1.0)
    batch = validation.integer("batch", batch, maximum=1000)
    if baseline not in ("normalize", "state"):
        raise ValueError(f"baseline must be 'normalize' or 'state', got {baseline!r}")
    return episodes, gamma, batch


@dataclass
class _Run:
    """One :func:`reinforce` run between its episodes: its settings, the history, the best
    weights so far, the episodes collected for the next update, the per-state baseline's
    table and the running mean return (over the last ``window`` episodes)."""

    policy: Policy
    env: Environment
    params: list[Value]
    opt: Optimizer
    gamma: float
    batch: int
    baseline: str
    window: int
    episodes: int
    seeds: np.random.Generator
    history: RLHistory = field(default_factory=RLHistory)
    best: list[float] = field(default_factory=list)
    collected: list[Episode] = field(default_factory=list)
    state_values: dict[bytes, float] = field(default_factory=dict)
    running: float = -math.inf

    def __post_init__(self) -> None:
        self.best = [p.data for p in self.params]

    def _seed(self) -> int:
        return int(self.seeds.integers(2**31))

    def _stop(self, number: int, why: str, reason: StopReason) -> bool:
        """Record why training stops at episode ``number`` (from 0); False, to stop."""
        self.history.stopped = f"episode {number + 1}: {why}"
        self.history.stop_reason = reason
        return False

    def train_episode(self, number: int) -> bool:
        """Play episode ``number`` (from 0), record it, and update every ``batch`` episodes;
        False when training diverged (``history.stopped`` says how)."""
        try:
            episode = run_episode(self.env, self.policy, seed=self._seed())
        except FloatingPointError as error:
            return self._stop(number, str(error), "diverged")
        history = self.history
        history.returns.append(episode.total)
        history.lengths.append(len(episode.rewards))
        self.running = float(np.mean(history.returns[-self.window :]))
        full = len(history.returns) >= min(self.window, self.episodes)
        if full and self.running > history.best_mean:
            history.best_mean = self.running
            self.best = [p.data for p in self.params]
        self.collected.append(episode)
        if len(self.collected) < self.batch:
            return True
        episodes, self.collected = self.collected, []
        loss = _update(
            self.policy, episodes, self.gamma, self.baseline, self.state_values, self.opt
        )
        if not math.isfinite(loss):
            return self._stop(number, f"the loss became {loss}", "diverged")
        return True

    def reached(self, target: float, eval_episodes: int, number: int) -> bool:
        """Whether the greedy policy reaches ``target``, tried once the running mean has:
        then its weights are the best and training stops."""
        if self.running >= target:
            score = evaluate(self.policy, self.env, eval_episodes, seed=self._seed())[0]
            if score >= target:
                self._stop(number, f"greedy mean return {score:.1f}", "target_return")
                self.best = [p.data for p in self.params]
                self.history.best_mean = max(self.history.best_mean, score)
                return True
        return False


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
            gradient_step(opt, loss.backward)
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

"""Reinforcement learning: returns by hand, the policy gradient against PyTorch, the targets."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_edu import io, rl
from micrograd_edu.optim import Adam
from micrograd_edu.rl import training as rl_training

if TYPE_CHECKING:
    from tests.conftest import Cli


def test_discounted_returns_by_hand() -> None:
    # G2 = 3; G1 = 0 + 0.5·3 = 1.5; G0 = 1 + 0.5·1.5 = 1.75
    assert rl.discounted_returns([1.0, 0.0, 3.0], gamma=0.5) == [1.75, 1.5, 3.0]
    assert rl.discounted_returns([1.0, 2.0], gamma=0.0) == [1.0, 2.0]
    assert rl.discounted_returns([1.0, 2.0], gamma=1.0) == [3.0, 2.0]
    assert rl.discounted_returns([], gamma=0.9) == []
    with pytest.raises(ValueError, match=re.escape("gamma must be in [0, 1], got 1.5")):
        rl.discounted_returns([1.0], gamma=1.5)


def test_normalized_returns_are_a_baseline() -> None:
    advantages = rl.normalized([1.0, 2.0, 3.0])
    assert advantages == pytest.approx([-math.sqrt(1.5), 0.0, math.sqrt(1.5)])
    assert rl.normalized([2.0, 2.0]) == [0.0, 0.0]


def test_policy_loss_gradients_equal_pytorchs(torch: Any) -> None:
    policy = rl.Policy(3, 2, hidden=(4,), seed=1)
    states = [[0.1, -0.4, 0.7], [1.2, 0.3, -0.5], [-0.8, 0.6, 0.2]]
    actions = [1, 0, 1]
    advantages = [0.9, -1.3, 0.4]
    loss = rl.policy_loss(policy, states, actions, advantages)
    loss.backward()

    sequential = io.to_torch(policy.model)
    logits = sequential(torch.tensor(states))
    log_pi = torch.log_softmax(logits, dim=1)[torch.arange(3), torch.tensor(actions)]
    reference = -(log_pi * torch.tensor(advantages)).mean()
    reference.backward()
    assert loss.data == pytest.approx(reference.item(), rel=1e-12)
    ours = [p.grad for p in policy.parameters()]
    theirs = []
    for layer in sequential:
        if isinstance(layer, torch.nn.Linear):
            for row, bias in zip(layer.weight.grad, layer.bias.grad, strict=True):
                theirs += [*row.tolist(), bias.item()]
    assert ours == pytest.approx(theirs, rel=1e-10, abs=1e-14)


def test_policy_probabilities_sampling_and_greedy() -> None:
    policy = rl.Policy(2, 3, hidden=(), seed=0)
    p = policy.probabilities([0.5, -1.0])
    assert p.shape == (3,) and p.sum() == pytest.approx(1.0) and np.all(p > 0)
    assert policy.greedy([0.5, -1.0]) == int(np.argmax(p))
    counts = np.bincount([policy.act([0.5, -1.0]) for _ in range(3000)], minlength=3) / 3000
    np.testing.assert_allclose(counts, p, atol=0.04)
    assert math.exp(policy.log_probability([0.5, -1.0], 2).data) == pytest.approx(p[2])


def test_gridworld_rules() -> None:
    env = rl.GridWorld()
    state, _ = env.reset(seed=0, start=(0, 3))
    assert state.shape == (20,) and state[3] == 1.0
    _, reward, terminated, truncated, _ = env.step(1)  # right, onto the goal
    assert (reward, terminated, truncated) == (1.0, True, False)
    env.reset(start=(2, 4))
    assert env.step(0)[1:3] == (-1.0, True)  # up, into the trap
    env.reset(start=(0, 0))
    assert env.step(0)[1:3] == (-0.04, False)  # up against the edge: stays, pays the step
    assert env.position == (0, 0)
    env.reset(start=(0, 1))
    env.step(2)  # down into a wall
    assert env.position == (0, 1)
    best = rl.shortest_path_actions(env)
    assert best[(0, 3)] == {1} and best[(2, 4)] == {2} and best[(0, 0)] == {1}


def test_gridworld_greedy_policy_follows_shortest_paths_from_every_cell() -> None:
    """The target: from every non-terminal cell, a shortest path to the goal (seed 0)."""
    run = rl.train(rl.GridWorld(), "gridworld", seed=0)
    env, policy = run.env, run.policy
    best = rl.shortest_path_actions(env)
    assert len(best) == len(env.starts) == 14
    wrong = {
        cell: rl.ACTIONS[policy.greedy(env.observation(cell))]
        for cell, actions in best.items()
        if policy.greedy(env.observation(cell)) not in actions
    }
    assert wrong == {}


@pytest.mark.slow
def test_cartpole_reaches_the_solved_threshold() -> None:
    """The target: greedy mean return >= 475 over 100 episodes, within 1,000 episodes."""
    gymnasium = pytest.importorskip("gymnasium")
    env = gymnasium.make("CartPole-v1")
    run = rl.train(env, "cartpole", episodes=1000, seed=0)
    assert len(run.history.returns) <= 1000
    assert run.history.stopped.startswith("episode")
    mean, _ = rl.evaluate(run.policy, env, episodes=100, seed=123)
    assert mean >= 475


class _NoStep:
    action_space = rl.GridWorld().action_space

    def reset(self, *, seed: int | None = None) -> tuple[Any, dict[str, Any]]:
        return np.zeros(2), {}


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: rl.Policy(3, 4).probabilities([1.0, 2.0]),
            ValueError,
            "observations of 3 numbers, got 2",
        ),
        (
            lambda: rl.Policy(3, 4).log_probability([1.0, 2.0, 3.0], 4),
            ValueError,
            "action 4 is outside the action space 0..3",
        ),
        (lambda: rl.GridWorld().step(7), ValueError, "action 7 is outside the action space 0..3"),
        (
            lambda: rl.reinforce(rl.Policy(20, 4), rl.GridWorld(), gamma=-0.1, progress=False),
            ValueError,
            "gamma must be in [0, 1], got -0.1",
        ),
        (
            lambda: rl.reinforce(rl.Policy(20, 4), rl.GridWorld(), episodes=0, progress=False),
            ValueError,
            "episodes must be a positive integer, got 0",
        ),
        (
            lambda: rl.reinforce(rl.Policy(2, 4), _NoStep(), progress=False),
            TypeError,
            "_NoStep has no step()",
        ),
        (
            lambda: rl.reinforce(rl.Policy(20, 4), object(), progress=False),
            TypeError,
            "needs reset() and step() methods",
        ),
        (
            lambda: rl.run_episode(rl.GridWorld(), rl.Policy(20, 3)),
            ValueError,
            "the policy has 3 outputs but the environment 4 actions",
        ),
        (lambda: rl.Policy(3, 1), ValueError, "n_actions must be an integer >= 2, got 1"),
        (
            lambda: rl.Policy(3, 2).probabilities([1 + 1j, 0, 0]),
            TypeError,
            "observation must hold real numbers",
        ),
    ],
)
def test_bad_input_names_the_value(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_a_nan_loss_stops_training_and_keeps_the_best_weights(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = rl.GridWorld()
    policy = rl.Policy(env.observation_size, 4, hidden=(), seed=0)
    calls = 0
    original = rl.policy_loss

    def poisoned(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        loss = original(*args)
        if calls == 3:
            loss.data = float("nan")
        return loss

    monkeypatch.setattr(rl_training, "policy_loss", poisoned)
    history = rl.reinforce(policy, env, episodes=50, gamma=0.9, progress=False, window=1, seed=0)
    assert history.stopped == "episode 3: the loss became nan"
    assert len(history.returns) == 3
    assert all(math.isfinite(p.data) for p in policy.parameters())


@pytest.mark.slow
def test_cli_gridworld_saves_policy_history_and_pictures(tmp_path: Path, cli: Cli) -> None:
    pytest.importorskip("matplotlib")
    result = cli("rl", "--env", "gridworld", "--out", str(tmp_path), "--no-progress", timeout=300)
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"gridworld: greedy mean return 0\.\d\d ± 0\.\d\d over 100 episodes", result.stdout
    )
    model = io.load(tmp_path / "policy.json")
    assert model.nin == 20 and model.nout == 4
    history = json.loads((tmp_path / "history.json").read_text())
    assert len(history["returns"]) == 1000
    assert (tmp_path / "returns.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "policy.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.slow
def test_cli_cartpole_writes_a_gif(tmp_path: Path, cli: Cli) -> None:
    pytest.importorskip("gymnasium")
    pytest.importorskip("matplotlib")
    out = str(tmp_path)
    result = cli("rl", "--env", "cartpole", "--episodes", "5", "--out", out, "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "cartpole: greedy mean return" in result.stdout
    assert (tmp_path / "cartpole.gif").read_bytes().startswith(b"GIF8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "mountaincar"], "argument --env: invalid choice: 'mountaincar'"),
        (["--episodes", "0"], "argument --episodes: must be a positive integer, got '0'"),
        (["--gamma", "1.5"], "argument --gamma: must be in [0, 1], got '1.5'"),
        (["--lr", "x"], "argument --lr: expected a number, got 'x'"),
        (["--seed", "-2"], "argument --seed: must be an integer >= 0, got '-2'"),
    ],
)
def test_cli_bad_values_are_one_line(
    args: list[str], message: str, tmp_path: Path, cli: Cli
) -> None:
    cli.assert_one_line_error(cli("rl", *args, "--out", str(tmp_path)), 2, message)


def test_pictures() -> None:
    pytest.importorskip("matplotlib")
    from micrograd_edu.visualize.rl import plot_gridworld_policy, plot_returns

    env = rl.GridWorld()
    policy = rl.Policy(env.observation_size, 4, hidden=(), seed=0)
    history = rl.reinforce(policy, env, episodes=30, gamma=0.9, progress=False, seed=0)
    returns_figure = plot_returns(history)
    (ax,) = returns_figure.axes
    assert len(ax.lines) == 2 and len(ax.lines[0].get_xdata()) == 30
    policy_figure = plot_gridworld_policy(env, policy)
    arrows = [p for p in policy_figure.axes[0].patches if type(p).__name__ == "FancyArrow"]
    assert 14 * 3 <= len(arrows) <= 14 * 4  # up to four arrows in each of the 14 free cells


# --------------------------------------------------------------------- spaces
class _SpaceEnv:
    """A small gymnasium-style environment over any spaces: observations sampled from its
    observation space, reward 1 for the action space's first action; it records every
    action it receives."""

    def __init__(self, action_space: Any, observation_space: Any, length: int = 6) -> None:
        self.action_space = action_space
        self.observation_space = observation_space
        self.length = length
        self.sent: list[Any] = []
        self.steps = 0

    def reset(self, *, seed: int | None = None) -> tuple[Any, dict[str, Any]]:
        self.observation_space.seed(seed)
        self.steps = 0
        return self.observation_space.sample(), {}

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        self.sent.append(action)
        self.steps += 1
        reward = 1.0 if action == getattr(self.action_space, "start", 0) else 0.0
        return self.observation_space.sample(), reward, False, self.steps >= self.length, {}


@pytest.mark.parametrize(
    ("actions", "observations"),
    [
        (("Discrete", 3, 10), ("Box", 2)),
        (("Discrete", 2, -1), ("Box", 3)),
        (("Discrete", 4, 0), ("Discrete", 5, 0)),
        (("Discrete", 3, 1), ("Discrete", 6, 3)),
    ],
)
def test_every_action_sent_is_in_the_action_space(
    actions: tuple[Any, ...], observations: tuple[Any, ...]
) -> None:
    """Discrete(n, start) actions are offset by start (they were 0 … n − 1 whatever the
    start); a Discrete observation reaches the policy one-hot encoded."""
    spaces = pytest.importorskip("gymnasium.spaces")

    def make(kind: str, size: int, start: int = 0) -> Any:
        if kind == "Box":
            return spaces.Box(low=-1.0, high=1.0, shape=(size,), seed=0)
        return spaces.Discrete(size, start=start, seed=0)

    env = _SpaceEnv(make(*actions), make(*observations))
    run = rl.train(env, rl.Recipe((4,), 0.05, 0.9, 1, "normalize", True, None), episodes=30)
    assert len(run.history.returns) == 30
    width = observations[1]
    assert run.policy.n_observations == width  # one number per cell for a Discrete space
    mean, _ = rl.evaluate(run.policy, env, episodes=3, seed=1)
    assert 0.0 <= mean <= env.length
    assert len(env.sent) > 30 * 6 - 1
    assert all(env.action_space.contains(action) for action in env.sent)
    start, n = actions[2], actions[1]
    assert sorted(set(env.sent)) == list(range(start, start + n))  # every action was tried
    episode = rl.run_episode(env, run.policy, seed=2)
    assert all(np.asarray(s).shape == (width,) for s in episode.states)
    if observations[0] == "Discrete":
        assert all(
            sorted(np.asarray(s).tolist()) == [0.0] * (width - 1) + [1.0] for s in episode.states
        )
    assert set(episode.actions) <= set(range(n))  # the policy's indices, not the env's actions


@pytest.mark.parametrize(
    ("space", "message"),
    [
        ("Box", "continuous actions need a policy that outputs a distribution over numbers"),
        ("MultiDiscrete", "REINFORCE here chooses one action among n"),
        ("MultiBinary", "REINFORCE here chooses one action among n"),
    ],
)
def test_action_spaces_reinforce_cannot_drive_are_refused(space: str, message: str) -> None:
    spaces = pytest.importorskip("gymnasium.spaces")
    made = {
        "Box": lambda: spaces.Box(low=-2.0, high=2.0, shape=(1,)),
        "MultiDiscrete": lambda: spaces.MultiDiscrete([2, 3]),
        "MultiBinary": lambda: spaces.MultiBinary(3),
    }[space]()
    env = _SpaceEnv(made, spaces.Box(low=-1.0, high=1.0, shape=(2,)))
    expected = "the environment's action_space must be discrete (gymnasium's Discrete(n), one "
    for call in (
        lambda: rl.reinforce(rl.Policy(2, 2), env, episodes=1, progress=False),
        lambda: rl.train(env, "cartpole", episodes=1),
        lambda: rl.run_episode(env, rl.Policy(2, 2)),
    ):
        with pytest.raises(TypeError, match=re.escape(expected)) as error:
            call()
        assert message in str(error.value)
    assert env.sent == []


def test_a_discrete_observation_outside_its_space_is_refused() -> None:
    spaces = pytest.importorskip("gymnasium.spaces")
    env = _SpaceEnv(spaces.Discrete(2), spaces.Discrete(3, start=1))
    assert rl.encode_observation(env, np.int64(3)).tolist() == [0.0, 0.0, 1.0]
    with pytest.raises(ValueError, match=re.escape("observation 0 is outside the observation")):
        rl.encode_observation(env, 0)
    with pytest.raises(
        ValueError, match=re.escape("a discrete observation must be one integer, got 1.5")
    ):
        rl.encode_observation(env, 1.5)


def test_a_huge_learning_rate_stops_training_cleanly_with_the_best_weights() -> None:
    """Adam with lr 1e307: the logits overflow after the first update. Training stops and
    says why instead of NumPy's "probabilities contain NaN" escaping from Policy.act."""
    for lr in (1e307, 1e308):
        env = rl.GridWorld()
        policy = rl.Policy(env.observation_size, 4, hidden=(8,), seed=0)
        initial = [p.data for p in policy.parameters()]
        history = rl.reinforce(
            policy,
            env,
            episodes=20,
            optimizer=Adam(policy.parameters(), lr=lr),
            progress=False,
            seed=0,
        )
        assert re.fullmatch(
            r"episode \d+: the policy's logits became \[.*\] \(the weights diverged; "
            r"a smaller learning rate\?\)",
            history.stopped,
        ), history.stopped
        assert len(history.returns) < 20
        assert [p.data for p in policy.parameters()] == initial  # the best: before the updates
        assert rl.evaluate(policy, env, episodes=2, seed=0)[0] <= 1.0  # usable again


def test_an_overflow_in_the_loss_graph_stops_training_cleanly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def overflowing(*args: Any) -> Any:
        raise OverflowError("exp overflow")

    monkeypatch.setattr(rl_training, "policy_loss", overflowing)
    env = rl.GridWorld()
    policy = rl.Policy(env.observation_size, 4, hidden=(), seed=0)
    initial = [p.data for p in policy.parameters()]
    history = rl.reinforce(policy, env, episodes=5, progress=False, seed=0)
    assert history.stopped == "episode 1: the loss became inf"
    assert [p.data for p in policy.parameters()] == initial


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 6),
    start=st.integers(-20, 20),
    observations=st.one_of(
        st.tuples(st.just("Box"), st.integers(1, 4), st.just(0)),
        st.tuples(st.just("Discrete"), st.integers(1, 6), st.integers(-5, 5)),
    ),
    seed=st.integers(0, 10_000),
    greedy=st.booleans(),
)
def test_every_action_sent_is_in_any_discrete_action_space(
    n: int, start: int, observations: tuple[str, int, int], seed: int, greedy: bool
) -> None:
    spaces = pytest.importorskip("gymnasium.spaces")
    kind, size, obs_start = observations
    observation_space = (
        spaces.Box(low=-1.0, high=1.0, shape=(size,), seed=seed)
        if kind == "Box"
        else spaces.Discrete(size, start=obs_start, seed=seed)
    )
    env = _SpaceEnv(spaces.Discrete(n, start=start, seed=seed), observation_space, length=8)
    policy = rl.Policy(size, n, hidden=(3,), seed=seed)
    episode = rl.run_episode(env, policy, greedy=greedy, seed=seed)
    assert len(env.sent) == 8
    assert all(env.action_space.contains(action) for action in env.sent)
    assert env.sent == [start + index for index in episode.actions]

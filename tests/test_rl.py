"""Reinforcement learning: returns by hand, the policy gradient against PyTorch, the targets."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from micrograd_edu import io, rl

if TYPE_CHECKING:
    from conftest import Cli


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

    monkeypatch.setattr(rl, "policy_loss", poisoned)
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
    from visualize.rl import plot_gridworld_policy, plot_returns

    env = rl.GridWorld()
    policy = rl.Policy(env.observation_size, 4, hidden=(), seed=0)
    history = rl.reinforce(policy, env, episodes=30, gamma=0.9, progress=False, seed=0)
    returns_figure = plot_returns(history)
    (ax,) = returns_figure.axes
    assert len(ax.lines) == 2 and len(ax.lines[0].get_xdata()) == 30
    policy_figure = plot_gridworld_policy(env, policy)
    arrows = [p for p in policy_figure.axes[0].patches if type(p).__name__ == "FancyArrow"]
    assert 14 * 3 <= len(arrows) <= 14 * 4  # up to four arrows in each of the 14 free cells

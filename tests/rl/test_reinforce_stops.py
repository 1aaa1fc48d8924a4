"""REINFORCE's loop: why it stopped, as a value; the training steps it shares with fit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from micrograd_edu import rl, steps
from micrograd_edu.cli import train as cli_train
from micrograd_edu.optim import Adam
from micrograd_edu.rl import training as rl_training


def _policy(env: rl.GridWorld, seed: int = 0) -> rl.Policy:
    return rl.Policy(env.observation_size, 4, hidden=(), seed=seed)


def test_all_the_episodes_played() -> None:
    env = rl.GridWorld()
    history = rl.reinforce(_policy(env), env, episodes=5, progress=False, seed=0)
    assert (history.stop_reason, history.stopped, len(history.returns)) == ("episodes", "", 5)


def test_the_target_return_reached() -> None:
    env = rl.GridWorld()
    history = rl.reinforce(
        _policy(env), env, episodes=50, target_return=-100.0, window=1, progress=False, seed=0
    )
    assert history.stop_reason == "target_return"
    assert history.stopped.startswith("episode 1: greedy mean return ")
    assert len(history.returns) == 1


def test_a_diverged_loss(monkeypatch: pytest.MonkeyPatch) -> None:
    original = rl_training.policy_loss

    def poisoned(*args: Any) -> Any:
        loss = original(*args)
        loss.data = float("inf")
        return loss

    monkeypatch.setattr(rl_training, "policy_loss", poisoned)
    env = rl.GridWorld()
    history = rl.reinforce(_policy(env), env, episodes=5, progress=False, seed=0)
    assert (history.stop_reason, history.stopped) == ("diverged", "episode 1: the loss became inf")


def test_diverged_logits() -> None:
    env = rl.GridWorld()
    policy = rl.Policy(env.observation_size, 4, hidden=(8,), seed=0)
    optimizer = Adam(policy.parameters(), lr=1e307)
    history = rl.reinforce(policy, env, episodes=20, optimizer=optimizer, progress=False, seed=0)
    assert history.stop_reason == "diverged" and "the policy's logits became" in history.stopped


def test_an_optimizer_of_another_policy_is_refused() -> None:
    env = rl.GridWorld()
    policy, other = _policy(env, 0), _policy(env, 1)
    with pytest.raises(
        ValueError,
        match=r"the optimizer updates 84 Value\(s\) that are not parameters of this policy, so "
        r"training would change nothing: build it from this policy, e\.g\. "
        r"Adam\(policy\.parameters\(\), lr=0\.01\)",
    ):
        rl.reinforce(policy, env, episodes=2, optimizer=Adam(other.parameters()), progress=False)
    with pytest.raises(TypeError, match="optimizer must be an Optimizer such as SGD or Adam"):
        rl.reinforce(policy, env, episodes=2, optimizer="adam", progress=False)  # type: ignore[arg-type]


def test_each_update_is_the_shared_gradient_step(monkeypatch: pytest.MonkeyPatch) -> None:
    updates: list[object] = []
    real = steps.gradient_step

    def counted(optimizer: Any, backward: Any) -> None:
        updates.append(optimizer)
        real(optimizer, backward)

    monkeypatch.setattr(rl_training, "gradient_step", counted)
    env = rl.GridWorld()
    policy = _policy(env)
    optimizer = Adam(policy.parameters(), lr=0.1)
    rl.reinforce(policy, env, episodes=9, optimizer=optimizer, batch=3, progress=False, seed=0)
    assert updates == [optimizer] * 3 and optimizer.steps == 3


def _run_rl_command(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    history: rl.RLHistory,
) -> str:
    """``rl --env gridworld`` in this process, its training replaced by ``history``."""
    env = rl.GridWorld()
    policy = _policy(env)
    monkeypatch.setattr(rl, "train", lambda *args, **kwargs: rl.RLRun(policy, history, "g", env))
    argv = ["rl", "--out", str(tmp_path), "--no-progress", "--no-pictures", "--seed", "1"]
    assert cli_train.main(argv) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    ("reason", "stopped", "says_stopped_early"),
    [
        ("diverged", "episode 7: the loss became nan", True),
        ("diverged", "the policy's logits became [nan] (worded otherwise)", True),
        ("target_return", "episode 7: greedy mean return 0.9", False),
        ("episodes", "episode 7: anything at all", False),
    ],
)
def test_the_rl_command_reads_why_training_stopped_from_the_value(
    reason: rl.StopReason,
    stopped: str,
    says_stopped_early: bool,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    history = rl.RLHistory(returns=[0.5], lengths=[3], stopped=stopped, stop_reason=reason)
    out = _run_rl_command(monkeypatch, tmp_path, capsys, history)
    early = f"stopped early: {stopped} (the best policy so far is kept)"
    assert (early in out) is says_stopped_early, out
    assert "gridworld: greedy mean return" in out

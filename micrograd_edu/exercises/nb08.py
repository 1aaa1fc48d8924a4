"""Notebook 8, reinforcement learning: 8.1 discounted returns, 8.2 the policy-gradient loss,
8.3 the policy gradient by backpropagation."""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable
from typing import Any

from ..engine import Value, sum_values
from .compare import close, diagnose, show
from .core import (
    Exercise,
    Guard,
    answer_and_backpropagate,
    plain,
    require_value,
    run_check,
    second_call,
)
from .mistakes import WrongAnswerError, exercise

__all__ = [
    "EXERCISES",
    "check_discounted_returns",
    "check_policy_gradient_loss",
    "check_policy_gradient_step",
]


# ------------------------------------------------------------------ 8.1
def _returns_variant(
    episodes: list[list[float]], gamma: float, variant: str | None
) -> list[list[float]]:
    """Each episode's returns, or what a classic mistake gives instead."""
    result = []
    running = 0.0
    for rewards in episodes:
        if variant != "running-sum-not-reset":
            running = 0.0
        returns = []
        for reward in reversed(rewards):
            if variant == "gamma-on-current-reward":
                running = gamma * (reward + running)
            else:
                running = reward + gamma * running
            returns.append(running)
        result.append(returns if variant == "returns-reversed" else returns[::-1])
    return result


def _probe_returns(case: dict[str, Any], guard: Guard, returns_of: Any) -> Any:
    calls, changed = [], False
    for _ in range(2):  # twice: a running sum kept outside the function shows
        episodes = copy.deepcopy(case["episodes"])
        with guard():
            answer = returns_of(episodes, case["gamma"])
        calls.append(plain(answer))  # now: a later call may change what it returned
        changed = changed or episodes != case["episodes"]
    record = {"returns": calls[0], "again": calls[1]}
    return {**record, "changed": True} if changed else record


def _judge_returns(case: dict[str, Any], data: Any) -> str:
    episodes, gamma = case["episodes"], case["gamma"]
    data = data if isinstance(data, dict) and "returns" in data else {"returns": data}
    variants = ("returns-reversed", "gamma-on-current-reward", "running-sum-not-reset")
    diagnose(
        "8.1",
        _returns_variant(episodes, gamma, None),
        data["returns"],
        {code: _returns_variant(episodes, gamma, code) for code in variants},
        problem="the returns are wrong",
        input=f"episodes {show(episodes)}, γ = {gamma}",
        entry=lambda path: f"episode {path[0]}" + (f", G{path[1]}" if len(path) > 1 else ""),
        hint="the last step's return is its reward; each earlier one adds γ times the return "
        "after it",
        formula="Gₜ = rₜ + γ·Gₜ₊₁",
    )
    if data.get("changed") is True:
        raise WrongAnswerError(
            "8.1",
            "returns_of changed the episodes it was given: their rewards are not as they were",
            input=f"episodes {show(episodes)}, γ = {gamma}",
            hint="read each episode backwards without reversing it in place: reversed(rewards) "
            "or rewards[::-1] leave the caller's list as it is (the loss needs it later)",
        )
    second_call("8.1", "returns_of", data["returns"], data.get("again"))
    return "discounted returns: Gₜ = rₜ + γ·Gₜ₊₁, backwards through each episode."


def _hidden_returns(rng: random.Random) -> dict[str, Any]:
    rewards = [-1.0, 0.0, 0.0, 0.5, 1.0, 2.0]
    episodes = [
        [rng.choice(rewards) for _ in range(rng.randint(2, 5))] for _ in range(rng.randint(3, 4))
    ]
    for episode in episodes:
        episode[-1] = episode[-1] or 1.0  # a last reward: reversing the returns shows
    return {"episodes": episodes, "gamma": round(rng.uniform(0.5, 0.95), 2)}


RETURNS = Exercise(
    number="8.1",
    what="the discounted returns",
    notebook_case=lambda: {
        "episodes": [[0.0, 0.0, 1.0], [1.0, -1.0], [0.5, 0.0, 0.0, 2.0]],
        "gamma": 0.9,
    },
    hidden_case=_hidden_returns,
    probe=_probe_returns,
    judge=_judge_returns,
    switch=(  # the library's, and the check's own simulation of the right returns
        ("micrograd_edu.rl", "discounted_returns"),
        ("micrograd_edu.exercises.nb08", "_returns_variant"),
    ),
)


@exercise("8.1")
def check_discounted_returns(
    returns_of: Callable[[list[list[float]], float], list[list[float]]],
) -> None:
    """Exercise 8.1: ``returns_of(episodes, gamma)``: Gₜ = rₜ + γGₜ₊₁ for every episode."""
    run_check("8.1", returns_of)


# ------------------------------------------------------------------ 8.2
def _log_probs(case: dict[str, Any]) -> list[Value]:
    return [Value(math.log(p), label=f"log π{i}") for i, p in enumerate(case["probs"])]


def _probe_pg_loss(case: dict[str, Any], guard: Guard, pg_loss: Any) -> dict[str, Any]:
    log_probs = _log_probs(case)
    described = answer_and_backpropagate(guard, pg_loss, log_probs, list(case["advantages"]))
    first = {"out": described, "grads": [lp.grad for lp in log_probs]}
    again = answer_and_backpropagate(guard, pg_loss, _log_probs(case), list(case["advantages"]))
    return {**first, "again": again}


def _judge_pg_loss(case: dict[str, Any], data: Any) -> str:
    advantages = case["advantages"]
    n = len(advantages)
    shown = f"π = {show(case['probs'])}, advantages {show(advantages)}"
    data = data if isinstance(data, dict) else {}
    log_probs = _log_probs(case)
    loss = -sum_values([lp * a for lp, a in zip(log_probs, advantages, strict=True)]) / n
    value = require_value("8.2", "pg_loss", data.get("out"), loss.data)
    diagnose(
        "8.2",
        loss.data,
        value,
        {
            "sign-error": -loss.data,
            "sum-not-mean": loss.data * n,
            "advantages-ignored": -sum(lp.data for lp in log_probs) / n,
        },
        problem="the loss is wrong",
        problems={
            "sign-error": "the loss has the wrong sign: minimising it would make the good "
            "actions less likely",
            "sum-not-mean": f"the loss is {n} times too large",
        },
        input=shown,
        hint="weight each log-probability by its advantage, average, and mind the sign: "
        "minimising the loss must make the good actions more likely",
        formula="L = −(1/T) Σₜ log π(aₜ | sₜ) · Âₜ",
    )
    grads = data.get("grads")
    if isinstance(grads, list) and grads and all(g == 0.0 for g in grads):
        raise WrongAnswerError(
            "8.2",
            "no gradient reaches the log-probabilities: the loss does not depend on the Values",
            mistake="float-not-value",
            input=shown,
        )
    loss.backward()
    diagnose(
        "8.2",
        [lp.grad for lp in log_probs],
        grads,
        problem="dL/d(log π) is wrong",
        input=shown,
        entry=lambda path: f"dL/d(log π{path[0]})",
        hint="build the loss from the Values log π themselves: a term built from .data "
        "carries no gradient",
    )
    again = require_value("8.2", "pg_loss, called again,", data.get("again"))
    second_call("8.2", "pg_loss", value, again)
    return "the policy-gradient loss: minimising it raises the probability of good actions."


def _hidden_pg_loss(rng: random.Random) -> dict[str, Any]:
    n = rng.randint(3, 5)
    return {
        "probs": [round(rng.uniform(0.1, 0.95), 2) for _ in range(n)],
        "advantages": [round(rng.uniform(0.3, 2.0) * rng.choice((-1, 1)), 2) for _ in range(n)],
    }


PG_LOSS = Exercise(
    number="8.2",
    what="the policy-gradient loss",
    notebook_case=lambda: {"probs": [0.5, 0.2, 0.9], "advantages": [1.0, -0.5, 2.0]},
    hidden_case=_hidden_pg_loss,
    probe=_probe_pg_loss,
    judge=_judge_pg_loss,
)


@exercise("8.2")
def check_policy_gradient_loss(pg_loss: Callable[[list[Value], list[float]], Value]) -> None:
    """Exercise 8.2: L = −mean(log π(aₜ|sₜ) · Âₜ) — its sign makes the good actions more likely."""
    run_check("8.2", pg_loss)


# ------------------------------------------------------------------ 8.3
def _policy(case: dict[str, Any]) -> Any:
    from ..rl.policy import Policy

    return Policy(3, 2, hidden=(3,), seed=case["policy_seed"])


def _probe_gradient(case: dict[str, Any], guard: Guard, gradient_of: Any) -> Any:
    policy = _policy(case)
    for p in policy.parameters():
        p.grad = case["start"]  # left over from an earlier backward pass
    calls = []
    for _ in range(2):  # twice on the same policy: gradients left from the first call show
        with guard():
            answer = gradient_of(
                policy,
                copy.deepcopy(case["states"]),
                list(case["actions"]),
                list(case["advantages"]),
            )
        calls.append(plain(answer))  # now: a later call may change what it returned
    return {"first": calls[0], "second": calls[1]}


def _judge_gradient(case: dict[str, Any], data: Any) -> str:
    from ..rl.policy import policy_loss

    policy = _policy(case)
    params = policy.parameters()
    loss = policy_loss(policy, case["states"], case["actions"], case["advantages"])
    loss.backward()
    grads, start = [p.grad for p in params], float(case["start"])
    suspects: dict[str, Any] = {
        "sign-error": {"first": [-g for g in grads], "second": [-g for g in grads]}
    }
    suspects["missing-zero-grad"] = {
        "first": [start + g for g in grads],
        "second": [start + 2 * g for g in grads],
    }
    shown = (
        f"{len(case['states'])} states, actions {case['actions']}, advantages "
        f"{show(case['advantages'])}; every grad is {start:g} before the first call, "
        "and gradient_of runs twice"
    )
    answer = data if isinstance(data, dict) else {"first": data, "second": data}
    for stale, problem in (
        (0.0, "every gradient is 0: zero_grad() ran after backward(), or backward() never ran"),
        (start, "the gradients are those the parameters held before: backward() never ran"),
    ):
        if close(answer.get("first"), [stale] * len(grads)):
            raise WrongAnswerError(
                "8.3",
                problem,
                input=shown,
                hint="build the loss, zero the gradients, call backward() on the loss, then "
                "read every p.grad",
            )
    diagnose(
        "8.3",
        {"first": grads, "second": grads},
        answer,
        suspects,
        problem="the policy gradient is wrong",
        problems={"sign-error": "the gradient has the wrong sign"},
        input=shown,
        entry=lambda path: (
            f"dL/dθ{path[1]} from call {1 if path[0] == 'first' else 2}"
            if len(path) > 1
            else f"call {1 if path[0] == 'first' else 2}"
        ),
        hint="build the loss with rl.policy_loss, zero the gradients, backward, then return "
        "the numbers p.grad in the order of policy.parameters()",
    )
    return "backpropagation and the engine agree on the policy gradient."


def _policy_case(rng: random.Random, seed: int) -> dict[str, Any]:
    n = rng.randint(3, 4)
    return {
        "policy_seed": seed,
        "states": [[round(rng.uniform(-1, 1), 2) for _ in range(3)] for _ in range(n)],
        "actions": [rng.randint(0, 1) for _ in range(n)],
        "advantages": [round(rng.uniform(0.2, 1.5) * rng.choice((-1, 1)), 2) for _ in range(n)],
        "start": round(rng.uniform(0.1, 0.6), 2),
    }


POLICY_GRADIENT = Exercise(
    number="8.3",
    what="the policy gradient",
    notebook_case=lambda: {
        "policy_seed": 5,
        "states": [[0.2, -1.0, 0.5], [1.0, 0.3, -0.2], [-0.4, 0.8, 0.1]],
        "actions": [0, 1, 1],
        "advantages": [1.2, -0.7, 0.3],
        "start": 0.25,
    },
    hidden_case=lambda rng: _policy_case(rng, rng.randint(0, 999)),
    probe=_probe_gradient,
    judge=_judge_gradient,
)


@exercise("8.3")
def check_policy_gradient_step(
    gradient_of: Callable[[Any, list[Any], list[int], list[float]], list[float]],
) -> None:
    """Exercise 8.3: the policy gradient by backpropagation equals the engine's.

    ``gradient_of(policy, states, actions, advantages)`` returns dL/dθ for every
    parameter θ of ``policy.parameters()``, by building the loss and calling
    ``backward()``; the judge computes the same gradient itself and simulates
    the catalogue's gradient mistakes (a sign error, a missing ``zero_grad``, ...).
    """
    run_check("8.3", gradient_of)


EXERCISES = {e.number: e for e in (RETURNS, PG_LOSS, POLICY_GRADIENT)}

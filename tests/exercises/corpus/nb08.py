"""Notebook 8: 8.1 returns_of, 8.2 pg_loss, 8.3 gradient_of."""

from __future__ import annotations

import textwrap

from . import answer


def _gradient(label: str, verdict: str, body: str) -> object:
    head = "def gradient_of(policy, states, actions, advantages):\n"
    source = head + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"
    return answer("8.3", label, verdict, source)


_LOSS = "loss = rl.policy_loss(policy, states, actions, advantages)\n"
_READ = "return [p.grad for p in policy.parameters()]\n"

ANSWERS = [
    # ------------------------------------------------------------ 8.1 right
    answer(
        "8.1",
        "notebook",
        "passed",
        """
        def returns_of(episodes, gamma):
            result = []
            for rewards in episodes:
                running = 0.0
                returns = []
                for reward in reversed(rewards):
                    running = reward + gamma * running
                    returns.append(running)
                result.append(returns[::-1])
            return result
        """,
    ),
    answer(
        "8.1",
        "discounted-sums",
        "passed",
        """
        def returns_of(episodes, gamma):
            return [
                [sum(gamma**k * r for k, r in enumerate(rewards[t:])) for t in range(len(rewards))]
                for rewards in episodes
            ]
        """,
    ),
    answer(
        "8.1",
        "recursive",
        "passed",
        """
        def episode_returns(rewards, gamma):
            if not rewards:
                return []
            later = episode_returns(rewards[1:], gamma)
            return [rewards[0] + gamma * (later[0] if later else 0.0), *later]


        def returns_of(episodes, gamma):
            return [episode_returns(list(rewards), gamma) for rewards in episodes]
        """,
    ),
    answer(
        "8.1",
        "indices-backwards",
        "passed",
        """
        def returns_of(episodes, gamma):
            result = []
            for rewards in episodes:
                returns = [0.0] * len(rewards)
                running = 0.0
                for t in range(len(rewards) - 1, -1, -1):
                    running = rewards[t] + gamma * running
                    returns[t] = running
                result.append(returns)
            return result
        """,
    ),
    # ------------------------------------------------------------ 8.1 wrong
    answer(
        "8.1",
        "reversed",
        "returns-reversed",
        """
        def returns_of(episodes, gamma):
            result = []
            for rewards in episodes:
                running, returns = 0.0, []
                for reward in reversed(rewards):
                    running = reward + gamma * running
                    returns.append(running)
                result.append(returns)
            return result
        """,
    ),
    answer(
        "8.1",
        "gamma-on-the-reward",
        "gamma-on-current-reward",
        """
        def returns_of(episodes, gamma):
            result = []
            for rewards in episodes:
                running, returns = 0.0, []
                for reward in reversed(rewards):
                    running = gamma * (reward + running)
                    returns.append(running)
                result.append(returns[::-1])
            return result
        """,
    ),
    answer(
        "8.1",
        "running-sum-not-reset",
        "running-sum-not-reset",
        """
        def returns_of(episodes, gamma):
            result, running = [], 0.0
            for rewards in episodes:
                returns = []
                for reward in reversed(rewards):
                    running = reward + gamma * running
                    returns.append(running)
                result.append(returns[::-1])
            return result
        """,
    ),
    answer(
        "8.1",
        "undiscounted",
        "wrong",
        """
        def returns_of(episodes, gamma):
            return [[sum(rewards[t:]) for t in range(len(rewards))] for rewards in episodes]
        """,
    ),
    answer(
        "8.1",
        "one-flat-list",
        "wrong",
        """
        def returns_of(episodes, gamma):
            result = []
            for rewards in episodes:
                running, returns = 0.0, []
                for reward in reversed(rewards):
                    running = reward + gamma * running
                    returns.append(running)
                result.extend(returns[::-1])
            return result
        """,
    ),
    answer(
        "8.1",
        "results-kept-between-calls",
        "wrong",
        """
        result = []


        def returns_of(episodes, gamma):
            for rewards in episodes:
                running, returns = 0.0, []
                for reward in reversed(rewards):
                    running = reward + gamma * running
                    returns.append(running)
                result.append(returns[::-1])
            return result
        """,
    ),
    answer(
        "8.1",
        "the-library",
        "library-call",
        """
        def returns_of(episodes, gamma):
            return [rl.discounted_returns(rewards, gamma) for rewards in episodes]
        """,
    ),
    answer(
        "8.1",
        "past-the-end",
        "error",
        """
        def returns_of(episodes, gamma):
            return [
                [rewards[t] + gamma * rewards[t + 1] for t in range(len(rewards))]
                for rewards in episodes
            ]
        """,
    ),
    answer(
        "8.1",
        "no-return",
        "wrong",
        """
        def returns_of(episodes, gamma):
            result = [rl.normalized(rewards) for rewards in episodes]
        """,
    ),
    answer(
        "8.1",
        "stub",
        "not done",
        "def returns_of(episodes, gamma):\n    raise NotImplementedError('write your code here')\n",
    ),
    # ------------------------------------------------------------ 8.2 right
    answer(
        "8.2",
        "notebook",
        "passed",
        """
        def pg_loss(log_probs, advantages):
            total = sum_values([lp * a for lp, a in zip(log_probs, advantages)])
            return -total / len(log_probs)
        """,
    ),
    answer(
        "8.2",
        "loop",
        "passed",
        """
        def pg_loss(log_probs, advantages):
            total = Value(0.0)
            for lp, a in zip(log_probs, advantages):
                total = total - lp * a
            return total / len(log_probs)
        """,
    ),
    answer(
        "8.2",
        "builtin-sum",
        "passed",
        """
        def pg_loss(log_probs, advantages):
            return -sum(lp * a for lp, a in zip(log_probs, advantages)) / len(log_probs)
        """,
    ),
    answer(
        "8.2",
        "scaled-sum",
        "passed",
        """
        def pg_loss(log_probs, advantages):
            terms = [a * lp for lp, a in zip(log_probs, advantages)]
            return sum_values(terms) * (-1 / len(terms))
        """,
    ),
    # ------------------------------------------------------------ 8.2 wrong
    answer(
        "8.2",
        "sign",
        "sign-error",
        """
        def pg_loss(log_probs, advantages):
            return sum(lp * a for lp, a in zip(log_probs, advantages)) / len(log_probs)
        """,
    ),
    answer(
        "8.2",
        "sum",
        "sum-not-mean",
        """
            def pg_loss(log_probs, advantages):
                return -sum(lp * a for lp, a in zip(log_probs, advantages))
        """,
    ),
    answer(
        "8.2",
        "advantages-ignored",
        "advantages-ignored",
        "def pg_loss(log_probs, advantages):\n    return -sum(log_probs) / len(log_probs)\n",
    ),
    answer(
        "8.2",
        "plain-float",
        "float-not-value",
        """
        def pg_loss(log_probs, advantages):
            return -sum(lp.data * a for lp, a in zip(log_probs, advantages)) / len(log_probs)
        """,
    ),
    answer(
        "8.2",
        "wrapped-float",
        "float-not-value",
        """
        def pg_loss(log_probs, advantages):
            total = sum(lp.data * a for lp, a in zip(log_probs, advantages))
            return Value(-total / len(log_probs))
        """,
    ),
    answer(
        "8.2",
        "list-times-list",
        "error",
        """
            def pg_loss(log_probs, advantages):
                return -sum(log_probs * advantages) / len(log_probs)
        """,
    ),
    answer(
        "8.2",
        "the-terms",
        "wrong",
        """
            def pg_loss(log_probs, advantages):
                return [-lp * a for lp, a in zip(log_probs, advantages)]
        """,
    ),
    answer(
        "8.2",
        "probabilities-not-logs",
        "wrong",
        """
        def pg_loss(log_probs, advantages):
            return -sum(lp.exp() * a for lp, a in zip(log_probs, advantages)) / len(log_probs)
        """,
    ),
    answer(
        "8.2",
        "total-kept-between-calls",
        "wrong",
        """
        total = Value(0.0)


        def pg_loss(log_probs, advantages):
            global total
            for lp, a in zip(log_probs, advantages):
                total = total - lp * a
            return total / len(log_probs)
        """,
    ),
    answer(
        "8.2",
        "no-return",
        "wrong",
        """
        def pg_loss(log_probs, advantages):
            loss = -sum(lp * a for lp, a in zip(log_probs, advantages)) / len(log_probs)
        """,
    ),
    answer(
        "8.2",
        "stub",
        "not done",
        """
            def pg_loss(log_probs, advantages):
                raise NotImplementedError('write your code here')
        """,
    ),
    # ------------------------------------------------------------ 8.3 right
    _gradient(
        "policy-zero-grad", "passed", _LOSS + "policy.zero_grad()\nloss.backward()\n" + _READ
    ),
    _gradient(
        "model-zero-grad", "passed", _LOSS + "policy.model.zero_grad()\nloss.backward()\n" + _READ
    ),
    _gradient(
        "zeroed-by-hand",
        "passed",
        "for p in policy.parameters():\n    p.grad = 0.0\n" + _LOSS + "loss.backward()\n" + _READ,
    ),
    _gradient(
        "zeroed-first",
        "passed",
        "policy.zero_grad()\n"
        + _LOSS
        + "loss.backward()\nreturn [p.grad for p in policy.model.parameters()]\n",
    ),
    # ------------------------------------------------------------ 8.3 wrong
    _gradient("no-zero-grad", "missing-zero-grad", _LOSS + "loss.backward()\n" + _READ),
    _gradient(
        "zero-grad-after-backward",
        "wrong",
        _LOSS + "loss.backward()\npolicy.zero_grad()\n" + _READ,
    ),
    _gradient("no-backward", "wrong", _LOSS + "policy.zero_grad()\n" + _READ),
    _gradient("no-backward-no-zero", "wrong", _LOSS + _READ),
    _gradient(
        "the-parameters",
        "wrong",
        _LOSS + "policy.zero_grad()\nloss.backward()\nreturn policy.parameters()\n",
    ),
    _gradient(
        "the-loss", "wrong", _LOSS + "policy.zero_grad()\nloss.backward()\nreturn loss.data\n"
    ),
    _gradient(
        "ascent",
        "sign-error",
        _LOSS
        + "policy.zero_grad()\nloss.backward()\nreturn [-p.grad for p in policy.parameters()]\n",
    ),
    _gradient(
        "first-layer-only",
        "wrong",
        _LOSS
        + "policy.zero_grad()\nloss.backward()\n"
        + "return [p.grad for p in policy.model.layers[0].parameters()]\n",
    ),
    _gradient(
        "parameters-not-called",
        "error",
        _LOSS + "policy.zero_grad()\nloss.backward()\nreturn [p.grad for p in policy.parameters]\n",
    ),
    _gradient(
        "a-dict",
        "wrong",
        _LOSS
        + "policy.zero_grad()\nloss.backward()\n"
        + "return {name: p.grad for name, p in policy.named_parameters()}\n",
    ),
    _gradient(
        "a-generator",
        "wrong",
        _LOSS
        + "policy.zero_grad()\nloss.backward()\n"
        + "return (p.grad for p in policy.parameters())\n",
    ),
    answer(  # the right returns, by reversing the caller's episodes in place
        "8.1",
        "episodes-reversed-in-place",
        "wrong",
        """
        def returns_of(episodes, gamma):
            result = []
            for rewards in episodes:
                rewards.reverse()
                G, out = 0.0, []
                for r in rewards:
                    G = r + gamma * G
                    out.append(G)
                result.append(out[::-1])
            return result
        """,
    ),
    _gradient("stub", "not done", "raise NotImplementedError('write your code here')\n"),
    answer(  # right, but the check's backward() comes second: every grad twice
        "8.2",
        "backward-inside",
        "wrong",
        """
        def pg_loss(log_probs, advantages):
            loss = -sum(lp * a for lp, a in zip(log_probs, advantages)) / len(log_probs)
            loss.backward()
            return loss
        """,
    ),
]

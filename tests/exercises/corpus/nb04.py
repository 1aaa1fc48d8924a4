"""Notebook 4: 4.1 bce, 4.2 sgd_step, 4.3 train + learning_rate, 4.4 classify_curves."""

from __future__ import annotations

import textwrap

from . import answer


def _train(body: str, learning_rate: str = "0.5") -> str:
    """``train`` with ``body`` as each step after the loss (as source text), and the rate."""
    head = """\
def train(model, X, y, lr, steps):
    history = []
    for _ in range(steps):
        loss = losses.mean(losses.mse, [model(x) for x in X], y.tolist())
        history.append(loss.data)
"""
    steps = textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 8)
    return f"{head}{steps}\n    return history\n\n\nlearning_rate = {learning_rate}\n"


_RIGHT_STEP = """
model.zero_grad()
loss.backward()
sgd_step(model.parameters(), lr)
"""

_CURVE_RULE = """
def classify_curves(train, validation):
    start = train[0]
    if max(train) > 2 * start:
        return "rate too high"
    if start - min(train) < 0.05 * start:
        return "rate too low"
    lowest = start
    for loss in train:
        if loss > 1.05 * lowest:
            return "no zero_grad"
        lowest = min(lowest, loss)
    return "overfitting"
"""

ANSWERS = [
    # ------------------------------------------------------------ 4.1 right
    answer(
        "4.1",
        "notebook",
        "passed",
        "def bce(p, y):\n    return -(y * p.log() + (1 - y) * (1 - p).log())\n",
    ),
    answer(
        "4.1",
        "two-terms",
        "passed",
        "def bce(p, y):\n    return -y * p.log() - (1 - y) * (1 - p).log()\n",
    ),
    answer(
        "4.1",
        "by-the-label",
        "passed",
        "def bce(p, y):\n    return -(p if y == 1 else 1 - p).log()\n",
    ),
    answer(
        "4.1",
        "factors-after",
        "passed",
        "def bce(p, y):\n    return (p.log() * y + (1 - p).log() * (1 - y)) * -1\n",
    ),
    # ------------------------------------------------------------ 4.1 wrong
    answer(
        "4.1",
        "sign",
        "sign-error",
        "def bce(p, y):\n    return y * p.log() + (1 - y) * (1 - p).log()\n",
    ),
    answer(
        "4.1",
        "wrapped-float",
        "float-not-value",
        """
        def bce(p, y):
            return Value(-(y * math.log(p.data) + (1 - y) * math.log(1 - p.data)))
        """,
    ),
    answer(
        "4.1",
        "plain-float",
        "float-not-value",
        "def bce(p, y):\n    return -(y * math.log(p.data) + (1 - y) * math.log(1 - p.data))\n",
    ),
    answer(
        "4.1",
        "math-log",
        "error",
        "def bce(p, y):\n    return -(y * math.log(p) + (1 - y) * math.log(1 - p))\n",
    ),
    answer("4.1", "first-term-only", "wrong", "def bce(p, y):\n    return -(y * p.log())\n"),
    answer(
        "4.1",
        "one-minus-sign",
        "wrong",
        "def bce(p, y):\n    return -y * p.log() + (1 - y) * (1 - p).log()\n",
    ),
    answer(
        "4.1",
        "log10",
        "wrong",
        "def bce(p, y):\n    return -(y * p.log() + (1 - y) * (1 - p).log()) / math.log(10)\n",
    ),
    answer(
        "4.1",
        "the-library",
        "library-call",
        "def bce(p, y):\n    return losses.binary_cross_entropy(p, y)\n",
    ),
    answer(
        "4.1",
        "no-return",
        "wrong",
        "def bce(p, y):\n    loss = -(y * p.log() + (1 - y) * (1 - p).log())\n",
    ),
    answer(
        "4.1",
        "stub",
        "not done",
        "def bce(p, y):\n    raise NotImplementedError('write your code here')\n",
    ),
    # ------------------------------------------------------------ 4.2 right
    answer(
        "4.2",
        "notebook",
        "passed",
        "def sgd_step(params, lr):\n    for p in params:\n        p.data -= lr * p.grad\n",
    ),
    answer(
        "4.2",
        "assign",
        "passed",
        "def sgd_step(params, lr):\n    for p in params:\n        p.data = p.data - lr * p.grad\n",
    ),
    answer(
        "4.2",
        "indices",
        "passed",
        """
        def sgd_step(params, lr):
            for i in range(len(params)):
                params[i].data += -lr * params[i].grad
        """,
    ),
    # ------------------------------------------------------------ 4.2 wrong
    answer(
        "4.2",
        "uphill",
        "update-sign",
        "def sgd_step(params, lr):\n    for p in params:\n        p.data += lr * p.grad\n",
    ),
    answer(
        "4.2",
        "grad-updated",
        "updated-grad-not-data",
        "def sgd_step(params, lr):\n    for p in params:\n        p.grad -= lr * p.grad\n",
    ),
    answer(
        "4.2",
        "rebinding",
        "rebinding",
        "def sgd_step(params, lr):\n    for p in params:\n        p = p - lr * p.grad\n",
    ),
    answer(
        "4.2",
        "a-new-list",
        "rebinding",
        "def sgd_step(params, lr):\n    return [p - lr * p.grad for p in params]\n",
    ),
    answer(
        "4.2",
        "zeroes-the-grads",
        "wrong",
        """
        def sgd_step(params, lr):
            for p in params:
                p.data -= lr * p.grad
                p.grad = 0.0
        """,
    ),
    answer(
        "4.2",
        "rate-forgotten",
        "wrong",
        "def sgd_step(params, lr):\n    for p in params:\n        p.data -= p.grad\n",
    ),
    answer(
        "4.2",
        "first-only",
        "wrong",
        "def sgd_step(params, lr):\n    params[0].data -= lr * params[0].grad\n",
    ),
    answer(  # off by one: the last parameter never moves
        "4.2",
        "all-but-the-last",
        "wrong",
        """
        def sgd_step(params, lr):
            for i in range(len(params) - 1):
                params[i].data -= lr * params[i].grad
        """,
    ),
    answer(
        "4.2",
        "momentum-kept-between-calls",
        "wrong",
        """
        velocity = {}


        def sgd_step(params, lr):
            for p in params:
                velocity[id(p)] = 0.9 * velocity.get(id(p), 0.0) + p.grad
                p.data -= lr * velocity[id(p)]
        """,
    ),
    answer(
        "4.2",
        "the-library",
        "library-call",
        """
        from micrograd_edu import optim


        def sgd_step(params, lr):
            optim.SGD(params, lr=lr).step()
        """,
    ),
    answer(
        "4.2",
        "typo",
        "error",
        "def sgd_step(params, lr):\n    for p in params:\n        p.data -= lr * p.gradient\n",
    ),
    answer(
        "4.2",
        "stub",
        "not done",
        "def sgd_step(params, lr):\n    raise NotImplementedError('write your code here')\n",
    ),
    # ------------------------------------------------------------ 4.3 right
    answer("4.3", "notebook", "passed", _train(_RIGHT_STEP)),
    answer(  # the right loop, stepping with the global rate instead of its argument
        "4.3",
        "the-global-rate",
        "wrong",
        _train(
            _RIGHT_STEP.replace(
                "sgd_step(model.parameters(), lr)", "sgd_step(model.parameters(), learning_rate)"
            )
        ),
    ),
    answer(
        "4.3",
        "grads-zeroed-by-hand",
        "passed",
        _train(
            """
            for p in model.parameters():
                p.grad = 0.0
            loss.backward()
            for p in model.parameters():
                p.data -= lr * p.grad
            """
        ),
    ),
    answer(
        "4.3",
        "zeroed-before-forward",
        "passed",
        """
        def train(model, X, y, lr, steps):
            history = []
            for _ in range(steps):
                model.zero_grad()
                predictions = [model(x) for x in X]
                loss = losses.mean(losses.mse, predictions, list(y))
                loss.backward()
                sgd_step(model.parameters(), lr)
                history.append(loss.data)
            return history


        learning_rate = 0.4
        """,
    ),
    # ------------------------------------------------------------ 4.3 wrong
    answer(
        "4.3",
        "no-zero-grad",
        "missing-zero-grad",
        _train("loss.backward()\nsgd_step(model.parameters(), lr)"),
    ),
    answer(
        "4.3",
        "zero-grad-after-the-step",
        "missing-zero-grad",
        _train("loss.backward()\nsgd_step(model.parameters(), lr)\nmodel.zero_grad()"),
    ),
    answer(
        "4.3",
        "uphill",
        "update-sign",
        _train(
            """
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data += lr * p.grad
            """
        ),
    ),
    answer(
        "4.3",
        "sum-of-errors",
        "sum-not-mean",
        """
        def train(model, X, y, lr, steps):
            history = []
            for _ in range(steps):
                loss = sum_values([(model(x) - t) ** 2 for x, t in zip(X, y)])
                history.append(loss.data)
                model.zero_grad()
                loss.backward()
                sgd_step(model.parameters(), lr)
            return history


        learning_rate = 0.5
        """,
    ),
    answer(
        "4.3",
        "step-zero-backward",
        "step-before-backward",
        _train("sgd_step(model.parameters(), lr)\nmodel.zero_grad()\nloss.backward()"),
    ),
    answer(
        "4.3",
        "zero-step-backward",
        "wrong",
        _train("model.zero_grad()\nsgd_step(model.parameters(), lr)\nloss.backward()"),
    ),
    answer(
        "4.3",
        "backward-zero-step",
        "wrong",
        _train("loss.backward()\nmodel.zero_grad()\nsgd_step(model.parameters(), lr)"),
    ),
    answer(
        "4.3",
        "values-in-the-history",
        "wrong",
        """
        def train(model, X, y, lr, steps):
            history = []
            for _ in range(steps):
                loss = losses.mean(losses.mse, [model(x) for x in X], y.tolist())
                history.append(loss)
                model.zero_grad()
                loss.backward()
                sgd_step(model.parameters(), lr)
            return history


        learning_rate = 0.5
        """,
    ),
    answer(
        "4.3",
        "history-kept-between-calls",
        "wrong",
        """
        history = []


        def train(model, X, y, lr, steps):
            for _ in range(steps):
                loss = losses.mean(losses.mse, [model(x) for x in X], y.tolist())
                history.append(loss.data)
                model.zero_grad()
                loss.backward()
                sgd_step(model.parameters(), lr)
            return history


        learning_rate = 0.5
        """,
    ),
    answer("4.3", "rate-left-none", "not done", _train(_RIGHT_STEP, "None")),
    answer("4.3", "rate-too-high", "exploding-lr", _train(_RIGHT_STEP, "40.0")),
    answer("4.3", "rate-too-low", "wrong", _train(_RIGHT_STEP, "0.001")),
    answer("4.3", "rate-a-string", "wrong", _train(_RIGHT_STEP, '"0.5"')),
    answer(
        "4.3",
        "the-library",
        "library-call",
        """
        from micrograd_edu import optim
        from micrograd_edu.train import fit


        def train(model, X, y, lr, steps):
            optimizer = optim.SGD(model.parameters(), lr=lr)
            history = fit(model, X, y, loss="mse", optimizer=optimizer, epochs=steps,
                          progress=False)
            return list(history.train_loss)


        learning_rate = 0.5
        """,
    ),
    answer(
        "4.3",
        "typo",
        "error",
        _train("model.zero_grads()\nloss.backward()\nsgd_step(model.parameters(), lr)"),
    ),
    answer(
        "4.3",
        "stub",
        "not done",
        """
        def train(model, X, y, lr, steps):
            raise NotImplementedError('write your code here')


        learning_rate = 0.5
        """,
    ),
    # ------------------------------------------------------------ 4.4 right
    answer("4.4", "notebook", "passed", _CURVE_RULE),
    answer(
        "4.4",
        "tail-mean",
        "passed",
        """
        import statistics


        def classify_curves(train, validation):
            start, lowest = train[0], min(train)
            if max(train) > 3 * start:
                return "RATE TOO HIGH"
            if (start - lowest) / start < 0.05:
                return " rate too low "
            after = train[train.index(lowest):]
            if statistics.mean(after) > 1.02 * lowest:
                return "no zero_grad"
            return "Overfitting"
        """,
    ),
    answer(
        "4.4",
        "highest-after-lowest",
        "passed",
        """
        def classify_curves(train, validation):
            first, lowest, highest = train[0], min(train), max(train)
            if highest >= 2 * first:
                return "rate too high"
            if first - lowest <= 0.03 * first:
                return "rate too low"
            if max(train[train.index(lowest) :]) > 1.05 * lowest:
                return "no zero_grad"
            return "overfitting"
        """,
    ),
    # ------------------------------------------------------------ 4.4 wrong
    answer(
        "4.4",
        "always-overfitting",
        "wrong",
        "def classify_curves(train, validation):\n    return 'overfitting'\n",
    ),
    answer(
        "4.4",
        "misspelled",
        "wrong",
        _CURVE_RULE.replace('return "overfitting"', 'return "over-fitting"'),
    ),
    answer(
        "4.4",
        "swapped-rates",
        "wrong",
        _CURVE_RULE.replace("rate too high", "RATE")
        .replace("rate too low", "rate too high")
        .replace("RATE", "rate too low"),
    ),
    answer(
        "4.4",
        "validation-only",
        "wrong",
        """
        def classify_curves(train, validation):
            if validation[-1] > min(validation) * 1.05:
                return "overfitting"
            return "rate too low"
        """,
    ),
    answer(
        "4.4",
        "no-return",
        "wrong",
        """
        def classify_curves(train, validation):
            if max(train) > 2 * train[0]:
                return "rate too high"
        """,
    ),
    answer("4.4", "a-number", "wrong", "def classify_curves(train, validation):\n    return 0\n"),
    answer(
        "4.4",
        "index-error",
        "error",
        """
        def classify_curves(train, validation):
            if train[100] > train[0]:
                return "no zero_grad"
            return "overfitting"
        """,
    ),
    answer(
        "4.4",
        "stub",
        "not done",
        """
            def classify_curves(train, validation):
                raise NotImplementedError('write your code')
        """,
    ),
    answer(  # right, but the check's backward() comes second: every grad twice
        "4.1",
        "backward-inside",
        "wrong",
        """
        def bce(p, y):
            loss = -(y * p.log() + (1 - y) * (1 - p).log())
            loss.backward()
            return loss
        """,
    ),
]

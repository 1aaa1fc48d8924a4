"""Notebook 7: 7.1 torch_loss (needs PyTorch), 7.2 bce_seed."""

from __future__ import annotations

from . import answer


def _torch(label: str, verdict: str, body: str) -> object:
    source = "def torch_loss(sequential, X, y):\n" + body
    return answer("7.1", label, verdict, source, torch=True)


ANSWERS = [
    # ------------------------------------------------------------ 7.1 right
    _torch(
        "notebook",
        "passed",
        """
    predictions = sequential(torch.tensor(X))[:, 0]
    return ((predictions - torch.tensor(y)) ** 2).mean()
""",
    ),
    _torch(
        "functional",
        "passed",
        """
    predictions = sequential(torch.from_numpy(X)).squeeze(1)
    return torch.nn.functional.mse_loss(predictions, torch.from_numpy(y))
""",
    ),
    _torch(
        "loss-module-on-columns",
        "passed",
        """
    targets = torch.tensor(y).reshape(-1, 1)
    return torch.nn.MSELoss()(sequential(torch.tensor(X)), targets)
""",
    ),
    # ------------------------------------------------------------ 7.1 wrong
    _torch(
        "broadcast",
        "broadcast-shapes",
        """
    return ((sequential(torch.tensor(X)) - torch.tensor(y)) ** 2).mean()
""",
    ),
    _torch(
        "sum",
        "sum-not-mean",
        """
    return ((sequential(torch.tensor(X))[:, 0] - torch.tensor(y)) ** 2).sum()
""",
    ),
    _torch(
        "float32-targets",
        "float32",
        """
    targets = torch.tensor(y, dtype=torch.float32)
    return ((sequential(torch.tensor(X))[:, 0] - targets) ** 2).mean()
""",
    ),
    _torch(
        "float32-throughout",
        "float32",
        """
    model = sequential.float()
    predictions = model(torch.tensor(X, dtype=torch.float32))[:, 0]
    return ((predictions - torch.tensor(y, dtype=torch.float32)) ** 2).mean()
""",
    ),
    _torch(
        "rmse",
        "rmse",
        """
    return ((sequential(torch.tensor(X))[:, 0] - torch.tensor(y)) ** 2).mean().sqrt()
""",
    ),
    _torch(
        "a-python-float",
        "wrong",
        """
    return ((sequential(torch.tensor(X))[:, 0] - torch.tensor(y)) ** 2).mean().item()
""",
    ),
    _torch(
        "no-mean",
        "wrong",
        """
    return (sequential(torch.tensor(X))[:, 0] - torch.tensor(y)) ** 2
""",
    ),
    _torch(
        "detached",
        "wrong",
        """
    predictions = sequential(torch.tensor(X))[:, 0].detach()
    return ((predictions - torch.tensor(y)) ** 2).mean()
""",
    ),
    _torch(  # the check's own backward() then fails: named, not blamed on the def line
        "backward-inside",
        "wrong",
        """
    loss = ((sequential(torch.tensor(X))[:, 0] - torch.tensor(y)) ** 2).mean()
    loss.backward()
    return loss
""",
    ),
    _torch(
        "numpy-input",
        "error",
        """
    return ((sequential(X)[:, 0] - torch.tensor(y)) ** 2).mean()
""",
    ),
    _torch(
        "absolute-error",
        "wrong",
        """
    return (sequential(torch.tensor(X))[:, 0] - torch.tensor(y)).abs().mean()
""",
    ),
    _torch(
        "stub",
        "not done",
        """
    raise NotImplementedError('write your code here')
""",
    ),
    # ------------------------------------------------------------ 7.2 right
    answer(
        "7.2",
        "notebook",
        "passed",
        """
        def bce_seed(z, y):
            probabilities = 1 / (1 + np.exp(-z))
            return (probabilities - y) / len(z)
        """,
    ),
    answer(
        "7.2",
        "tanh-form",
        "passed",
        "def bce_seed(z, y):\n    return (0.5 * np.tanh(z / 2) + 0.5 - y) / z.size\n",
    ),
    answer(
        "7.2",
        "a-list",
        "passed",
        """
        def bce_seed(z, y):
            n = len(z)
            return [(1 / (1 + math.exp(-zi)) - yi) / n for zi, yi in zip(z, y)]
        """,
    ),
    answer(
        "7.2",
        "a-column",
        "passed",
        """
        def bce_seed(z, y):
            return ((np.exp(z) / (1 + np.exp(z)) - y) / len(z))[:, None]
        """,
    ),
    # ------------------------------------------------------------ 7.2 wrong
    answer(
        "7.2",
        "no-label",
        "missing-target",
        "def bce_seed(z, y):\n    return 1 / (1 + np.exp(-z)) / len(z)\n",
    ),
    answer(
        "7.2",
        "no-mean",
        "sum-not-mean",
        "def bce_seed(z, y):\n    return 1 / (1 + np.exp(-z)) - y\n",
    ),
    answer(
        "7.2",
        "sign",
        "sign-error",
        "def bce_seed(z, y):\n    return (y - 1 / (1 + np.exp(-z))) / len(z)\n",
    ),
    answer(
        "7.2", "logit-minus-label", "wrong", "def bce_seed(z, y):\n    return (z - y) / len(z)\n"
    ),
    answer(
        "7.2",
        "float32",
        "float32",
        """
        def bce_seed(z, y):
            z32, y32 = z.astype(np.float32), y.astype(np.float32)
            return (1 / (1 + np.exp(-z32)) - y32) / len(z)
        """,
    ),
    answer(
        "7.2",
        "values",
        "wrong",
        """
        def bce_seed(z, y):
            return [(Value(zi).sigmoid() - yi) / len(z) for zi, yi in zip(z, y)]
        """,
    ),
    answer(
        "7.2",
        "too-short",
        "wrong",
        "def bce_seed(z, y):\n    return ((1 / (1 + np.exp(-z)) - y) / len(z))[:3]\n",
    ),
    answer(
        "7.2",
        "z-changed-in-place",
        "wrong",
        """
        def bce_seed(z, y):
            z *= -1
            return (1 / (1 + np.exp(z)) - y) / len(z)
        """,
    ),
    answer(
        "7.2",
        "math-on-an-array",
        "error",
        "def bce_seed(z, y):\n    return (1 / (1 + math.exp(-z)) - y) / len(z)\n",
    ),
    answer(
        "7.2",
        "no-return",
        "wrong",
        "def bce_seed(z, y):\n    seed = (1 / (1 + np.exp(-z)) - y) / len(z)\n",
    ),
    answer(
        "7.2",
        "stub",
        "not done",
        "def bce_seed(z, y):\n    raise NotImplementedError('write your code here')\n",
    ),
]

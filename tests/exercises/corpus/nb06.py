"""Notebook 6: 6.1 circle_features."""

from __future__ import annotations

from . import answer

ANSWERS = [
    # ------------------------------------------------------------ 6.1 right
    answer(
        "6.1",
        "notebook",
        "passed",
        'def circle_features(X):\n    return datasets.features(X, ["x1^2", "x2^2"])\n',
    ),
    answer("6.1", "squares", "passed", "def circle_features(X):\n    return X**2\n"),
    answer(
        "6.1",
        "inputs-and-radius",
        "passed",
        "def circle_features(X):\n    return np.c_[X, (X**2).sum(axis=1)]\n",
    ),
    answer(
        "6.1",
        "radius-alone",
        "passed",
        "def circle_features(X):\n    return (X**2).sum(axis=1, keepdims=True)\n",
    ),
    # ------------------------------------------------------------ 6.1 wrong
    answer("6.1", "the-inputs", "wrong", "def circle_features(X):\n    return X\n"),
    answer(
        "6.1",
        "one-dimensional",
        "wrong",
        "def circle_features(X):\n    return (X**2).sum(axis=1)\n",
    ),
    answer("6.1", "transposed", "wrong", "def circle_features(X):\n    return (X**2).T\n"),
    answer(
        "6.1",
        "one-square",
        "wrong",
        'def circle_features(X):\n    return datasets.features(X, ["x1^2"])\n',
    ),
    answer("6.1", "no-return", "wrong", "def circle_features(X):\n    features = X**2\n"),
    answer(
        "6.1",
        "unknown-feature-name",
        "error",
        'def circle_features(X):\n    return datasets.features(X, ["x1²", "x2²"])\n',
    ),
    answer("6.1", "logarithms", "wrong", "def circle_features(X):\n    return np.log(X)\n"),
    answer(
        "6.1",
        "noise-each-call",
        "wrong",
        """
        rng = np.random.default_rng()


        def circle_features(X):
            return X**2 + rng.normal(0.0, 1e-3, X.shape)
        """,
    ),
    answer(
        "6.1",
        "stub",
        "not done",
        "def circle_features(X):\n    raise NotImplementedError('write your code here')\n",
    ),
]

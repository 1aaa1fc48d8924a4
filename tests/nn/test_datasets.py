"""Data set generators, feature maps and the train/test split."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pytest

from micrograd_edu import datasets

GENERATORS = {**datasets.CLASSIFICATION, **datasets.REGRESSION}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_shapes_dtypes_and_determinism(name: str) -> None:
    make = GENERATORS[name]
    X, y = make(n=51, noise=0.2, seed=3)
    assert X.shape == (51, 2) and X.dtype == np.float64
    assert y.shape == (51,)
    assert y.dtype == (np.float64 if name in datasets.REGRESSION else np.int64)
    X2, y2 = make(n=51, noise=0.2, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(n=51, noise=0.2, seed=4)
    assert not np.array_equal(X, X3)


@pytest.mark.parametrize("name", ["circle", "xor", "gauss", "spiral", "plane", "multi_gauss"])
def test_playground_points_stay_in_the_square(name: str) -> None:
    X, _ = GENERATORS[name](n=500, noise=0.0, seed=0)
    assert np.all(np.abs(X) <= 6.0)


def test_class_balance() -> None:
    for name in ("circle", "gauss", "spiral", "moons"):
        _, y = GENERATORS[name](n=100, seed=0)
        assert np.bincount(y).tolist() == [50, 50], name
    _, y = datasets.blobs(n=90, classes=3, seed=0)
    assert np.bincount(y).tolist() == [30, 30, 30]
    _, y = datasets.spiral(n=90, classes=3, seed=0)
    assert np.bincount(y).tolist() == [30, 30, 30]


def test_labels_follow_the_playground_rules_without_noise() -> None:
    X, y = datasets.circle(n=300, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_array_equal(y, (radius < 2.5).astype(int))
    assert np.all((radius < 2.5) | ((radius >= 3.5) & (radius <= 5.0)))
    X, y = datasets.xor(n=300, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(int))
    assert np.all(np.abs(X) >= 0.3)
    X, y = datasets.plane(n=300, seed=0)
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 10, rtol=1e-15)
    X, y = datasets.gauss(n=400, seed=0)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.2)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2, -2], atol=0.2)
    X, y = datasets.multi_gauss(n=400, seed=0)
    assert y.min() >= -1 and y.max() <= 1
    top_left = np.hypot(X[:, 0] + 4, X[:, 1] - 2.5) < 1
    assert np.all(y[top_left] > 0)


def test_noise_flips_some_labels() -> None:
    X, y = datasets.xor(n=500, noise=0.5, seed=0)
    wrong = y != (X[:, 0] * X[:, 1] >= 0)
    assert 0 < wrong.mean() < 0.5


def test_features() -> None:
    points = np.array([[2.0, -1.0], [0.5, 3.0]])
    F = datasets.features(points, list(datasets.FEATURES))
    assert F.shape == (2, 7)
    np.testing.assert_allclose(
        F[0], [2.0, -1.0, 4.0, 1.0, -2.0, np.sin(2.0), np.sin(-1.0)], rtol=1e-15
    )
    with pytest.raises(ValueError, match=re.escape("unknown feature(s) ['x3']")):
        datasets.features(points, ["x1", "x3"])
    with pytest.raises(ValueError, match=re.escape("needs points of shape (n, 2), got shape (3,)")):
        datasets.features(np.zeros(3))


def test_train_test_split() -> None:
    X = np.arange(20, dtype=float).reshape(10, 2)
    y = np.arange(10)
    X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, train_ratio=0.7, seed=0)
    assert X_train.shape == (7, 2) and X_test.shape == (3, 2)
    assert sorted([*y_train.tolist(), *y_test.tolist()]) == list(range(10))
    np.testing.assert_array_equal(X_train[:, 0], y_train * 2)  # rows stay paired
    again = datasets.train_test_split(X, y, train_ratio=0.7, seed=0)
    np.testing.assert_array_equal(again[2], y_train)
    assert len(datasets.train_test_split(X, y, train_ratio=0.01)[0]) == 1  # both sides non-empty


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: datasets.circle(n=0), "n must be an integer >= 2, got 0"),
        (lambda: datasets.xor(n=10, noise=2.0), "noise must be in [0, 1], got 2.0"),
        (lambda: datasets.spiral(n=10, classes=1), "classes must be an integer >= 2, got 1"),
        (lambda: datasets.load("iris"), "unknown data set 'iris'"),
        (
            lambda: datasets.train_test_split(np.zeros((4, 2)), np.zeros(3)),
            "X has 4 samples but y has 3",
        ),
        (
            lambda: datasets.train_test_split(np.zeros((4, 2)), np.zeros(4), 1.0),
            "train_ratio must be",
        ),
    ],
)
def test_errors(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: datasets.circle(n=300_000_000), "n must be at most 10,000,000, got 300,000,000"),
        (lambda: datasets.blobs(classes=1000), "classes must be at most 100, got 1,000"),
    ],
)
def test_sizes_are_checked_before_anything_is_allocated(
    call: Callable[[], object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_features_refuse_text() -> None:
    with pytest.raises(TypeError, match=re.escape("X must hold real numbers, got an array of")):
        datasets.features([["a", "b"]])

"""Small 2-D data sets, generated with NumPy: the TensorFlow Playground's and a few more.

Every generator takes ``n`` (points), ``noise`` and ``seed`` and returns
``(X, y)``: ``X`` of shape (n, 2), float64; ``y`` of shape (n,), int64 class
labels 0, 1, … for classification, float64 targets for regression. The same
seed always gives the same data. Nothing is downloaded.

Playground sets (points in [−6, 6]², noise from 0 to 0.5 as its 0–50 % slider):

* classification: :func:`circle`, :func:`xor`, :func:`gauss`, :func:`spiral`
* regression: :func:`plane`, :func:`multi_gauss`

Others: :func:`moons` (micrograd's demo), :func:`blobs` (k classes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from ._support import validation

__all__ = [
    "CLASSIFICATION",
    "FEATURES",
    "MAX_POINTS",
    "REGRESSION",
    "blobs",
    "circle",
    "features",
    "gauss",
    "load",
    "moons",
    "multi_gauss",
    "plane",
    "spiral",
    "train_test_split",
    "xor",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Dataset = tuple[FloatArray, npt.NDArray[np.int64] | FloatArray]

RADIUS = 6.0
"""The Playground's points lie in [−RADIUS, RADIUS]²."""


MAX_POINTS = 10_000_000
"""The most points a generator makes (160 MB of coordinates)."""

MAX_CLASSES = 100
"""The most classes :func:`blobs` and :func:`spiral` make."""


def _check(n: int, noise: float, *, min_n: int = 1) -> tuple[int, float]:
    """``n`` and ``noise`` validated (NumPy scalars accepted), as Python numbers."""
    return (
        validation.integer("n", n, minimum=min_n, maximum=MAX_POINTS),
        validation.real("noise", noise, low=0.0, high=1.0),
    )


def _classes(classes: int) -> int:
    return validation.integer("classes", classes, minimum=2, maximum=MAX_CLASSES)


def _shuffled(rng: np.random.Generator, X: FloatArray, y: npt.NDArray[np.generic]) -> Dataset:
    order = rng.permutation(len(X))
    return X[order], y[order]  # type: ignore[return-value]


def circle(n: int = 200, noise: float = 0.0, seed: int | None = None) -> Dataset:
    """Class 1 inside a disc of radius 2.5, class 0 in a ring from 3.5 to 5.

    Noise moves each point by up to ``noise × 6`` in x and y before labelling,
    so noisy points can land on the wrong side.

    >>> X, y = circle(n=200, seed=0)
    >>> r = np.hypot(X[:, 0], X[:, 1])
    >>> bool((r[y == 1] <= 2.5).all()), bool((r[y == 0] >= 3.5).all())
    (True, True)
    """
    n, noise = _check(n, noise, min_n=2)
    rng = np.random.default_rng(seed)
    inner = n // 2
    radius = np.concatenate([rng.uniform(0.0, 2.5, inner), rng.uniform(3.5, 5.0, n - inner)])
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    jitter = rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise
    y = (np.hypot(*(X + jitter).T) < 2.5).astype(np.int64)
    return _shuffled(rng, X, y)


def xor(n: int = 200, noise: float = 0.0, seed: int | None = None) -> Dataset:
    """Class 1 where x1·x2 ≥ 0 (first and third quadrants), class 0 elsewhere.

    Points keep a margin of 0.3 from the axes; noise jitters them before labelling.

    >>> X, y = xor(n=200, seed=0)
    >>> bool(((X[:, 0] * X[:, 1] >= 0) == (y == 1)).all())
    True
    """
    n, noise = _check(n, noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-5.0, 5.0, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)
    jitter = rng.uniform(-5.0, 5.0, (n, 2)) * noise
    noisy = X + jitter
    y = (noisy[:, 0] * noisy[:, 1] >= 0).astype(np.int64)
    return X, y


def gauss(n: int = 200, noise: float = 0.0, seed: int | None = None) -> Dataset:
    """Two Gaussian blobs: class 1 around (2, 2), class 0 around (−2, −2).

    Noise widens them: the standard deviation grows from √0.5 to 2 as noise goes 0 → 0.5.

    >>> X, y = gauss(n=200, seed=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((200, 2), [0, 1])
    """
    n, noise = _check(n, noise, min_n=2)
    rng = np.random.default_rng(seed)
    variance = 0.5 + 7.0 * min(noise, 0.5)
    half = n // 2
    centers = np.array([[2.0, 2.0]] * half + [[-2.0, -2.0]] * (n - half))
    X = rng.normal(centers, np.sqrt(variance))
    y = np.array([1] * half + [0] * (n - half), dtype=np.int64)
    return _shuffled(rng, X, y)


def spiral(n: int = 200, noise: float = 0.0, seed: int | None = None, classes: int = 2) -> Dataset:
    """Interleaved spiral arms, one per class (the Playground's has two).

    Arm j: radius r = 5t, angle 1.75·2π·t + 2πj/classes for t in [0, 1);
    noise adds up to ±noise in x and y.

    >>> X, y = spiral(n=300, classes=3, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((300, 2), [100, 100, 100])
    """
    classes = _classes(classes)
    n, noise = _check(n, noise, min_n=classes)
    rng = np.random.default_rng(seed)
    label = np.arange(n, dtype=np.int64) % classes
    t = rng.uniform(0.0, 1.0, n)
    r = 5.0 * t
    angle = 1.75 * 2 * np.pi * t + 2 * np.pi * label / classes
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    X += rng.uniform(-1.0, 1.0, (n, 2)) * noise
    return _shuffled(rng, X, label)


def moons(n: int = 100, noise: float = 0.1, seed: int | None = None) -> Dataset:
    """Two interleaving half circles (class 0 on top, class 1 below), with Gaussian noise.

    The data set of micrograd's demo. Points lie in about [−1, 2] × [−0.5, 1].

    >>> X, y = moons(n=100, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((100, 2), [50, 50])
    """
    n, noise = _check(n, noise, min_n=2)
    rng = np.random.default_rng(seed)
    top = n // 2
    t_top = np.linspace(0.0, np.pi, top)
    t_bottom = np.linspace(0.0, np.pi, n - top)
    X = np.concatenate(
        [
            np.column_stack([np.cos(t_top), np.sin(t_top)]),
            np.column_stack([1.0 - np.cos(t_bottom), 0.5 - np.sin(t_bottom)]),
        ]
    )
    X += rng.normal(0.0, noise, X.shape)
    y = np.array([0] * top + [1] * (n - top), dtype=np.int64)
    return _shuffled(rng, X, y)


def blobs(n: int = 200, noise: float = 0.0, seed: int | None = None, classes: int = 3) -> Dataset:
    """``classes`` Gaussian blobs with centres evenly spaced on a circle of radius 3.5.

    The standard deviation is 0.7 + 4·noise.

    >>> X, y = blobs(n=120, classes=4, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((120, 2), [30, 30, 30, 30])
    """
    classes = _classes(classes)
    n, noise = _check(n, noise, min_n=classes)
    rng = np.random.default_rng(seed)
    label = np.arange(n, dtype=np.int64) % classes
    angle = 2 * np.pi * label / classes
    centers = 3.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    X = rng.normal(centers, 0.7 + 4.0 * noise)
    return _shuffled(rng, X, label)


def plane(n: int = 200, noise: float = 0.0, seed: int | None = None) -> Dataset:
    """Regression: y = (x1 + x2) / 10, points uniform in [−6, 6]², so y ∈ [−1.2, 1.2].

    Noise perturbs the inputs used for the target by up to ``noise × 6``.

    >>> X, y = plane(n=50, seed=0)
    >>> y.dtype, bool(np.allclose(y, (X[:, 0] + X[:, 1]) / 10))
    (dtype('float64'), True)
    """
    n, noise = _check(n, noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-RADIUS, RADIUS, (n, 2))
    noisy = X + rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise
    y = (noisy[:, 0] + noisy[:, 1]) / 10.0
    return X, y


GAUSSIANS = (
    (-4.0, 2.5, 1.0),
    (0.0, 2.5, -1.0),
    (4.0, 2.5, 1.0),
    (-4.0, -2.5, -1.0),
    (0.0, -2.5, 1.0),
    (4.0, -2.5, -1.0),
)
"""(x, y, sign) of the six bumps of :func:`multi_gauss`."""


def multi_gauss(n: int = 200, noise: float = 0.0, seed: int | None = None) -> Dataset:
    """Regression: six bumps of height ±1 (radius 2) on a 2 × 3 grid; y ∈ [−1, 1].

    Each point takes the value of the strongest bump at its (noisy) position:
    sign · max(0, 1 − distance / 2).

    >>> X, y = multi_gauss(n=500, seed=0)
    >>> X.shape, bool(-1.0 <= y.min() <= y.max() <= 1.0)
    ((500, 2), True)
    """
    n, noise = _check(n, noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-RADIUS, RADIUS, (n, 2))
    noisy = X + rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise
    bumps = np.array(GAUSSIANS)
    distance = np.hypot(noisy[:, None, 0] - bumps[:, 0], noisy[:, None, 1] - bumps[:, 1])
    heights = bumps[:, 2] * np.clip(1.0 - distance / 2.0, 0.0, None)
    strongest = np.argmax(np.abs(heights), axis=1)
    y = heights[np.arange(n), strongest]
    return X, y


CLASSIFICATION: dict[str, Callable[..., Dataset]] = {
    "circle": circle,
    "xor": xor,
    "gauss": gauss,
    "spiral": spiral,
    "moons": moons,
    "blobs": blobs,
}
REGRESSION: dict[str, Callable[..., Dataset]] = {"plane": plane, "multi_gauss": multi_gauss}


def load(
    name: str, n: int = 200, noise: float = 0.0, seed: int | None = None, **options: int
) -> Dataset:
    """Generate a data set by name (a key of :data:`CLASSIFICATION` or :data:`REGRESSION`).

    ``options`` go to the generator, e.g. ``classes=3`` for :func:`blobs` and :func:`spiral`.

    >>> X, y = load("blobs", n=30, seed=0, classes=3)
    >>> X.shape, sorted(set(y.tolist()))
    ((30, 2), [0, 1, 2])
    >>> load("iris")
    Traceback (most recent call last):
    ValueError: unknown data set 'iris'; choose one of circle, xor, gauss, spiral, moons, ...
    """
    generators = {**CLASSIFICATION, **REGRESSION}
    if name not in generators:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(generators)}")
    return generators[name](n=n, noise=noise, seed=seed, **options)


FEATURES: dict[str, Callable[[FloatArray, FloatArray], FloatArray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}
"""The Playground's input features, as functions of the two coordinates."""


def features(X: npt.ArrayLike, names: Sequence[str] = ("x1", "x2")) -> FloatArray:
    """Map 2-D points to the chosen Playground features: shape (n, len(names)).

    >>> features([[2.0, 3.0]], ["x1", "x1*x2", "x2^2"]).tolist()
    [[2.0, 6.0, 9.0]]
    """
    points = validation.real_array("X", X)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"features() needs points of shape (n, 2), got shape {points.shape}")
    if isinstance(names, str) or len(names) == 0:
        raise ValueError(f"names must be a non-empty list of feature names, got {names!r}")
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}; choose from {list(FEATURES)}")
    x1, x2 = points[:, 0], points[:, 1]
    return np.column_stack([FEATURES[name](x1, x2) for name in names])


def train_test_split(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    train_ratio: float = 0.5,
    seed: int | None = None,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.generic], npt.NDArray[np.generic]]:
    """Shuffle, then split into ``(X_train, X_test, y_train, y_test)``.

    ``train_ratio`` is the Playground's "ratio of training to test data"
    (0.1 to 0.9; default 0.5). Both parts get at least one sample.

    >>> X, y = moons(n=10, seed=0)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, train_ratio=0.7, seed=0)
    >>> X_train.shape, X_test.shape, y_train.shape, y_test.shape
    ((7, 2), (3, 2), (7,), (3,))
    """
    X_arr = validation.real_array("X", X)
    y_arr = np.asarray(y)
    if y_arr.dtype.kind == "c":
        raise TypeError(f"y must hold real numbers, got complex numbers (dtype {y_arr.dtype})")
    if len(X_arr) != len(y_arr):
        raise ValueError(f"X has {len(X_arr)} samples but y has {len(y_arr)}; they must match")
    if len(X_arr) < 2:
        raise ValueError("need at least 2 samples to split into training and test sets")
    train_ratio = validation.real(
        "train_ratio", train_ratio, low=0.0, high=1.0, low_open=True, high_open=True
    )
    order = np.random.default_rng(seed).permutation(len(X_arr))
    n_train = min(max(round(train_ratio * len(X_arr)), 1), len(X_arr) - 1)
    train, test = order[:n_train], order[n_train:]
    return X_arr[train], X_arr[test], y_arr[train], y_arr[test]

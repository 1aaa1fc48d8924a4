"""Your own data: a CSV file of ``x1, x2, label`` (or value) rows, checked for the Playground.

Points must lie in the Playground's plane [−6, 6]²: they are refused, not
rescaled, because the features (x1², sin(x1), …) mean something else on a
rescaled plane; the message says by how much to divide. Labels 0/1 (or
−1/+1, the TensorFlow Playground's) make a classification problem; any other
numbers a regression.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import numpy.typing as npt

from micrograd_edu import datasets

__all__ = ["UserData", "check_data", "parse_csv"]

FloatArray = npt.NDArray[np.float64]
MIN_POINTS = 4
MAX_POINTS = 2000


class UserData:
    """Checked points ``X`` (n, 2) and targets ``y`` (n,), with their problem type."""

    def __init__(self, X: FloatArray, y: FloatArray, problem: str) -> None:
        self.X, self.y, self.problem = X, y, problem

    def __repr__(self) -> str:
        return f"<your data: {len(self.X)} points, {self.problem}>"


def check_data(X: object, y: object) -> UserData:
    """``X`` (n, 2) points in [−6, 6]² and ``y`` (n,) labels or values, or ``ValueError``.

    >>> check_data([[0, 1], [1, 0], [2, 2], [-1, -1]], [1, 0, 1, 0])
    <your data: 4 points, classification>
    >>> check_data([[0, 9]] * 4, [1, 0, 1, 0])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: data: x2 goes up to 9, outside the Playground's plane [-6, 6]: divide ... by 1.5 ...
    """
    try:
        points = np.asarray(X, dtype=np.float64)
        targets = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("data: X and y must be numbers") from None
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"data: X must have shape (n, 2) (x1, x2 per point), got {points.shape}")
    if targets.shape != (len(points),):
        raise ValueError(
            f"data: y must have shape ({len(points)},) (one label per point), got {targets.shape}"
        )
    if not MIN_POINTS <= len(points) <= MAX_POINTS:
        raise ValueError(f"data: {MIN_POINTS} to {MAX_POINTS} points are needed, got {len(points)}")
    if not (np.all(np.isfinite(points)) and np.all(np.isfinite(targets))):
        raise ValueError("data: every x1, x2 and label must be a finite number (no NaN, no inf)")
    largest = np.abs(points).max(axis=0)
    for name, top in zip(("x1", "x2"), largest, strict=True):
        if top > datasets.RADIUS:
            raise ValueError(
                f"data: {name} goes up to {top:g}, outside the Playground's plane [-6, 6]: "
                f"divide your points by {top / datasets.RADIUS:.2g} (or more) first"
            )
    labels = set(np.unique(targets).tolist())
    if labels <= {0.0, 1.0} or labels <= {-1.0, 1.0}:
        if len(labels) < 2:
            raise ValueError(f"data: a classification needs both classes, got only {labels}")
        return UserData(points, (targets > 0).astype(np.float64), "classification")
    return UserData(points, targets, "regression")


def parse_csv(text: str) -> UserData:
    """CSV text with rows ``x1, x2, label`` (a header line is allowed) as checked data.

    >>> parse_csv("x1,x2,label\\n1,2,1\\n-1,-2,0\\n2,1,1\\n-2,-1,0\\n")
    <your data: 4 points, classification>
    """
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if rows and not _is_number(rows[0][0]):
        rows = rows[1:]  # the header
    numbers = []
    for line, row in enumerate(rows, start=1):
        if len(row) != 3:
            raise ValueError(
                f"CSV row {line}: expected 3 columns (x1, x2, label or value), got {len(row)}"
            )
        if not all(_is_number(cell) for cell in row):
            raise ValueError(f"CSV row {line}: {', '.join(row)} are not all numbers")
        numbers.append([float(cell) for cell in row])
    if not numbers:
        raise ValueError("CSV: no rows of x1, x2, label found")
    table = np.array(numbers)
    return check_data(table[:, :2], table[:, 2])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True

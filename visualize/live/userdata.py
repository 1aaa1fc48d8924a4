"""Your own data: a CSV file of ``x1, x2, label`` (or value) rows, checked for the Playground.

Points must lie in the Playground's plane [−6, 6]²: they are refused, not
rescaled, because the features (x1², sin(x1), …) mean something else on a
rescaled plane; the message says by how much to divide. Labels 0/1 (or
−1/+1, the TensorFlow Playground's) make a classification problem; any other
numbers a regression, with values in [−1, 1] (the Playground's colour scale and
its regression sets'; larger values are refused with the factor to divide by).

A file is read as UTF-8 (with or without a byte-order mark), UTF-16 (with one)
or, failing those, Windows-1252 (Excel's "CSV" on Windows); a file whose first
line holds ``;`` uses ``;`` between columns and may write decimals with a comma
(Excel in much of Europe). Files over :data:`MAX_BYTES` are refused before
being read: 2,000 points need far less.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import numpy.typing as npt

from micrograd_edu import datasets

__all__ = ["MAX_BYTES", "UserData", "check_data", "parse_csv", "read_csv"]

FloatArray = npt.NDArray[np.float64]
MIN_POINTS = 4
MAX_POINTS = 2000
MAX_BYTES = 1_000_000
"""The largest CSV file read (2,000 rows of three numbers take about 60 kB)."""


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
    top = float(np.abs(targets).max())
    if top > 1.0 and np.all(targets == np.round(targets)) and len(labels) <= 10:
        raise ValueError(
            f"data: labels {sorted(int(label) for label in labels)}: a classification takes "
            "two classes (0/1 or -1/+1), a regression values in [-1, 1]"
        )
    if top > 1.0:
        raise ValueError(
            f"data: the values (a regression: labels other than 0/1 or -1/+1) go up to "
            f"{top:g} in size, outside the Playground's [-1, 1]: divide them by "
            f"{top:g} (or more) first"
        )
    return UserData(points, targets, "regression")


def read_csv(content: bytes) -> UserData:
    """An uploaded file's bytes as checked data (see the module's docstring for the formats).

    >>> read_csv("x1;x2;label\\n1,5;2;1\\n-1;-2;0\\n2;1;1\\n-2;-1;0\\n".encode("utf-16")).X[0]
    array([1.5, 2. ])
    """
    if len(content) > MAX_BYTES:
        raise ValueError(
            f"CSV: the file has {len(content):,} bytes, more than {MAX_BYTES:,}: "
            f"the Playground takes at most {MAX_POINTS:,} points"
        )
    try:
        if content.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = content.decode("utf-16")
        else:
            text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        if content.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ValueError("CSV: the file is not text (a broken UTF-16 file)") from None
        text = content.decode("cp1252", errors="replace")
    return parse_csv(text)


def parse_csv(text: str) -> UserData:
    """CSV text with rows ``x1, x2, label`` (a header line is allowed) as checked data.

    Reading stops, with an error, past :data:`MAX_POINTS` rows.

    >>> parse_csv("x1,x2,label\\n1,2,1\\n-1,-2,0\\n2,1,1\\n-2,-1,0\\n")
    <your data: 4 points, classification>
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    semicolons = ";" in first
    reader = csv.reader(io.StringIO(text), delimiter=";" if semicolons else ",")
    numbers: list[list[float]] = []
    header_seen = False
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if semicolons:
            row = [cell.replace(",", ".") for cell in row]  # decimal commas
        if not header_seen:
            header_seen = True
            if not _is_number(row[0]):
                continue  # the header
        numbers.append(_numbers(row, len(numbers) + 1))
        if len(numbers) > MAX_POINTS:
            raise ValueError(
                f"CSV: more than {MAX_POINTS:,} rows; the Playground takes at most "
                f"{MAX_POINTS:,} points"
            )
    if not numbers:
        raise ValueError("CSV: no rows of x1, x2, label found")
    table = np.array(numbers)
    return check_data(table[:, :2], table[:, 2])


def _numbers(row: list[str], line: int) -> list[float]:
    if len(row) != 3:
        raise ValueError(
            f"CSV row {line}: expected 3 columns (x1, x2, label or value), got {len(row)}"
        )
    if not all(_is_number(cell) for cell in row):
        raise ValueError(f"CSV row {line}: {', '.join(row)} are not all numbers")
    return [float(cell) for cell in row]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True

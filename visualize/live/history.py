"""A loss curve of bounded size: the lowest, highest and last loss of each run of epochs.

A Play that lasts a million epochs must redraw as fast as one of a hundred:
:class:`LossCurve` keeps at most ``limit`` buckets. Each bucket covers
``span`` consecutive epochs and keeps their lowest, highest and last loss;
when the buckets are full, neighbours merge in pairs and ``span`` doubles.
Drawn as one x position per bucket (a pixel column), the low and high values
show every spike, so the picture is the one of the full curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Bucket", "LossCurve"]


@dataclass
class Bucket:
    """The losses of ``count`` consecutive epochs: their extremes (NaN ignored) and the last."""

    count: int
    low: float
    high: float
    last: float

    def add(self, value: float) -> None:
        self.count += 1
        self.last = value
        if math.isfinite(value):
            self.low = value if math.isnan(self.low) else min(self.low, value)
            self.high = value if math.isnan(self.high) else max(self.high, value)

    def merged(self, other: Bucket) -> Bucket:
        lows = [v for v in (self.low, other.low) if not math.isnan(v)]
        highs = [v for v in (self.high, other.high) if not math.isnan(v)]
        return Bucket(
            self.count + other.count,
            min(lows) if lows else math.nan,
            max(highs) if highs else math.nan,
            other.last,
        )


def _bucket(value: float) -> Bucket:
    finite = value if math.isfinite(value) else math.nan
    return Bucket(1, finite, finite, value)


class LossCurve:
    """One loss per epoch, stored in at most ``limit`` buckets (``limit`` even, ≥ 2).

    While there are at most ``limit`` epochs every bucket holds one epoch and
    :meth:`values` is the exact list of losses.

    >>> curve = LossCurve(limit=4)
    >>> for loss in [5.0, 4.0, 6.0, 3.0, 2.0]:
    ...     curve.append(loss)
    >>> len(curve), curve.span, [(b.low, b.high, b.last) for b in curve.buckets]
    (5, 2, [(4.0, 5.0, 4.0), (3.0, 6.0, 3.0), (2.0, 2.0, 2.0)])
    """

    def __init__(self, limit: int = 320) -> None:
        if limit < 2 or limit % 2:
            raise ValueError(f"limit must be an even number ≥ 2, got {limit!r}")
        self.limit = limit
        self.span = 1
        self.buckets: list[Bucket] = []
        self.epochs = 0

    def __len__(self) -> int:
        """The number of epochs recorded (not of buckets)."""
        return self.epochs

    def append(self, value: float) -> None:
        """Record the loss of the next epoch (constant time on average)."""
        value = float(value)
        self.epochs += 1
        if self.buckets and self.buckets[-1].count < self.span:
            self.buckets[-1].add(value)
            return
        if len(self.buckets) == self.limit:
            pairs = zip(self.buckets[0::2], self.buckets[1::2], strict=True)
            self.buckets = [first.merged(second) for first, second in pairs]
            self.span *= 2
        self.buckets.append(_bucket(value))

    def values(self) -> list[float]:
        """The last loss of each bucket: every epoch's loss while ``len(self) <= limit``."""
        return [bucket.last for bucket in self.buckets]

    def last(self) -> float:
        """The latest loss (NaN before the first epoch)."""
        return self.buckets[-1].last if self.buckets else math.nan

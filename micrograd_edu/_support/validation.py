"""One place that checks the numbers and arrays users pass to the public API.

Every public function validates its arguments with these helpers, so the same
mistake gets the same clear message everywhere, raised before any work is
done. NumPy scalars (``np.int64(3)``, ``np.float32(0.1)``) are accepted
wherever Python numbers are; ``bool`` is refused (``epochs=True`` is a bug).

>>> integer("epochs", 5)
5
>>> real("lr", 0.1, low=0.0, low_open=True)
0.1
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # NumPy is imported by real_array only: the engine lessons run without it
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]

__all__ = ["integer", "interval", "real", "real_array", "within"]


def integer(
    name: str, value: object, *, minimum: int = 1, maximum: int | None = None, why: str = ""
) -> int:
    """``value`` as an ``int`` if it is an integer in [minimum, maximum], else ``ValueError``.

    ``why`` explains the upper bound in the message ("each parameter is a Python object").
    """
    wanted = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    number = int(value)
    if number < minimum:
        raise ValueError(f"{name} must be {wanted}, got {number!r}")
    if maximum is not None and number > maximum:
        reason = f" ({why})" if why else ""
        raise ValueError(f"{name} must be at most {maximum:,}{reason}, got {number:,}")
    return number


def real(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite ``float`` within the given bounds, else ``ValueError``.

    ``low_open``/``high_open`` exclude the bound itself: ``low=0, low_open=True``
    means "> 0". The message states the allowed interval.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if not within(number, low, high, low_open, high_open):
        raise ValueError(
            f"{name} must be {interval(low, high, low_open, high_open)}, got {value!r}"
        )
    return number


def within(
    number: float, low: float | None, high: float | None, low_open: bool, high_open: bool
) -> bool:
    """Whether ``number`` lies in the interval (None: no bound; open: the bound excluded).

    >>> within(0.0, 0.0, 1.0, True, False), within(1.0, 0.0, 1.0, True, False)
    (False, True)
    """
    too_low = low is not None and (number <= low if low_open else number < low)
    too_high = high is not None and (number >= high if high_open else number > high)
    return not (too_low or too_high)


def interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    """The interval in words: ``in (0, 10]``, ``>= 0``.

    >>> interval(0, 10, True, False), interval(0, None, False, False)
    ('in (0, 10]', '>= 0')
    """
    if high is None:
        return f"{'>' if low_open else '>='} {low:g}"
    if low is None:
        return f"{'<' if high_open else '<='} {high:g}"
    return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def real_array(name: str, values: Any) -> FloatArray:
    """``values`` as a float64 NumPy array; refuses complex numbers, text and other objects.

    ``np.asarray(x, dtype=float)`` would silently drop imaginary parts (with
    only a ``ComplexWarning``) and fail on text with a message that does not
    name the argument.
    """
    import numpy as np

    array = np.asarray(values)
    if array.dtype.kind == "c":
        raise TypeError(f"{name} must hold real numbers, got complex numbers (dtype {array.dtype})")
    if array.dtype.kind not in "biuf":
        try:
            return np.asarray(array, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"{name} must hold real numbers, got an array of dtype {array.dtype}"
            ) from None
    return np.asarray(array, dtype=np.float64)

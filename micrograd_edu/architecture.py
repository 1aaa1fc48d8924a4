"""How large an :class:`~micrograd_edu.nn.MLP` may be, checked before anything is built."""

from __future__ import annotations

from collections.abc import Sequence

from ._support import validation

__all__ = [
    "MAX_LAYERS",
    "MAX_PARAMETERS",
    "TOO_LARGE",
    "check_architecture",
    "count_parameters",
    "positive_int",
]

MAX_PARAMETERS = 1_000_000
"""The most parameters a network may have: each one is a Python object of about
100 bytes, and one forward pass builds a graph node per weight. Larger models
belong in PyTorch (:func:`~micrograd_edu.io.to_torch`)."""

MAX_LAYERS = 100
"""The most layers an :class:`~micrograd_edu.nn.MLP` may have."""

TOO_LARGE = "each parameter is a Python object; use PyTorch for larger models"


def positive_int(name: str, n: object) -> int:
    """A layer width or input count: a positive integer, at most :data:`MAX_PARAMETERS`.

    >>> positive_int("nin", 3)
    3
    """
    return validation.integer(name, n, maximum=MAX_PARAMETERS, why=TOO_LARGE)


def check_architecture(nin: object, nouts: object) -> tuple[int, list[int]]:
    """Validate an MLP's ``nin`` and ``nouts`` *before* anything is allocated.

    Returns them as ``(int, list[int])``. Raises ``ValueError`` for a width
    that is not a positive integer, more than :data:`MAX_LAYERS` layers, or
    more than :data:`MAX_PARAMETERS` parameters (counted, not built: a layer of
    nout neurons with nin inputs has (nin + 1)·nout parameters).

    >>> check_architecture(2, (16, 1))
    (2, [16, 1])
    >>> check_architecture(2, [2000, 1000])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: MLP(2, [2000, 1000]) would have 2,007,000 parameters, more than the limit ...
    """
    nin_checked = positive_int("nin", nin)
    if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
        raise ValueError(f"nouts must be a non-empty list of layer widths, got {nouts!r}")
    if len(nouts) > MAX_LAYERS:
        raise ValueError(f"an MLP may have at most {MAX_LAYERS} layers, got {len(nouts)}")
    widths = [positive_int(f"nouts[{i}]", n) for i, n in enumerate(nouts)]
    count = count_parameters(nin_checked, widths)
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"MLP({nin_checked}, {widths}) would have {count:,} parameters, more than the "
            f"limit of {MAX_PARAMETERS:,} ({TOO_LARGE})"
        )
    return nin_checked, widths


def count_parameters(nin: int, nouts: Sequence[int]) -> int:
    """How many parameters ``MLP(nin, nouts)`` has: Σ (inputs + 1) · neurons over its layers.

    >>> count_parameters(2, [16, 16, 1])
    337
    """
    sizes = [nin, *nouts]
    return sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(nouts)))

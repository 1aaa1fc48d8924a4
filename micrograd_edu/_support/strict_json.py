"""Strict JSON text from Python and NumPy data: the one way micrograd_edu writes JSON.

Every file and record the package writes (model files, training histories,
grade records, the data inside exported pages) goes through :func:`dumps`, so
that they all follow the same two rules:

* **NumPy scalars are numbers.** ``np.float32(0.5)``, ``np.int64(3)`` and
  ``np.bool_(True)`` are written as ``0.5``, ``3`` and ``true`` (the standard
  library's ``json`` refuses them: "Object of type float32 is not JSON
  serializable"); a NumPy array is written as nested lists. A float32 keeps its
  exact value (``np.float32(0.1)`` is ``0.10000000149011612``).
* **The output is strict JSON.** ``NaN`` and ``±Infinity`` are not JSON (Python
  would write them as the non-standard ``NaN``/``Infinity``, which other
  readers refuse): they raise ``ValueError`` naming where they are
  (``history['train_loss'][3] is nan``). Anything else that is not a number,
  text, ``None``, a list/tuple or a dict with text or integer keys raises
  ``TypeError``, named the same way.
"""

from __future__ import annotations

import json
import numbers
import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["dumps", "plain"]


def dumps(
    data: Any, *, name: str = "data", indent: int | None = None, ensure_ascii: bool = True
) -> str:
    """``data`` as strict JSON text (NumPy scalars as numbers; no NaN or Infinity).

    ``name`` is how error messages call ``data`` (``"history"``, ``"the model"``).
    ``indent`` and ``ensure_ascii`` are ``json.dumps``'s.

    >>> import numpy as np
    >>> dumps({"w": np.float32(0.5), "n": np.int64(3), "ok": np.bool_(True)})
    '{"w": 0.5, "n": 3, "ok": true}'
    >>> dumps({"loss": [0.5, float("nan")]}, name="history")
    Traceback (most recent call last):
    ...
    ValueError: history['loss'][1] is nan: strict JSON has no NaN or Infinity
    """
    return json.dumps(plain(data, name), indent=indent, ensure_ascii=ensure_ascii, allow_nan=False)


def plain(data: Any, name: str = "data") -> Any:
    """``data`` with every NumPy scalar and array turned into Python numbers and lists.

    Raises ``ValueError`` for a non-finite number and ``TypeError`` for a value
    JSON cannot hold, naming its place in ``data`` (``name['key'][3]``).
    """
    try:
        return _plain(data)
    except _UnwritableError as error:
        where = name + "".join(f"[{step!r}]" for step in reversed(error.path))
        if error.key:
            raise TypeError(
                f"{where} has the key {error.value!r}: JSON object keys must be text (or integers)"
            ) from None
        if isinstance(error.value, float):
            raise ValueError(
                f"{where} is {error.value!r}: strict JSON has no NaN or Infinity"
            ) from None
        raise TypeError(
            f"{where} is {type(error.value).__name__} {error.value!r}: JSON holds only "
            "numbers, text, None, lists and dicts"
        ) from None


class _UnwritableError(Exception):
    """A value (or a key) JSON cannot hold; ``path`` is filled in, innermost step first,
    as the exception leaves each container (the place is formatted only on error)."""

    def __init__(self, value: Any, key: bool = False) -> None:
        super().__init__()
        self.value, self.key = value, key
        self.path: list[str | int] = []


def _plain(data: Any) -> Any:
    kind = type(data)
    if kind is float:  # the common case first
        if data - data != 0.0:  # NaN or ±inf
            raise _UnwritableError(data)
        return data
    if data is None or kind is str or kind is bool or kind is int:
        return data
    if isinstance(data, (list, tuple)):
        items = []
        for i, value in enumerate(data):
            try:
                items.append(_plain(value))
            except _UnwritableError as error:
                error.path.append(i)
                raise
        return items
    if isinstance(data, Mapping):
        result = {}
        for key, value in data.items():
            text = _key(key)
            try:
                result[text] = _plain(value)
            except _UnwritableError as error:
                error.path.append(text)
                raise
        return result
    return _scalar(data)


def _numpy_bool(data: Any) -> bool:
    """Whether ``data`` is a NumPy bool; NumPy is never imported here (the engine
    lessons run without it): where nothing imported it, no value can be one."""
    np = sys.modules.get("numpy")
    return np is not None and isinstance(data, np.bool_)


def _scalar(data: Any) -> Any:
    """A NumPy (or other subclassed) scalar or array as Python data.

    NumPy's integers and floats are ``numbers.Integral`` and ``numbers.Real``.
    """
    if isinstance(data, str):
        return str(data)
    if isinstance(data, bool) or _numpy_bool(data):
        return bool(data)
    if isinstance(data, numbers.Integral):
        return int(data)
    if isinstance(data, numbers.Real):
        return _plain(float(data))
    np = sys.modules.get("numpy")
    if np is not None and isinstance(data, np.ndarray):
        return _plain(data.tolist())
    raise _UnwritableError(data)


def _key(key: Any) -> str:
    """A dict key as JSON text: a string, or an integer written as a string."""
    if isinstance(key, str):
        return str(key)
    if isinstance(key, numbers.Integral) and not (isinstance(key, bool) or _numpy_bool(key)):
        return str(int(key))
    raise _UnwritableError(key, key=True)

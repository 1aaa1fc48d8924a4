"""Every JSON the package writes is strict JSON and takes NumPy scalars as numbers."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from micrograd_edu import io
from micrograd_edu._support import strict_json
from micrograd_edu.rl import RLHistory
from micrograd_edu.train import History

FLOAT_TYPES = [np.float16, np.float32, np.float64, float]
INT_TYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint64, int]


def _strict_loads(text: str) -> Any:
    def refuse(name: str) -> None:
        raise AssertionError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


# A leaf: (the value as written by user code, the Python value JSON must hold).
finite = st.floats(allow_nan=False, allow_infinity=False, width=16)
float_leaf = st.tuples(st.sampled_from(FLOAT_TYPES), finite).map(
    lambda pair: (pair[0](pair[1]), float(pair[0](pair[1])))
)
int_leaf = st.tuples(st.sampled_from(INT_TYPES), st.integers(0, 100)).map(
    lambda pair: (pair[0](pair[1]), pair[1])
)
bool_leaf = st.booleans().map(lambda b: (np.bool_(b), b))
text_leaf = st.text(max_size=5).map(lambda t: (t, t))
leaf = st.one_of(float_leaf, int_leaf, bool_leaf, text_leaf, st.just((None, None)))


def _nest(children: Any) -> Any:
    lists = st.lists(children, max_size=4).map(
        lambda items: ([given for given, _ in items], [want for _, want in items])
    )
    dicts = st.dictionaries(st.text(max_size=4), children, max_size=4).map(
        lambda d: ({k: given for k, (given, _) in d.items()}, {k: w for k, (_, w) in d.items()})
    )
    return st.one_of(lists, dicts)


nested = st.recursive(leaf, _nest, max_leaves=20)


@given(data=nested, indent=st.sampled_from([None, 1]))
def test_numpy_scalars_anywhere_are_written_as_plain_numbers(
    data: tuple[Any, Any], indent: int | None
) -> None:
    given_data, expected = data
    text = strict_json.dumps(given_data, indent=indent)
    assert _strict_loads(text) == expected
    assert text == json.dumps(expected, indent=indent)  # the same text as for plain Python


@given(
    data=nested,
    bad=st.sampled_from([math.nan, math.inf, -math.inf]),
    kind=st.sampled_from([np.float16, np.float32, np.float64, float]),
    key=st.text(min_size=1, max_size=4),
)
def test_a_non_finite_number_anywhere_is_refused_with_its_place(
    data: tuple[Any, Any], bad: float, kind: type, key: str
) -> None:
    given_data = (
        {"before": data[0], key: [1.0, kind(bad)]} if key != "before" else {key: [1.0, kind(bad)]}
    )
    expected = f"record[{key!r}][1] is {bad!r}: strict JSON has no NaN or Infinity"
    with pytest.raises(ValueError, match=re.escape(expected)):
        strict_json.dumps(given_data, name="record")


def test_arrays_tuples_and_integer_keys() -> None:
    data = {3: np.arange(3, dtype=np.int32), np.int64(4): (np.float32(0.1), np.zeros((1, 2)))}
    assert strict_json.dumps(data) == '{"3": [0, 1, 2], "4": [0.10000000149011612, [[0.0, 0.0]]]}'


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        ({"a": 1 + 2j}, TypeError, "data['a'] is complex (1+2j): JSON holds only numbers"),
        ({"a": [object]}, TypeError, "data['a'][0] is type"),
        ({(1, 2): 3}, TypeError, "data has the key (1, 2): JSON object keys must be text"),
        ({True: 3}, TypeError, "data has the key True"),
        ([np.float32("inf")], ValueError, "data[0] is inf: strict JSON has no NaN or Infinity"),
    ],
)
def test_what_json_cannot_hold_is_named(data: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        strict_json.dumps(data)


# ----------------------------------------------------------------------
# The files: model, training and RL histories (what the CLI writes)
# ----------------------------------------------------------------------
def test_histories_with_numpy_numbers_are_written_as_strict_json(tmp_path: Path) -> None:
    history = History(
        train_loss=[np.float32(0.5), np.float64(0.25)],
        train_accuracy=[np.float64(0.75), 1.0],
        val_loss=[],
        val_accuracy=[],
    )
    path = io.write_json(tmp_path / "history.json", history.as_dict(), "history")
    assert _strict_loads(path.read_text()) == {
        "train_loss": [0.5, 0.25],
        "train_accuracy": [0.75, 1.0],
        "val_loss": [],
        "val_accuracy": [],
    }
    rl_history = RLHistory(returns=[np.float32(1.5)], lengths=[np.int64(7)], stopped="")
    path = io.write_json(tmp_path / "rl.json", rl_history.as_dict(), "history")
    assert _strict_loads(path.read_text()) == {"returns": [1.5], "lengths": [7], "stopped": ""}


def test_a_history_with_nan_names_the_epoch_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    path.write_text("previous")
    with pytest.raises(
        ValueError, match=re.escape("history['val_loss'][1] is nan: strict JSON has no NaN")
    ):
        io.write_json(path, {"val_loss": [0.5, np.float32("nan")]}, "history")
    assert path.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["history.json"]


def test_the_backward_player_data_is_strict_json() -> None:
    pytest.importorskip("matplotlib")
    from micrograd_edu.visualize.backward import script_json

    assert script_json({"uid": np.str_("a</script>"), "n": np.int64(2)}) == (
        '{"uid": "a\\u003c/script\\u003e", "n": 2}'
    )

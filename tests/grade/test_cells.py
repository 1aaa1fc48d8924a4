"""A notebook's cells read, not run: where each exercise is probed, which exercise calls which."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from micrograd_edu.grade.cells import SKIP_TAG, bound_names, code_cells, schedule, uses

ROOT = Path(__file__).resolve().parents[2]
NAMES = {"2.3": ("topological_sort",), "2.4": ("backward",), "4.3": ("train", "learning_rate")}


def test_an_exercise_is_probed_after_the_last_cell_that_defines_it() -> None:
    cells = [
        "def backward(root):\n    pass",  # a first try
        "learning_rate = 0.1",
        "def topological_sort(root):\n    return []",
        "def backward(root):\n    topological_sort(root)",  # the one graded
        "def train(model):\n    return model",
        "print('done')",
    ]
    assert schedule(cells, NAMES) == {2: ["2.3"], 3: ["2.4"], 4: ["4.3"]}
    assert schedule([], NAMES) == {0: ["2.3", "2.4", "4.3"]}  # nothing defined: at the end


def test_names_bound_out_of_sight_are_probed_after_the_last_cell() -> None:
    cells = ["globals()['backward'] = lambda root: None", "exec('def train(m): return m')"]
    assert schedule(cells, NAMES) == {2: ["2.3", "2.4", "4.3"]}


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("import numpy as np, os.path\nfrom math import tanh as th", {"np", "os", "th"}),
        ("for i, (a, b) in enumerate([]):\n    c = a", {"i", "a", "b", "c"}),
        ("def f(x):\n    inner = x\n    return inner", {"f"}),
        ("class Model:\n    size = 3", {"Model"}),
        ("squares = [k * k for k in range(3)]\nf = lambda y: y", {"squares", "f"}),
        ("with open('x') as handle:\n    pass\nif (n := 3):\n    m = n", {"handle", "n", "m"}),
        ("%matplotlib inline\n!pip install x\nx = 1\nif x:\n    %time y = 2", {"x"}),
        ("%%time\nz = 1", set()),  # a cell magic: not this kernel's Python alone
        ("def broken(:\n", set()),  # a syntax error binds nothing
        ("try:\n    from a import b\nexcept ImportError:\n    b = None", {"b"}),
    ],
)
def test_the_names_a_cell_binds(source: str, names: set[str]) -> None:
    assert bound_names(source) == names


def test_which_exercise_calls_which_through_the_notebooks_own_functions() -> None:
    cells = [
        "def topological_sort(root):\n    return order_of(root)",
        "def order_of(node):\n    return [node]",
        "def helper(root):\n    return topological_sort(root)",
        "def backward(root):\n    for node in reversed(helper(root)):\n        pass",
        "def train(model, learning_rate=0.1):\n    backward(model)\n    return learning_rate",
    ]
    assert uses(cells, NAMES) == {"2.4": ["2.3"], "4.3": ["2.3", "2.4"]}
    # a parameter or a local of the same name is not a call of the exercise's function
    local = ["def backward(root, topological_sort=None):\n    topological_sort = 1"]
    assert uses(local, NAMES) == {}


def test_the_code_cells_to_run(tmp_path: Path) -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": "# Title", "metadata": {}},
            {"cell_type": "code", "source": ["a = 1\n", "b = 2"], "metadata": {}},
            {"cell_type": "code", "source": "show()", "metadata": {"tags": [SKIP_TAG]}},
            {"cell_type": "code", "source": "c = 3", "metadata": {"tags": "not a list"}},
        ]
    }
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(notebook))
    assert code_cells(path) == ["a = 1\nb = 2", "c = 3"]
    path.write_text('{"cells": "nope"}')
    with pytest.raises(ValueError, match="not a Jupyter notebook"):
        code_cells(path)


def test_the_course_notebook_2_probes_each_exercise_after_its_own_cell() -> None:
    cells = code_cells(ROOT / "notebooks" / "02_backpropagation.ipynb")
    names = {"2.1": ("my_grads",), "2.2": ("local_grads",), **NAMES, "2.5": ("OPS",)}
    del names["4.3"]
    plan = schedule(cells, names)
    order = [number for index in sorted(plan) for number in plan[index]]
    assert order == ["2.1", "2.2", "2.3", "2.4", "2.5"]
    assert len(plan) == 5 and max(plan) < len(cells)  # none waits for the last cell
    assert uses(cells, names) == {"2.4": ["2.3"]}

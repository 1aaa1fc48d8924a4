"""docs/ops.md is the op table as the rules write it, and every op has a row."""

from __future__ import annotations

import math
from pathlib import Path

from micrograd_edu import engine
from micrograd_edu.engine import Value
from micrograd_edu.explain import optable

ROOT = Path(__file__).resolve().parents[2]


def test_the_ops_page_is_written_from_the_rules() -> None:
    page = (ROOT / "docs" / "ops.md").read_text(encoding="utf-8")
    assert page == optable.markdown(), "run: python -m micrograd_edu.explain.optable"


def test_every_op_has_a_row_with_its_value_and_local_derivatives() -> None:
    names = [name for name, _, value, slopes in optable.rows() if value and slopes]
    assert names == list(engine.OPS)
    assert optable.rows()[9] == ("tanh", "a.tanh()", "tanh a", "d/da = 1 − tanh²a")


def test_the_tanh_row_says_what_the_rule_computes() -> None:
    """The row's formulas are those of the rule that runs: value tanh a, slope 1 − tanh²a."""
    node = Value(0.3).tanh()
    assert node.data == math.tanh(0.3)
    assert node.local_grads == (1.0 - math.tanh(0.3) ** 2,)

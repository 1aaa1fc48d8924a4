"""benchmarks.engine_ops: today's engine against a commit's engine, read from git, in one run."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from benchmarks import engine_ops
from micrograd_edu import engine

ROOT = Path(__file__).resolve().parents[2]


def test_the_baseline_is_that_commits_engine_imported_beside_ours() -> None:
    with engine_ops.baseline_engine() as baseline:
        if isinstance(baseline, str):
            pytest.skip(baseline)
        package = baseline.__name__.rpartition(".")[0]
        assert package == f"micrograd_edu_at_{engine_ops.BASELINE[:12]}"
        assert baseline.Value is not engine.Value
        assert hasattr(baseline, "operation") and not hasattr(baseline, "make_methods")
        ours, theirs = engine_ops.mlp_graph(engine), engine_ops.mlp_graph(baseline)
        ours.backward()
        theirs.backward()
        assert ours.data == theirs.data
        ours_order, their_order = ours.topological_order(), theirs.topological_order()
        assert len(ours_order) == len(their_order) == 882
        assert [n.grad for n in ours_order] == [n.grad for n in their_order]
        folder = Path(baseline.__file__).parent.parent
        assert str(folder) in sys.path
    assert str(folder) not in sys.path and not folder.exists()
    assert not [name for name in sys.modules if name.startswith(package)]


def test_without_git_the_comparison_is_skipped_with_the_reason(tmp_path: Path) -> None:
    with engine_ops.baseline_engine(root=tmp_path) as baseline:
        assert baseline == (
            f"skipped: {tmp_path} is not a git repository (the baseline is read with git show)"
        )
    rows = engine_ops.engine_rows(root=tmp_path)
    assert rows == [["engine per op vs 19f2fc9", baseline, "≤ 1.10×", "—"]]


def test_an_unknown_commit_is_skipped_with_the_reason() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("no git repository")
    with engine_ops.baseline_engine("0" * 40) as baseline:
        assert baseline == f"skipped: commit 000000000000 is not in {ROOT} (a shallow clone?)"


def test_the_rows_give_every_op_its_ratio_and_whether_it_meets_the_target() -> None:
    rows = engine_ops.engine_rows(quick=True, n=320)
    if len(rows) == 1:
        pytest.skip(rows[0][1])
    labels = [f"{label}: ÷ engine of 19f2fc9" for label in engine_ops.WORKLOADS]
    assert [row[0] for row in rows] == [
        *labels,
        "memory per node, x * y chain: ÷ engine of 19f2fc9",
    ]
    for label, measured, target, met in rows[:-1]:
        match = re.fullmatch(r"(\d+\.\d{3})× \((\d+) vs (\d+) ns/op\)", measured)
        assert match, (label, measured)
        assert target == "≤ 1.10×"
        assert met == ("✔" if float(match[1]) <= 1.10 else "✘")
    memory = re.fullmatch(r"(\d+\.\d{3})× \((\d+) vs (\d+) B\)", rows[-1][1])
    assert memory and rows[-1][2:] == ["≤ 1.00×", "✔" if int(memory[2]) <= int(memory[3]) else "✘"]

"""Model files under bad input and faults: sizes, garbage, non-finite weights, atomic writes."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from micrograd_edu import io
from micrograd_edu.nn import MLP

if TYPE_CHECKING:
    pass

NAN = float("nan")


def test_tiny_model_file_with_a_huge_architecture_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_text(
        '{"format":"micrograd_edu.MLP","version":1,"nin":2,"nouts":[1000000000,1],'
        '"activation":"relu","state_dict":{}}'
    )
    with pytest.raises(ValueError, match=re.escape("nouts[0] must be at most 1,000,000")):
        io.load(path)


def test_architecture_is_checked_against_the_weights_before_building(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(
        '{"format":"micrograd_edu.MLP","version":1,"nin":2,"nouts":[500,500,1],'
        '"activation":"relu","state_dict":{"a": 1.0}}'
    )
    with pytest.raises(ValueError, match=re.escape("has 252,501 parameters but the state_dict")):
        io.load(path)


def test_save_refuses_non_finite_weights_naming_the_parameter(tmp_path: Path) -> None:
    model = MLP(2, [1], seed=0)
    model.layers[0].neurons[0].w[1].data = NAN
    with pytest.raises(ValueError, match=re.escape("parameter 'layers.0.neurons.0.w.1' is nan")):
        io.save(model, tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        ("NaN", "the non-standard JSON constant NaN"),
        ("-Infinity", "the non-standard JSON constant -Infinity"),
        ("1e999", "is inf, not a finite number"),
        ("1" + "0" * 400, "is inf, not a finite number"),
        ('"0.5"', "must be a number, got '0.5'"),
        ("true", "must be a number, got True"),
    ],
)
def test_load_refuses_non_finite_and_odd_weights(tmp_path: Path, weight: str, message: str) -> None:
    path = tmp_path / "m.json"
    io.save(MLP(2, [1], seed=0), path)
    text = path.read_text()
    name = '"layers.0.neurons.0.b": '
    start = text.index(name) + len(name)
    end = text.index("\n", start)
    path.write_text(text[:start] + weight + text[end:])
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        io.load(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00garbage\x80", "is not a text file (not UTF-8 at byte 0)"),
        (b"[" * 100_000, "JSON nested too deeply"),
        (b"", "is not valid JSON"),
    ],
)
def test_load_of_garbage_is_a_value_error_naming_the_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        io.load(path)
    assert str(path) in str(caught.value)


def test_load_reads_at_most_max_file_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(io, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 1001)
    with pytest.raises(ValueError, match="is larger than"):
        io.load(path)


def test_save_keeps_the_mode_of_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    io.save(MLP(2, [1], seed=0), path)
    os.chmod(path, 0o600)
    io.save(MLP(2, [1], seed=1), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    umask = os.umask(0o022)
    try:
        fresh = io.save(MLP(2, [1], seed=1), tmp_path / "new.json")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644


def test_stale_temporary_files_of_killed_saves_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".m.json.{dead_pid}.abc123.tmp"
    stale.write_bytes(b"x" * 1000)
    live = tmp_path / f".m.json.{os.getpid()}.def456.tmp"  # a save in progress here
    live.write_bytes(b"y")
    other = tmp_path / f".other.json.{dead_pid}.xyz.tmp"  # another target's: not ours to clean
    other.write_bytes(b"z")
    io.save(MLP(2, [1], seed=0), tmp_path / "m.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["m.json", live.name, other.name])


def test_save_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "models" / "real.json"
    real.parent.mkdir()
    io.save(MLP(2, [1], seed=0), real)
    link = tmp_path / "current.json"
    link.symlink_to(real)
    io.save(MLP(2, [3, 1], seed=0), link)
    assert link.is_symlink()
    assert io.load(real).nouts == [3, 1]

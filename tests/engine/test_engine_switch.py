"""MICROGRAD_EDU_ENGINE=apply makes every op method go through ``engine.apply`` alone.

``make pytest-apply`` runs tests/engine and the engine's doctests with it set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

import micrograd_edu.engine

# Counts the nodes made by builders.make, which apply calls for every node; the
# fast methods make their nodes themselves, but for checked ops with an overflow
# message, like ** (a ** 2).
PROBE = textwrap.dedent(
    """
    import json
    from micrograd_edu._engine import builders
    made = []
    real_make = builders.make
    def counting_make(cls, name, *rest):
        made.append(name)
        return real_make(cls, name, *rest)
    builders.make = counting_make
    from micrograd_edu import engine
    from micrograd_edu.engine import Value
    a, b = Value(2.0), Value(3.0)
    nodes = [a * b, a + 2, 2 - a, 3 * a, a ** 2, -a, a.tanh(), a.relu(), abs(a)]
    print(json.dumps({
        "engine": engine.ENGINE,
        "made": made,
        "data": [n.data for n in nodes],
        "ops": [n.op for n in nodes],
        "constants": [n.constants for n in nodes],
        "same method": Value.__radd__ is Value.__add__,
        "module": Value.__add__.__module__,
    }))
    """
)


def _probe(switch: str | None) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "MICROGRAD_EDU_ENGINE"}
    if switch is not None:
        env["MICROGRAD_EDU_ENGINE"] = switch
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def test_the_switch_sends_every_op_method_through_apply() -> None:
    fast, unset, empty, applied = _probe("fast"), _probe(None), _probe(""), _probe("apply")
    assert fast == unset == empty
    assert (fast["engine"], applied["engine"]) == ("fast", "apply")
    assert fast["made"] == ["**2"]
    assert applied["made"] == ["*", "+", "-", "*", "**2", "neg", "tanh", "relu", "abs"]
    for key in ("data", "ops", "constants", "same method", "module"):
        assert applied[key] == fast[key], key
    assert fast["ops"] == ["*", "+", "-", "*", "**2", "neg", "tanh", "relu", "abs"]
    assert fast["constants"][:4] == [[], [None, 2.0], [2.0, None], [None, 3.0]]  # type: ignore[index]


def test_an_unknown_engine_is_refused_by_name() -> None:
    env = {**os.environ, "MICROGRAD_EDU_ENGINE": "Apply"}
    result = subprocess.run(
        [sys.executable, "-c", "import micrograd_edu"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "ValueError: MICROGRAD_EDU_ENGINE must be 'fast' or 'apply', got 'Apply'"
    )


def test_this_run_uses_the_engine_the_environment_names() -> None:
    """In `make pytest-apply` the suite runs on apply: say so, so a silent fallback fails."""
    expected = os.environ.get("MICROGRAD_EDU_ENGINE") or "fast"
    assert expected == micrograd_edu.engine.ENGINE
    closure = micrograd_edu.engine.Value.__mul__.__closure__ or ()
    uses_apply = any(cell.cell_contents is micrograd_edu.engine.apply for cell in closure)
    assert uses_apply == (expected == "apply")


@pytest.mark.parametrize("attribute", ["__add__", "__rsub__", "tanh", "log", "__pow__"])
def test_both_engines_give_methods_that_show_the_rule(attribute: str) -> None:
    method = getattr(micrograd_edu.engine.Value, attribute)
    assert method.__wrapped__ in micrograd_edu.engine.OPS.values()
    assert method.__module__ == "micrograd_edu.engine"

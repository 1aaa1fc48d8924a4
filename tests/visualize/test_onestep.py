"""One training step on the network drawing: stages, hover numbers, the player in Chromium."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from micrograd_edu.explain.health import one_step
from micrograd_edu.nn import MLP
from micrograd_edu.visualize.live.screenshot import CHROMIUM_ARGS, find_chromium
from micrograd_edu.visualize.onestep import (
    STAGES,
    save_step_html,
    step_captions,
    step_player,
    step_svg,
)

CHROMIUM = find_chromium()
X = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 1.0]])
Y = np.array([1.0, 0.0, 1.0])


def _step() -> tuple[MLP, Any]:
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    return model, one_step(model, X, Y, "bce", lr=0.5)


def _titles(svg: str, kind: str) -> dict[str, str]:
    """Each connection's (``edge``) or neuron's hover text, by its parameter or neuron name."""
    if kind == "edge":  # the title is the group's, the name the drawn line's
        pattern = (
            r'class="mg-weight mg-item"[^>]*><title>([^<]*)</title>'
            r'<line class="mg-edge" data-param="([^"]+)"'
        )
        return {name: title for title, name in re.findall(pattern, svg)}
    pattern = rf'class="mg-{kind}[^"]*" data-(?:param|neuron)="([^"]+)"[^>]*><title>([^<]*)</title>'
    return dict(re.findall(pattern, svg))


def test_each_stage_shows_its_numbers_on_hover() -> None:
    model, trace = _step()
    updates = {u.name: u for u in trace.updates}
    name = "layers.0.neurons.1.w.0"
    u = updates[name]
    forward, loss, backward, update = (_titles(step_svg(model, trace, s), "edge") for s in STAGES)
    assert len(forward) == 2 * 3 + 3 * 1  # one connection per weight
    assert forward[name] == loss[name] == f"w = {u.before:.4g}"
    assert backward[name] == f"w = {u.before:.4g}, dL/dw = {u.grad:.4g}"
    assert update[name] == f"w − lr·dL/dw = {u.before:.4g} − 0.5·{u.grad:.4g} = {u.after:.4g}"


def test_each_connection_takes_the_pointer_along_a_wide_see_through_line() -> None:
    """A thin or dashed connection is still easy to point at: its group holds the drawn line and
    one see-through line as long, 10 px wide, that takes the pointer on its stroke."""
    model, trace = _step()
    svg = step_svg(model, trace, "update")
    groups = re.findall(r'<g class="mg-weight mg-item".*?</g>', svg)
    assert len(groups) == 2 * 3 + 3 * 1
    for group in groups:
        drawn = re.search(r'<line class="mg-edge" data-param="[^"]+" ([^>]*?) stroke="', group)
        hit = re.search(r'<line class="mg-edge-hit" ([^>]*?) stroke="transparent" ([^>]*)/>', group)
        assert drawn and hit, group
        assert drawn[1] == hit[1]  # the same ends
        assert hit[2] == 'stroke-width="10" pointer-events="stroke"'


def test_neurons_show_their_computation_for_the_first_point() -> None:
    model, trace = _step()
    neurons = _titles(step_svg(model, trace, "forward"), "neuron")
    assert neurons["0.0"] == "input x1 = 1"
    before = {u.name: u.before for u in trace.updates}
    w = [before["layers.0.neurons.2.w.0"], before["layers.0.neurons.2.w.1"]]
    b = before["layers.0.neurons.2.b"]
    z = w[0] * 1.0 + w[1] * 2.0 + b
    assert neurons["1.2"] == f"h = tanh(w·x + b) = tanh({z:.4g}) = {np.tanh(z):.4g}  (b = {b:.4g})"
    assert neurons["2.0"].startswith(f"z = w·x + b = {trace.outputs[0]:.4g}")


def test_captions_and_bad_stage() -> None:
    model, trace = _step()
    captions = step_captions(trace)
    assert captions[1] == f"Loss: the mean loss over the 3 points is L = {trace.loss:.4g}."
    assert f"from {trace.loss:.4g} to {trace.loss_after:.4g}" in captions[3]
    assert f"L = {trace.loss:.4g} → {trace.loss_after:.4g}" in step_svg(model, trace, "update")
    with pytest.raises(ValueError, match="unknown stage 'sideways'; the stages are forward"):
        step_svg(model, trace, "sideways")
    assert len(step_player(model, trace).svgs) == 4


def _require_browser() -> Any:
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing under CI: .ci/run installs it")
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api")


@pytest.mark.browser
def test_the_step_player_in_chromium(tmp_path: Path) -> None:
    sync_api = _require_browser()
    model, trace = _step()
    path = save_step_html(model, trace, tmp_path / "step.html")
    u = next(u for u in trace.updates if u.name == "layers.1.neurons.0.w.2")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(path.as_uri())
            assert page.locator(".mg-caption").inner_text().startswith("Forward: the 3 points")
            for _ in range(3):
                page.get_by_role("button", name=re.compile("Next")).click()
            assert page.locator(".mg-counter").inner_text() == "Step 3 of 3"
            assert page.locator(".mg-caption").inner_text().startswith("Update: every weight")
            frame = page.locator('.mg-frame[data-stage="update"]')
            frame.locator('g:has(> line[data-param="layers.1.neurons.0.w.2"])').hover()
            title = page.evaluate(
                "() => [...document.querySelectorAll(':hover')].pop()"
                ".closest('g').querySelector(':scope > title').textContent"
            )
            assert title == f"w − lr·dL/dw = {u.before:.4g} − 0.5·{u.grad:.4g} = {u.after:.4g}"
        finally:
            browser.close()

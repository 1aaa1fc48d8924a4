"""Training health, the layer view and one step on the live Playground's session model."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from micrograd_edu.train import evaluate
from micrograd_edu.visualize.live.insight import (
    VANISHING_GRADIENTS,
    HealthLog,
    plot_health,
    plot_layer_views,
    session_health,
    session_layer_views,
    session_one_step,
)
from micrograd_edu.visualize.live.session import PlaygroundSession
from micrograd_edu.visualize.onestep import step_text


def _layer_change(session: PlaygroundSession, before: list[list[float]]) -> list[float]:
    """How much each layer's parameters moved, relative to their size."""
    changes = []
    for layer, old in zip(session.model.layers, before, strict=True):
        new = np.array([p.data for p in layer.parameters()])
        changes.append(float(np.linalg.norm(new - old) / np.linalg.norm(old)))
    return changes


def test_the_vanishing_gradients_preset_stops_its_first_layers() -> None:
    session = PlaygroundSession(**VANISHING_GRADIENTS)
    health = session_health(session)
    norms = [h.grad_norm for h in health]
    assert len(norms) == 6  # five hidden layers and the output
    assert norms == sorted(norms)  # each layer back gets less
    assert norms[0] < 1e-3 * norms[-1]
    assert health[0].update_ratio < 1e-5 < 1e-3 < health[-1].update_ratio
    before = [[p.data for p in layer.parameters()] for layer in session.model.layers]
    for _ in range(3):
        session.train_epoch()
    change = _layer_change(session, before)
    assert change[0] < 1e-3  # the first layer has hardly moved ...
    # ... while the output layer learns: it moves hundreds of times further (measured
    # 380-1200× over eight seeds and two shuffling orders; its own distance from the
    # start, 0.02-0.7, depends on the order of the mini-batches)
    assert change[-1] > 100 * change[0]


def test_a_tanh_network_of_the_same_shape_keeps_its_gradients() -> None:
    session = PlaygroundSession(**{**VANISHING_GRADIENTS, "activation": "tanh"})
    norms = [h.grad_norm for h in session_health(session)]
    assert norms[0] > 1e-2 * norms[-1]


def test_the_health_log_follows_the_epochs() -> None:
    session = PlaygroundSession(dataset="xor", hidden=(4, 2), n=100)
    log = HealthLog()
    for _ in range(3):
        session.train_epoch()
        log.record(session)
    assert log.epochs == [1, 2, 3]
    assert log.grad_norms().shape == (3, 3) and log.update_ratios().shape == (3, 3)
    assert log.grad_norms()[-1].tolist() == [h.grad_norm for h in session_health(session)]
    fig = plot_health(log, session.train_loss)
    assert [ax.get_title() for ax in fig.axes] == ["gradient norm", "update / weight", "loss"]
    with pytest.raises(ValueError, match="the health log is empty"):
        plot_health(HealthLog())


def test_one_step_on_a_session_changes_its_weights_as_traced() -> None:
    session = PlaygroundSession(dataset="circle", hidden=(3,), n=100, lr=0.1, batch_size=5)
    trace = session_one_step(session, seed=0)
    assert len(trace.X) == 5
    assert session.model.state_dict() == {u.name: u.after for u in trace.updates}
    assert all(u.after == u.before - 0.1 * u.grad for u in trace.updates)
    loss, _ = evaluate(session.model, trace.X, trace.y, "bce")
    assert trace.loss_after == pytest.approx(loss, rel=1e-12)


def test_the_layer_view_of_a_session() -> None:
    session = PlaygroundSession(
        dataset="circle", hidden=(4, 2), n=100, features=("x1", "x2", "x1^2")
    )
    views = session_layer_views(session)
    assert [(v.layer, v.width, v.projected) for v in views] == [
        (0, 2, False),
        (1, 4, True),
        (2, 2, False),
    ]
    hidden = session.model.layer_outputs_array(session.inputs(session.X_train))
    np.testing.assert_allclose(views[2].points, hidden[1])
    assert views[0].lines[0][0].tolist() == [-6.0, -6.0]  # the grid spans the Playground's plane
    fig = plot_layer_views(views)
    assert [ax.get_title() for ax in fig.axes][2] == "layer 2 (2 neurons)"
    assert fig.axes[1].get_title().startswith("layer 1 (4 neurons)\nPCA, ")


def test_an_empty_session_is_refused() -> None:
    session = PlaygroundSession(dataset="circle", hidden=(3,), n=100)
    session.clear_points()
    with pytest.raises(ValueError, match="there are no training points"):
        session_health(session)
    with pytest.raises(ValueError, match="there are no training points"):
        session_one_step(session)


def test_the_insight_panel_clicked_from_code() -> None:
    pytest.importorskip("ipywidgets")
    from micrograd_edu.visualize.live import live_playground

    app = live_playground(n=100)
    panel = app.insight
    panel.watch.value = True
    assert panel.health.value.count('class="mg-health-row"') == 3  # two hidden layers, output
    before = app.session.model.state_dict()
    panel.step_button.click()
    assert panel.stage.value == "forward" and 'class="mg-step"' in panel.step_view.value
    assert panel.trace is not None  # what hovering the picture shows is written below it
    words = step_text(app.session.model, panel.trace, "forward", panel.text_uid, expanded=True)
    assert panel.step_words.value == words and words.count('class="mg-text-item"') == 9 + 18
    assert panel.step_caption.value.startswith("Forward: the 10 points")
    assert app.session.model.state_dict() == before  # not applied before the update stage
    panel.stage.value = "backward"
    assert "dL/dw = " in panel.step_view.value
    panel.stage.value = "update"
    assert panel.trace is not None
    assert app.session.model.state_dict() == {u.name: u.after for u in panel.trace.updates}
    assert "w − lr·dL/dw = " in panel.step_view.value
    assert panel.step_words.value.count("w − lr·dL/dw = ") == 18
    panel.layers_button.click()
    assert panel.layers.value.startswith('<img class="mg-layer-view" src="data:image/png;base64,')
    panel.preset.click()
    settings = app.session.settings
    assert (settings.hidden, settings.activation) == ((6, 6, 6, 6, 6), "sigmoid")
    assert panel.trace is None and panel.step_view.value == panel.step_words.value == ""
    rows = panel.health.value.split('class="mg-health-row"')[1:]
    assert len(rows) == 6 and "barely learns" in rows[0] and "barely learns" not in rows[-1]
    assert app.message.value == ""
    app.step_button.click()
    assert app.session.epoch == 1 and app.message.value == ""


def test_one_step_on_a_session_can_be_traced_without_applying_it() -> None:
    session = PlaygroundSession(dataset="circle", hidden=(3,), n=100)
    before = session.model.state_dict()
    trace = session_one_step(session, seed=0, apply=False)
    assert session.model.state_dict() == before
    assert trace.loss_after < trace.loss


HOVERED_TITLE = """() => {
  // the browser's tooltip: the nearest title, from the hovered element up (a link's xlink:title)
  const XLINK = 'http://www.w3.org/1999/xlink';
  let e = [...document.querySelectorAll(':hover')].pop();
  for (; e && e.namespaceURI === 'http://www.w3.org/2000/svg'; e = e.parentElement) {
    const link = e.tagName === 'a' && e.getAttributeNS(XLINK, 'title');
    if (link) return link;
    const svgTitle = e.querySelector(':scope > title');
    if (svgTitle) return svgTitle.textContent;
  }
  return null;
}"""


@pytest.mark.browser
@pytest.mark.slow
def test_the_insight_panel_and_the_inspector_s_formulas_in_chromium(tmp_path: Path) -> None:
    """The served app: one step stage by stage (hover an update), training health, the layer
    view, and the inspector's hover formulas."""
    from micrograd_edu.visualize.live.screenshot import (
        CHROMIUM_ARGS,
        find_chromium,
        open_app,
        serve,
    )

    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    pytest.importorskip("voila")
    sync_api = pytest.importorskip("playwright.sync_api")
    with serve(tmp_path / "site") as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            open_app(page, url)
            page.get_by_role("button", name="One step, end to end").click()
            page.wait_for_selector(".mg-one-step svg.mg-step", timeout=30_000)
            page.get_by_role("button", name="update", exact=True).click()
            page.wait_for_function(
                "document.querySelector('.mg-one-step svg').textContent.includes('→')",
                timeout=30_000,
            )
            page.locator('.mg-one-step g:has(> line[data-param="layers.0.neurons.0.w.0"])').hover()
            title = page.evaluate(HOVERED_TITLE) or ""
            match = re.fullmatch(r"w − lr·dL/dw = (\S+) − 0\.03·(\S+) = (\S+)", title)
            assert match, title
            before, grad, after = (float(x) for x in match.groups())
            assert after == pytest.approx(before - 0.03 * grad, rel=1e-3, abs=1e-4)

            page.get_by_role("checkbox", name="Training health").check()
            page.wait_for_selector("table.mg-health .mg-health-row", timeout=30_000)
            assert page.locator("table.mg-health .mg-health-row").count() == 3
            page.get_by_role("button", name="Layer view").click()
            page.wait_for_selector("img.mg-layer-view", timeout=60_000)

            page.get_by_role("button", name="inspect a point").click()
            page.locator("[data-neuron='1,0']").click()
            page.locator("svg.mg-plane image").click(position={"x": 250, "y": 110})
            page.wait_for_selector(".mg-inspector-graph svg", timeout=30_000)
            graph = page.locator(".mg-inspector-graph")
            graph.locator("g.node text").filter(has_text=re.compile(r"^w1$")).first.hover()
            formula = page.evaluate(HOVERED_TITLE) or ""
            match = re.fullmatch(
                r"w1 = \S+\ndL/dw1 = dL/d\(w·x \+ b\) · d\(w·x \+ b\)/dw1 = (\S+) · (\S+) = (\S+)",
                formula,
            )
            assert match, formula
            upstream, local, product = (float(x) for x in match.groups())
            assert product == pytest.approx(upstream * local, rel=1e-3)
            assert "Traceback" not in (page.text_content("body") or "")
        finally:
            browser.close()

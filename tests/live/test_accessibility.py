"""The live Playground without a mouse, without sight, without motion: in Chromium, as users are.

One Voilà server for the module; each test opens its own page (its own kernel).
The pages are checked with axe-core (WCAG 2.0/2.1 A and AA: 0 violations of any
impact), walked with the keyboard only, read through the accessibility tree and
the live region, and opened with ``prefers-reduced-motion``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("voila")
pytest.importorskip("anywidget")

from a11y import (
    assert_no_axe_violations,
    css_hex,
    focus_indicator,
    focused,
    keyboard_walk,
    tab_to,
)

from micrograd_edu.explain.formulas import node_names, parent_edges
from micrograd_edu.explain.paths import format_number
from micrograd_edu.visualize.live.accessibility import REDUCED_MOTION_REDRAWS
from micrograd_edu.visualize.live.screenshot import epoch, open_app, serve, wait_for_epoch
from micrograd_edu.visualize.live.session import PlaygroundSession
from micrograd_edu.visualize.palette import contrast_ratio

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("a11y-site")) as address:
        yield address


@pytest.fixture
def page(chromium: Any, url: str) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1400, "height": 1300})
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def _status(page: Any) -> str:
    return str(page.locator(".mg-announcer").text_content() or "")


def _press_play_and_pause(page: Any, epochs: int) -> int:
    """Play by keyboard until the page shows ``epochs``, then Pause; the epoch reached."""
    tab_to(page, lambda stop: stop.name == "▶ Play")
    page.keyboard.press("Enter")
    wait_for_epoch(page, epochs)
    assert focused(page).name == "❚❚ Pause"  # type: ignore[union-attr]
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelector('.mg-announcer').textContent.startsWith('Paused.')",
        timeout=30_000,
    )
    return epoch(page)


def test_the_loaded_page_passes_axe_and_every_stop_shows_its_focus(page: Any, url: str) -> None:
    open_app(page, url)
    assert_no_axe_violations(page, what="Playground as loaded")
    names = set()
    for _ in range(80):  # each stop's indicator is measured while it has the focus
        (stop,) = keyboard_walk(page, 1)
        if stop is None:  # back on the page itself: the walk went round
            break
        names.add(stop.name)
        indicator = focus_indicator(page)
        assert indicator is not None, f"no focus indicator on {stop}"
        color, width = indicator
        assert width >= 2.0 and contrast_ratio(color, "#ffffff") >= 3.0, (stop, indicator)
    # the four sliders that had no name, and the pictures' items, are reached and named
    for name in ("Noise %", "Train %", "Batch", "Backward", "layer 1, neuron 1", "Learning rate"):
        assert name in names
    assert any(name.startswith("training point 1 at") for name in names)
    assert any(name.startswith("Cursor on the plane") for name in names)
    play = page.locator(".mg-play")
    colors = play.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
    assert colors == ["rgb(255, 255, 255)", "rgb(21, 128, 61)"]  # 5.0:1
    pressed = page.get_by_role("button", name="x1", exact=True).get_attribute("aria-pressed")
    assert pressed == "true"
    assert page.get_by_role("button", name="x1^2").get_attribute("aria-pressed") == "false"


def test_keyboard_only_play_neuron_point_gradient_and_the_graph_as_text(
    page: Any, url: str
) -> None:
    """The keyboard-only path of the Accessibility page: play, pause (announced), a neuron
    and a point chosen from the pictures, a gradient read by following an edge."""
    open_app(page, url)
    reached = _press_play_and_pause(page, 3)
    assert _status(page).startswith(f"Paused. Epoch {reached:,}: test loss ")

    tab_to(page, lambda stop: stop.key == "n:0,0")  # the network picture: one tab stop
    page.keyboard.press("ArrowDown")
    assert focused(page).key == "n:0,1"  # type: ignore[union-attr]
    page.keyboard.press("ArrowLeft")  # to its first incoming weight, and back
    stop = focused(page)
    assert (
        stop is not None
        and stop.key == "w:0,1,0"
        and stop.name == ("weight from x1 to layer 1, neuron 2")
    )
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # layer 1, neuron 2 in the inspector
    page.wait_for_selector(".mg-inspector-text li", timeout=30_000)
    # the network picture is drawn again by the kernel with the neuron pressed: wait for it
    page.wait_for_selector("[data-key='n:0,1'][aria-pressed='true']", timeout=30_000)
    assert page.locator("[data-key='n:0,1']").get_attribute("aria-pressed") == "true"

    tab_to(page, lambda stop: stop.key.startswith("training:"))  # the points: one tab stop
    page.keyboard.press("PageDown")
    assert focused(page).key == "training:1"  # type: ignore[union-attr]
    page.keyboard.press("Enter")  # inspect that point
    page.wait_for_function(
        "document.querySelector('.mg-announcer').textContent.includes('layer 1, neuron 2 at')",
        timeout=30_000,
    )

    # The same network, trained the same epochs, inspected at the same point, in this process.
    session = PlaygroundSession()
    for _ in range(reached):
        session.train_epoch()
    point = (float(session.X_train[1, 0]), float(session.X_train[1, 1]))
    inspection = session.inspect(0, 1, point, float(session.y_train[1]))
    expected = format_number(inspection.grads[inspection.weights[0]])

    tab_to(page, lambda stop: stop.tag == "a" and stop.name == "w·x + b")  # w1's consumer
    page.keyboard.press("Enter")  # follow the edge to the node
    node = focused(page)
    assert node is not None and node.name.startswith("w·x + b: computed by dot")
    link = tab_to(page, lambda stop: stop.tag == "a" and stop.name == "w1")  # its input w1
    assert link.name == "w1"
    page.keyboard.press("Enter")
    weight = focused(page)
    assert weight is not None and weight.name.startswith("w1: parameter, value ")
    assert f"gradient {expected}" in weight.name
    assert "dL/dw1 = dL/d(w·x + b) · d(w·x + b)/dw1 = " in weight.name

    _graph_text_names_every_node_and_edge(page, inspection)
    assert_no_axe_violations(page, what="Playground with the inspector open")


def _graph_text_names_every_node_and_edge(page: Any, inspection: Any) -> None:
    """The accessibility tree of the inspector's text: each node an item named as in the
    graph, each edge a link in its consumer's "Inputs" and its input's "Consumers"."""
    snapshot = page.locator(".mg-inspector-text").aria_snapshot()
    found: dict[str, dict[str, list[str]]] = {}
    node, section = "", ""
    for line in snapshot.splitlines():
        text = line.strip()
        if text.startswith("- strong:"):
            node, section = text.removeprefix("- strong:").strip().strip('"'), ""
            found[node] = {"Inputs:": [], "Consumers:": []}
        elif text in ('- text: "Inputs:"', '- text: "Consumers:"'):
            section = text.split('"')[1]
        elif text.startswith("- link ") and section:
            found[node][section].append(re.sub(r'^- link "(.*)":?$', r"\1", text))
    names = node_names(inspection.root)
    edges = parent_edges(inspection.root)
    expected = {
        names[n]: {
            "Inputs:": [names[child] for child in n.children],
            "Consumers:": [names[parent] for parent, _ in edges[n]],
        }
        for n in inspection.root.topological_order()
    }
    assert found == expected


def test_a_task_link_with_hidden_controls_passes_axe_and_announces_the_goal(
    page: Any, url: str
) -> None:
    """The blind user's path: the task's Playground trained by keyboard, its result announced."""
    open_app(
        page, f"{url}?dataset=gauss&features=x1&lr=0.3&hide=features,loss,points&goal=test_loss<0.2"
    )
    assert_no_axe_violations(page, what="task link with hidden controls")
    tab_to(page, lambda stop: stop.name == "▶ Play")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelector('.mg-announcer').textContent.includes('Challenge reached')",
        timeout=60_000,
    )
    assert "test loss < 0.2" in _status(page)
    page.keyboard.press("Enter")  # Pause
    page.wait_for_function(
        "document.querySelector('.mg-announcer').textContent.startsWith('Paused.')",
        timeout=30_000,
    )
    assert re.search(r"test accuracy \d+%", _status(page))
    plane = page.locator(".mg-plane").evaluate("svg => svg.closest('.mg-svg-view').textContent")
    assert "Training points:" in plane and "right (" in plane  # the plane in words


def test_reduced_motion_turns_redraws_into_steps(chromium: Any, url: str) -> None:
    context = chromium.new_context(
        viewport={"width": 1400, "height": 1300}, reduced_motion="reduce"
    )
    page = context.new_page()
    try:
        open_app(page, url)
        page.evaluate(
            """() => {
              window.mgRedraws = 0;
              const plane = document.querySelector('svg.mg-plane image');
              new MutationObserver(() => window.mgRedraws++).observe(plane, {attributes: true});
              window.mgStart = performance.now();
            }"""
        )
        reached = _press_play_and_pause(page, 12)
        redraws, seconds = page.evaluate(
            "[window.mgRedraws, (performance.now() - window.mgStart) / 1000]"
        )
        # At most one redraw per 1 / REDUCED_MOTION_REDRAWS seconds while playing, plus the
        # last one on Pause: an upper bound, so a slow machine cannot make it fail.
        assert redraws <= seconds * REDUCED_MOTION_REDRAWS + 2, (redraws, seconds, reached)
        assert redraws < reached  # steps: epochs pass between two pictures
        transition = page.locator(".mg-play").evaluate(
            "e => getComputedStyle(e).transitionDuration"
        )
        assert set(transition.split(", ")) == {"0s"}
    finally:
        context.close()


def test_the_inspector_opens_on_the_first_neuron_of_a_fresh_page(page: Any, url: str) -> None:
    """Clicking "layer 1, neuron 1" (the menu's value already) opens the inspector."""
    open_app(page, url)
    page.locator("[data-neuron='0,0']").click()
    page.wait_for_selector(".mg-inspector-graph svg", timeout=30_000)
    page.wait_for_function(  # announced after the app's redraw, which follows the graph
        "document.querySelector('.mg-announcer').textContent.includes('layer 1, neuron 1 at')",
        timeout=30_000,
    )
    assert "layer 1, neuron 1 at the point" in _status(page)


def test_the_plane_cursor_adds_a_point_by_keyboard(page: Any, url: str) -> None:
    open_app(page, url)
    points = page.locator(".mg-point").count()
    cursor = tab_to(page, lambda stop: stop.key == "cursor")
    assert "Enter adds a point there" in cursor.name
    for key in ("ArrowRight", "ArrowRight", "ArrowUp", "Shift+ArrowUp"):
        page.keyboard.press(key)
    text = page.locator(".mg-cursor").get_attribute("aria-valuetext") or ""
    assert text.startswith("x1 1, x2 0.6: the network says class ")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"document.querySelectorAll('.mg-point').length === {points + 1}", timeout=30_000
    )
    page.wait_for_function(
        "document.querySelector('.mg-announcer').textContent.startsWith('Point added')",
        timeout=30_000,
    )
    assert _status(page).startswith("Point added at (1.00, 0.60): class 1 (blue square); 251 ")
    assert focused(page).key == "cursor"  # type: ignore[union-attr]
    page.keyboard.press("Escape")  # leaves the picture
    assert focused(page).key != "cursor"  # type: ignore[union-attr]


def test_read_linearly_the_panels_are_headings_and_each_layer_button_says_what_it_does(
    page: Any, url: str
) -> None:
    """A screen reader's user jumps between the panels by heading (WCAG 1.3.1) and hears
    which layer a "−" or "+" changes (2.4.6), not "plus" four times."""
    open_app(page, url)
    headings = page.get_by_role("heading")
    assert headings.all_inner_texts() == [
        "DATA",
        "FEATURES → HIDDEN LAYERS",
        "OUTPUT",
        "NEURON INSPECTOR",
        "INSIDE THE TRAINING",
        "TAKE IT WITH YOU",
    ]
    for layer in (1, 2):
        for name in (f"Remove a neuron from layer {layer}", f"Add a neuron to layer {layer}"):
            assert page.get_by_role("button", name=name, exact=True).count() == 1, name


def test_a_layer_button_keeps_the_focus_and_says_the_new_size(page: Any, url: str) -> None:
    """Pressing "+" on a layer row rebuilt the rows: the focus fell to the page (WCAG 2.4.3)
    and nothing said the layer's new size."""
    open_app(page, url)
    tab_to(page, lambda stop: stop.name == "Add a neuron to layer 1")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelector('.mg-announcer').textContent === 'layer 1: 5 neurons'",
        timeout=30_000,
    )
    assert focused(page).name == "Add a neuron to layer 1"  # type: ignore[union-attr]
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelector('.mg-announcer').textContent === 'layer 1: 6 neurons'",
        timeout=30_000,
    )
    assert focused(page).name == "Add a neuron to layer 1"  # type: ignore[union-attr]
    assert page.locator(".widget-label").get_by_text("layer 1: 6 neurons").count() == 1


def test_the_backward_slider_says_each_step(page: Any, url: str) -> None:
    """The inspector's Backward slider read only "1", "0" to a screen reader: each step is
    announced with what the picture's caption shows (WCAG 4.1.3)."""
    open_app(page, url)
    tab_to(page, lambda stop: stop.key == "n:0,0")
    page.keyboard.press("Enter")  # the inspector opens on layer 1, neuron 1
    page.wait_for_function(
        "document.querySelector('.mg-announcer').textContent.startsWith('Inspector:')",
        timeout=30_000,
    )
    slider = tab_to(page, lambda stop: stop.name == "Backward")
    last = int(float(page.evaluate("document.activeElement.getAttribute('aria-valuemax')")))
    assert slider.role == "slider" and last >= 2
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "document.querySelector('.mg-announcer').textContent.startsWith('Backward step')",
        timeout=30_000,
    )
    caption = page.locator(".mg-step-caption").inner_text().strip()
    assert caption
    assert _status(page) == f"Backward step {last - 1} of {last}: {caption}"
    assert focused(page).name == "Backward"  # type: ignore[union-attr]


def test_one_step_mode_in_the_playground_by_keyboard_and_in_words(page: Any, url: str) -> None:
    """ "One step, end to end" showed its numbers only when a connection was hovered (WCAG
    2.1.1): each stage is also written as text, read here by keyboard, and axe finds nothing."""
    open_app(page, url)
    tab_to(page, lambda stop: stop.name == "One step, end to end")
    page.keyboard.press("Enter")
    page.wait_for_selector(".mg-one-step-text details", timeout=30_000)
    tab_to(page, lambda stop: stop.name.startswith("The forward stage as text"))
    words = page.locator(".mg-one-step-text")
    assert words.locator(".mg-text-item").count() == 9 + 18  # each neuron, each connection
    neuron = words.locator(".mg-text-item[data-key='n:1,0']")
    assert neuron.is_visible() and neuron.inner_text().startswith("layer 1, neuron 1: ")
    tab_to(page, lambda stop: stop.name == "update", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(".mg-one-step-text summary:text-matches('^The update stage')")
    assert words.inner_text().count("w − lr·dL/dw = ") == 18  # every connection, still open
    assert_no_axe_violations(page, what="Playground in one-step mode")


_LOOK = """(text) => {
  const button = [...document.querySelectorAll('.mg-app button')].find(
      (e) => e.textContent.trim() === text);
  const style = getComputedStyle(button);
  return [style.backgroundColor, style.color, style.borderStyle];
}"""


def test_with_forced_colours_buttons_have_edges_and_a_pressed_toggle_shows(
    chromium: Any, url: str
) -> None:
    """Windows' contrast themes (forced colours) drop the backgrounds ipywidgets draws
    buttons and their pressed state with: a toggle's state and a button's edge vanished."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1300}, forced_colors="active")
    page = context.new_page()
    try:
        open_app(page, url)
        pressed, unpressed = page.evaluate(_LOOK, "x1"), page.evaluate(_LOOK, "x1^2")
        assert pressed[:2] != unpressed[:2]  # pressed: another background and text colour
        for look in (pressed, unpressed, page.evaluate(_LOOK, "Regenerate")):
            assert look[2] == "solid"
        track = page.locator(".widget-slider .noUi-target").first
        assert track.evaluate("e => getComputedStyle(e).borderStyle") == "solid"
    finally:
        context.close()


def test_a_pressed_toggle_is_told_from_an_unpressed_one_at_3_to_1(page: Any, url: str) -> None:
    """ipywidgets draws a pressed toggle #bdbdbd next to #eeeeee (1.6:1): its state was
    hard to see (WCAG 1.4.11). Pressed toggles are white on blue, as the players' Play."""
    open_app(page, url)
    pressed, unpressed = page.evaluate(_LOOK, "x1"), page.evaluate(_LOOK, "x1^2")
    back, text = css_hex(pressed[0]), css_hex(pressed[1])
    assert contrast_ratio(back, css_hex(unpressed[0])) >= 3.0
    assert contrast_ratio(back, "#ffffff") >= 3.0 and contrast_ratio(text, back) >= 4.5
    assert page.evaluate(_LOOK, "add a point")[:2] == pressed[:2]  # every kind of toggle

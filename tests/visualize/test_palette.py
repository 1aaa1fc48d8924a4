"""The palette: every pair of colours that carries meaning stays apart for colour-blind readers."""

from __future__ import annotations

import pytest

pytest.importorskip("coloraide")

from a11y import DEFICIENCIES, delta_e, worst_delta_e

from micrograd_edu.visualize import palette


def test_the_colour_tools_give_the_published_numbers() -> None:
    from coloraide import Color

    # Sharma, Wu & Dalal (2005), the CIEDE2000 test data: pairs 1 and 17.
    assert Color("lab-d65", [50.0, 2.6772, -79.7751]).delta_e(
        Color("lab-d65", [50.0, 0.0, -82.7485]), method="2000"
    ) == pytest.approx(2.0425, abs=1e-4)
    assert Color("lab-d65", [50.0, 2.5, 0.0]).delta_e(
        Color("lab-d65", [73.0, 25.0, -18.0]), method="2000"
    ) == pytest.approx(27.1492, abs=1e-4)
    # Machado et al. (2009), deuteranopia at severity 1.0: the first column of its matrix is
    # what pure red becomes in linear RGB.
    red = Color("srgb-linear", [1.0, 0.0, 0.0]).filter("deutan", method="machado")
    assert red.coords() == pytest.approx([0.367322, 0.280085, -0.011820], abs=1e-6)
    assert delta_e("#123456", "#123456", "tritan") == 0.0


@pytest.mark.parametrize("pair", sorted(palette.MEANINGFUL_PAIRS))
def test_every_meaningful_pair_differs_under_every_simulated_vision(pair: str) -> None:
    first, second, background = palette.MEANINGFUL_PAIRS[pair]
    worst, vision = worst_delta_e(first, second)
    assert worst >= 20.0, f"{pair}: ΔE2000 {worst:.1f} under {vision} vision (on {background})"
    for deficiency in DEFICIENCIES:
        assert delta_e(first, second, deficiency) >= worst


def test_the_old_third_class_is_what_the_check_catches() -> None:
    """The check is not vacuous: the green third class it replaced fails it (the issue: 4.5)."""
    worst, vision = worst_delta_e(palette.ORANGE, "#2ca02c")
    assert worst < 20.0 and vision == "protan"
    assert worst_delta_e(palette.paled(palette.ORANGE), palette.paled("#2ca02c"))[0] < 5.0


def test_text_and_controls_have_their_contrast() -> None:
    assert palette.contrast_ratio("#ffffff", palette.PLAY_GREEN) >= 4.5  # Play's label
    assert palette.contrast_ratio(palette.FOCUS_RING, palette.BACKGROUND) >= 3.0
    assert palette.contrast_ratio(palette.FOCUS_RING, palette.ZERO_GREY) >= 3.0
    for color in palette.PATH_COLORS:  # paths are also written as text
        assert palette.contrast_ratio(color, palette.BACKGROUND) >= 4.5
    for color in palette.NODE_COLORS.values():  # black text on the nodes
        assert palette.contrast_ratio(color, "#000000") >= 7.0
    for color in (palette.EDGE_GREY, palette.HIGHLIGHT):  # graphics that carry meaning: 3:1
        assert palette.contrast_ratio(color, palette.BACKGROUND) >= 3.0
    assert palette.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_every_class_has_a_colour_a_name_and_a_marker() -> None:
    assert len(palette.CLASS_COLORS) == len(palette.CLASS_NAMES) == len(palette.CLASS_MARKERS)
    assert len(set(palette.SVG_MARKERS)) == len(palette.SVG_MARKERS) == 4
    shapes = [palette.svg_marker(k, 5, 5, 2).split()[0] for k in range(4)]
    assert shapes == ["<circle", "<rect", "<polygon", "<polygon"]
    with pytest.raises(ValueError, match="strength must be in"):
        palette.mix("#000000", 1.5)
    with pytest.raises(ValueError, match="expected a colour as #rrggbb, got 'red'"):
        palette.contrast_ratio("red", "#ffffff")


def test_every_pair_the_graphs_and_players_use_is_checked() -> None:
    """The computation graphs' kinds of nodes, their highlight, the paths against each other
    and against a plain edge: each pair is in MEANINGFUL_PAIRS (and so checked above)."""
    pairs = {frozenset(pair[:2]) for pair in palette.MEANINGFUL_PAIRS.values()}
    kinds = list(palette.NODE_COLORS.values())
    wanted = [(a, b) for i, a in enumerate(kinds) for b in kinds[i + 1 :]]
    wanted += [(palette.HIGHLIGHT, palette.NODE_BORDER), (palette.HIGHLIGHT, palette.EDGE_GREY)]
    paths = palette.PATH_COLORS
    wanted += [(a, b) for i, a in enumerate(paths) for b in paths[i + 1 :]]
    wanted += [(color, palette.EDGE_GREY) for color in paths]
    wanted += [(palette.POSITIVE, palette.NEGATIVE), (palette.TRAIN_COLOR, palette.TEST_COLOR)]
    missing = [pair for pair in wanted if frozenset(pair) not in pairs]
    assert missing == []


def test_one_step_mode_draws_signs_in_the_palette_and_dashes_negatives() -> None:
    import re

    import numpy as np

    from micrograd_edu.explain.health import one_step
    from micrograd_edu.nn import MLP
    from micrograd_edu.visualize.onestep import step_svg

    model = MLP(2, [3, 1], seed=0)
    trace = one_step(model, np.array([[1.0, -2.0]]), np.array([1.0]), "bce", lr=0.1)
    lines = re.findall(r'<line class="mg-edge" [^>]*>', step_svg(model, trace, "forward"))
    assert len(lines) == 2 * 3 + 3
    weights = {u.name: u.before for u in trace.updates}
    for line in lines:
        name = re.search(r'data-param="([^"]+)"', line)[1]  # type: ignore[index]
        negative = weights[name] < 0
        assert f'stroke="{palette.NEGATIVE if negative else palette.POSITIVE}"' in line
        assert ("stroke-dasharray" in line) == negative

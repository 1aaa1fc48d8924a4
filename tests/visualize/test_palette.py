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

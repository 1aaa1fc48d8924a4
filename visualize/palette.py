"""Every colour that carries meaning in the pictures, chosen for colour-blind readers.

One module, so that a picture never picks a colour of its own: classes, the
sign of a weight or a value, training and test curves, the kinds of nodes in
a computation graph, the paths of an explanation, and the focus ring. Each
colour comes from a colour-blind-safe set — Okabe & Ito's (2008) or Paul Tol's
(2021) — except the TensorFlow Playground's own orange and blue, kept because
students meet them there and they pass the same check. The check
(``tests/visualize/test_palette.py``): every pair listed in :data:`MEANINGFUL_PAIRS`
differs by ΔE (CIEDE2000) ≥ 20 with normal vision and under simulated
protanopia, deuteranopia and tritanopia (Machado et al. 2009), on the
background it is drawn on.

Colour is never the only cue: classes also have a marker shape
(:data:`CLASS_MARKERS`, :data:`SVG_MARKERS`), negative weights a dashed line
(:data:`NEGATIVE_DASH`), test curves a dashed line, heat maps a colour bar;
what is left to colour alone is written in words too.

>>> CLASS_COLORS[:3]
('#f59322', '#0877bd', '#000000')
>>> round(contrast_ratio("#ffffff", PLAY_GREEN), 2)
5.02
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib is imported on first use: graphs are drawn without it
    from matplotlib.colors import LinearSegmentedColormap

    PLAYGROUND_CMAP: LinearSegmentedColormap

__all__ = [
    "BACKGROUND",
    "BLUE",
    "CLASS_COLORS",
    "CLASS_MARKERS",
    "CLASS_NAMES",
    "EDGE_GREY",
    "FOCUS_RING",
    "HIGHLIGHT",
    "MEANINGFUL_PAIRS",
    "NEGATIVE",
    "NEGATIVE_DASH",
    "NODE_BORDER",
    "NODE_COLORS",
    "NODE_STYLES",
    "ORANGE",
    "PATH_COLORS",
    "PLAYGROUND_CMAP",
    "PLAY_GREEN",
    "POSITIVE",
    "SVG_MARKERS",
    "TEST_COLOR",
    "TEST_DASH",
    "TRAIN_COLOR",
    "ZERO_GREY",
    "contrast_ratio",
    "mix",
    "paled",
    "svg_marker",
]

BACKGROUND = "#ffffff"
"""The page and figure background every colour here is checked on."""

ORANGE = "#f59322"
"""The TensorFlow Playground's orange: class 0, negative numbers, the test curve."""
BLUE = "#0877bd"
"""The TensorFlow Playground's blue: class 1, positive numbers, the training curve."""
ZERO_GREY = "#e8eaeb"
"""The middle of the diverging colour map: zero."""


def __getattr__(name: str) -> Any:
    """``PLAYGROUND_CMAP``, the matplotlib colour map from orange (negative / class 0)
    through light grey (zero) to blue (positive / class 1), made on first use: the
    computation graphs take their colours from here where matplotlib is missing."""
    if name == "PLAYGROUND_CMAP":
        from matplotlib.colors import LinearSegmentedColormap

        cmap = LinearSegmentedColormap.from_list("playground", [ORANGE, ZERO_GREY, BLUE])
        globals()[name] = cmap
        return cmap
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


NEGATIVE, POSITIVE = ORANGE, BLUE
"""A weight's or a value's sign."""
NEGATIVE_DASH = "4 2"
"""SVG ``stroke-dasharray`` of a negative weight's line (positive ones are solid)."""

TRAIN_COLOR, TEST_COLOR = BLUE, ORANGE
"""The training and test loss curves."""
TEST_DASH = "5 3"
"""SVG ``stroke-dasharray`` of the test curve (the training curve is solid)."""

CLASS_COLORS = (
    ORANGE,
    BLUE,
    "#000000",  # Okabe–Ito black: the only colour far from both under every simulation
    "#56b4e9",  # Okabe–Ito sky blue, then bluish green, vermillion, reddish purple, yellow
    "#009e73",
    "#d55e00",
    "#cc79a7",
    "#f0e442",
)
"""Class k's colour. The first three (the course's data sets have at most three classes:
``blobs``) are checked pairwise; beyond them the marker shape tells the classes apart."""
CLASS_NAMES = ("orange", "blue", "black", "sky blue", "green", "vermillion", "purple", "yellow")
"""The colours' names, for legends and descriptions."""
CLASS_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
"""Class k's matplotlib marker: circle, square, triangle, diamond, …"""
SVG_MARKERS = ("circle", "square", "triangle", "diamond")
"""Class k's marker shape in SVG pictures (:func:`svg_marker`; repeats after four)."""

PLANE_PALING = 0.45
"""A class's region on the plane is its colour at this strength over white."""

NODE_COLORS = {"input": "#56b4e9", "parameter": "#e69f00", "computed": BACKGROUND}
"""Fills of a computation graph's nodes by kind (Okabe–Ito sky blue and orange, white);
black text on each has a contrast of at least 8:1."""

NODE_STYLES = {"input": "rounded", "parameter": "dashed", "computed": "solid"}
"""The border of a computation graph's nodes by kind, the cue besides the fill: inputs have
rounded corners, parameters a dashed border, computed nodes a plain one."""
NODE_BORDER = "#000000"
"""A node's border."""
EDGE_GREY = "#8a8a8a"
"""The edges of a computation graph that are on no path (3.5:1 on white)."""
HIGHLIGHT = "#d55e00"
"""Okabe–Ito vermillion: the border of a highlighted node (the backward player's current
node, 3.5 px wide against the others' 1 px) and its edges."""

PATH_COLORS = ("#0077bb", "#cc3311", "#000000", "#555555")
"""An explanation's paths (Tol's vibrant blue and red, black, dark grey): text on white at
4.5:1 or more. A fifth path repeats the first colour: its number tells it apart (each
path's edges are labelled "path 1", "path 2", ...)."""

FOCUS_RING = "#1d4ed8"
"""The keyboard focus ring (6.7:1 on white), drawn with a white halo on pictures."""
PLAY_GREEN = "#15803d"
"""The Play button: white text on it at 5.0:1."""


def _rgb(color: str) -> tuple[float, float, float]:
    text = color.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"expected a colour as #rrggbb, got {color!r}")
    red, green, blue = (int(text[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return red, green, blue


def mix(color: str, strength: float, background: str = BACKGROUND) -> str:
    """``color`` at ``strength`` (0 to 1) over ``background``, as #rrggbb (what an opacity draws).

    >>> mix("#000000", 0.5)
    '#808080'
    """
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must be in [0, 1], got {strength!r}")
    top, bottom = _rgb(color), _rgb(background)
    parts = (
        round(255 * (strength * t + (1 - strength) * b)) for t, b in zip(top, bottom, strict=True)
    )
    return "#" + "".join(f"{part:02x}" for part in parts)


def paled(color: str) -> str:
    """A class's region colour on the plane.

    >>> paled(BLUE)
    '#90c2e1'
    """
    return mix(color, PLANE_PALING)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1's contrast ratio of two #rrggbb colours, 1 to 21.

    >>> contrast_ratio("#000000", "#ffffff")
    21.0
    """

    def luminance(color: str) -> float:
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in _rgb(color)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def svg_marker(k: int, x: float, y: float, size: float, **attributes: str) -> str:
    """Class ``k``'s marker centred on (x, y), ``size`` its half-width in pixels, as SVG.

    >>> svg_marker(1, 10, 10, 3, fill="blue")
    '<rect x="7.0" y="7.0" width="6.0" height="6.0" fill="blue"/>'
    """
    shape = SVG_MARKERS[k % len(SVG_MARKERS)]
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in attributes.items())
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}"{extra}/>'
    if shape == "square":
        side = 2 * size
        return (
            f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{side:.1f}" '
            f'height="{side:.1f}"{extra}/>'
        )
    big = size * 1.3
    if shape == "triangle":
        corners = [(x, y - big), (x + big, y + big * 0.75), (x - big, y + big * 0.75)]
    else:
        corners = [(x, y - big), (x + big, y), (x, y + big), (x - big, y)]
    points = " ".join(f"{px:.1f},{py:.1f}" for px, py in corners)
    return f'<polygon points="{points}"{extra}/>'


MEANINGFUL_PAIRS: dict[str, tuple[str, str, str]] = {
    "class 0 vs class 1": (CLASS_COLORS[0], CLASS_COLORS[1], BACKGROUND),
    "class 0 vs class 2": (CLASS_COLORS[0], CLASS_COLORS[2], BACKGROUND),
    "class 1 vs class 2": (CLASS_COLORS[1], CLASS_COLORS[2], BACKGROUND),
    "region 0 vs region 1": (paled(CLASS_COLORS[0]), paled(CLASS_COLORS[1]), BACKGROUND),
    "region 0 vs region 2": (paled(CLASS_COLORS[0]), paled(CLASS_COLORS[2]), BACKGROUND),
    "region 1 vs region 2": (paled(CLASS_COLORS[1]), paled(CLASS_COLORS[2]), BACKGROUND),
    **{
        f"class {k} on region {j}": (
            CLASS_COLORS[k],
            paled(CLASS_COLORS[j]),
            paled(CLASS_COLORS[j]),
        )
        for k in range(3)
        for j in range(3)
        if k != j
    },
    "negative vs positive weight": (mix(NEGATIVE, 0.8), mix(POSITIVE, 0.8), BACKGROUND),
    "training vs test curve": (TRAIN_COLOR, TEST_COLOR, BACKGROUND),
    "colour bar ends": (ORANGE, BLUE, BACKGROUND),
    "input vs parameter node": (NODE_COLORS["input"], NODE_COLORS["parameter"], BACKGROUND),
    "input vs computed node": (NODE_COLORS["input"], NODE_COLORS["computed"], BACKGROUND),
    "parameter vs computed node": (NODE_COLORS["parameter"], NODE_COLORS["computed"], BACKGROUND),
    **{
        f"path {i + 1} vs path {j + 1}": (PATH_COLORS[i], PATH_COLORS[j], BACKGROUND)
        for i in range(len(PATH_COLORS))
        for j in range(i + 1, len(PATH_COLORS))
    },
    **{
        f"path {i + 1} vs an edge on no path": (color, EDGE_GREY, BACKGROUND)
        for i, color in enumerate(PATH_COLORS)
    },
    "highlighted vs plain border": (HIGHLIGHT, NODE_BORDER, BACKGROUND),
    "highlighted vs plain edge": (HIGHLIGHT, EDGE_GREY, BACKGROUND),
}
"""Each pair whose two colours must read as different: (first, second, the background they
are drawn on). Colours drawn with an opacity are listed as drawn (mixed with white)."""

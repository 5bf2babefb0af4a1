"""The one look every figure shares: a colour-blind-safe palette, and marks that do not need colour.

Palette: Okabe & Ito (2008), distinguishable under the common colour-vision deficiencies and in
greyscale print when paired with the marks below. Colour never carries meaning alone: every series
also gets its own marker, line style and hatch, and a pilot keeps the same colour, marker and
hatch in every figure of the report (``pilot_style``).

Plot modules call ``apply()`` once (it sets matplotlib's defaults: palette, fonts big enough for
print, white background) and take colours from here instead of naming their own.
"""
from __future__ import annotations

from dataclasses import dataclass

import matplotlib
from cycler import cycler
from matplotlib.colors import to_hex

from evalkit.definitions import PILOT_IDS

# Okabe–Ito colours, by name.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
# Series order: the strongest contrasts on white first; yellow (contrast about 1.1 : 1 on white)
# last, so it is only used when eight series are needed, and then always with edges and a hatch.
SERIES_COLOURS = tuple(OKABE_ITO[name] for name in
                       ("blue", "vermillion", "green", "orange", "purple", "sky", "black", "yellow"))
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 2, 2, 2)))
HATCHES = ("", "//", "\\\\", "xx", "..", "oo", "++", "--")

# Roles that recur across chapters, so the same thing looks the same everywhere.
MAIN = OKABE_ITO["blue"]            # the one series of a single-series figure
REFERENCE = OKABE_ITO["vermillion"]  # pooled / national reference lines (always dashed as well)
ALERT = OKABE_ITO["orange"]          # outside control limits (always a different marker as well)
NEUTRAL = "#666666"                  # secondary marks, annotations
GRID = "#dddddd"
BACKGROUND_CELL = "#eeeeee"
# Colours any figure may use besides the palette: text, axes, grid and white space.
NEUTRALS = frozenset({"#000000", "#ffffff", NEUTRAL.lower(), GRID, BACKGROUND_CELL, "#555555",
                      "#333333", "#262626", "#cccccc", "#bfbfbf", "#b0b0b0", "#808080"})



@dataclass(frozen=True)
class SeriesStyle:
    """How one series is drawn, so that it is told apart without its colour.

    Attributes
    ----------
    colour : str
        An Okabe–Ito colour, hex ``#RRGGBB``.
    marker : str
        A matplotlib marker for points and lines.
    linestyle : str or tuple
        A matplotlib line style: a name (``"--"``) or an (offset, dash pattern) tuple.
    hatch : str
        A matplotlib hatch pattern for bars; empty for solid.
    """

    colour: str
    marker: str
    linestyle: object
    hatch: str

    def line_kwargs(self) -> dict:
        """Keyword arguments for ``Axes.plot``."""
        return {"color": self.colour, "marker": self.marker, "linestyle": self.linestyle}

    def bar_kwargs(self) -> dict:
        """Keyword arguments for ``Axes.bar``/``barh``: edges keep light colours visible."""
        return {"color": self.colour, "hatch": self.hatch, "edgecolor": "#000000", "linewidth": 0.6}

    def scatter_kwargs(self) -> dict:
        """Keyword arguments for ``Axes.scatter``: black edges keep light colours visible."""
        return {"color": self.colour, "marker": self.marker, "edgecolors": "#000000", "linewidths": 0.5}


def series_style(index: int) -> SeriesStyle:
    """The style of the ``index``-th series of a figure (wraps after eight)."""
    i = index % len(SERIES_COLOURS)
    return SeriesStyle(SERIES_COLOURS[i], MARKERS[i], LINESTYLES[i], HATCHES[i])


def pilot_style(pilot_id: str) -> SeriesStyle:
    """The same colour, marker, line style and hatch for a pilot in every figure of the report.

    It is the style of the pilot's place in the programme's order (``definitions.PILOT_IDS``).

    Raises
    ------
    KeyError
        When ``pilot_id`` is not one of the programme's pilots.
    """
    if pilot_id not in PILOT_IDS:
        raise KeyError(f"no style for pilot {pilot_id!r}; known: {', '.join(PILOT_IDS)}")
    return series_style(PILOT_IDS.index(pilot_id))


def apply() -> None:
    """Set matplotlib's defaults for every figure of the report. Safe to call more than once."""
    matplotlib.rcParams.update({
        "axes.prop_cycle": cycler(color=list(SERIES_COLOURS)) + cycler(marker=list(MARKERS)),
        "font.family": "DejaVu Sans",
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "axes.grid": False,
        "grid.color": GRID,
        "axes.edgecolor": "#333333",
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "savefig.dpi": 200,     # print resolution; publish.show_figure saves at 200 dpi as well
        "image.cmap": "cividis",  # a colour-vision-safe sequential map, should a figure need one
    })


def _is_grey(hex_colour: str) -> bool:
    red, green, blue = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return max(red, green, blue) - min(red, green, blue) <= 8


def colours_outside_palette(figure) -> list[str]:
    """Every colour drawn in ``figure`` that is neither an Okabe–Ito colour nor a grey.

    A figure that passes keeps to the shared palette; used by tests of the plot modules.
    Transparent marks (alpha 0) are ignored.
    """
    allowed = {c.lower() for c in OKABE_ITO.values()} | NEUTRALS
    found: set[str] = set()

    def note(rgba) -> None:
        if rgba is None:
            return
        try:
            import numpy as np

            array = np.atleast_2d(matplotlib.colors.to_rgba_array(rgba))
        except (ValueError, TypeError):
            return
        for row in array:
            if row[3] == 0:
                continue
            colour = to_hex(row, keep_alpha=False).lower()
            if colour not in allowed and not _is_grey(colour):
                found.add(colour)

    for artist in figure.findobj():
        for getter in ("get_color", "get_facecolor", "get_edgecolor", "get_markerfacecolor",
                       "get_markeredgecolor"):
            method = getattr(artist, getter, None)
            if method is None:
                continue
            try:
                note(method())
            except (TypeError, ValueError, AttributeError):
                continue
    return sorted(found)

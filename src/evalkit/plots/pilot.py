"""Figures of the pilot chapter, each returned with its alternative text.

Each function takes values already filtered by the small-cell rule (hidden values are NaN and are
not drawn) and returns ``(Figure, alt_text)``.

Colour never carries meaning alone: status segments also differ by hatch and carry their share as a
label, the pilot and the pooled series differ by marker and line style. All text comes from the
catalogue (``pilot.fig.*``, ``pilot.status.*``); numbers from evalkit.formatting.
"""
from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from evalkit.definitions import STATUS_CODES  # noqa: E402
from evalkit.formatting import fmt_indicator, fmt_number, fmt_percent  # noqa: E402
from evalkit.i18n import t  # noqa: E402
from evalkit.plots import style  # noqa: E402

# Employment in blues and green, other positive exits in yellow/orange, the rest in warm and grey.
STATUS_STYLE = {
    "employed_open": (style.OKABE_ITO["blue"], ""),
    "employed_subsidised": (style.OKABE_ITO["sky"], "//"),
    "entrepreneur": (style.OKABE_ITO["green"], "\\\\"),
    "training": (style.OKABE_ITO["yellow"], ".."),
    "other_service": (style.OKABE_ITO["orange"], "xx"),
    "unemployed": (style.OKABE_ITO["vermillion"], ""),
    "outside_labour_force": (style.OKABE_ITO["purple"], "++"),
    "unknown": ("#bfbfbf", "--"),
}
HIDDEN_STYLE = ("#ffffff", "////")
LABEL_MIN_SHARE = 0.07   # segments narrower than this carry no text label (it would not fit)


def _percent_axis(axis) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt_percent(v, 0)))


def _text_colour(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return "#ffffff" if 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.45 else "#000000"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def status_mix(shares: pd.DataFrame, hidden: pd.Series, eligible: dict[int, str], pilot: str,
               employed: dict[int, float | None]):
    """Stacked horizontal bars, one per horizon: the status mix of the people followed up.

    Parameters
    ----------
    shares : pandas.DataFrame
        Index horizons (months), columns status codes, shares 0-1; NaN where hidden or nobody
        eligible (a horizon with no share drawn says so in words).
    hidden : pandas.Series
        Per horizon the total share of hidden statuses (drawn as one hatched white segment).
    eligible : dict of int to str
        Per horizon the formatted number followed up (``<5`` when small).
    pilot : str
        The pilot's name, for the alt text.
    employed : dict of int to float or None
        Per horizon the employment rate as published (a fraction; None where hidden), for the alt
        text. Not the sum of the drawn shares: a share hidden beside another leaves the sum short.

    Returns
    -------
    figure : matplotlib.figure.Figure
    alt_text : str
    """
    style.apply()
    horizons = list(shares.index)
    fig, ax = plt.subplots(figsize=(7.5, 1.0 * len(horizons) + 2.2))
    y = np.arange(len(horizons))[::-1]
    drawn = [h for h in horizons if not shares.loc[h].isna().all()]
    for row, months in zip(y, horizons):
        if months not in drawn:
            ax.text(0.01, row, t("pilot.fig.too_few_followed"), va="center", fontsize=9, color="#333333")
            continue
        left = 0.0
        for code in STATUS_CODES:
            share = shares.at[months, code]
            if _missing(share) or share <= 0:
                continue
            colour, hatch = STATUS_STYLE[code]
            ax.barh(row, share, left=left, color=colour, hatch=hatch, edgecolor="#000000", linewidth=0.6)
            if share >= LABEL_MIN_SHARE:
                ax.text(left + share / 2, row, fmt_percent(share, 0), ha="center", va="center", fontsize=8,
                        color=_text_colour(colour),
                        bbox={"facecolor": colour, "edgecolor": "none", "pad": 1.5})
            left += share
        rest = hidden.get(months, 0.0)
        if not _missing(rest) and rest > 0:
            ax.barh(row, rest, left=left, color=HIDDEN_STYLE[0], hatch=HIDDEN_STYLE[1],
                    edgecolor="#666666", linewidth=0.6)
    ax.set_yticks(y, [t("pilot.fig.horizon_bar", months=h, n=eligible[h]) for h in horizons])
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(horizons) - 0.4)
    _percent_axis(ax.xaxis)
    ax.set_xlabel(t("pilot.fig.share_followed"))
    handles = [Patch(facecolor=STATUS_STYLE[c][0], hatch=STATUS_STYLE[c][1], edgecolor="#000000",
                     label=t(f"pilot.status.{c}")) for c in STATUS_CODES]
    handles.append(Patch(facecolor=HIDDEN_STYLE[0], hatch=HIDDEN_STYLE[1], edgecolor="#666666",
                         label=t("pilot.fig.hidden_segment")))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=8,
              frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig, _status_mix_alt(shares, hidden, drawn, eligible, pilot, employed)


def _status_mix_alt(shares: pd.DataFrame, hidden: pd.Series, drawn: list[int], eligible: dict[int, str],
                    pilot: str, employed_rates: dict[int, float | None]) -> str:
    if not drawn:
        return t("pilot.fig.status_alt_empty", pilot=pilot)
    parts = []
    for months in drawn:
        row = shares.loc[months].dropna()
        employed = employed_rates.get(months)
        employed_text = fmt_indicator("employment_rate", employed)   # as the rates table writes it
        largest = row.idxmax()
        rest = hidden.get(months, 0.0)
        if not _missing(rest) and rest > row[largest]:
            # The hidden statuses together outweigh every shown one: any of them may be the largest.
            parts.append(t("pilot.fig.status_alt_horizon_hidden", months=months, n=eligible[months],
                           employed=employed_text))
            continue
        parts.append(t("pilot.fig.status_alt_horizon", months=months, n=eligible[months],
                       largest=t(f"pilot.status.{largest}").lower(), largest_share=fmt_percent(row[largest], 0),
                       employed=employed_text))
    return t("pilot.fig.status_alt", pilot=pilot, horizons=" ".join(parts))


def was_bands(bands: pd.DataFrame, counts: dict[str, str], pilot: str):
    """Work ability score at the start and at the end of service, by band: grouped horizontal bars.

    Parameters
    ----------
    bands : pandas.DataFrame
        Index band names (poor … excellent), columns ``start`` and ``end``, shares 0-1 with NaN
        where hidden (labelled as missing).
    counts : dict of str to str
        Per column (``start``, ``end``) the formatted number of people with a score.
    pilot : str
        The pilot's name, for the alt text.

    Returns
    -------
    figure : matplotlib.figure.Figure
    alt_text : str
    """
    style.apply()
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    y = np.arange(len(bands))[::-1]
    height = 0.38
    series = (("start", style.MAIN, "", -height / 2), ("end", style.OKABE_ITO["orange"], "//", height / 2))
    for column, colour, hatch, offset in series:
        values = bands[column]
        label = t(f"pilot.fig.was_{column}", n=counts[column])
        ax.barh(y - offset, values.fillna(0).to_numpy(), height=height, color=colour, hatch=hatch,
                edgecolor="#000000", linewidth=0.6, label=label)
        for row, value in zip(y - offset, values):
            text = t("format.missing") if _missing(value) else fmt_percent(value, 0)
            ax.text((0 if _missing(value) else value) + 0.01, row, text, va="center", fontsize=8)
    ax.set_yticks(y, [t(f"pilot.was_band.{b}") for b in bands.index])
    top = bands.max().max()
    ax.set_xlim(0, min(1.0, (0.5 if _missing(top) else top) + 0.15))
    _percent_axis(ax.xaxis)
    ax.set_xlabel(t("pilot.fig.share_with_score"))
    handles, _ = ax.get_legend_handles_labels()
    handles.append(Patch(facecolor="none", edgecolor="none", label=t("pilot.fig.dash_hidden")))
    ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig, _was_alt(bands, counts, pilot)


def _was_alt(bands: pd.DataFrame, counts: dict[str, str], pilot: str) -> str:
    sentences = []
    for column in ("start", "end"):
        values = bands[column].dropna()
        if values.empty or values.max() <= 0:
            sentences.append(t(f"pilot.fig.was_alt_{column}_hidden", n=counts[column]))
            continue
        top = values.idxmax()
        sentences.append(t(f"pilot.fig.was_alt_{column}", n=counts[column],
                           band=t(f"pilot.was_band.{top}").lower(), share=fmt_percent(values[top], 0)))
    return t("pilot.fig.was_alt", pilot=pilot, details=" ".join(sentences))


def beside_pooled(rows: pd.DataFrame, pilot: str):
    """The pilot's rates beside the pooled rates of all pilots, with 95 % intervals.

    Parameters
    ----------
    rows : pandas.DataFrame
        One row per (indicator, horizon) with ``label`` and ``pilot_value``, ``pilot_low``,
        ``pilot_high``, ``pooled_value``, ``pooled_low``, ``pooled_high`` (rates 0-1, NaN where
        hidden; a hidden value is marked in words, not left out).
    pilot : str
        The pilot's name, for the legend and the alt text.

    Returns
    -------
    figure : matplotlib.figure.Figure
    alt_text : str
    """
    style.apply()
    fig, ax = plt.subplots(figsize=(7.5, 0.42 * len(rows) + 1.8))
    y = np.arange(len(rows))[::-1].astype(float)
    series = (("pilot", pilot, style.MAIN, "o", "-", 0.15),
              ("pooled", t("pilot.all_pilots"), style.REFERENCE, "s", "--", -0.15))
    for key, label, colour, marker, line, offset in series:
        value, low, high = (rows[f"{key}_{c}"].to_numpy(dtype=float) for c in ("value", "low", "high"))
        shown = ~np.isnan(value)
        ax.hlines(y[shown] + offset, low[shown], high[shown], color=colour, linestyle=line, linewidth=1.8)
        ax.plot(value[shown], y[shown] + offset, marker, color=colour, markersize=6, label=label,
                markeredgecolor="#000000", markeredgewidth=0.5, linestyle="none")
        for row in y[~shown]:   # a hidden value is marked, not silently left out
            ax.text(0.005, row + offset, t("pilot.fig.hidden_point"), va="center", fontsize=7, color="#333333")
    ax.set_yticks(y, list(rows["label"]))
    highest = np.nanmax(rows[["pilot_high", "pooled_high"]].to_numpy(dtype=float)) \
        if rows[["pilot_high", "pooled_high"]].notna().any().any() else 0.9
    ax.set_xlim(0, min(1.0, highest + 0.1))
    _percent_axis(ax.xaxis)
    ax.set_xlabel(t("pilot.fig.rate_axis"))
    ax.grid(axis="x", color=style.GRID)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8, frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig, _beside_alt(rows, pilot)


def _beside_alt(rows: pd.DataFrame, pilot: str) -> str:
    shown = rows.dropna(subset=["pilot_value", "pooled_value"])
    if shown.empty:
        return t("pilot.fig.beside_alt_empty", pilot=pilot)
    above = shown[shown["pilot_low"] > shown["pooled_high"]]
    below = shown[shown["pilot_high"] < shown["pooled_low"]]
    first = shown.iloc[0]
    return t("pilot.fig.beside_alt", pilot=pilot, count=len(rows), label=first["label"],
             pilot_value=fmt_percent(first["pilot_value"]), pooled_value=fmt_percent(first["pooled_value"]),
             above=fmt_number(len(above)), below=fmt_number(len(below)),
             overlap=fmt_number(len(shown) - len(above) - len(below)))

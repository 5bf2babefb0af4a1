"""Figures of the comparison chapter, each returned with its alt text.

Each function takes frames computed by evalkit.compare / evalkit.did (already filtered for
publication) and returns ``(Figure, alt_text)``.

Palette: Okabe–Ito (safe for the common colour-vision deficiencies). Colour never carries meaning
alone: every series also differs by marker or line style, and points carry text labels.
All text comes from the catalogue (``comparison.plot.*``); numbers via evalkit.formatting.
"""
from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogFormatterSciNotation  # noqa: E402

from evalkit.formatting import fmt_number, fmt_percent  # noqa: E402
from evalkit.i18n import t  # noqa: E402
from evalkit.plots import style  # noqa: E402
from evalkit.plots.style import OKABE_ITO  # noqa: E402

style.apply()
GREY = style.NEUTRAL
DEFAULT_INDICATOR = "employment_rate"


def outcome_text(indicator: str, key: str, **values) -> str:
    """The comparison's text ``key`` for the rate of ``indicator``.

    The employment rate keeps its own texts (``comparison.<key>``); another indicator gets the
    text of ``comparison.outcome.<key>`` with its name (``{name}``, ``{lower}``) filled in.

    Parameters
    ----------
    indicator : str
        The rate compared (:data:`evalkit.compare.OUTCOME_INDICATORS`).
    key : str
        The key below ``comparison.``, e.g. ``forest_caption`` or ``plot.rate_axis``.
    **values
        The text's other values.

    Returns
    -------
    str
    """
    if indicator == DEFAULT_INDICATOR:
        return t(f"comparison.{key}", **values)
    return t(f"comparison.outcome.{key}", name=t(f"comparison.outcome.name.{indicator}"),
             lower=t(f"comparison.outcome.lower.{indicator}"), **values)


class _PlainLogFormatter(LogFormatterSciNotation):
    """matplotlib's choice of which log-axis ticks to label, each written as a count (:func:`fmt_number`)."""

    def __call__(self, x, pos=None):
        return fmt_number(x) if super().__call__(x, pos) else ""


def _percent_axis(axis) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt_percent(v, 0)))


def _legend_below(ax, columns: int = 2) -> None:
    """The legend under the plot (constrained layout makes room), where it cannot hide a point."""
    ax.figure.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=columns,
                     fontsize=8, frameon=False)


def _label(labels: dict[str, str] | None, pilot_id: str) -> str:
    return (labels or {}).get(pilot_id, pilot_id)


def _tick(labels: dict[str, str] | None, pilot_id: str) -> str:
    """A pilot's axis label, broken into lines so that a long name (up to 60 characters) keeps the plot wide."""
    # Whole words: a Finnish compound split without a hyphen misreads; a long one keeps its line.
    return textwrap.fill(_label(labels, pilot_id), 20, break_long_words=False)


def _extremes(frame: pd.DataFrame, column: str, labels) -> dict[str, str]:
    """Who is highest and lowest on ``column`` (tied pilots named together, in label order)."""
    top, bottom = frame[column].max(), frame[column].min()

    def names(value):
        return ", ".join(sorted(_label(labels, p) for p in frame.loc[frame[column] == value, "pilot_id"]))

    return {"highest": names(top), "lowest": names(bottom), "highest_value": top, "lowest_value": bottom}


def forest_plot(rates: pd.DataFrame, pooled_rate: float, horizon: int,
                labels: dict[str, str] | None = None, indicator: str = DEFAULT_INDICATOR):
    """A forest plot: the rate of ``indicator`` per pilot with its Wilson 95 % interval, highest on top.

    The pooled rate is a dashed reference line; each pilot's label gives its number eligible.

    Parameters
    ----------
    rates : DataFrame
        Pilot rows of :func:`evalkit.compare.employment_rates` at one horizon: pilot_id,
        denominator, value, ci_low, ci_high (rates as fractions).
    pooled_rate : float or None
        The pooled rate of all pilots at that horizon, a fraction; None when it may not be
        published (no reference line then, and a dash in the alt text).
    horizon : int
        The follow-up months, for the axis label and the alt text.
    labels : dict of str to str, optional
        A display name per pilot_id; an id without one is shown as it is.

    indicator : str, optional
        The rate shown (default the employment rate): its texts (:func:`outcome_text`).

    Returns
    -------
    Figure, str
        The figure and its alt text (the highest and lowest pilots and the pooled rate).
    """
    data = rates.sort_values("value").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(data) + 2.0), layout="constrained")
    y = np.arange(len(data))
    ax.hlines(y, data["ci_low"], data["ci_high"], color=OKABE_ITO["blue"], linewidth=2,
              label=t("comparison.plot.wilson_interval"))
    ax.plot(data["value"], y, "o", color=OKABE_ITO["blue"], markersize=7,
            label=outcome_text(indicator, "plot.rate"))
    if pooled_rate is not None:
        ax.axvline(pooled_rate, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=1.5,
                   label=t("comparison.plot.pooled", rate=fmt_percent(pooled_rate)))
    ax.set_yticks(y, [f"{_tick(labels, p)} (n = {fmt_number(n)})"
                      for p, n in zip(data["pilot_id"], data["denominator"])])
    ax.set_xlabel(outcome_text(indicator, "plot.rate_axis", horizon=horizon))
    _percent_axis(ax.xaxis)
    ax.set_xlim(0, min(1, max(data["ci_high"].max(), pooled_rate or 0) + 0.05))
    ax.grid(axis="x", color="#dddddd")
    _legend_below(ax)
    ext = _extremes(data, "value", labels)
    alt = outcome_text(indicator, "plot.forest_alt", horizon=horizon, count=len(data),
            highest=ext["highest"], highest_rate=fmt_percent(ext["highest_value"]),
            lowest=ext["lowest"], lowest_rate=fmt_percent(ext["lowest_value"]),
            pooled=fmt_percent(pooled_rate) if pooled_rate is not None else t("format.missing"))
    return fig, alt


def funnel_plot(points: pd.DataFrame, limits: pd.DataFrame, pooled_rate: float, horizon: int,
                labels: dict[str, str] | None = None, indicator: str = DEFAULT_INDICATOR):
    """A funnel plot: rate against number eligible, with control limits around the pooled rate.

    The size axis is logarithmic so that small and large pilots are both readable. Pilots outside
    the 95 % limits are drawn as triangles, inside as circles, and every point is labelled.

    Parameters
    ----------
    points : DataFrame
        :func:`evalkit.compare.funnel_points`: pilot_id, denominator, value, position.
    limits : DataFrame
        :func:`evalkit.compare.funnel_limits` over a grid of sizes: level, n, low, high
        (95 % and 99.8 % levels get their own line styles).
    pooled_rate : float
        The pooled rate, a fraction.
    horizon : int
        The follow-up months, for the axis label and the alt text.
    labels : dict of str to str, optional
        A display name per pilot_id; an id without one is shown as it is.

    indicator : str, optional
        The rate shown (default the employment rate): its texts (:func:`outcome_text`).

    Returns
    -------
    Figure, str
        The figure and its alt text (the pooled rate and the pilots outside the 95 % limits).
    """
    fig, ax = plt.subplots(figsize=(7.5, 5.2), layout="constrained")
    styles = {0.95: ("--", OKABE_ITO["orange"]), 0.998: (":", OKABE_ITO["vermillion"])}
    for level, part in limits.groupby("level"):
        style, colour = styles.get(level, ("-.", GREY))
        name = t("comparison.plot.limit", level=fmt_number(level * 100, 1 if level * 100 % 1 else 0))
        ax.plot(part["n"], part["low"], style, color=colour, linewidth=1.5, label=name)
        ax.plot(part["n"], part["high"], style, color=colour, linewidth=1.5)
    ax.axhline(pooled_rate, color=GREY, linewidth=1,
               label=t("comparison.plot.pooled", rate=fmt_percent(pooled_rate)))
    inside = points["position"] == "inside"
    ax.plot(points.loc[inside, "denominator"], points.loc[inside, "value"], "o",
            color=OKABE_ITO["blue"], markersize=8, label=t("comparison.plot.inside_limits"))
    ax.plot(points.loc[~inside, "denominator"], points.loc[~inside, "value"], "^",
            color=OKABE_ITO["purple"], markersize=9, label=t("comparison.plot.outside_limits"))
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(v)))
    # Within one decade matplotlib labels minor ticks, as "2×10²": the same ticks, written as counts.
    ax.xaxis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False))
    ax.set_xlim(limits["n"].min(), limits["n"].max())
    span = pd.concat([points["value"], limits.loc[limits["n"] >= points["denominator"].min(), "low"],
                      limits.loc[limits["n"] >= points["denominator"].min(), "high"]])
    ax.set_ylim(max(0.0, span.min() - 0.05), min(1.0, span.max() + 0.05))
    ax.set_xlabel(t("comparison.plot.eligible_axis"))
    ax.set_ylabel(outcome_text(indicator, "plot.rate_axis", horizon=horizon))
    _percent_axis(ax.yaxis)
    ax.grid(color="#eeeeee")
    _legend_below(ax, columns=3)
    fig.draw_without_rendering()  # settle the layout so data→pixel transforms are final
    _place_labels(ax, points, labels)
    outside = [_label(labels, p) for p in points.loc[~inside, "pilot_id"]]
    alt = outcome_text(indicator, "plot.funnel_alt", horizon=horizon, count=len(points),
            pooled=fmt_percent(pooled_rate),
            outside=", ".join(outside) if outside else t("comparison.plot.none"))
    return fig, alt


def _place_labels(ax, points: pd.DataFrame, labels) -> None:
    """Label every point, moving a label up or down until it overlaps no label placed before.

    Label boxes are estimated from the text length at font size 8.
    """
    fig = ax.figure
    px = fig.dpi / 72
    placed: list[tuple[float, float, float, float]] = []
    frame = ax.get_window_extent()
    offsets = [(6, 4), (6, -12), (6, 14), (6, -22), (6, 24), (-6, 4), (-6, -12), (-6, 14),
               (6, -32), (6, 34)]
    for _, row in points.sort_values("denominator").iterrows():
        text = _label(labels, row["pilot_id"])
        x, y = ax.transData.transform((row["denominator"], row["value"]))
        width, height = 5.2 * len(text) * px, 10 * px
        for dx, dy in offsets:
            left = x + dx * px - (width if dx < 0 else 0)
            box = (left, y + dy * px, left + width, y + dy * px + height)
            inside = frame.x0 <= box[0] and box[2] <= frame.x1 and frame.y0 <= box[1] and box[3] <= frame.y1
            clear = not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                            for b in placed)
            if inside and clear:
                break
        placed.append(box)
        ax.annotate(text, (row["denominator"], row["value"]), textcoords="offset points",
                    xytext=(dx, dy), fontsize=8, ha="right" if dx < 0 else "left",
                    arrowprops={"arrowstyle": "-", "color": GREY, "linewidth": 0.5} if abs(dy) > 10 else None)


def adjusted_plot(rates: pd.DataFrame, horizon: int, labels: dict[str, str] | None = None,
                  indicator: str = DEFAULT_INDICATOR):
    """Crude (circle) and case-mix adjusted (square, with its 95 % interval) rate of ``indicator`` per pilot.

    The adjusted rate's interval is the delta method's (:func:`evalkit.compare.adjusted_rates`).

    Parameters
    ----------
    rates : DataFrame
        Rows of :attr:`evalkit.compare.AdjustedRates.rates` that have an adjusted rate: pilot_id,
        crude_rate, adjusted_rate, ci_low, ci_high (fractions).
    horizon : int
        The follow-up months, for the axis label and the alt text.
    labels : dict of str to str, optional
        A display name per pilot_id; an id without one is shown as it is.

    indicator : str, optional
        The rate shown (default the employment rate): its texts (:func:`outcome_text`).

    Returns
    -------
    Figure, str
        The figure and its alt text (highest and lowest adjusted rate, and the pilot the
        adjustment moved most).
    """
    data = rates.sort_values("adjusted_rate").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(data) + 2.0), layout="constrained")
    y = np.arange(len(data))
    ax.hlines(y + 0.12, data["ci_low"], data["ci_high"], color=OKABE_ITO["orange"], linewidth=2)
    ax.plot(data["adjusted_rate"], y + 0.12, "s", color=OKABE_ITO["orange"], markersize=7,
            label=t("comparison.plot.adjusted"))
    ax.plot(data["crude_rate"], y - 0.12, "o", color=OKABE_ITO["blue"], markersize=7,
            markerfacecolor="white", markeredgewidth=2, label=t("comparison.plot.crude"))
    ax.set_yticks(y, [_tick(labels, p) for p in data["pilot_id"]])
    ax.set_xlabel(outcome_text(indicator, "plot.rate_axis", horizon=horizon))
    _percent_axis(ax.xaxis)
    ax.set_xlim(0, min(1, data[["ci_high", "crude_rate"]].max().max() + 0.05))
    ax.grid(axis="x", color="#dddddd")
    _legend_below(ax)
    ext = _extremes(data, "adjusted_rate", labels)
    shift = (data["adjusted_rate"] - data["crude_rate"]).abs()
    moved = data.loc[shift.idxmax()]
    alt = outcome_text(indicator, "plot.adjusted_alt", horizon=horizon, count=len(data),
            highest=ext["highest"], highest_rate=fmt_percent(ext["highest_value"]),
            lowest=ext["lowest"], lowest_rate=fmt_percent(ext["lowest_value"]),
            moved=_label(labels, moved["pilot_id"]), crude=fmt_percent(moved["crude_rate"]),
            adjusted=fmt_percent(moved["adjusted_rate"]))
    return fig, alt


def was_change_plot(was: pd.DataFrame, labels: dict[str, str] | None = None):
    """Mean Work Ability Score change per pilot with its t-based 95 % interval; zero line."""
    data = was.dropna(subset=["mean_change"]).sort_values("mean_change").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(data) + 2.0), layout="constrained")
    y = np.arange(len(data))
    ax.hlines(y, data["ci_low"], data["ci_high"], color=OKABE_ITO["green"], linewidth=2,
              label=t("comparison.plot.t_interval"))
    ax.plot(data["mean_change"], y, "D", color=OKABE_ITO["green"], markersize=6,
            label=t("comparison.plot.mean_change"))
    ax.axvline(0, color=GREY, linewidth=1)
    ax.set_yticks(y, [f"{_tick(labels, p)} (n = {fmt_number(n)})"
                      for p, n in zip(data["pilot_id"], data["n_pairs"])])
    ax.set_xlabel(t("comparison.plot.was_axis"))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(v, 1)))
    ax.grid(axis="x", color="#dddddd")
    _legend_below(ax)
    ext = _extremes(data, "mean_change", labels)
    alt = t("comparison.plot.was_alt", count=len(data), highest=ext["highest"],
            highest_change=fmt_number(ext["highest_value"], 2), lowest=ext["lowest"],
            lowest_change=fmt_number(ext["lowest_value"], 2))
    return fig, alt


def event_study_plot(result):
    """Event-study coefficients (treated × event-time bins) with cluster-robust 95 % intervals.

    The reference bin (just before the start) is drawn hollow at zero, and each bin at its middle
    month. The first and last bins also hold every earlier / later month.

    Parameters
    ----------
    result : evalkit.did.DidResult
        The difference-in-differences estimate with its event study.

    Returns
    -------
    Figure, str
        The figure and its alt text (the estimate, its interval and the pre-trend test's p-value).
    """
    events = result.event_study.assign(
        middle=lambda e: (e["months_from"] + e["months_to"]) / 2)  # a bin is drawn at its middle
    fig, ax = plt.subplots(figsize=(7.5, 4.2), layout="constrained")
    estimated = events[~events["reference"]]
    ax.errorbar(estimated["middle"], estimated["estimate"],
                yerr=[estimated["estimate"] - estimated["ci_low"],
                      estimated["ci_high"] - estimated["estimate"]],
                fmt="o", color=OKABE_ITO["blue"], capsize=3, label=t("comparison.plot.event_coef"))
    reference = events[events["reference"]]
    ax.plot(reference["middle"], reference["estimate"], "o", markerfacecolor="white",
            color=OKABE_ITO["blue"], markersize=8, label=t("comparison.plot.event_reference"))
    ax.axhline(0, color=GREY, linewidth=1)
    ax.axvline(-0.5, color=OKABE_ITO["vermillion"], linestyle="--",
               label=t("comparison.plot.pilot_start", month=str(result.start_month)))
    ax.set_xlabel(t("comparison.plot.event_axis"))
    ax.set_ylabel(t(f"comparison.plot.effect_axis_{result.scale}"))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(v)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(v, 2)))
    ax.grid(color="#eeeeee")
    _legend_below(ax)
    alt = t("comparison.plot.event_alt", effect=fmt_number(result.estimate, 3),
            interval=f"{fmt_number(result.ci_low, 3)} … {fmt_number(result.ci_high, 3)}",
            pretrend_p=fmt_number(result.pretrend_p, 3))
    return fig, alt

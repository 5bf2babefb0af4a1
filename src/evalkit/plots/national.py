"""Figures of the national summary: Table 1 as a grid, budgets by region, the stock counts.

Each function takes computed data (evalkit.national), draws with a colour-blind-safe palette,
carries every distinction by text or marks as well as colour, takes its labels from the
catalogue, and returns the Figure with an alt text written from the data.
"""
from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from evalkit.formatting import fmt_eur, fmt_number, fmt_percent  # noqa: E402
from evalkit.i18n import t  # noqa: E402
from evalkit.plots import style  # noqa: E402

style.apply()
PALETTE = style.SERIES_COLOURS
DARK, LIGHT = style.MAIN, style.BACKGROUND_CELL


def _join(names: list[str]) -> str:
    return ", ".join(names)


def focus_area_figure(matrix: pd.DataFrame) -> tuple[plt.Figure, str]:
    """Pilots (rows) × focus areas (columns); a chosen cell is dark and carries a cross."""
    regions = sorted(matrix["region"].unique())
    areas = sorted(matrix["focus_area"].unique())
    grid = matrix.pivot(index="region", columns="focus_area", values="chosen").loc[regions, areas]
    counts = grid.sum(axis=0).astype(int)
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(regions) + 1.8))
    for row, region in enumerate(regions):
        for col, area in enumerate(areas):
            chosen = bool(grid.loc[region, area])
            ax.add_patch(plt.Rectangle((col, row), 0.94, 0.9, color=DARK if chosen else LIGHT))
            ax.text(col + 0.47, row + 0.45, "×" if chosen else "–", ha="center", va="center",
                    color="white" if chosen else "#555555", fontsize=13, fontweight="bold")
    ax.set_xlim(0, len(areas))
    ax.set_ylim(len(regions), 0)
    ax.set_xticks([c + 0.47 for c in range(len(areas))])
    ax.set_xticklabels([textwrap.fill(f"{a}. {t(f'national.focus_area_short.{a}')}", 16, break_long_words=False)
                        + f"\n({counts[a]})" for a in areas], fontsize=9)
    ax.set_yticks([r + 0.45 for r in range(len(regions))])
    ax.set_yticklabels(regions)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_xlabel(t("national.fig.focus_xlabel"))
    ax.set_ylabel(t("national.fig.focus_ylabel"))
    ax.set_title(t("national.fig.focus_title"))
    handles = [plt.Rectangle((0, 0), 1, 1, color=DARK), plt.Rectangle((0, 0), 1, 1, color=LIGHT)]
    ax.legend(handles, [f"× {t('national.fig.focus_chosen')}", f"– {t('national.fig.focus_not_chosen')}"],
              loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False)
    fig.tight_layout()

    per_region = grid.sum(axis=1).astype(int)
    most, least = counts.idxmax(), counts.idxmin()
    alt = t("national.fig.focus_alt", pilots=fmt_number(len(regions)), areas=fmt_number(len(areas)),
            most=t(f"national.focus_area_short.{most}"), most_count=fmt_number(counts[most]),
            least=t(f"national.focus_area_short.{least}"), least_count=fmt_number(counts[least]),
            all_areas=_join([r for r in regions if per_region[r] == len(areas)]),
            min_areas=fmt_number(per_region.min()),
            fewest=_join([r for r in regions if per_region[r] == per_region.min()]))
    return fig, alt


def budget_figure(budgets: pd.DataFrame) -> tuple[plt.Figure, str]:
    """Horizontal bars of each pilot's granted budget, largest first, each bar labelled in euros."""
    frame = budgets.sort_values("budget_eur", ascending=False, kind="stable")
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(frame) + 1.5))
    ax.barh(frame["region"], frame["budget_eur"] / 1e6, color=DARK)
    ax.invert_yaxis()
    top = frame["budget_eur"].max() / 1e6
    for y, (amount, share) in enumerate(zip(frame["budget_eur"], frame["share"])):
        ax.text(amount / 1e6 + top * 0.01, y, f"{fmt_eur(amount)} ({fmt_percent(share)})",
                va="center", fontsize=9)
    ax.set_xlim(0, top * 1.45)
    ax.set_xlabel(t("national.fig.budget_xlabel"))
    ax.set_ylabel(t("national.fig.budget_ylabel"))
    ax.set_title(t("national.fig.budget_title"))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt_number(v, 1)))
    sns.despine(ax=ax)
    fig.tight_layout()

    largest, smallest = frame.iloc[0], frame.iloc[-1]
    alt = t("national.fig.budget_alt", pilots=fmt_number(len(frame)),
            total=fmt_eur(frame["budget_eur"].sum()), largest=largest["region"],
            largest_amount=fmt_eur(largest["budget_eur"]), largest_share=fmt_percent(largest["share"]),
            smallest=smallest["region"], smallest_amount=fmt_eur(smallest["budget_eur"]))
    return fig, alt


def stock_figure(change: pd.DataFrame) -> tuple[plt.Figure, str]:
    """The report's three counts as bars, each labelled with its number and where it comes from."""
    main, other = change.iloc[0], change.iloc[1]
    labels = [t("national.fig.stock_bar_base6"), t("national.fig.stock_bar_base1"),
              t("national.fig.stock_bar_end")]
    values = [main["base_count"], other["base_count"], main["end_count"]]
    hatches = ["", "//", ""]
    colours = [PALETTE[0], PALETTE[1], PALETTE[2]]
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    bars = ax.bar(labels, values, color=colours, edgecolor="black", linewidth=0.6)
    for bar, hatch, value in zip(bars, hatches, values):
        bar.set_hatch(hatch)
        ax.text(bar.get_x() + bar.get_width() / 2, value, fmt_number(value), ha="center",
                va="bottom", fontsize=10)
    ax.set_ylabel(t("national.fig.stock_ylabel"))
    ax.set_title(t("national.fig.stock_title"))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt_number(v)))
    ax.tick_params(axis="x", labelsize=9)
    sns.despine(ax=ax)
    fig.tight_layout()
    alt = t("national.fig.stock_alt", base6=fmt_number(main["base_count"]),
            base1=fmt_number(other["base_count"]), end=fmt_number(main["end_count"]),
            change=fmt_percent(main["relative_change"]),
            stated=fmt_percent(main["stated_relative_change"]))
    return fig, alt

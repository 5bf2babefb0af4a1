"""The description sheets' appendix page: one sheet per language (fi, sv, en).

Each sheet is wholly in its own language, with an abstract whose numbers are computed from the
pooled registers.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from evalkit import key_results as compute
from evalkit.chapters.comparison import MAIN_HORIZON
from evalkit.chapters.national import NationalPage
from evalkit.description_sheet import FIELDS, PAGE_COUNT_CLASS, abstract, sheet_rows
from evalkit.i18n import language, t
from evalkit.page_output import markdown, markdown_table
from evalkit.params import load_data_sources
from evalkit.pooled import load_pooled
from evalkit.programme import current

_PAGE_COUNT_TOKEN = "EvalkitPageCountGoesHere"


@dataclass(frozen=True)
class Abstract:
    """The computed numbers every sheet's abstract states (None where the small-cell rule hides one)."""

    pilots: int
    budget_eur: float
    participants: int | None
    horizon: int
    employment_rate: float | None
    positive_rate: float | None
    synthetic: bool


def abstract_numbers(page: NationalPage) -> Abstract:
    """Compute, once per page, what the abstracts state.

    That is the programme's pilots and funding, and the pooled registers' participants and
    main-horizon rates as the small-cell rule publishes them.
    """
    # The programme's own pilots and budgets: a programme without a source report has no page.pilots.
    programme = page.programme or current()
    budgets = programme.budgets
    pooled = load_pooled(load_data_sources(page.root))
    base = {"pilots": len(programme.pilots), "budget_eur": float(sum(budgets.values())), "horizon": MAIN_HORIZON}
    if pooled.register is None:
        return Abstract(**base, participants=None, employment_rate=None, positive_rate=None, synthetic=False)
    results = compute.key_results(pooled.register, pooled.as_of, budgets, pooled.employers, horizon=MAIN_HORIZON)

    def rate(indicator: str) -> float | None:
        rows = results.rates[(results.rates["indicator"] == indicator)
                             & (results.rates["horizon_months"] == results.horizon)]
        value = rows.iloc[0]["value"] if len(rows) else None
        return None if value is None or pd.isna(value) else float(value)

    return Abstract(**{**base, "horizon": results.horizon}, participants=results.participants,
                    employment_rate=rate("employment_rate"), positive_rate=rate("positive_exit_rate"),
                    synthetic=pooled.synthetic)


def sheet(page: NationalPage, sheet_lang: str, numbers: Abstract) -> None:
    """Show the description sheet in ``sheet_lang``: its fields as a table, then its abstract."""
    programme = page.programme or current()   # the same programme as the abstract's numbers
    # The programme's own title and publisher, and whatever publication metadata programme.yml gives.
    publication = {"title": programme.title(sheet_lang), "publisher": programme.publisher(sheet_lang),
                   **programme.publication(sheet_lang)}
    rows = sheet_rows(sheet_lang, language(), publication)
    # The site has no pages and says the count is not given; the PDF writes its own page count
    # into this element (evalkit.pipeline.print_html). The token is text no escaping changes.
    at = FIELDS.index("pages")
    rows[at] = (rows[at][0], _PAGE_COUNT_TOKEN)
    rows.append((t("description.field.abstract", sheet_lang),
                 abstract(sheet_lang, pilots=numbers.pilots, budget_eur=numbers.budget_eur,
                          participants=numbers.participants, horizon=numbers.horizon,
                          employment_rate=numbers.employment_rate, positive_rate=numbers.positive_rate,
                          synthetic=numbers.synthetic, source_report=programme.has_source_report)))
    frame = pd.DataFrame(rows, columns=[t("description.col_field", sheet_lang), t("description.col_value", sheet_lang)])
    # book/_static/evalkit.css keeps the field names' column whole (tbl-description-*).
    table = markdown_table(frame, t("description.caption", sheet_lang), name=f"tbl-description-{sheet_lang}",
                           align=["l", "l"])
    absent = html.escape(t("description.absent", sheet_lang))
    table = table.replace(_PAGE_COUNT_TOKEN, f'<span class="{PAGE_COUNT_CLASS}">{absent}</span>')
    # Marked as written in its own language, so that a screen reader reads a Swedish sheet as Swedish.
    markdown(f'<div lang="{sheet_lang}">\n\n{table}\n\n</div>')

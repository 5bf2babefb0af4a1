"""The pilot chapter: what ``book/templates/pilot.ipynb`` calls, cell by cell."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evalkit.formatting import fmt_eur, fmt_percent
from evalkit.i18n import set_language, t
from evalkit.params import PilotParams, load_params
from evalkit.publish import Page, glue, show_table
from evalkit.reported import Pilot, PilotFacts, load_pilots


@dataclass(frozen=True)
class PilotPage:
    pilot: Pilot
    facts: PilotFacts
    params: PilotParams
    page: Page


def setup(pilot_id: str, params_file: str, lang: str, root: str, page_dir: str, page_name: str) -> PilotPage:
    """Load the pilot's facts and parameters and glue the profile figures the prose refers to."""
    set_language(lang)
    facts = load_pilots(Path(root) / "data" / "reported" / "pilots.yml")
    pilot = facts.by_id(pilot_id)
    params = load_params(Path(params_file), Path(root))
    total = sum(facts.budgets.values())
    glue("budget", fmt_eur(pilot.budget_eur))
    glue("budget_share", fmt_percent(pilot.budget_eur / total))
    glue("focus_area_count", str(len(pilot.focus_areas)))
    glue("as_of", params.as_of.strftime(t("format.date")))
    return PilotPage(pilot, facts, params, Page(Path(page_dir), page_name))


def focus_area_table(page: PilotPage) -> None:
    rows = [
        {t("pilot.focus_area"): f"{number}. {name}",
         t("pilot.chosen"): t("pilot.yes") if number in page.pilot.focus_areas else t("pilot.no")}
        for number, name in page.facts.focus_area_names.items()
    ]
    show_table(pd.DataFrame(rows), t("pilot.focus_area_caption", pilot=page.pilot.region),
               name=f"tbl-focus-{page.pilot.pilot_id}", align=["l", "c"])


def services_list(page: PilotPage) -> None:
    from evalkit.publish import markdown

    if page.params.services:
        markdown("\n".join(f"- {service}" for service in page.params.services))
    else:
        markdown(t("pilot.no_services"))

"""The front page (national summary): the first facts every reader needs, all computed."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from evalkit.formatting import fmt_eur, fmt_number
from evalkit.i18n import set_language, t
from evalkit.publish import glue, show_table
from evalkit.reported import PilotFacts, load_pilots


def setup(lang: str, root: str) -> PilotFacts:
    set_language(lang)
    facts = load_pilots(Path(root) / "data" / "reported" / "pilots.yml")
    glue("pilot_count", fmt_number(len(facts.pilots)))
    glue("region_count", fmt_number(len({p.region for p in facts.pilots})))
    glue("total_budget", fmt_eur(sum(facts.budgets.values())))
    return facts


def pilots_table(facts: PilotFacts) -> None:
    frame = pd.DataFrame(
        {
            t("front.col_region"): p.region,
            t("front.col_project"): p.project_name,
            t("front.col_budget"): fmt_eur(p.budget_eur),
        }
        for p in facts.pilots
    )
    show_table(frame, t("front.pilots_caption"), name="tbl-pilots", align=["l", "l", "r"])

"""publication.cell and Publication: one cell lookup, and one rendering of a published count.

Frames are written by hand; the count hidden as a partner is found by hand (40 followed up minus
the shown statuses would give a lone small count back)."""
from __future__ import annotations

import pandas as pd

from evalkit.i18n import set_language
from evalkit.publication import Publication, cell, publish
from evalkit.suppression import count_text

COLUMNS = ["pilot_id", "horizon_months", "indicator", "numerator", "denominator", "value", "ci_low", "ci_high"]
STATUSES = ("employed_open", "employed_subsidised", "entrepreneur", "training", "other_service", "unemployed",
            "outside_labour_force", "unknown")


def tidy(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS).astype({"horizon_months": "Int64", "numerator": "Int64",
                                                       "denominator": "Int64", "value": "float64",
                                                       "ci_low": "float64", "ci_high": "float64"})


def test_cell_tells_horizons_and_no_horizon_apart():
    frame = tidy([("lappi", 3, "eligible", 7, None, 7.0, None, None),
                  ("lappi", 6, "eligible", 5, None, 5.0, None, None),
                  ("lappi", None, "participants", 9, None, 9.0, None, None),
                  ("all", 6, "eligible", 11, None, 11.0, None, None)])
    assert cell(frame, "lappi", "eligible", 6)["numerator"] == 5
    assert cell(frame, "all", "eligible", 6)["numerator"] == 11
    assert cell(frame, "lappi", "participants")["numerator"] == 9
    assert cell(frame, "lappi", "participants", 3) is None and cell(frame, "lappi", "eligible") is None
    assert cell(frame, "hame", "eligible", 6) is None


def test_a_count_as_published_small_partner_and_shown():
    set_language("en")
    # One pilot at 6 months: 2 unemployed (small) among 40; every other status 5 or more, so the
    # rule must hide one more status count (a partner), shown as a dash, not "<5".
    counts = dict(zip(STATUSES, (7, 5, 5, 5, 5, 2, 5, 6)))
    rows = [("lappi", 6, f"share_{c}", n, 40, n / 40, 0.0, 1.0) for c, n in counts.items()]
    rows.append(("lappi", 6, "eligible", 40, None, 40.0, None, None))
    publication = publish(tidy(rows))
    assert publication.count_text("lappi", "share_unemployed", 6, "numerator") == "<5"
    partners = [c for c in STATUSES if c != "unemployed"
                and not publication.shown("lappi", f"share_{c}", 6, "numerator")]
    assert len(partners) == 1   # 40 minus the seven shown counts would give the 2 back
    assert publication.count_text("lappi", f"share_{partners[0]}", 6, "numerator") == "–"
    assert publication.count_text("lappi", "share_unknown", 6, "numerator") in ("6", "–")
    assert publication.count_text("lappi", "eligible", 6) == "40"
    assert publication.published_value("lappi", "share_unemployed", 6) is None
    # The one rendering, with and without the rule's verdict.
    assert count_text(12, hidden=True) == "–" and count_text(3, hidden=True) == "<5"
    assert count_text(12) == "12" and count_text(None) == "–"


def test_a_publication_answers_every_cell_as_a_scan_of_its_frames_does():
    """The lookup index of Publication against cell()'s scan, on every cell the demo book publishes,
    on cells that are not there, and on a frame whose first of two equal keys must win."""
    import datetime as dt
    from pathlib import Path

    from evalkit.indicators import published_indicators
    from evalkit.register import load_employers, load_register
    from evalkit.reported import load_pilots

    demo, as_of = Path(__file__).resolve().parents[1] / "data" / "demo", dt.date(2023, 12, 31)
    exact = published_indicators(load_register(demo / "participants.csv", as_of), as_of, load_pilots().budgets,
                                 load_employers(demo / "employers.csv"))
    publication = publish(exact)
    asked = {(w, i, None if pd.isna(h) else int(h))
             for w, i, h in exact[["pilot_id", "indicator", "horizon_months"]].itertuples(index=False)}
    asked |= {("lappi", "employment_rate", 24), ("lapland", "employment_rate", 6), ("lappi", "participants", 6),
              ("all", "nothing", None), ("lappi", "employment_rate", 6.0), ("lappi", "participants", float("nan"))}
    hidden = 0
    for who, indicator, horizon in sorted(asked, key=str):
        scanned = cell(exact, who, indicator, horizon)
        found = publication.row(who, indicator, horizon)
        assert (found is None) == (scanned is None), (who, indicator, horizon)
        if found is not None:
            assert found.name == scanned.name and found.equals(scanned), (who, indicator, horizon)
        as_published = cell(publication.published, who, indicator, horizon)
        shown = as_published is not None and not pd.isna(as_published["value"])
        assert publication.shown(who, indicator, horizon) == shown, (who, indicator, horizon)
        assert publication.published_value(who, indicator, horizon) == (
            float(as_published["value"]) if shown else None), (who, indicator, horizon)
        hidden += found is not None and not shown
    assert hidden, "the demo book hides some cells: the published frame was not asked about"
    twice = tidy([("lappi", 6, "eligible", 5, None, 5.0, None, None),
                  ("lappi", 6, "eligible", 8, None, 8.0, None, None)])
    assert Publication(twice, twice).row("lappi", "eligible", 6)["numerator"] == 5 == cell(
        twice, "lappi", "eligible", 6)["numerator"]

"""publication.cell and Publication: one cell lookup, and one rendering of a published count.

Frames are written by hand; the count hidden as a partner is found by hand (40 followed up minus
the shown statuses would give a lone small count back)."""
from __future__ import annotations

import pandas as pd

from evalkit.i18n import set_language
from evalkit.publication import cell, publish
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

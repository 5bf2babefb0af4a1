"""A real standalone `evalkit pilot` build (HTML only) in a throwaway copy of the project: the numbers
on the page are those `evalkit indicators` gives for the same file."""
from __future__ import annotations

import io
from html.parser import HTMLParser

import pandas as pd
import pytest

from conftest import copy_project, run_evalkit
from evalkit.formatting import fmt_eur, fmt_interval, fmt_number, fmt_percent
from evalkit.i18n import set_language
from evalkit.reported import load_pilots

pytestmark = pytest.mark.slow
PILOT = "uusimaa"   # large enough in a 900-row register that its main rates are not suppressed
AS_OF = "2023-12-31"


class Tables(HTMLParser):
    """Every <table id=...> of a page as a list of rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self._table = self.tables.setdefault(attrs["id"], [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from evalkit.synth import write_synthetic

    base = tmp_path_factory.mktemp("pilot-build")
    project = copy_project(base / "project")
    write_synthetic(base / "synth", seed=11, size=900)
    everyone = pd.read_csv(base / "synth" / "participants.csv", dtype=str, keep_default_na=False)
    own = base / "own.csv"   # the pilot's own extract, as it would come from its register
    everyone[everyone["pilot_id"] == PILOT].to_csv(own, index=False)
    out = base / "report"
    result = run_evalkit(project, "pilot", PILOT, "--data", str(own), "--as-of", AS_OF, "--out", str(out),
                         "--no-pdf")
    assert result.returncode == 0, result.stderr[-3000:]
    numbers = run_evalkit(project, "indicators", "--data", str(own), "--as-of", AS_OF, "--all")
    assert numbers.returncode == 0, numbers.stderr[-2000:]
    frame = pd.read_csv(io.StringIO(numbers.stdout), dtype={"horizon_months": "Int64"})
    parser = Tables()
    html = (out / "index.html").read_text(encoding="utf-8")
    parser.feed(html)
    set_language("fi")
    return out, html, parser.tables, frame[frame["pilot_id"] == PILOT]


def _row(frame: pd.DataFrame, indicator: str, horizon=None) -> pd.Series:
    chosen = frame[frame["indicator"] == indicator]
    chosen = chosen[chosen["horizon_months"].isna()] if horizon is None else \
        chosen[chosen["horizon_months"] == horizon]
    assert len(chosen) == 1, (indicator, horizon)
    return chosen.iloc[0]


def test_index_html_is_the_report_itself(built):
    out, html, _, _ = built
    assert 'http-equiv="refresh"' not in html
    assert load_pilots().by_id(PILOT).project_name in html
    assert not (out / "report.pdf").exists()   # --no-pdf


def test_rates_on_the_page_match_evalkit_indicators(built):
    _, _, tables, frame = built
    rows = {row[0]: row[1:] for row in tables[f"tbl-rates-{PILOT}"][1:]}
    labels = {"employment_rate": "Työllisten osuus", "positive_exit_rate": "Myönteisten siirtymien osuus",
              "open_employment_rate": "Avoimille työmarkkinoille työllistyneiden osuus"}
    compared = 0
    for indicator, label in labels.items():
        for column, horizon in enumerate((3, 6, 12)):
            record = _row(frame, indicator, horizon)
            cell = rows[label][column]
            if record["denominator"] < 5 or 1 <= record["numerator"] <= 4:
                assert cell == "–", (indicator, horizon, cell)
                continue
            if indicator == "open_employment_rate" and cell == "–":
                continue   # hidden as the partner of a small status group
            expected = f"{fmt_percent(record['value'])} ({fmt_interval(record['ci_low'], record['ci_high'])})"
            assert cell.replace("\u00a0", " ") == expected.replace("\u00a0", " "), (indicator, horizon)
            compared += 1
    assert compared >= 6


def test_flow_and_cost_on_the_page_match_evalkit_indicators(built):
    _, _, tables, frame = built
    flow = {row[0]: row[1] for row in tables[f"tbl-flow-{PILOT}"][1:]}
    assert flow["Osallistujia"] == fmt_number(int(_row(frame, "participants")["value"]))
    for months in (3, 6, 12):
        assert flow[f"Seurattuja {months} kk:n kohdalla"] == fmt_number(int(_row(frame, "eligible", months)["value"]))
    costs = {row[0]: row[1] for row in tables[f"tbl-costs-{PILOT}"][1:]}
    assert costs["Osallistujaa kohden"] == fmt_eur(_row(frame, "cost_per_participant")["value"])
    # At the summary's horizon (6 months), so that the chapter and the summary quote the same cost.
    assert costs["Työllistynyttä kohden (6 kk)"] == fmt_eur(_row(frame, "cost_per_employed", 6)["value"])


def test_the_page_says_what_it_was_built_from(built):
    # The national pages' footer states code, parameters and data digests; the pilot's own report
    # had none. Its extract lies outside the project: named by its file name alone.
    import hashlib
    import re

    out, html, _, _ = built
    digest = hashlib.sha256((out.parent / "own.csv").read_bytes()).hexdigest()
    footer = re.search(r'<p class="evalkit-provenance">([^<]*)</p>', html)
    assert footer and f"own.csv {digest[:12]}" in footer.group(1), footer
    assert str(out.parent) not in html


def test_goals_table_lists_the_pilots_own_goals(built):
    _, _, tables, _ = built
    goals = tables[f"tbl-goals-{PILOT}"]
    texts = [row[0] for row in goals[1:]]
    assert any("Täsmätyö" in text for text in texts)   # from params/uusimaa.yml
    assert goals[-1][-1] == "Laadullinen tavoite"

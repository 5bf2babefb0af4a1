"""A hand-written programme of five pilots, built end to end (HTML and PDF) from its own folder.

Its numbers are checked against a computation written here, with plain Python over the rows this
test wrote; its pages carry its own names, budgets and title, and no word of the default programme.
One build, shared by every assertion.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from html import escape as html_escape
from pathlib import Path

import pytest

from conftest import EVALKIT

pytestmark = pytest.mark.slow

AS_OF = dt.date(2025, 12, 31)
PILOTS = {   # id: (name, budget, participants)
    "kainuu": ("Kainuun työkykykokeilu", 150000, 40),
    "satakunta": ("Satakunnan polku", 320000, 55),
    "keski-suomi": ("Keski-Suomen malli", 90000, 30),
    "kymenlaakso": ("Kymenlaakson valmennus", 410000, 70),
    "etela-savo": ("Etelä-Savon silta", 275000, 45),
}
# The last people of each pilot are still in service (never eligible); five, so that no published
# count is 1-4 and the small-cell rule hides nothing this test checks.
IN_SERVICE = 5
# Each pilot's ended people take these statuses in turn: every count is a multiple of 5 or 0.
CYCLES = {
    "kainuu": ("employed_open", "employed_open", "unemployed", "training", "unemployed"),
    "satakunta": ("employed_open", "employed_subsidised", "unemployed", "unemployed", "unemployed"),
    "keski-suomi": ("employed_open", "unemployed", "unemployed", "unemployed", "unemployed"),
    "kymenlaakso": ("employed_open", "employed_open", "employed_open", "training", "other_service"),
    "etela-savo": ("entrepreneur", "employed_open", "unemployed", "outside_labour_force", "unemployed"),
}
TITLE = "Hyvinvointialueiden työkykykokeilut 2024–2025"
DEFAULT_WORDS = ("Uusimaa", "Pirkanmaa", "Pohjois-Pohjanmaa", "Lappi", "TE-palvelupilot", "Työelämädiili",
                 "34 300", "29 300", "2021–2022")

PROGRAMME = f"""\
title: "{TITLE}"
publisher: Hyvinvointialueiden yhteistyöryhmä
period: {{start: 2024-01-01, end: 2024-12-31}}
languages: [fi]
pilots:
""" + "".join(f"""  - pilot_id: {pid}
    name: "{name}"
    budget_eur: {budget}
""" for pid, (name, budget, _) in PILOTS.items())


RECOMMENDATIONS = """\
recommendations:
  - title: Laajenna valmennus kaikille alueille
    text: "Kymenlaakson valmennus tuotti korkeimman työllistymisosuuden (*ei korostusta*)."
    evidence: [pilots/kymenlaakso, national/comparison, national/methods]
"""


def rows() -> list[dict]:
    """The register: people of each pilot in turn, statuses cycling through the pilot's ``CYCLES``."""
    out = []
    for pid, (_, _, n) in PILOTS.items():
        for i in range(n):
            start = dt.date(2024, 2, 1) + dt.timedelta(days=3 * i)
            ended = i < n - IN_SERVICE
            status = CYCLES[pid][i % len(CYCLES[pid])] if ended else ""
            out.append({"person_id": f"{pid}-{i:03d}", "pilot_id": pid, "service": "Valmennus",
                        "start_date": start.isoformat(),
                        "end_date": (start + dt.timedelta(days=60)).isoformat() if ended else "",
                        "age": 25 + i % 30, "sex": "FM"[i % 2], "basis": ("diagnosis", "none")[i % 2],
                        "unemployment_months": i % 24, "was_start": "", "was_end": "",
                        "status_3m": status, "status_6m": status, "status_12m": status})
    return out


def expected_employment_rates(register: list[dict]) -> dict[str, tuple[int, int]]:
    """(employed, eligible) at 6 months per pilot and pooled, counted here from the rows."""
    employed_codes = {"employed_open", "employed_subsidised", "entrepreneur"}
    counts: dict[str, list[int]] = {}
    for row in register:
        if not row["end_date"]:
            continue
        end = dt.date.fromisoformat(row["end_date"])
        month = end.month + 6
        due = dt.date(end.year + (month - 1) // 12, (month - 1) % 12 + 1, min(end.day, 28))
        if due > AS_OF:
            continue
        for who in (row["pilot_id"], "all"):
            pair = counts.setdefault(who, [0, 0])
            pair[0] += row["status_6m"] in employed_codes
            pair[1] += 1
    return {who: tuple(pair) for who, pair in counts.items()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, list[dict]]:
    import os
    import subprocess

    folder = tmp_path_factory.mktemp("five") / "programme"
    (folder / "params").mkdir(parents=True)
    (folder / "data").mkdir()
    (folder / "programme.yml").write_text(PROGRAMME, encoding="utf-8")
    register = rows()
    with open(folder / "data" / "participants.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(register[0]))
        writer.writeheader()
        writer.writerows(register)
    (folder / "data" / "recommendations.yml").write_text(RECOMMENDATIONS, encoding="utf-8")
    for pid in PILOTS:
        (folder / "params" / f"{pid}.yml").write_text(
            f"pilot_id: {pid}\ndata: data/participants.csv\nas_of: {AS_OF}\nservices: [Valmennus]\n"
            "goals:\n- text: Kolmannes töissä puoli vuotta palvelun jälkeen\n  indicator: employment_rate\n"
            "  horizon: 6\n  target: 0.33\n", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "EVALKIT_ROOT"}
    result = subprocess.run([*EVALKIT, "build", "--programme", str(folder), "--jobs", "2"], cwd=folder.parent,
                            env=env, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder, register


def test_the_exports_hold_the_independently_counted_rates_and_costs(built):
    folder, register = built
    with open(folder / "_build" / "data" / "indicators.csv", encoding="utf-8") as handle:
        published = {(r["pilot_id"], r["horizon_months"], r["indicator"]): r for r in csv.DictReader(handle)}
    assert {pid for pid, _, _ in published} == {*PILOTS, "all"}
    for who, (employed, eligible) in expected_employment_rates(register).items():
        row = published[(who, "6", "employment_rate")]
        assert (int(row["numerator"]), int(row["denominator"])) == (employed, eligible), who
        assert float(row["value"]) == pytest.approx(employed / eligible, abs=1e-6), who
    for pid, (_, budget, n) in PILOTS.items():
        row = published[(pid, "", "cost_per_participant")]
        assert float(row["value"]) == pytest.approx(budget / n, abs=1e-6), pid
    total = sum(b for _, b, _ in PILOTS.values()) / sum(n for _, _, n in PILOTS.values())
    assert float(published[("all", "", "cost_per_participant")]["value"]) == pytest.approx(total, abs=1e-6)


def test_the_site_is_the_programmes_own_and_says_it_has_no_source_report(built):
    folder, _ = built
    from evalkit.i18n import t

    html = folder / "_build" / "html"
    pages = {p.relative_to(html).as_posix(): p.read_text(encoding="utf-8") for p in html.rglob("*.html")}
    front = pages["national/summary.html"]
    assert TITLE in front
    # The summary's heading is the report's title: the browser's title names it once, not twice.
    for page in ("national/summary.html", "index.html"):
        assert re.search(r"<title>([^<]*)</title>", pages[page]).group(1) == html_escape(TITLE), page
    assert " ".join(t("front.no_source_report", "fi").split()[:6]) in " ".join(front.split())
    for pid, (name, _, _) in PILOTS.items():
        assert name in pages[f"pilots/{pid}.html"], pid
    assert "national/claims.html" not in pages and "national/costs.html" not in pages
    recommendations = pages["national/programme_recommendations.html"]
    assert "Laajenna valmennus kaikille alueille" in recommendations
    assert "(*ei korostusta*)" in recommendations          # shown as written, not as markup
    assert 'href="../pilots/kymenlaakso.html' in recommendations and 'href="programme_methods.html' in recommendations
    methods = " ".join(pages["national/programme_methods.html"].split())
    assert " ".join(t("methods.programme_real_text", "fi").split()[:8]) in methods   # its data are real
    for page, text in pages.items():
        for word in DEFAULT_WORDS:
            assert word not in text, (page, word)


def test_the_pdf_is_built_with_the_programmes_title(built):
    folder, _ = built
    import pikepdf

    pdf = folder / "_build" / "pdf" / "report.pdf"
    with pikepdf.open(pdf) as document:
        assert str(document.docinfo["/Title"]) == TITLE

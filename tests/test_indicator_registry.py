"""The indicator registry: one declaration per indicator, and everything derived from it.

The small-cell rule's wholes and parts come from the declarations: a test declares an indicator of
its own, here, and the rule protects it from differencing without any change to suppression.py.
Expected values are written out by hand (the wholes and parts the report publishes, as the ministry's
tables show them), not derived from the module under test.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest

from evalkit import indicator_registry as registry
from evalkit.formatting import fmt_indicator, fmt_indicator_interval
from evalkit.indicator_registry import IndicatorSpec, Kind, Scope
from evalkit.suppression import count_keys, hidden_counts, published_equations, recoverable_counts

SRC = Path(__file__).resolve().parents[1] / "src" / "evalkit"
COLUMNS = ["pilot_id", "horizon_months", "indicator", "numerator", "denominator", "value", "ci_low", "ci_high"]
SHARES = [f"share_{c}" for c in ("employed_open", "employed_subsidised", "entrepreneur", "training",
                                 "other_service", "unemployed", "outside_labour_force", "unknown")]


def tidy(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"horizon_months": "Int64", "numerator": "Int64", "denominator": "Int64",
                         "value": "float64", "ci_low": "float64", "ci_high": "float64"})


def test_the_published_wholes_and_parts_are_those_of_the_report():
    # Written out by hand: whole = sum of parts, per pilot and follow-up time.
    expected = {
        ("eligible", tuple(SHARES)),
        ("employment_rate", tuple(SHARES[:3])),
        ("positive_exit_rate", ("employment_rate", "share_training", "share_other_service")),
        ("positive_exit_rate", tuple(SHARES[:5])),
        ("eligible", ("positive_exit_rate", *SHARES[5:])),
        ("participants", ("ended", "in_service")),
        ("participants", ("basis_diagnosis", "basis_tasmatyo", "basis_none")),
        ("was_start_recorded", ("was_band_poor", "was_band_moderate", "was_band_good", "was_band_excellent")),
        ("was_end_recorded", ("was_end_band_poor", "was_end_band_moderate", "was_end_band_good",
                              "was_end_band_excellent")),
    }
    groups = registry.part_groups()
    assert set(groups) == expected and len(groups) == len(expected)
    assert set(registry.subset_pairs()) == {
        (("eligible", 3), ("ended", None)), (("eligible", 6), ("ended", None)), (("eligible", 12), ("ended", None)),
        (("eligible", 6), ("eligible", 3)), (("eligible", 12), ("eligible", 6)),
        (("was_change", None), ("was_start_recorded", None)), (("was_change", None), ("was_end_recorded", None))}


def test_kinds_directions_and_goal_ranges_are_declared_not_guessed():
    assert registry.spec("cost_per_employed").kind is Kind.MONEY
    assert registry.spec("was_change").kind is Kind.MEAN
    assert registry.spec("hires").kind is Kind.COUNT and registry.spec("employers_hiring").kind is Kind.SHARE
    lower = {s.name for s in registry.REGISTRY if s.lower_is_better}
    assert lower == {"share_unemployed", "share_outside_labour_force", "share_unknown", "cost_per_employed",
                     "cost_per_positive_exit", "cost_per_participant"}
    assert registry.GOAL_INDICATORS == ("employment_rate", "open_employment_rate", "positive_exit_rate",
                                        *SHARES, "was_change", "tasmatyo_share")
    assert registry.spec("was_change").goal_range == (-10.0, 10.0)
    assert {registry.spec(n).goal_range for n in registry.GOAL_INDICATORS if n != "was_change"} == {(0.0, 1.0)}
    # Which indicators have a follow-up time: stated once.
    assert set(registry.HORIZON_INDICATORS) == {"employment_rate", "open_employment_rate", "positive_exit_rate",
                                                *SHARES, "cost_per_employed", "cost_per_positive_exit", "eligible"}


def test_a_name_no_longer_decides_the_kind():
    # A count named like a cost is still a count of people: its value 3 is hidden as "<5" in the
    # exact rows the rule judges, and its numerator counts people.
    spec = IndicatorSpec("cost_centres", Kind.COUNT, Scope.EXTRA, numerator="cost_centres")
    frame = tidy([("lappi", None, "cost_centres", 3, None, 3.0, None, None)])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(registry, "BY_NAME", {**registry.BY_NAME, spec.name: spec})
        numerators, denominators = count_keys(frame)
        assert numerators == [("lappi", "cost_centres", None)] and denominators == [None]
        assert fmt_indicator("cost_centres", 3.0, "en") == "3"


def test_no_code_outside_the_registry_guesses_a_kind_from_a_name():
    prefix_test = re.compile(r"""(startswith|removeprefix)\(\(?\s*f?["'](share_|cost|was_|basis_|employ|rate)""")
    offenders = [f"{path.relative_to(SRC)}:{number}" for path in sorted(SRC.rglob("*.py"))
                 if path.name != "indicator_registry.py"
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if prefix_test.search(line)]
    assert offenders == []


def _training_or_service_frame():
    """One pilot at 6 months: 2 in training (small, hidden), 9 in another service, 40 followed up."""
    counts = dict(zip(SHARES, (10, 3, 2, 2, 9, 8, 3, 3)))
    eligible = sum(counts.values())
    rows = [("lappi", 6, name, n, eligible, n / eligible, 0.0, 1.0) for name, n in counts.items()]
    rows.append(("lappi", 6, "eligible", eligible, None, float(eligible), None, None))
    rows.append(("lappi", 6, "training_or_service_rate", 11, eligible, 11 / eligible, 0.0, 1.0))
    return tidy(rows)


def test_a_new_whole_declared_in_the_registry_is_protected_from_differencing():
    """A new indicator, declared here only: its count is the sum of two status shares.

    Published beside them, it would give a hidden part back (11 − 9 = 2 in training). Its
    declaration alone makes the rule hide a partner; suppression.py is not touched.
    """
    new = IndicatorSpec("training_or_service_rate", Kind.SHARE, Scope.PUBLISHED, horizon=True,
                        numerator="training_or_service_rate", denominator="eligible",
                        statuses=("training", "other_service"),
                        sums=(("share_training", "share_other_service"),), method="wilson")
    frame = _training_or_service_frame()
    key = ("lappi", "share_training", 6)
    undeclared = dataclasses.replace(new, sums=())
    with pytest.MonkeyPatch.context() as patch:
        # Without the declared sum the rule does not know the relation: the hidden 2 comes back
        # by subtraction, as a reader would do it (11 shown, 9 shown).
        patch.setattr(registry, "REGISTRY", (*registry.REGISTRY, undeclared))
        patch.setattr(registry, "BY_NAME", {**registry.BY_NAME, new.name: undeclared})
        hidden = hidden_counts(frame)
        assert key in hidden and ("lappi", "share_other_service", 6) not in hidden \
            and ("lappi", "training_or_service_rate", 6) not in hidden
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(registry, "REGISTRY", (*registry.REGISTRY, new))
        patch.setattr(registry, "BY_NAME", {**registry.BY_NAME, new.name: new})
        hidden = hidden_counts(frame)
        values = {("lappi", name, 6): n for name, n in zip(SHARES, (10, 3, 2, 2, 9, 8, 3, 3))}
        values[("lappi", "eligible", 6)] = 40
        values[("lappi", "training_or_service_rate", 6)] = 11
        # The declared sum is among what a reader knows, and nothing hidden can be recomputed from it.
        equations = published_equations(values)
        assert (("lappi", "training_or_service_rate", 6),
                [("lappi", "share_training", 6), ("lappi", "share_other_service", 6)]) in equations
        assert key in hidden
        assert ("lappi", "share_other_service", 6) in hidden or ("lappi", "training_or_service_rate", 6) in hidden
        assert recoverable_counts(values, equations, set(hidden)) == []
        shown = {k: v for k, v in values.items() if k not in hidden}
        whole, other = ("lappi", "training_or_service_rate", 6), ("lappi", "share_other_service", 6)
        assert not (whole in shown and other in shown)


def test_indicator_values_are_written_as_their_kind():
    assert fmt_indicator("employment_rate", 0.25, "en") == "25.0%"
    assert fmt_indicator("cost_per_participant", 1234.4, "en") == "€1,234"
    assert fmt_indicator("participants", 12.0, "en") == "12"
    assert fmt_indicator("was_change", 1.25, "en") == "1.2"
    assert fmt_indicator_interval("was_change", -0.5, 1.25, "en") == "\u22120.5 … 1.2"
    assert fmt_indicator_interval("employment_rate", 0.1, 0.2, "en") == "10.0–20.0%"
    assert fmt_indicator_interval("cost_per_participant", 1.0, 2.0, "en") == "–"
    with pytest.raises(KeyError):
        fmt_indicator("no_such_indicator", 1.0, "en")

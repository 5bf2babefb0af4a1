"""Hidden counts stay hidden when a reader also knows the subsets (followed up ⊆ ended ⊆
participants), that a "<5" is 1–4 and a dash 5 or more, and what a zero-width interval says.

The check is by brute force, apart from the module: the equations and subsets are written out
here from the contract, and a hidden count is safe when some other completion of the hidden
cells (each moved by -1, 0 or +1) keeps every published sum and subset and the reader's bounds.
"""
from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest

from evalkit.chapters.pilot_data import pilot_results
from evalkit.definitions import STATUS_CODES
from evalkit.indicators import published_indicators
from evalkit.suppression import hidden_counts, suppress_complementary

PK = "pohjois-karjala"
AS_OF = dt.date(2023, 10, 31)   # end 2023-06-30 + 3 months <= as_of < + 6 months
BUDGETS = {PK: 1_000_000, "lappi": 1_000_000, "hame": 1_000_000}


def register(people: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(people)
    for column in ("age", "unemployment_months", "was_start", "was_end"):
        frame[column] = frame[column].astype("Int64")
    return frame


def person(i, pilot, ended=True, basis="diagnosis", status=None, was=(None, None)):
    return {"person_id": f"{pilot}-{i}", "pilot_id": pilot, "service": "x",
            "start_date": pd.Timestamp("2023-01-02"), "end_date": pd.Timestamp("2023-06-30") if ended else pd.NaT,
            "age": 40, "sex": "F", "basis": basis, "unemployment_months": 6, "was_start": was[0],
            "was_end": was[1], "status_3m": status if ended else None, "status_6m": None, "status_12m": None,
            "cost_eur": np.nan}


def issue_register() -> pd.DataFrame:
    """The issue's case: 14 people, 13 ended and followed up at 3 months (5 employed_open,
    1 training, 7 unemployed), 1 in service; basis 12 diagnosis, 1 tasmatyo, 1 none; 10 people
    scored 5 at the start and 7 at the end (every one changed by exactly 2)."""
    statuses = ["employed_open"] * 5 + ["training"] + ["unemployed"] * 7
    basis = ["diagnosis"] * 12 + ["tasmatyo", "none"]
    return register([person(i, PK, ended=i < 13, basis=basis[i], status=statuses[i] if i < 13 else None,
                            was=(5, 7) if i < 10 else (None, None)) for i in range(14)])


def equations_of(pilot: str) -> list[tuple[str, list[str]]]:
    """The sums a reader has for one pilot at 3 months, from the contract."""
    share = {c: f"share_{c}@3" for c in STATUS_CODES}
    return [("participants", ["ended", "in_service"]),
            ("participants", ["basis_diagnosis", "basis_tasmatyo", "basis_none"]),
            ("eligible@3", list(share.values())),
            ("employment_rate@3", [share["employed_open"], share["employed_subsidised"], share["entrepreneur"]]),
            ("positive_exit_rate@3", ["employment_rate@3", share["training"], share["other_service"]]),
            ("eligible@3", ["positive_exit_rate@3", share["unemployed"], share["outside_labour_force"],
                            share["unknown"]])]


# part <= whole: the followed up have ended; a rate's count is among its denominator's people.
RELATIONS = [("eligible@3", "ended"), ("basis_tasmatyo", "participants")] + \
    [(f"share_{c}@3", "eligible@3") for c in STATUS_CODES]


def values_and_hidden(frame: pd.DataFrame, pilot: str) -> tuple[dict, set]:
    """Each count of ``pilot`` (``name`` or ``name@h``) and which the published frame hides."""
    published = suppress_complementary(frame)
    values, hidden = {}, set()
    for row, shown in zip(frame.itertuples(), published.itertuples()):
        if row.pilot_id != pilot or pd.isna(row.numerator) or row.indicator.startswith(("cost_", "was_")):
            continue
        if row.indicator == "open_employment_rate" or row.indicator == "tasmatyo_share":
            continue   # the same people as share_employed_open and basis_tasmatyo
        name = row.indicator if pd.isna(row.horizon_months) else f"{row.indicator}@{int(row.horizon_months)}"
        if not pd.isna(row.horizon_months) and int(row.horizon_months) != 3:
            continue
        values[name] = int(row.numerator)
        if pd.isna(shown.numerator):
            hidden.add(name)
    return values, hidden


def other_completion(values: dict, hidden: set, target: str, equations, relations) -> bool:
    """Is there another integer completion of the hidden counts (moved by -1/0/+1) that keeps every
    sum and subset, keeps a small count 1–4 and a partner 5 or more, and moves ``target``?"""
    linked, grew = {target}, True
    while grew:   # the hidden counts tied to the target by some sum or subset
        grew = False
        for link in [[w, *ps] for w, ps in equations] + [list(r) for r in relations]:
            if linked & set(link):
                new = {k for k in link if k in hidden} - linked
                linked |= new
                grew = grew or bool(new)
    names = sorted(linked)
    for steps in itertools.product((-1, 0, 1), repeat=len(names)):
        change = dict(zip(names, steps))
        if change[target] == 0:
            continue
        new = {k: values[k] + change.get(k, 0) for k in values}
        if any(not (1 <= new[k] <= 4) if values[k] <= 4 else new[k] < 5 for k in names):
            continue
        if all(new[w] == sum(new[p] for p in ps) for w, ps in equations if w in new and all(p in new for p in ps)) \
                and all(new[p] <= new[w] for p, w in relations if p in new and w in new):
            return True
    return False


def test_the_issue_case_is_recoverable_with_the_cells_it_hid():
    # The checker can fail: participants 14 and followed up 13 shown, in service "<5" and ended
    # hidden: 13 <= ended = 14 - in service, so in service is exactly 1 and ended 13.
    values = {"participants": 14, "ended": 13, "in_service": 1, "eligible@3": 13,
              **{f"share_{c}@3": 0 for c in STATUS_CODES},
              "share_employed_open@3": 5, "share_training@3": 1, "share_unemployed@3": 7,
              "employment_rate@3": 5, "positive_exit_rate@3": 6,
              "basis_diagnosis": 12, "basis_tasmatyo": 1, "basis_none": 1}
    old_hidden = {"ended", "in_service", "basis_tasmatyo", "basis_none", "share_training@3",
                  "share_employed_open@3", "employment_rate@3", "positive_exit_rate@3"}
    assert not other_completion(values, old_hidden, "in_service", equations_of(PK), RELATIONS)
    # 12 / <5 / <5 of 14: the two hidden bases sum to 2, so each is 1.
    assert not other_completion(values, old_hidden, "basis_tasmatyo", equations_of(PK), RELATIONS)


def test_the_issue_case_hides_enough_that_no_count_is_given_back():
    frame = published_indicators(issue_register(), AS_OF, BUDGETS)
    values, hidden = values_and_hidden(frame, PK)
    assert {"in_service", "basis_tasmatyo", "basis_none", "share_training@3"} <= hidden   # the small ones
    for name in sorted(hidden):
        assert other_completion(values, hidden, name, equations_of(PK), RELATIONS), name
    # And the total of hidden parts of a shown whole is never a small count.
    for whole, parts in equations_of(PK):
        if whole not in hidden:
            assert not 1 <= sum(values[p] for p in parts if p in hidden) <= 4, (whole, parts)
    # One pilot's register: the pooled rows are the same people, hidden alike.
    pooled_values, pooled_hidden = values_and_hidden(frame, "all")
    assert (pooled_values, pooled_hidden) == (values, hidden)


def test_a_mean_whose_interval_shows_every_value_is_hidden():
    # Everyone scored changed by exactly 2: "2,0 (2,0 … 2,0)" would say each person's change.
    results = pilot_results(issue_register(), PK, AS_OF, BUDGETS)
    row = results.rows(PK, "was_change")
    assert (row["denominator"], row["value"], row["ci_low"], row["ci_high"]) == (10, 2.0, 2.0, 2.0)
    assert not results.shown(PK, "was_change") and not results.shown(PK, "was_change", column="ci_low")
    assert not results.shown(PK, "was_change", column="numerator")   # 20 / 10 = 2 gives it back
    assert results.shown(PK, "was_change", column="denominator")


@pytest.mark.parametrize("changes, shown", [
    ([3] * 30, False),                     # 30 people, all +3: still every value
    ([2] * 9 + [3], True),                 # one differs: the interval has width
    ([1, 1, 1, 1], False),                 # fewer than five: hidden anyway
])
def test_means_are_hidden_exactly_when_their_interval_has_no_width(changes, shown):
    people = [person(i, PK, was=(4, 4 + c)) for i, c in enumerate(changes)]
    people += [person(len(changes) + i, PK) for i in range(6)]
    frame = published_indicators(register(people), AS_OF, BUDGETS)
    published = suppress_complementary(frame)
    row = published[(published.pilot_id == PK) & (published.indicator == "was_change")].iloc[0]
    assert (not pd.isna(row["value"]) and not pd.isna(row["ci_low"])) is shown


def _count_rows(indicator: str, counts: dict, horizon=None) -> list[tuple]:
    return [(p, horizon, indicator, n, None, float(n), None, None) for p, n in counts.items()]


def _tidy(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["pilot_id", "horizon_months", "indicator", "numerator", "denominator",
                                        "value", "ci_low", "ci_high"])
    return frame.astype({"horizon_months": "Int64", "numerator": "Int64", "denominator": "Int64"})


def test_two_small_pilots_summing_to_a_small_total_take_a_third_with_them():
    # Second variant of the sum rule, across pilots: in service lappi 2, hame 1, pirkanmaa 40, all
    # 43. Both small ones hidden leaves 43 - 40 = 3 people by difference (1 + 2 or 2 + 1), a small
    # count; pirkanmaa, the smallest shown one, goes with them.
    frame = _tidy(_count_rows("in_service", {"lappi": 2, "hame": 1, "pirkanmaa": 40, "uusimaa": 60, "all": 103}))
    out = suppress_complementary(frame).set_index("pilot_id")["value"].isna().to_dict()
    assert out == {"lappi": True, "hame": True, "pirkanmaa": True, "uusimaa": False, "all": False}
    # Before, with no rule on totals, the two were hidden alone (two hidden parts, not one).


def test_the_followed_up_within_the_ended_across_pilots():
    # Second variant of the subset rule, with the pooled row: lappi has 10 people, 1 in service,
    # 9 ended and followed up at 3 months; hame 50, 20 in service, 30 ended and followed up.
    # Lappi's "<5" takes its ended (9) and, across pilots, hame's in service (20) and ended (30);
    # lappi's 9 followed up would still give 9 <= ended = 10 - in service, so more must go.
    statuses = {"lappi": ["employed_open"] * 5 + ["unemployed"] * 4,
                "hame": ["employed_open"] * 10 + ["unemployed"] * 20}
    people = []
    for pilot, size, ended in (("lappi", 10, 9), ("hame", 50, 30)):
        people += [person(i, pilot, ended=i < ended, status=statuses[pilot][i] if i < ended else None)
                   for i in range(size)]
    frame = published_indicators(register(people), AS_OF, BUDGETS)
    hidden = hidden_counts(frame)
    assert ("lappi", "in_service", None) in hidden
    for pilot in ("lappi", "hame"):
        values, hidden_names = values_and_hidden(frame, pilot)
        for name in sorted(hidden_names):
            assert other_completion(values, hidden_names, name, equations_of(pilot), RELATIONS), (pilot, name)
    # Across pilots, no count with the pooled one shown is alone or a small total by difference.
    for name in ("in_service", "ended", "participants"):
        shown_all = ("all", name, None) not in hidden
        hidden_pilots = [p for p in ("lappi", "hame") if (p, name, None) in hidden]
        if shown_all:
            assert len(hidden_pilots) != 1, name

"""Pilots pooled at their common extract date: a later pilot's register as it stood on that date."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from comparison_data import make_register
from conftest import artefact_sandbox
from evalkit import indicators
from evalkit.params import DataSource
from evalkit.pooled import as_at, load_pooled
from evalkit.register import artefact

EARLY, LATE = dt.date(2023, 6, 30), dt.date(2023, 12, 31)


def _people(pilot: str) -> pd.DataFrame:
    return make_register([
        {"pilot_id": pilot, "person_id": f"{pilot}1", "start_date": "2022-01-10", "end_date": "2022-11-30",
         "status_3m": "employed_open", "status_6m": "employed_open", "was_start": 4, "was_end": 6},
        {"pilot_id": pilot, "person_id": f"{pilot}2", "start_date": "2023-02-01", "end_date": "2023-08-31",
         "status_3m": "training", "was_start": 3, "was_end": 5},          # ended after EARLY
        {"pilot_id": pilot, "person_id": f"{pilot}3", "start_date": "2023-09-15", "end_date": pd.NaT},  # began after
        {"pilot_id": pilot, "person_id": f"{pilot}4", "start_date": "2023-03-01", "end_date": pd.NaT},
    ])


def test_a_register_as_at_an_earlier_date_leaves_out_later_starts_and_reopens_later_ends():
    register = _people("lappi")
    early = as_at(register, EARLY)
    assert list(early["person_id"]) == ["lappi1", "lappi2", "lappi4"]
    second = early.set_index("person_id").loc["lappi2"]
    assert pd.isna(second["end_date"]) and pd.isna(second["was_end"]) and pd.isna(second["status_3m"])
    assert second["was_start"] == 3   # recorded at the start, before the date
    first = early.set_index("person_id").loc["lappi1"]
    assert first["end_date"] == pd.Timestamp("2022-11-30") and first["status_6m"] == "employed_open"
    assert as_at(register, LATE) is register   # nothing after the date: the very frame


def _write(folder, register: pd.DataFrame) -> None:
    folder.mkdir()
    out = register.copy()
    for column in ("start_date", "end_date"):
        out[column] = out[column].dt.strftime("%Y-%m-%d")
    out.to_csv(folder / "participants.csv", index=False)


def test_pilots_pooled_at_the_earliest_date_are_counted_there_and_kept_apart_from_other_dates(tmp_path, monkeypatch):
    _, _, _, store = artefact_sandbox(tmp_path, monkeypatch)
    _write(tmp_path / "lappi", as_at(_people("lappi"), EARLY))   # extracted on EARLY
    _write(tmp_path / "hame", _people("hame"))                    # extracted on LATE
    sources = {"lappi": DataSource("lappi", tmp_path / "lappi" / "participants.csv", EARLY, None),
               "hame": DataSource("hame", tmp_path / "hame" / "participants.csv", LATE, None)}
    budgets = {"lappi": 100_000, "hame": 100_000}
    by_hand = {"participants": 3, "ended": 1, "in_service": 2}   # for each pilot on EARLY
    with artefact.kept_in(store):
        for _ in range(2):   # the second time from the build's artefacts
            pooled = load_pooled(sources)
            assert pooled.as_of == EARLY
            frame = indicators.published_indicators(pooled.register, pooled.as_of, budgets, None)
            counts = frame[frame["horizon_months"].isna()].set_index(["pilot_id", "indicator"])["value"]
            for pilot in ("lappi", "hame"):
                assert {name: counts[(pilot, name)] for name in by_hand} == by_hand, pilot
        # The same files pooled without lappi are counted on LATE: never served the EARLY frame.
        alone = load_pooled({"hame": sources["hame"]})
        late = indicators.published_indicators(alone.register, alone.as_of, budgets, None)
    counts = late[late["horizon_months"].isna()].set_index(["pilot_id", "indicator"])["value"]
    assert alone.as_of == LATE and (counts[("hame", "participants")], counts[("hame", "ended")]) == (4, 2)


@pytest.mark.parametrize("column", ["was_end", "status_3m"])
def test_nothing_recorded_after_the_date_is_counted(column):
    early = as_at(_people("lappi"), EARLY)
    assert early.loc[early["person_id"] == "lappi2", column].isna().all()


def test_a_later_pilot_that_began_after_the_common_date_is_named_and_its_chapter_refused(tmp_path, monkeypatch):
    import types

    from evalkit.chapters import pilot as chapter
    from evalkit.errors import EvalkitError

    artefact_sandbox(tmp_path, monkeypatch)
    _write(tmp_path / "lappi", as_at(_people("lappi"), EARLY))
    hame = _people("hame")
    hame["start_date"] = pd.Timestamp("2023-09-01")   # everybody began after lappi's extract
    hame["end_date"] = pd.NaT
    hame[["status_3m", "status_6m", "was_end"]] = pd.NA
    _write(tmp_path / "hame", hame)
    sources = {"lappi": DataSource("lappi", tmp_path / "lappi" / "participants.csv", EARLY, None),
               "hame": DataSource("hame", tmp_path / "hame" / "participants.csv", LATE, None)}
    pooled = load_pooled(sources)
    assert (pooled.as_of, pooled.not_started, pooled.missing) == (EARLY, ("hame",), ())
    params = types.SimpleNamespace(data=sources["hame"].data, as_of=LATE, employers=None)
    facts = types.SimpleNamespace(by_id=lambda pilot_id: None, budgets={})
    with pytest.raises(EvalkitError) as refused:   # not "no rows of pilot hame", which blames its pilot_id
        chapter._prepare("hame", facts, params, None, own_only=False, pooled=pooled)
    assert "nobody of pilot hame had started by 2023-06-30" in str(refused.value)

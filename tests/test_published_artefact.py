"""The published frame (evalkit.indicators.published_indicators) kept as a build artefact: computed
once per build for the same register, employers, extract date, budgets, code and lock file, and read
back equal; never for anything else (evalkit.register.artefact.cached_from)."""
from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pandas as pd
import pytest

from conftest import artefact_sandbox
from evalkit import indicators
from evalkit.params import load_all_params
from evalkit.paths import project_root
from evalkit.pipeline import read_log
from evalkit.pooled import load_pooled
from evalkit.programme import current
from evalkit.register import artefact, load_employers, load_register

AS_OF = dt.date(2023, 12, 31)


@pytest.fixture
def inputs(tmp_path, monkeypatch):
    """A copy of the demo files, a fake package and lock file, the published frame's computations counted."""
    data, package, lock, store = artefact_sandbox(tmp_path, monkeypatch)
    calls = []
    real = indicators._published

    def counted(*args):
        calls.append(args[1])
        return real(*args)
    monkeypatch.setattr(indicators, "_published", counted)
    return data, package, lock, store, calls


def _published(data: Path, as_of: dt.date = AS_OF, budgets=None, employers: bool = True) -> pd.DataFrame:
    """As a page does it: load the files, then every row published from them."""
    register = load_register(data / "participants.csv", as_of)
    return indicators.published_indicators(register, as_of, budgets or current().budgets,
                                           load_employers(data / "employers.csv") if employers else None)


def _keep_lines(path: Path, count: int) -> None:
    path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:count + 1]),
                    encoding="utf-8")


def test_outside_a_build_nothing_is_kept_and_every_page_computes(inputs):
    data, _, _, store, calls = inputs
    _published(data)
    _published(data)
    assert len(calls) == 2 and not store.exists()


def test_in_a_build_the_frame_is_computed_once_and_read_back_equal(inputs):
    data, _, _, store, calls = inputs
    exact = _published(data)
    with artefact.kept_in(store):
        first = _published(data)
        again = _published(data)
    assert len(calls) == 2   # outside the build, then once in it
    for frame in (first, again):
        pd.testing.assert_frame_equal(frame, exact, check_exact=True)
    assert len(list(store.glob("published-*.parquet"))) == 1


def test_the_pooled_register_of_the_national_pages_is_computed_once(inputs):
    _, _, _, store, calls = inputs
    params = load_all_params(project_root())
    budgets = current().budgets
    pooled = load_pooled(params)
    exact = indicators.published_indicators(pooled.register, pooled.as_of, budgets, pooled.employers)
    with artefact.kept_in(store):
        frames = []
        for _ in range(2):
            pooled = load_pooled(params)
            frames.append(indicators.published_indicators(pooled.register, pooled.as_of, budgets, pooled.employers))
        # A pilot taken out of the programme's params pools other rows: computed again, and right.
        fewer = dict(list(params.items())[1:])
        pooled = load_pooled(fewer)
        without = indicators.published_indicators(pooled.register, pooled.as_of, budgets, pooled.employers)
    assert len(calls) == 3
    for frame in frames:
        pd.testing.assert_frame_equal(frame, exact, check_exact=True)
    pooled = load_pooled(fewer)
    pd.testing.assert_frame_equal(
        without, indicators.published_indicators(pooled.register, pooled.as_of, budgets, pooled.employers),
        check_exact=True)
    assert not without.equals(exact)


@pytest.mark.parametrize("change", ["register", "employers", "no employers", "as_of", "budgets"])
def test_a_changed_input_is_never_served_the_old_frame(inputs, change):
    data, _, _, store, calls = inputs
    budgets = dict(current().budgets)
    with artefact.kept_in(store):
        before = _published(data)
        _published(data)
        as_of, employers = AS_OF, True
        if change == "register":   # the same name, other bytes
            _keep_lines(data / "participants.csv", 400)
        elif change == "employers":
            _keep_lines(data / "employers.csv", 40)
        elif change == "no employers":
            employers = False
        elif change == "as_of":
            as_of = dt.date(2024, 6, 30)
        else:
            first = next(iter(budgets))
            budgets[first] += 100_000
        after = _published(data, as_of=as_of, budgets=budgets, employers=employers)
    assert len(calls) == 2   # the first once (read back the second time), the changed one again
    pd.testing.assert_frame_equal(after, _published(data, as_of=as_of, budgets=budgets, employers=employers),
                                  check_exact=True)
    assert not after.equals(before)


@pytest.mark.parametrize("change", ["module", "new file", "lock file", "lock file removed", "installed"])
def test_a_code_lock_or_library_change_is_never_served_the_old_frame(inputs, change, monkeypatch):
    data, package, lock, store, calls = inputs
    with artefact.kept_in(store):
        _published(data)
        _published(data)
        if change == "module":
            (package / "module.py").write_text("x = 2\n")
        elif change == "new file":
            (package / "other.py").write_text("")
        elif change == "lock file":
            lock.write_text("version = 2\n")
        elif change == "lock file removed":
            lock.unlink()
        else:
            shaping = artefact._shaping()
            monkeypatch.setattr(artefact, "_shaping", lambda: {**shaping, "installed": "pandas-3"})
        _published(data)
    assert len(calls) == 2


def test_a_frame_not_read_from_an_artefact_is_never_served_a_kept_frame(inputs):
    """A register filtered or built by hand has no artefact's name: computed every time, and right."""
    data, _, _, store, calls = inputs
    budgets = current().budgets
    with artefact.kept_in(store):
        register = load_register(data / "participants.csv", AS_OF)
        whole = indicators.published_indicators(register, AS_OF, budgets)
        part = register[register["pilot_id"] == register["pilot_id"].iloc[0]]
        copied = register.copy()
        filtered = indicators.published_indicators(part, AS_OF, budgets)
        again = indicators.published_indicators(copied, AS_OF, budgets)
    assert len(calls) == 3 and artefact.origin(part) is None and artefact.origin(copied) is None
    assert not filtered.equals(whole)
    pd.testing.assert_frame_equal(again, whole, check_exact=True)
    assert len(list(store.glob("published-*.parquet"))) == 1


@pytest.mark.filterwarnings("ignore:The inplace keyword")   # pandas 3.1 deprecates it: still there to guard
@pytest.mark.parametrize("change", ["rows dropped", "column dropped", "column retyped"])
def test_a_loaded_frame_changed_in_place_is_never_served_a_kept_frame(inputs, change):
    data, _, _, store, calls = inputs
    budgets = current().budgets
    with artefact.kept_in(store):
        register = load_register(data / "participants.csv", AS_OF)
        whole = indicators.published_indicators(register, AS_OF, budgets)
        if change == "rows dropped":
            register.drop(index=register.index[register["pilot_id"] == register["pilot_id"].iloc[0]],
                          inplace=True)
        elif change == "column dropped":
            del register["line"]
        else:
            register["line"] = register["line"].astype("float64")
        after = indicators.published_indicators(register, AS_OF, budgets)
    assert len(calls) == 2 and artefact.origin(register) is None
    pd.testing.assert_frame_equal(after, indicators._published(register, AS_OF, budgets, None), check_exact=True)
    assert after.equals(whole) == (change != "rows dropped")


def test_a_value_of_a_loaded_frame_cannot_change_unseen(inputs):
    """A value set in place raises, or the frame loses its name; so does a column replaced by one of its type."""
    data, _, _, store, calls = inputs
    budgets = current().budgets
    with artefact.kept_in(store):
        register = load_register(data / "participants.csv", AS_OF)
        indicators.published_indicators(register, AS_OF, budgets)
        kinds = {str(dtype) for dtype in register.dtypes}
        assert {"str", "category", "Int64"} & kinds, kinds
        for column in register.columns:   # one column of every type the register has
            if str(register[column].dtype) not in kinds:
                continue
            kinds.discard(str(register[column].dtype))
            fresh = load_register(data / "participants.csv", AS_OF)
            assert artefact.origin(fresh) is not None
            try:
                fresh.loc[fresh.index[0], column] = fresh[column].iloc[-1]
            except (ValueError, TypeError):
                assert artefact.origin(fresh) is not None   # refused: nothing changed
            else:
                assert artefact.origin(fresh) is None, column
            replaced = load_register(data / "participants.csv", AS_OF)
            replaced[column] = replaced[column].iloc[::-1].to_numpy()
            assert artefact.origin(replaced) is None, column
        after = indicators.published_indicators(replaced, AS_OF, budgets)
    assert len(calls) == 2
    pd.testing.assert_frame_equal(after, indicators._published(replaced, AS_OF, budgets, None), check_exact=True)


def test_a_failed_computation_leaves_no_artefact_and_runs_again(inputs, monkeypatch):
    data, _, _, store, calls = inputs
    real = indicators._published

    def failing(*args):
        calls.append("failed")
        raise RuntimeError("broken")
    monkeypatch.setattr(indicators, "_published", failing)
    with artefact.kept_in(store):
        for _ in range(2):
            with pytest.raises(RuntimeError, match="broken"):
                _published(data)
        assert not list(store.glob("published-*.parquet")) and not list(store.glob(".tmp-*"))
        monkeypatch.setattr(indicators, "_published", real)
        _published(data)
    assert calls == ["failed", "failed", AS_OF]   # nothing was kept: computed again
    assert len(list(store.glob("published-*.parquet"))) == 1


def test_pages_at_once_wait_for_one_computation(inputs):
    data, _, _, store, calls = inputs
    register = load_register(data / "participants.csv", AS_OF)
    frames = []
    with artefact.kept_in(store):
        registers = [load_register(data / "participants.csv", AS_OF) for _ in range(3)]
        threads = [threading.Thread(target=lambda r=r: frames.append(
            indicators.published_indicators(r, AS_OF, current().budgets))) for r in registers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(calls) == 1 and len(frames) == 3
    for frame in frames:
        pd.testing.assert_frame_equal(frame, indicators._published(register, AS_OF, current().budgets, None))


def test_a_page_reading_the_kept_frame_still_records_the_register(inputs, tmp_path):
    data, _, _, store, calls = inputs
    with artefact.kept_in(store):
        _published(data)
        read_log.start_recording(project=str(tmp_path))
        try:
            _published(data)
        finally:
            reads = read_log.recorded()
    assert len(calls) == 1
    logged = json.loads(reads)
    for name in ("participants.csv", "employers.csv"):
        assert str((data / name).relative_to(tmp_path)) in logged["reads"]
    assert logged["writes"] == []


def test_derived_names_follow_their_parts(inputs):
    """The pooled register's name says which artefacts it was taken from and what was taken."""
    data, _, _, store, _ = inputs
    with artefact.kept_in(store):
        register = load_register(data / "participants.csv", AS_OF)
        other = load_register(data / "participants.csv", dt.date(2024, 6, 30))
    frame = pd.DataFrame({"a": [1]})

    def name(*parts):
        return artefact.origin(artefact.derived(frame.copy(), list(parts)))
    assert name((register, ["a", "b"])) == name((register, ["a", "b"])) is not None
    assert len({name((register, ["a", "b"])), name((register, ["a"])), name((other, ["a", "b"])),
                name((register, ["a"]), (other, ["b"]))}) == 4
    assert name((register, ["a"]), (frame, ["b"])) is None   # a part of no artefact
    # A part taken whole (one file, every row) is that part: what is computed from either is one.
    assert artefact.origin(artefact.derived(register.copy(), [(register, ["a"])])) == artefact.origin(register)
    assert name((register.iloc[1:].reset_index(drop=True), ["a"])) is None
    shorter = register.iloc[1:].reset_index(drop=True)
    assert artefact.origin(artefact.derived(shorter, [(register, ["a"])])) not in (None, artefact.origin(register))
    assert artefact.origin(register.copy()) is None


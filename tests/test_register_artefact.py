"""A validated register kept as a build artefact (evalkit.register.artefact): read back only when the
register's bytes, the extract date, evalkit's code and uv.lock are all the same; never otherwise."""
from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pandas as pd
import pytest

from conftest import artefact_sandbox
from evalkit.errors import InputError
from evalkit.pipeline import read_log
from evalkit.register import artefact, load_employers, load_register
from evalkit.register import employers as employers_module
from evalkit.register import load as load_module

AS_OF = dt.date(2023, 12, 31)


@pytest.fixture
def inputs(tmp_path, monkeypatch):
    """A copy of the demo register and employer file, a fake package and lock file, validations counted."""
    data, package, lock, store = artefact_sandbox(tmp_path, monkeypatch)
    (package / "catalogue.yml").write_text("a: b\n")
    calls = {"register": 0, "employers": 0}

    def counted(module, kind):
        real = module._validated

        def run(*args):
            calls[kind] += 1
            return real(*args)
        monkeypatch.setattr(module, "_validated", run)
    counted(load_module, "register")
    counted(employers_module, "employers")
    return data, package, lock, store, calls


def _first_lines(path: Path, header_and: int) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)[:header_and + 1]


def test_outside_a_build_nothing_is_kept_and_every_load_validates(inputs):
    data, _, _, store, calls = inputs
    load_register(data / "participants.csv", AS_OF)
    load_register(data / "participants.csv", AS_OF)
    assert calls["register"] == 2 and not store.exists()


def test_in_a_build_a_register_is_validated_once_and_read_back_equal(inputs):
    data, _, _, store, calls = inputs
    direct = load_register(data / "participants.csv", AS_OF)
    with artefact.kept_in(store):
        first = load_register(data / "participants.csv", AS_OF)
        again = load_register(data / "participants.csv", AS_OF)
        employers = [load_employers(data / "employers.csv") for _ in range(2)]
    assert calls == {"register": 2, "employers": 1}   # the direct load, then one in the build
    for frame in (first, again):
        pd.testing.assert_frame_equal(frame, direct, check_exact=True)
        for column in ("pilot_id", "sex", "basis", "status_3m", "status_6m", "status_12m"):
            assert list(frame[column].cat.categories) == list(direct[column].cat.categories)
        assert frame.attrs == direct.attrs and frame.attrs["synthetic"] is True
    pd.testing.assert_frame_equal(employers[0], employers[1], check_exact=True)
    assert len(list(store.glob("register-*.parquet"))) == 1


def test_a_register_changed_under_the_same_name_is_validated_again(inputs):
    data, _, _, store, calls = inputs
    register = data / "participants.csv"
    with artefact.kept_in(store):
        before = load_register(register, AS_OF)
        register.write_text("".join(_first_lines(register, 50)), encoding="utf-8")
        after = load_register(register, AS_OF)
    assert calls["register"] == 2
    assert len(before) > 50 and len(after) == 50
    pd.testing.assert_frame_equal(after, load_register(register, AS_OF))


def test_another_extract_date_is_another_artefact(inputs):
    data, _, _, store, calls = inputs
    with artefact.kept_in(store):
        load_register(data / "participants.csv", AS_OF)
        load_register(data / "participants.csv", dt.date(2024, 6, 30))
    assert calls["register"] == 2


@pytest.mark.parametrize("change", ["module", "catalogue", "new file", "lock file", "lock file removed"])
def test_a_code_or_lock_file_change_is_never_served_an_old_artefact(inputs, change):
    data, package, lock, store, calls = inputs
    with artefact.kept_in(store):
        load_register(data / "participants.csv", AS_OF)
        if change == "module":
            (package / "module.py").write_text("x = 2\n")
        elif change == "catalogue":
            (package / "catalogue.yml").write_text("a: c\n")
        elif change == "new file":
            (package / "other.py").write_text("")
        elif change == "lock file":
            lock.write_text("version = 2\n")
        else:
            lock.unlink()
        load_register(data / "participants.csv", AS_OF)
        load_employers(data / "employers.csv")
    assert calls["register"] == 2


def test_a_bad_register_leaves_no_artefact_and_fails_every_time(inputs):
    data, _, _, store, calls = inputs
    register = data / "participants.csv"
    lines = _first_lines(register, 5)
    lines[3] = lines[3].replace(",F,", ",X,").replace(",M,", ",X,")
    register.write_text("".join(lines), encoding="utf-8")
    with artefact.kept_in(store):
        for _ in range(2):
            with pytest.raises(InputError, match="sex"):
                load_register(register, AS_OF)
    assert calls["register"] == 2 and not list(store.glob("*.parquet"))


def test_a_pilot_filtered_load_still_refuses_other_pilots(inputs):
    data, _, _, store, _ = inputs
    with artefact.kept_in(store):
        load_register(data / "participants.csv", AS_OF)
        with pytest.raises(InputError, match="belong to pilot"):
            load_register(data / "participants.csv", AS_OF, pilot_id="lappi")


def test_a_page_reading_the_artefact_still_records_the_register(inputs, tmp_path):
    data, _, _, store, calls = inputs
    with artefact.kept_in(store):
        load_register(data / "participants.csv", AS_OF)
        read_log.start_recording(project=str(tmp_path))
        try:
            load_register(data / "participants.csv", AS_OF)
        finally:
            reads = read_log.recorded()
    assert calls["register"] == 1
    logged = json.loads(reads)
    assert str((data / "participants.csv").relative_to(tmp_path)) in logged["reads"]
    assert logged["writes"] == []   # a lock or artefact of a build folder is no page's output


def test_loads_at_once_wait_for_one_validation(inputs):
    data, _, _, store, calls = inputs
    frames = []
    with artefact.kept_in(store):
        threads = [threading.Thread(target=lambda: frames.append(load_register(data / "participants.csv", AS_OF)))
                   for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert calls["register"] == 1 and len(frames) == 3


def test_a_new_version_of_a_register_replaces_the_old_artefact(inputs):
    data, _, _, store, _ = inputs
    register = data / "participants.csv"
    with artefact.kept_in(store):
        load_register(register, AS_OF)
        load_register(register, dt.date(2024, 6, 30))
        register.write_text("".join(_first_lines(register, 50)), encoding="utf-8")
        load_register(register, AS_OF)
    # One artefact per source: the changed register at AS_OF, and the other extract date.
    assert len(list(store.glob("register-*.parquet"))) == 2


def test_a_killed_builds_half_written_artefact_is_swept_at_the_next_build(tmp_path):
    from evalkit.pipeline.orchestrate import _clean_litter

    store = tmp_path / "_build" / "artefacts"
    store.mkdir(parents=True)
    (store / ".tmp-abc123.parquet").write_bytes(b"PAR1 half")
    kept = store / "register-participants-0123.parquet"
    kept.write_bytes(b"PAR1 whole")
    _clean_litter(tmp_path / "_build")
    assert sorted(p.name for p in store.iterdir()) == [kept.name]


@pytest.mark.parametrize("change", ["pilots", "installed"])
def test_another_programme_or_other_libraries_are_never_served_an_old_artefact(inputs, change, monkeypatch):
    """The register's allowed pilot ids come from programme.yml; the frame's types from the libraries."""
    from evalkit.definitions import PILOT_IDS

    data, _, _, store, calls = inputs
    assert artefact._shaping()["pilots"] == list(PILOT_IDS)
    with artefact.kept_in(store):
        load_register(data / "participants.csv", AS_OF)
        shaping = artefact._shaping()
        changed = {**shaping, change: [*reversed(shaping["pilots"])] if change == "pilots" else "pandas-3"}
        monkeypatch.setattr(artefact, "_shaping", lambda: changed)
        load_register(data / "participants.csv", AS_OF)
    assert calls["register"] == 2


def test_a_register_changed_while_it_was_validated_is_not_kept(inputs, monkeypatch):
    """The artefact's name is the file's digest before reading: a file changed meanwhile may give either version."""
    data, _, _, store, calls = inputs
    register = data / "participants.csv"
    real = load_module._validated

    def rewritten_while_read(*args):
        frame = real(*args)
        register.write_text("".join(_first_lines(register, 50)), encoding="utf-8")
        return frame
    monkeypatch.setattr(load_module, "_validated", rewritten_while_read)
    with artefact.kept_in(store):
        load_register(register, AS_OF)
    assert not list(store.glob("register-*.parquet"))


def test_a_frame_given_another_index_loses_its_artefacts_name(inputs):
    data, _, _, store, _ = inputs
    with artefact.kept_in(store):
        frame = load_register(data / "participants.csv", AS_OF)
        assert artefact.origin(frame) is not None
        frame.index = frame.index + 1
        assert artefact.origin(frame) is None

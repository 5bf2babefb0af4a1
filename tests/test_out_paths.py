"""``evalkit pilot --out`` values that can never be written are refused at once, in one line, before
the inputs are validated; an error while writing (a full disk) is one line naming the path."""
from __future__ import annotations

import errno
import tempfile

import pytest

from bounded import assert_refused, run_bounded
from evalkit.cli import main
from register_rows import row, write_register


@pytest.fixture
def register(tmp_path):
    return write_register(tmp_path, row(), row(person_id="p2"))


@pytest.mark.parametrize("out, words", [
    ("participants.csv/report", "participants.csv is a file, not a folder"),
    ("participants.csv/a/b", "participants.csv is a file, not a folder"),
    ("participants.csv", "exists and is not a folder"),
    ("/proc/report", "is inside /proc, a system folder"),
    ("/sys/class/report", "is inside /sys, a system folder"),
    ("/dev/shm/report", "is inside /dev, a system folder"),
], ids=["inside-a-file", "deep-inside-a-file", "a-file", "proc", "sys", "dev"])
def test_an_out_that_can_never_be_written_is_one_line_before_validation(tmp_path, register, out, words):
    # The data file does not exist: the --out check comes first, so it is the only line.
    done = run_bounded("pilot", "lappi", "--data", str(tmp_path / "missing.csv"), "--as-of", "2023-12-31",
                       "--out", out, "--no-pdf", cwd=tmp_path, timeout=30)
    assert_refused(done, f"--out {out}: ", words)
    assert not list(tmp_path.glob(".*building*")) and not list(tmp_path.glob(".evalkit-probe-*"))


def test_an_out_inside_a_file_with_good_data_is_not_an_internal_error(tmp_path, register):
    done = run_bounded("pilot", "lappi", "--data", str(register), "--as-of", "2023-12-31",
                       "--out", str(register / "report"), "--no-pdf", timeout=60)
    assert_refused(done, "participants.csv is a file, not a folder")


def test_a_folder_that_refuses_writing_is_named(tmp_path, register, monkeypatch, capsys):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")
    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    code = main(["pilot", "lappi", "--data", str(register), "--as-of", "2023-12-31",
                 "--out", str(tmp_path / "report"), "--no-pdf"])
    err = capsys.readouterr().err
    assert code == 2 and err.splitlines() == [
        f"evalkit pilot: --out {tmp_path / 'report'}: cannot write in {tmp_path}: Read-only file system; "
        "choose another --out"]


def test_a_full_disk_while_writing_is_one_line_naming_the_path(tmp_path, register, monkeypatch, capsys):
    from evalkit.pipeline import pilot_report

    written = tmp_path / ".report-building-x" / "pages" / "index.html"

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(written))
    monkeypatch.setattr(pilot_report, "build_pilot_report", full)
    code = main(["pilot", "lappi", "--data", str(register), "--as-of", "2023-12-31",
                 "--out", str(tmp_path / "report"), "--no-pdf"])
    err = capsys.readouterr().err
    assert code == 2 and err.splitlines() == [
        f"evalkit pilot: --out {tmp_path / 'report'}: could not write {written}: No space left on device; "
        "the folder is left as it was"]


def test_an_operating_system_error_in_any_command_is_one_line_with_its_path(monkeypatch, capsys):
    from evalkit.commands import claims

    def full(args):
        raise OSError(errno.ENOSPC, "No space left on device", "/srv/evalkit/_build/data/claims.csv")
    monkeypatch.setattr(claims, "run", full)
    code = main(["claims"])
    err = capsys.readouterr().err
    assert code == 1 and err.splitlines() == [
        "evalkit claims: /srv/evalkit/_build/data/claims.csv: No space left on device"]

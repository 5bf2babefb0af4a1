"""Argument types shared by the register commands (argparse reports their errors itself)."""
from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path


def as_of_date(text: str) -> dt.date:
    from evalkit.definitions import extract_date_problem

    try:
        as_of = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None
    problem = extract_date_problem(as_of)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return as_of


def whole_from_one(too_small: str):
    """An argparse type: a whole number from 1 up; ``too_small`` (``{value}`` filled in) says why less won't do."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < 1:
            raise argparse.ArgumentTypeError(too_small.format(value=value))
        return value
    return parse


jobs_count = whole_from_one("{value} pages at once would run nothing; give 1 or more")   # --jobs N


def pilot_choice(text: str) -> str:
    from evalkit.errors import EvalkitError
    from evalkit.programme import current
    try:
        ids = current().pilot_ids
    except EvalkitError as exc:
        raise argparse.ArgumentTypeError(f"no programme to check the pilot against: {exc}") from None
    if text not in ids:
        raise argparse.ArgumentTypeError(f"unknown pilot {text!r}; choose one of {', '.join(ids)}")
    return text


def load_inputs(data, as_of: dt.date, pilot_id: str | None, employers_path=None):
    """The register and, when given, the employer file, with every problem of both reported at once."""
    from evalkit.errors import InputError
    from evalkit.register import load_employers, load_register

    problems, register, employers = [], None, None
    try:
        register = load_register(data, as_of, pilot_id=pilot_id)
    except InputError as exc:
        problems += exc.problems
    if employers_path:
        try:
            employers = load_employers(employers_path)
        except InputError as exc:
            problems += exc.problems
        if employers is not None and pilot_id is not None:   # as `evalkit pilot` refuses them
            from evalkit.register.employers import other_pilot_employers

            problems += other_pilot_employers(employers, pilot_id, Path(employers_path).name)
    if problems:
        raise InputError(problems)
    return register, employers


SYSTEM_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"))


def check_out_path(out: Path) -> None:
    """Refuse an ``--out`` folder that could never be written, before any slow work is done.

    The report is built beside ``out`` and moved in, so the folder that will hold ``out`` must
    take a new folder: the nearest existing one gets a probe folder, removed at once (nothing
    else is created). A file on the way (``lappi.csv/report``), a system folder (``/proc``,
    ``/sys``, ``/dev``), a read-only or full file system, or a folder without write permission
    is one line.

    Raises
    ------
    EvalkitError
        Naming ``out`` and what is in the way.
    """
    import tempfile

    from evalkit.errors import EvalkitError

    target = Path(os.path.abspath(out))
    system = [folder for folder in SYSTEM_FOLDERS if folder == target or folder in target.parents]
    if system:
        raise EvalkitError(f"--out {out}: is inside {system[0]}, a system folder, not a place for a report; "
                           "choose another --out")
    if target.exists() and not target.is_dir():
        raise EvalkitError(f"--out {out}: exists and is not a folder; choose another --out")
    holder = target.parent
    while not holder.exists() and holder != holder.parent:
        holder = holder.parent
    if not holder.is_dir():
        raise EvalkitError(f"--out {out}: {holder} is a file, not a folder; choose another --out")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".evalkit-probe-", dir=holder))
    except OSError as exc:
        raise EvalkitError(f"--out {out}: cannot write in {holder}: {exc.strerror}; choose another --out") from None


def write_failed(exc: OSError, out: Path) -> str:
    """An error while writing ``--out`` (a full disk, a lost permission) as one line naming the path."""
    where = exc.filename or out
    return f"--out {out}: could not write {where}: {exc.strerror or exc}; the folder is left as it was"

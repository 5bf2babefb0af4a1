"""Argument types shared by the register commands (argparse reports their errors itself)."""
from __future__ import annotations

import argparse
import datetime as dt


def as_of_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def pilot_choice(text: str) -> str:
    from evalkit.definitions import PILOT_IDS
    if text not in PILOT_IDS:
        raise argparse.ArgumentTypeError(f"unknown pilot {text!r}; choose one of {', '.join(PILOT_IDS)}")
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
    if problems:
        raise InputError(problems)
    return register, employers

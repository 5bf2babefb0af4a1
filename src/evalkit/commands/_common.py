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
    from evalkit.reported import PILOT_IDS
    if text not in PILOT_IDS:
        raise argparse.ArgumentTypeError(f"unknown pilot {text!r}; choose one of {', '.join(PILOT_IDS)}")
    return text

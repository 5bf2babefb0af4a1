"""Helpers for register tests: write a small participants table from a few readable rows."""
from __future__ import annotations

from pathlib import Path

HEADER = ("person_id,pilot_id,service,start_date,end_date,age,sex,basis,unemployment_months,"
          "was_start,was_end,status_3m,status_6m,status_12m,cost_eur")

# A valid row; tests change one field at a time with row(**changes).
BASE = {
    "person_id": "p1", "pilot_id": "lappi", "service": "coaching", "start_date": "2022-01-10",
    "end_date": "2022-06-30", "age": "34", "sex": "F", "basis": "diagnosis",
    "unemployment_months": "12", "was_start": "5", "was_end": "7",
    "status_3m": "employed_open", "status_6m": "unemployed", "status_12m": "",
    "cost_eur": "1200.50",
}
COLUMNS = HEADER.split(",")


def row(**changes: str) -> str:
    values = {**BASE, **changes}
    return ",".join(values[c] for c in COLUMNS)


def write_register(folder: Path, *rows: str, name: str = "participants.csv",
                   header: str = HEADER) -> Path:
    path = folder / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path

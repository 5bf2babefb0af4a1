"""Small synthetic registers for the comparison tests (contract columns, as load_register returns)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.definitions import REGISTER_COLUMNS


def make_register(rows: list[dict]) -> pd.DataFrame:
    """A register frame from partial rows; unspecified columns get plain defaults."""
    defaults = {
        "service": "coaching", "start_date": "2021-05-01", "end_date": "2021-12-31",
        "age": 40, "sex": "F", "basis": "diagnosis", "unemployment_months": 12,
        "was_start": pd.NA, "was_end": pd.NA,
        "status_3m": pd.NA, "status_6m": pd.NA, "status_12m": pd.NA, "cost_eur": pd.NA,
    }
    full = []
    for i, row in enumerate(rows):
        merged = {**defaults, "person_id": f"p{i}", **row}
        full.append(merged)
    frame = pd.DataFrame(full)[list(REGISTER_COLUMNS)]
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    for column in ("age", "unemployment_months", "was_start", "was_end"):
        frame[column] = frame[column].astype("Int64")
    return frame


def random_register(seed: int = 1, pilots=("hame", "lappi", "uusimaa"), n_per_pilot: int = 120,
                    effects=(0.0, 0.5, -0.4)) -> pd.DataFrame:
    """A register where pilots differ in case mix and in a true log-odds effect."""
    rng = np.random.default_rng(seed)
    rows = []
    for pilot, effect in zip(pilots, effects):
        for _ in range(n_per_pilot):
            age = int(rng.integers(20, 64))
            sex = str(rng.choice(["F", "M"]))
            basis = str(rng.choice(["diagnosis", "tasmatyo", "none"], p=[0.5, 0.3, 0.2]))
            months = int(rng.integers(0, 48))
            lin = -0.3 + effect - 0.03 * (age - 40) + (0.3 if sex == "F" else 0) \
                - 0.02 * months + (0.4 if basis == "tasmatyo" else 0)
            employed = rng.random() < 1 / (1 + np.exp(-lin))
            other = str(rng.choice(["unemployed", "training", "unknown", "outside_labour_force"]))
            status = str(rng.choice(["employed_open", "employed_subsidised"])) if employed else other
            rows.append({"pilot_id": pilot, "age": age, "sex": sex, "basis": basis,
                         "unemployment_months": months, "end_date": "2021-06-30",
                         "status_3m": status, "status_6m": status, "status_12m": status,
                         "was_start": int(rng.integers(2, 8)),
                         "was_end": int(np.clip(rng.integers(2, 8) + rng.integers(-1, 3), 0, 10))})
    return make_register(rows)

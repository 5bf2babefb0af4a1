"""The contract's vocabulary (CONTRACT.md): codes and horizons, in one place (indicators: indicator_registry)."""
from __future__ import annotations

from typing import Literal, get_args

# The eight pilots in the contract's order, which is also the order of every table and of the
# pilots' colours; declared as a type so that a model's field refuses any other value.
PilotId = Literal[
    "pohjois-pohjanmaa", "uusimaa", "pohjois-karjala", "etela-pohjanmaa",
    "lappi", "pirkanmaa", "pohjanmaa", "hame",
]
PILOT_IDS: tuple[str, ...] = get_args(PilotId)

STATUS_CODES = (
    "employed_open", "employed_subsidised", "entrepreneur", "training",
    "other_service", "unemployed", "outside_labour_force", "unknown",
)
EMPLOYED_CODES = frozenset({"employed_open", "employed_subsidised", "entrepreneur"})
POSITIVE_EXIT_CODES = EMPLOYED_CODES | {"training", "other_service"}
HORIZONS = (3, 6, 12)
SEX_CODES = ("F", "M", "U")
BASIS_CODES = ("diagnosis", "tasmatyo", "none")
POOLED = "all"

# Indicator names, kinds and relations are declared in evalkit.indicator_registry.

# The confidence level of every interval evalkit computes (Wilson, t, Wald, delta method) and the
# matching test level the book reads p-values against; the prose glues these, so text and
# computation cannot disagree.
CONFIDENCE_LEVEL = 0.95
SIGNIFICANCE_LEVEL = round(1 - CONFIDENCE_LEVEL, 10)

# Work ability score bands, inclusive, in the conventional grading of the 0-10 scale.
WAS_BANDS = {"poor": (0, 5), "moderate": (6, 7), "good": (8, 9), "excellent": (10, 10)}

REGISTER_COLUMNS = (
    "person_id", "pilot_id", "service", "start_date", "end_date", "age", "sex", "basis",
    "unemployment_months", "was_start", "was_end", "status_3m", "status_6m", "status_12m",
    "cost_eur",
)
OPTIONAL_REGISTER_COLUMNS = ("cost_eur",)

"""The contract's vocabulary (CONTRACT.md): codes and horizons, in one place (indicators: indicator_registry)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence


class _ProgrammePilotIds(Sequence):
    """The active programme's pilot ids in its order (``evalkit.programme.current``), read when used.

    The pilots are data, not code: the programme folder's ``programme.yml`` names them. Their order
    is that of every table and of the pilots' colours. Equal to a tuple of the same ids.
    """

    def _ids(self) -> tuple[str, ...]:
        from evalkit.programme import current
        return current().pilot_ids

    def __getitem__(self, index):
        return self._ids()[index]

    def __len__(self) -> int:
        return len(self._ids())

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids())

    def __contains__(self, value: object) -> bool:
        return value in self._ids()

    def __eq__(self, other: object) -> bool:
        return tuple(self._ids()) == tuple(other) if isinstance(other, Sequence | tuple) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._ids())

    def __repr__(self) -> str:
        return f"PILOT_IDS{self._ids()!r}"


PILOT_IDS: Sequence[str] = _ProgrammePilotIds()

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


# The years a date of a register, a programme or an extract can fall in: pandas keeps dates in
# nanoseconds, which end in 2262, and a service of 1500 or 9999 is a typing error, not a date to
# count from. Here, not in evalkit.register.parse: checking a params file needs no data stack.
FIRST_YEAR, LAST_YEAR = 1900, 2099


def extract_date_problem(as_of: dt.date) -> str | None:
    """Why ``as_of`` cannot be an extract date, or None when it can.

    An extract date before 1900 is a typo too (``0001-01-01``): no register date can be that early
    (:data:`FIRST_YEAR`), and every horizon would be still to come.

    An extract date after today is a typo: every person who ended service before it would count as
    followed up, with an empty status read as ``unknown`` (CONTRACT.md, "Horizons and who counts"),
    and every rate would fall without a word.

    Today is taken with a day's slack: a machine's clock on UTC is still on yesterday for the first
    hours of a Finnish day, and an extract of that day is no typo.
    """
    if as_of.year < FIRST_YEAR:
        return (f"{as_of.isoformat()} is before the year {FIRST_YEAR}; as_of is the day the data were "
                "extracted from the register")
    latest = dt.date.today() + dt.timedelta(days=1)
    if as_of > latest:
        return (f"{as_of.isoformat()} is after today ({dt.date.today().isoformat()}); as_of is the day the data "
                "were extracted from the register")
    return None

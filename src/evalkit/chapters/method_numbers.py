"""The method's own numbers as a reader sees them, formatted for the prose.

They are the follow-up times, confidence and test levels, the work ability scale and the
small-cell thresholds.

They are constants of the code, not results, but the prose names them; typed into the catalogue
they could drift from what is computed. Chapters glue these texts (``{glue:text}`ci_level` ``
etc.) in their ``setup``, each with its own ``glue`` so that tests can watch it.
"""
from __future__ import annotations

from evalkit.definitions import CONFIDENCE_LEVEL, HORIZONS, SIGNIFICANCE_LEVEL
from evalkit.formatting import fmt_list, fmt_number, fmt_percent, fmt_range
from evalkit.register.schema import WAS_RANGE
from evalkit.suppression import MIN_DENOMINATOR, SMALL_COUNT_MAX

SMALLEST_HIDDEN_COUNT = 1  # zero is shown: it discloses nobody


def decimals_needed(value: float, most: int = 4) -> int:
    """The fewest decimals that write ``value`` exactly (up to ``most``): 95 → 0, 99.8 → 1."""
    return next((d for d in range(most + 1) if abs(round(value, d) - value) < 1e-9), most)


def level_text(level: float) -> str:
    """A confidence or control level as a percentage, as short as it can be: ``95 %``, ``99,8 %``."""
    return fmt_percent(level, decimals_needed(level * 100))


def method_numbers() -> dict[str, str]:
    """Glue name → text in the active language."""
    horizons = [fmt_number(h) for h in HORIZONS]
    return {
        "ci_level": level_text(CONFIDENCE_LEVEL),
        "significance_level": fmt_number(SIGNIFICANCE_LEVEL, decimals_needed(SIGNIFICANCE_LEVEL)),
        "horizons_and": fmt_list(horizons, "and"),
        "horizons_or": fmt_list(horizons, "or"),
        "was_scale": fmt_range(*WAS_RANGE),
        "small_counts": fmt_range(SMALLEST_HIDDEN_COUNT, SMALL_COUNT_MAX),
        "min_denominator": fmt_number(MIN_DENOMINATOR),
    }

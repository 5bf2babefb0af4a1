"""Facts the ministry's report states about each pilot (``data/reported/pilots.yml``).

The file is declared as models (:class:`PilotFacts`, :class:`Pilot`) and checked on load
(:func:`load_pilots`).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import StrictBool, StrictInt, ValidationError, field_validator

from evalkit.errors import InputError, InputProblem
from evalkit.input_models import InputModel, key_path, messages, refusal
from evalkit.paths import pilots_file
from evalkit.programme import KnownPilotId, current
from evalkit.yaml_input import load_yaml

# The four focus areas (painopisteet) of the programme: the report's section 2.1, table 1.
FOCUS_AREAS = (1, 2, 3, 4)
FocusArea = Literal[FOCUS_AREAS]


class Pilot(InputModel):
    """One pilot as the report states it; the section of each field is in ``PilotFacts.sources``."""

    pilot_id: KnownPilotId
    region: str
    ely_centre: str
    project_name: str
    budget_eur: StrictInt
    focus_areas: tuple[FocusArea, ...]
    continued_2023: StrictBool
    call_order: StrictInt

    @field_validator("budget_eur")
    @classmethod
    def _positive(cls, budget: int) -> int:
        if budget <= 0:
            raise refusal("a budget is a positive number of euros")
        return budget

    @field_validator("focus_areas")
    @classmethod
    def _area_1_chosen(cls, areas: tuple[int, ...]) -> tuple[int, ...]:
        # Table 1: identifying clients and their service needs was every pilot's first area.
        if 1 not in areas:
            raise refusal("focus areas are 1–4, and every pilot chose area 1")
        return areas


class PilotFacts(InputModel):
    """The whole of ``pilots.yml``: the programme's pilots, the focus areas' names and each field's source.

    ``pilots`` holds exactly the pilots of ``programme.yml``, sorted by ``call_order`` (the
    report's funding-list order) whatever their order in the file; ``focus_area_names`` names
    the focus areas 1–4 (section 2.1, table 1); ``sources`` gives, for every field of a
    :class:`Pilot` but ``pilot_id``, the report section it comes from.
    """

    sources: dict[str, str]
    focus_area_names: dict[FocusArea, str]
    pilots: tuple[Pilot, ...]

    @field_validator("sources")
    @classmethod
    def _every_field_sourced(cls, sources: dict[str, str]) -> dict[str, str]:
        missing = [name for name in Pilot.model_fields if name != "pilot_id" and name not in sources]
        if missing:
            raise refusal(f"every field needs the report section it comes from; none for "
                          f"{', '.join(missing)}")
        return sources

    @field_validator("pilots")
    @classmethod
    def _the_eight_in_call_order(cls, pilots: tuple[Pilot, ...]) -> tuple[Pilot, ...]:
        ids = current().pilot_ids
        if sorted(p.pilot_id for p in pilots) != sorted(ids):
            raise refusal(f"expected exactly the programme's pilots {', '.join(ids)}")
        return tuple(sorted(pilots, key=lambda p: p.call_order))

    def by_id(self, pilot_id: str) -> Pilot:
        """The pilot with this ``pilot_id``.

        Raises
        ------
        KeyError
            No pilot has that id.
        """
        for pilot in self.pilots:
            if pilot.pilot_id == pilot_id:
                return pilot
        raise KeyError(pilot_id)

    @property
    def budgets(self) -> dict[str, int]:
        """Each pilot's budget in euros (``budget_eur``) by ``pilot_id``, in funding-list order."""
        return {p.pilot_id: p.budget_eur for p in self.pilots}


def load_pilots(path: Path | None = None) -> PilotFacts:
    """Load ``pilots.yml`` (default: the project's ``data/reported/pilots.yml``).

    Parameters
    ----------
    path
        The pilots file; each path is read once per process.

    Returns
    -------
    PilotFacts
        The programme's pilots in the report's funding-list order (``call_order``).

    Raises
    ------
    InputError
        One line per problem, naming the file and the key (``pilots[2].budget_eur``).
    """
    path = path or pilots_file()
    return _load_pilots_cached(str(path))


@lru_cache(maxsize=8)
def _load_pilots_cached(path_text: str) -> PilotFacts:
    path = Path(path_text)
    raw = load_yaml(path, path.name)
    try:
        facts = PilotFacts.model_validate(raw)
    except ValidationError as exc:
        raise InputError([InputProblem(path.name, None, key_path(loc) or None, message)
                          for loc, message in messages(exc, PilotFacts)]) from None
    programme = current()
    problems = []
    # The programme's budgets and project names are these facts: the two files may not disagree.
    for index, pilot in enumerate(raw["pilots"]):
        stated = programme.by_id(pilot["pilot_id"])
        main = programme.languages[0]
        for key, said in (("budget_eur", stated.budget_eur), ("project_name", stated.project_in(main))):
            if pilot[key] != said:
                problems.append(InputProblem(path.name, None, f"pilots[{index}].{key}", f"{pilot[key]!r} here, but "
                                             f"programme.yml says {said!r}; the two must agree"))
    if problems:
        raise InputError(problems)
    return facts

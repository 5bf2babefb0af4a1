"""Every indicator evalkit computes or publishes, declared once (:data:`REGISTRY`).

One :class:`IndicatorSpec` per indicator states what the rest of evalkit needs to know about it,
so that nothing infers it from the indicator's name:

- its :class:`Kind` (a share of people, a count of people, money per person, a mean over people)
  and whether it is computed at each follow-up time;
- its numerator and denominator as *named counts of people* (the name of the count they are, so
  that two rows showing the same people share it), or None where the column is not people (a
  budget, a sum of score changes); a share of status codes also names the codes it counts;
- the parts its count is the sum of, and the counts it is a subset of: the relations a reader of
  the published tables knows, from which the small-cell rule derives its complementary
  suppression (:mod:`evalkit.suppression`);
- whether less is better, the range a goal's target on it may take (None: no goal can be set on
  it), the range of its value, the estimation method of its interval, how it is formatted, and
  its catalogue label.

Readers: :mod:`evalkit.indicators` (computation), :mod:`evalkit.indicator_schema` (the pandera
model), :mod:`evalkit.suppression` (kinds, counts, part groups, subsets), :mod:`evalkit.params`
and :mod:`evalkit.goals` (goal indicators, horizons, target ranges, direction), the chapters
(formatting, labels), :mod:`evalkit.compare` and the command line (choices). Adding an indicator
is one entry here, its catalogue texts and its tests.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from evalkit.definitions import BASIS_CODES, EMPLOYED_CODES, HORIZONS, POSITIVE_EXIT_CODES, STATUS_CODES, WAS_BANDS


class Kind(enum.Enum):
    """What kind of number an indicator is; decides its checks, its suppression and its format."""

    SHARE = "share"    #: numerator / denominator, both people; 0–1 with a Wilson interval
    COUNT = "count"    #: a count of people (or employers, hires): value = numerator, no denominator
    MONEY = "money"    #: euros per person: a budget (not people) over a count of people
    MEAN = "mean"      #: a mean over people of a per-person score change; numerator its sum


class Scope(enum.Enum):
    """Where an indicator is part of the output."""

    CONTRACT = "contract"      #: ``evalkit indicators`` (CONTRACT.md)
    EXTRA = "extra"            #: ``evalkit indicators --all`` too
    PUBLISHED = "published"    #: only the published frame (pages and exports)


#: ``(horizon of this count, whole count, horizon of the whole)``: this indicator's people are a
#: subset of the whole's. A horizon None means the count has none.
Subset = tuple["int | None", str, "int | None"]


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator's declaration (see the module text).

    Attributes
    ----------
    name : str
        The indicator's name in every frame and file.
    kind : Kind
        Share, count, money or mean.
    scope : Scope
        Contract, ``--all`` or published only.
    horizon : bool
        Computed at each follow-up time (3, 6 and 12 months).
    numerator : str or None
        The named count of people the numerator is (a share's own name unless its people are
        another row's, a count's own name); None when it is not people (a budget, a sum of score
        changes).
    denominator : str or None
        The named count of people the denominator is; None for a count.
    statuses : tuple of str
        For a share among the people followed up: the status codes its numerator counts.
    sums : tuple of tuple of str
        Each a list of named counts whose sum is this indicator's count (whole = sum of parts).
    subset_of : tuple of Subset
        Counts this indicator's people lie within, beyond its own denominator.
    lower_is_better : bool
        A goal's target on it is a ceiling.
    goal_range : (float, float) or None
        The range a goal's target may take; None: no goal may name it.
    value_range : (float, float) or None
        The range of its value (a mean's scale), checked by the frame's model.
    method : str
        The interval's estimation method (:func:`evalkit.indicators.estimate`): ``wilson``,
        ``t`` or ``none``.
    digits : int
        Decimals a mean is shown with.
    label : str or None
        The catalogue key of its name for a reader.
    label_values : dict of str to str
        Values of the label, each a catalogue key (``status`` of a status share).
    """

    name: str
    kind: Kind
    scope: Scope
    horizon: bool = False
    numerator: str | None = None
    denominator: str | None = None
    statuses: tuple[str, ...] = ()
    sums: tuple[tuple[str, ...], ...] = ()
    subset_of: tuple[Subset, ...] = ()
    lower_is_better: bool = False
    goal_range: tuple[float, float] | None = None
    value_range: tuple[float, float] | None = None
    method: str = "none"
    digits: int = 1
    label: str | None = None
    label_values: dict[str, str] = field(default_factory=dict)


SHARE_RANGE = (0.0, 1.0)
# The score runs 0-10, so a person's change lies within -10..10, and so does a mean of them.
WAS_CHANGE_RANGE = (-10.0, 10.0)
# Statuses where less is better: a goal on their share is a ceiling.
_WORSE_STATUSES = frozenset({"unemployed", "outside_labour_force", "unknown"})


def _shares(codes) -> tuple[str, ...]:
    return tuple(f"share_{code}" for code in STATUS_CODES if code in set(codes))


def _followed_up(name: str, statuses, *, label: str | None = None, label_values=None, numerator=None,
                 sums=(), subset_of=(), lower_is_better=False) -> IndicatorSpec:
    """A share of the people followed up at each horizon (``eligible``) by their status."""
    return IndicatorSpec(name, Kind.SHARE, Scope.CONTRACT, horizon=True, numerator=numerator or name,
                         denominator="eligible", statuses=tuple(c for c in STATUS_CODES if c in set(statuses)),
                         sums=sums, subset_of=subset_of, lower_is_better=lower_is_better,
                         goal_range=SHARE_RANGE, method="wilson", label=label or f"pilot.indicator.{name}",
                         label_values=label_values or {})


def _count(name: str, scope: Scope, horizon: bool = False, sums=(), subset_of=()) -> IndicatorSpec:
    return IndicatorSpec(name, Kind.COUNT, scope, horizon=horizon, numerator=name, sums=sums,
                         subset_of=subset_of)


def _share(name: str, scope: Scope, denominator: str, sums=(), label=None) -> IndicatorSpec:
    return IndicatorSpec(name, Kind.SHARE, scope, numerator=name, denominator=denominator, sums=sums,
                         method="wilson", label=label)


_BANDS = tuple(WAS_BANDS)

#: Every indicator, in the report's order (the order of rows in every frame and file).
REGISTRY: tuple[IndicatorSpec, ...] = (
    _followed_up("employment_rate", EMPLOYED_CODES, sums=(_shares(EMPLOYED_CODES),)),
    _followed_up("open_employment_rate", {"employed_open"}, numerator="share_employed_open"),
    _followed_up("positive_exit_rate", POSITIVE_EXIT_CODES,
                 sums=(("employment_rate", *_shares(POSITIVE_EXIT_CODES - EMPLOYED_CODES)),
                       _shares(POSITIVE_EXIT_CODES))),
    *(_followed_up(f"share_{code}", {code}, label="pilot.indicator.share",
                   label_values={"status": f"pilot.status.{code}"}, lower_is_better=code in _WORSE_STATUSES)
      for code in STATUS_CODES),
    IndicatorSpec("cost_per_employed", Kind.MONEY, Scope.CONTRACT, horizon=True, denominator="employment_rate",
                  lower_is_better=True, label="pilot.cost.cost_per_employed"),
    IndicatorSpec("cost_per_positive_exit", Kind.MONEY, Scope.CONTRACT, horizon=True,
                  denominator="positive_exit_rate", lower_is_better=True, label="pilot.cost.cost_per_positive_exit"),
    # The people with both scores are the mean's own count, named after it.
    IndicatorSpec("was_change", Kind.MEAN, Scope.CONTRACT, denominator="was_change",
                  subset_of=((None, "was_start_recorded", None), (None, "was_end_recorded", None)),
                  goal_range=WAS_CHANGE_RANGE, value_range=WAS_CHANGE_RANGE, method="t", digits=1,
                  label="pilot.indicator.was_change"),
    IndicatorSpec("tasmatyo_share", Kind.SHARE, Scope.CONTRACT, numerator="basis_tasmatyo",
                  denominator="participants", goal_range=SHARE_RANGE, method="wilson",
                  label="pilot.indicator.tasmatyo_share"),
    IndicatorSpec("cost_per_participant", Kind.MONEY, Scope.CONTRACT, denominator="participants",
                  lower_is_better=True, label="pilot.indicator.cost_per_participant"),
    _count("participants", Scope.EXTRA, sums=(("ended", "in_service"), tuple(f"basis_{c}" for c in BASIS_CODES))),
    _count("ended", Scope.EXTRA),
    _count("in_service", Scope.EXTRA),
    # The people followed up at h months have ended their service, and those followed up at 12
    # (6) months are followed up at 6 (3) months too.
    _count("eligible", Scope.EXTRA, horizon=True,
           sums=(_shares(STATUS_CODES), ("positive_exit_rate", *_shares(set(STATUS_CODES) - POSITIVE_EXIT_CODES))),
           subset_of=(*((h, "ended", None) for h in HORIZONS), *zip(HORIZONS[1:], ("eligible",) * 2, HORIZONS))),
    *(_share(f"was_band_{band}", Scope.EXTRA, "was_start_recorded") for band in _BANDS),
    _share("was_start_recorded", Scope.EXTRA, "participants", sums=(tuple(f"was_band_{b}" for b in _BANDS),)),
    _count("employers_reached", Scope.EXTRA),
    *(_share(name, Scope.EXTRA, "employers_reached", label=f"pilot.employer.{name}")
      for name in ("employers_interested", "employers_coached", "employers_hiring")),
    _count("hires", Scope.EXTRA),
    *(_share(f"was_end_band_{band}", Scope.PUBLISHED, "was_end_recorded") for band in _BANDS),
    _share("was_end_recorded", Scope.PUBLISHED, "participants", sums=(tuple(f"was_end_band_{b}" for b in _BANDS),)),
    *(_count(f"basis_{code}", Scope.PUBLISHED) for code in BASIS_CODES),
)

BY_NAME: dict[str, IndicatorSpec] = {spec.name: spec for spec in REGISTRY}


def spec(name: str) -> IndicatorSpec:
    """The declaration of indicator ``name``.

    Raises
    ------
    KeyError
        When no indicator of that name is declared.
    """
    return BY_NAME[name]


def names(*, scope: Scope | None = None, kind: Kind | None = None, horizon: bool | None = None,
          goal: bool | None = None) -> tuple[str, ...]:
    """The names of the declared indicators that match every given condition, in the report's order.

    Parameters
    ----------
    scope : Scope, optional
        Only indicators of this scope.
    kind : Kind, optional
        Only indicators of this kind.
    horizon : bool, optional
        Only indicators with (True) or without (False) a follow-up time.
    goal : bool, optional
        Only indicators a goal may (True) or may not (False) name.

    Returns
    -------
    tuple of str
    """
    return tuple(s.name for s in REGISTRY
                 if (scope is None or s.scope is scope) and (kind is None or s.kind is kind)
                 and (horizon is None or s.horizon is horizon)
                 and (goal is None or (s.goal_range is not None) is goal))


def kind_of(name: str) -> Kind | None:
    """The kind of indicator ``name``, None for an undeclared name."""
    found = BY_NAME.get(name)
    return None if found is None else found.kind


def part_groups(registry=REGISTRY) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every *whole = sum of parts* the declarations state, as ``(whole, parts)`` count names.

    Parameters
    ----------
    registry : sequence of IndicatorSpec
        Default :data:`REGISTRY`; a test passes one with an indicator of its own.

    Returns
    -------
    tuple of (str, tuple of str)
        In the registry's order, each whole's sums in their declared order.
    """
    return tuple((s.numerator or s.name, parts) for s in registry for parts in s.sums)


def subset_pairs(registry=REGISTRY) -> tuple[tuple[tuple, tuple], ...]:
    """Every declared subset, as ``((count, horizon), (whole, horizon))`` pairs, part first.

    A horizon indicator declared a subset of a whole without a horizon is that at each follow-up
    time (``(None, ...)`` in :attr:`IndicatorSpec.subset_of` stands for each of them).
    """
    pairs = []
    for s in registry:
        own = s.numerator or s.denominator or s.name
        for horizon, whole, whole_horizon in s.subset_of:
            for h in (HORIZONS if s.horizon and horizon is None else (horizon,)):
                pairs.append(((own, h), (whole, h if s.horizon and whole_horizon is None and
                                         BY_NAME.get(whole, s).horizon else whole_horizon)))
    return tuple(pairs)


def labelled(name: str) -> tuple[str, dict[str, str]]:
    """The catalogue key of indicator ``name``'s label and the catalogue keys of its values.

    Raises
    ------
    KeyError
        When ``name`` is undeclared or has no label.
    """
    found = BY_NAME[name]
    if found.label is None:
        raise KeyError(f"indicator {name} has no label")
    return found.label, dict(found.label_values)


# The names by scope and by the presence of a follow-up time.
INDICATORS = names(scope=Scope.CONTRACT)
EXTRA_INDICATORS = names(scope=Scope.EXTRA)
PUBLISHED_INDICATORS = tuple(s.name for s in REGISTRY)
HORIZON_INDICATORS = names(horizon=True)
GOAL_INDICATORS = names(goal=True)
COUNT_INDICATORS = frozenset(names(kind=Kind.COUNT))
#: Shares among the people followed up, by status (the comparison may take any of them).
STATUS_RATES = tuple(s.name for s in REGISTRY if s.statuses)

"""Per-pilot parameters (``params/<pilot_id>.yml``), validated before any notebook runs.

A params file names the pilot's register extract, its extract date and the goals the pilot set
itself (the goals-results-metrics table); :class:`ParamsFile` declares its keys. Unknown keys are
refused with the nearest valid key. Its texts reach the report (services, goal texts), so every
text in it is searched for personal identity codes first, like the register; a hit refuses the
file naming the key, never the value. A goal's target must lie in its indicator's range: a share
is written 0–1.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from evalkit.definitions import HORIZONS
from evalkit.errors import InputError, InputProblem
from evalkit.indicator_registry import GOAL_INDICATORS, Kind, spec
from evalkit.input_models import (
    QUOTE_HINT,
    InputModel,
    iso_date,
    key_path,
    messages,
    refusal,
    shown,
)
from evalkit.paths import params_dir, project_root
from evalkit.pipeline.read_log import read_as
from evalkit.programme import KnownPilotId, programme_at
from evalkit.shown import shown_path
from evalkit.yaml_input import KeyLines, hidden_character_keys, identity_code_keys, load_yaml

HETU_IN_PARAMS = ("holds a Finnish personal identity code (henkilötunnus); no text that reaches the "
                  "report may hold one (the value is not shown)")
_DECIMAL_COMMA = re.compile(r"\s*[+-]?\d+,\d+\s*")

# A goal can only be judged on an indicator that comes with a confidence interval.
GoalIndicator = Literal[GOAL_INDICATORS]
Horizon = Literal[HORIZONS]


class Goal(InputModel):
    """One goal of a pilot's goals-results-metrics table.

    A goal without an indicator is qualitative: reported, never judged, so it has neither a
    horizon nor a target. A measurable goal names its indicator, its follow-up time in months
    (not for ``was_change`` and ``tasmatyo_share``) and its target: a share written 0–1, or a
    change of the work ability score between -10 and 10.
    """

    text: str
    indicator: GoalIndicator | None = None
    horizon: Horizon | None = Field(None, validate_default=True)
    target: float | None = Field(None, validate_default=True)

    @field_validator("text", mode="before")
    @classmethod
    def _has_text(cls, text: Any) -> Any:
        if text is None or (isinstance(text, str) and not text.strip()):
            raise refusal("every goal needs its text")
        return text

    @field_validator("horizon")
    @classmethod
    def _horizon_fits_indicator(cls, horizon: int | None, info: ValidationInfo) -> int | None:
        if "indicator" not in info.data:   # the indicator was refused: judge as for a rate
            indicator = "employment_rate"
        elif (indicator := info.data["indicator"]) is None:
            if horizon is not None:
                raise refusal("a goal without an indicator has no follow-up time; name its "
                              "indicator or leave horizon out")
            return None
        if not spec(indicator).horizon and horizon is not None:
            raise refusal(f"{indicator} has no follow-up time; leave horizon out")
        if spec(indicator).horizon and horizon is None:
            raise refusal(f"a measurable goal needs its follow-up time: horizon one of "
                          f"{', '.join(map(str, HORIZONS))} (months)")
        return horizon

    @field_validator("target", mode="before")
    @classmethod
    def _target_in_range(cls, target: Any, info: ValidationInfo) -> Any:
        indicator = info.data.get("indicator", "employment_rate")  # refused indicator: as a rate
        if indicator is None:
            if target is not None:
                raise refusal("a goal without an indicator has no target; name its indicator or "
                              "leave target out")
            return None
        problem = _target_problem(indicator, target)
        if problem:
            raise refusal(problem)
        return target


def _target_problem(indicator: str, target: Any) -> str | None:
    """What is wrong with a goal's target for ``indicator``, or None when nothing is.

    The indicator declares its range (:mod:`evalkit.indicator_registry`): a share (every rate, the
    täsmätyö share) is written 0–1; a change of the work ability score lies in -10…10. A target
    written with a decimal comma (which YAML reads as text) is named as such.
    """
    share = spec(indicator).kind is Kind.SHARE
    hint = "a share is written 0–1 (25 % as 0.25)" if share else \
        "a change of the work ability score (0–10) lies between -10 and 10"
    if isinstance(target, str) and _DECIMAL_COMMA.fullmatch(target):
        return f"{target!r} uses a decimal comma; write a decimal point ({target.replace(',', '.').strip()})"
    if isinstance(target, bool) or not isinstance(target, (int, float)):
        return f"a goal with an indicator needs a numeric target, got {shown(target)}; {hint}"
    low, high = spec(indicator).goal_range
    if not low <= target <= high:   # NaN fails too
        return f"{target!r} is outside {_fmt(low)}–{_fmt(high)}: {hint}"
    return None


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _file_path(value: Any, info: ValidationInfo) -> Any:
    """A path as written, made absolute against the ``root`` the loader passes as validation context.

    Symbolic links are kept, not resolved: pages then read ``data/<pilot>/...`` by the project's
    name for it, and a build notices a link pointed elsewhere (``pipeline.read_log``). A model
    built in code (no ``root`` in its context) keeps its path as given, and a
    :class:`~pathlib.Path` is kept as it is.
    """
    if isinstance(value, Path):
        return value
    if not isinstance(value, str) or not value.strip():
        hint = QUOTE_HINT if value is not None and not isinstance(value, str) else ""
        raise refusal(f"expected a file path, got {shown(value)}{hint}")
    root = (info.context or {}).get("root")
    path = Path(os.path.abspath(root / value)) if root is not None else Path(value)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return path   # refused where the file is read, with its name
    except OSError as exc:   # a name too long, a folder not ours to read
        raise refusal(f"cannot be looked up: {exc.strerror}") from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        # /dev/zero or a named pipe: reading it would never end
        raise refusal("names a device or a pipe, not a file; give the register's CSV, .xlsx or .parquet file")
    return path


def _optional_file_path(value: Any, info: ValidationInfo) -> Any:
    return None if value is None or value == "" else _file_path(value, info)


def _service_name(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        raise refusal(f"expected a service name, got {shown(value)}{QUOTE_HINT}")
    return value


def _iso_date(value: Any) -> dt.date:
    """A date from a YAML date or ISO text; a date-time keeps its date (:func:`input_models.iso_date`)."""
    return iso_date(value, timestamps=True)


def _extract_date(value: Any) -> dt.date:
    """:func:`_iso_date`, and not after today (:func:`evalkit.definitions.extract_date_problem`)."""
    from evalkit.definitions import extract_date_problem

    as_of = _iso_date(value)
    problem = extract_date_problem(as_of)
    if problem:
        raise refusal(problem)
    return as_of


class ParamsFile(InputModel):
    """The keys a params file may hold; relative paths are resolved against the project root."""

    pilot_id: KnownPilotId
    data: Annotated[Path, BeforeValidator(_file_path)]
    as_of: Annotated[dt.date, BeforeValidator(_extract_date)]
    employers: Annotated[Path | None, BeforeValidator(_optional_file_path)] = None
    services: tuple[Annotated[str, BeforeValidator(_service_name)], ...] = ()
    goals: tuple[Goal, ...] = ()


class PilotParams(ParamsFile):
    """A pilot's checked parameters, with the file they were read from (``source``)."""

    source: Path | None = None


def load_params(path: Path, root: Path | None = None, overrides: dict[str, Any] | None = None,
                overrides_label: str = "parameters") -> PilotParams:
    """Read and check one params file.

    Parameters
    ----------
    path
        The params file (YAML; see :mod:`evalkit.yaml_input` for the encodings read).
    root
        Folder that relative paths in the file are resolved against; the project root if None.
    overrides
        Keys that replace the file's before anything is checked (a self-assessment notebook's
        parameters cell names the data, the date and perhaps its own goals). A problem in one of
        them is reported against ``overrides_label`` instead of the file.
    overrides_label
        How messages name the overrides.

    Returns
    -------
    PilotParams
        The checked parameters, ``source`` set to ``path``.

    Raises
    ------
    InputError
        With every problem, one line each naming the file and the key (``goals[1].target``). An
        identity code anywhere refuses the file before any other check, naming only its key.
    """
    root = root or project_root()
    overrides = dict(overrides or {})
    # A page depends on what this returns, not on the file's bytes: a comment re-runs nothing.
    # With overrides the result is not the file's alone, so its bytes are the dependency.
    with read_as("params", path) if not overrides else contextlib.nullcontext():
        where = _where(shown_path(path), overrides, overrides_label)
        line = _lines(Path(path), where, shown_path(path))
        _refuse_identity_code_in_name(Path(path))
        raw = _read_mapping(Path(path), shown_path(path), overrides)
        _refuse_identity_codes(raw, where, line)
        _refuse_hidden_characters(raw, where, line)
        checked = _checked(raw, root, where, line)
    # Already checked: no second validation, which would resolve the paths once more.
    return PilotParams.model_construct(**dict(checked), source=Path(path))


@dataclasses.dataclass(frozen=True)
class DataSource:
    """Where a pilot's data are: the part of its params the register-based national pages need."""

    pilot_id: str
    data: Path
    as_of: dt.date
    employers: Path | None


def load_data_sources(root: Path | None = None) -> dict[str, DataSource]:
    """Every pilot's register, extract date and employer file, by pilot id (:func:`load_all_params`).

    A page that reads only these depends only on them (the ``params-data`` view of each file):
    editing a pilot's goals does not run it again.

    Raises
    ------
    InputError
        As :func:`load_all_params`.
    """
    root = root or project_root()
    paths = [params_dir(root) / f"{pilot_id}.yml" for pilot_id in programme_at(root).pilot_ids]
    with contextlib.ExitStack() as viewing:
        for path in paths:
            viewing.enter_context(read_as("params-data", path))
        return {pid: _data_part(p) for pid, p in load_all_params(root).items()}


def _data_part(params: PilotParams) -> DataSource:
    return DataSource(params.pilot_id, params.data, params.as_of, params.employers)


def view_digest(view: str, path: Path, root: Path) -> str:
    """SHA-256 of what a page was given from a params file: ``view`` is ``params`` or ``params-data``.

    ``params`` covers every checked value (:func:`load_params`), ``params-data`` only the
    :class:`DataSource`. A file that no longer loads has a digest of its bytes, which no loaded
    view equals. Called by the build (:mod:`evalkit.pipeline.read_log`) to decide whether a page
    is still current; relative paths in the file are taken from ``root``.
    """
    import hashlib
    import json

    from evalkit.paths import file_digest

    try:
        params = load_params(path, root)
    except Exception:   # whatever keeps it from loading: a change, never a reason to stop the check
        return f"invalid:{file_digest(path)}"
    value = params.model_dump(mode="json") if view == "params" else dataclasses.asdict(_data_part(params))
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _where(name: str, overrides: dict[str, Any], label: str) -> Callable[[str | None], str]:
    """Key path → what a message names as its source: the overrides for an overridden key."""
    def source(key: str | None) -> str:
        top = re.split(r"[.\[]", key, maxsplit=1)[0] if key else None
        return label if top in overrides else name
    return source


def _lines(path: Path, where: Callable[[str | None], str], name: str) -> Callable[[str | None], int | None]:
    """Key path → its line in the file, or None for a key the overrides give (read only when asked)."""
    found: list[KeyLines] = []

    def line(key: str | None) -> int | None:
        if key is None or where(key) != name:
            return None
        if not found:
            found.append(KeyLines(path))
        return found[0].line(key)
    return line


def _refuse_identity_code_in_name(path: Path) -> None:
    from evalkit.register.hetu import contains_hetu

    if contains_hetu(path.name):   # every message names the file: not this one
        raise InputError([InputProblem("(file name not shown)", None, None,
                                       f"the file name {HETU_IN_PARAMS}; rename the file")])


def _read_mapping(path: Path, name: str, overrides: dict[str, Any]) -> Any:
    """The file's mapping with the overrides in; other content only if it holds an identity code.

    Such content is returned as it is, so that the identity code is refused first, by its key;
    any other content that is not a mapping is refused here.
    """
    raw = load_yaml(path, name)
    if not isinstance(raw, dict):
        if identity_code_keys(raw):
            return raw
        raise InputError([InputProblem(name, None, None, "a params file is a YAML mapping of keys")])
    return {**raw, **overrides}


def _refuse_identity_codes(raw: Any, where: Callable[[str | None], str],
                           line: Callable[[str | None], int | None]) -> None:
    """Before any other check, because those quote values."""
    hits = identity_code_keys(raw)
    if hits:
        raise InputError([InputProblem(where(key), line(key), key, HETU_IN_PARAMS) for key in hits])


def _refuse_hidden_characters(raw: Any, where: Callable[[str | None], str],
                              line: Callable[[str | None], int | None]) -> None:
    """A text is shown exactly as written, so a character no reader would see is refused, by key."""
    hits = hidden_character_keys(raw)
    if hits:
        raise InputError([InputProblem(where(key), line(key), key, f"contains {what}, which the report cannot "
                                       "show as written; delete it (a tab or a line break may stay)")
                          for key, what in hits])


def _checked(raw: dict[str, Any], root: Path, where: Callable[[str | None], str],
             line: Callable[[str | None], int | None]) -> ParamsFile:
    try:
        return ParamsFile.model_validate(raw, context={"root": root})
    except ValidationError as exc:
        problems = []
        for loc, message in messages(exc, ParamsFile):
            key = key_path(loc) or None
            problems.append(InputProblem(where(key), line(key), key, message))
        raise InputError(problems) from None


def load_all_params(root: Path | None = None) -> dict[str, PilotParams]:
    """Every pilot's params, all problems of all files reported together."""
    root = root or project_root()
    problems: list[InputProblem] = []
    loaded: dict[str, PilotParams] = {}
    for pilot_id in programme_at(root).pilot_ids:
        path = params_dir(root) / f"{pilot_id}.yml"
        if not path.is_file():
            problems.append(InputProblem(str(path), None, None, "params file is missing"))
            continue
        try:
            params = load_params(path, root)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if params.pilot_id != pilot_id:
            problems.append(InputProblem(str(path), None, "pilot_id",
                                         f"file is for {pilot_id!r} but says {params.pilot_id!r}"))
        loaded[pilot_id] = params
    if problems:
        raise InputError(problems)
    return loaded

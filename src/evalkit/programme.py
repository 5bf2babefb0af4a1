"""The programme a report is built for: its pilots, budgets, languages and titles, from ``programme.yml``.

A programme folder holds ``programme.yml``, ``params/<pilot_id>.yml`` (one per pilot) and ``data/``
(CONTRACT.md, "Programmes"). The project's own folder is the default programme. Everything that
names a pilot (the register's allowed ``pilot_id`` values, the order of tables and colours, the
table of contents, the synthetic register) asks the :class:`Programme`, never the code.

The active programme is the one of :func:`evalkit.paths.project_root` (``$EVALKIT_ROOT``, which
``--programme DIR`` sets through :func:`use`, so that page kernels started later see it too).
"""
from __future__ import annotations

import datetime as dt
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from evalkit.errors import InputError, InputProblem
from evalkit.input_models import InputModel, iso_date, key_path, messages, refusal, shown
from evalkit.yaml_input import KeyLines, hidden_character_keys, identity_code_keys, load_yaml

PROGRAMME_FILE = "programme.yml"
LANGUAGE_CODES = ("fi", "sv", "en")
PILOT_ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
HETU_MESSAGE = ("holds what looks like a personal identity code (henkilötunnus); a programme file "
                "names no person: remove it")

Language = Literal["fi", "sv", "en"]


def _text(value: Any) -> Any:
    if isinstance(value, str):
        if not value.strip():
            raise refusal("expected a text, got an empty one")
        return value
    if isinstance(value, dict):
        if not value:
            raise refusal("expected a text, or a mapping from language code (fi, sv, en) to text")
        for lang, text in value.items():
            if lang not in LANGUAGE_CODES:
                raise refusal(f"unknown language code {shown(lang)}; allowed: {', '.join(LANGUAGE_CODES)}")
            if not isinstance(text, str) or not text.strip():
                raise refusal(f"the {lang} text is not a text: {shown(text)}")
        return value
    raise refusal(f"expected a text, or a mapping from language code to text, got {shown(value)}")


Text = Annotated[str | dict[str, str], BeforeValidator(_text)]

# A pilot's name labels every table column, figure axis and Excel sheet of the report: a region or
# a short label. A longer title belongs in project_name, which is shown in prose only. The contract
# allows any text, so a longer name is built, with a warning (long_names).
NAME_MAX_CHARACTERS = 60


# Far above any programme's money (Finland's whole state budget is under 10^11 euros), and low
# enough that sums of budgets stay exact in whole euros.
MAX_BUDGET_EUR = 10 ** 12


def _budget(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise refusal(f"a budget is a number of euros, 0 or more (no unit, no spaces), got {shown(value)}")
    if value > MAX_BUDGET_EUR:   # first: a 400-digit integer cannot even be made a float
        raise refusal(f"a budget is at most {MAX_BUDGET_EUR:,} euros (a typing error otherwise), got "
                      f"{shown(value) if isinstance(value, float) else f'a number of {len(str(value))} digits'}")
    if not math.isfinite(value) or value < 0:
        raise refusal(f"a budget is a number of euros, 0 or more, got {shown(value)}")
    return value


def _pilot_id(value: Any) -> Any:
    if not isinstance(value, str) or not PILOT_ID_PATTERN.fullmatch(value):
        raise refusal(f"a pilot_id is lowercase ASCII letters, digits and single hyphens (such as "
                      f"'north-2'), got {shown(value)}")
    return value


Date = Annotated[dt.date, BeforeValidator(iso_date)]


def _known_pilot(value: Any, info: ValidationInfo) -> Any:
    from evalkit.input_models import suggestion
    root = (info.context or {}).get("root")
    ids = (programme_at(root) if root and (Path(root) / PROGRAMME_FILE).is_file() else current()).pilot_ids
    if not isinstance(value, str):
        raise refusal(f"expected text, got {shown(value)}")
    if value not in ids:
        raise refusal(f"unknown pilot {shown(value)}; {suggestion(value, ids)} (the pilots of programme.yml)")
    return value


# A pilot of the active programme (a params file's or a fact's ``pilot_id``).
KnownPilotId = Annotated[str, BeforeValidator(_known_pilot)]


class Period(InputModel):
    """When the programme ran."""

    start: Date
    end: Date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        from evalkit.definitions import FIRST_YEAR, LAST_YEAR

        if self.end < self.start:
            raise refusal("the period ends before it starts")
        if not (FIRST_YEAR <= self.start.year and self.end.year <= LAST_YEAR):
            # the register refuses such dates, and synth would make them
            raise refusal(f"the period lies outside the years {FIRST_YEAR}-{LAST_YEAR}")
        return self


class PilotEntry(InputModel):
    """One pilot of ``programme.yml``."""

    pilot_id: Annotated[str, BeforeValidator(_pilot_id)]
    name: Text
    budget_eur: Annotated[float | int, BeforeValidator(_budget)]
    project_name: Text | None = None
    focus_areas: tuple[int, ...] = ()


class Publication(InputModel):
    """Optional publication metadata (CONTRACT.md ``publication``), for the description sheet."""

    authors: Text | None = None
    keywords: Text | None = None
    series: str | None = None
    number: str | int | None = None
    isbn_pdf: str | None = None
    issn_pdf: str | None = None
    urn: str | None = None
    case_number: str | None = None
    date: Date | None = None


class ProgrammeFile(InputModel):
    """The keys ``programme.yml`` may hold (CONTRACT.md, "Programmes")."""

    title: Text
    publisher: Text
    period: Period
    languages: tuple[Language, ...] = ("fi",)
    focus_areas: dict[int, Text] = Field(default_factory=dict)
    pilots: tuple[PilotEntry, ...]
    publication: Publication | None = None

    @field_validator("pilots")
    @classmethod
    def _some_pilots(cls, pilots: tuple[PilotEntry, ...]) -> tuple[PilotEntry, ...]:
        if not pilots:
            raise refusal("list at least one pilot (pilot_id, name, budget_eur)")
        return pilots

    @field_validator("languages")
    @classmethod
    def _languages(cls, languages: tuple[str, ...]) -> tuple[str, ...]:
        if not languages:
            raise refusal("list at least one language (fi, sv, en); the first is the main edition")
        if len(set(languages)) != len(languages):
            raise refusal("a language is listed twice")
        return languages


def long_names(spec: ProgrammeFile) -> list[str]:
    """The keys of pilot names longer than :data:`NAME_MAX_CHARACTERS` in some language (``pilots[1].name``)."""
    found = []
    for index, pilot in enumerate(spec.pilots):
        texts = pilot.name.values() if isinstance(pilot.name, dict) else [pilot.name]
        if any(len(text) > NAME_MAX_CHARACTERS for text in texts):
            found.append(f"pilots[{index}].name")
    return found


def untranslated(spec: ProgrammeFile, lang: str) -> list[str]:
    """The keys of ``programme.yml`` whose text is given per language but not in ``lang``.

    Such a text is shown in another language in the ``lang`` edition (:func:`in_language`):
    allowed, as a name may have no translation, but said, as the page does not mark it.

    Returns
    -------
    list of str
        Key paths as messages name them (``title``, ``pilots[1].name``), in file order.
    """
    texts: list[tuple[str, Any]] = [("title", spec.title), ("publisher", spec.publisher)]
    texts += [(f"focus_areas.{number}", text) for number, text in spec.focus_areas.items()]
    for index, pilot in enumerate(spec.pilots):
        texts += [(f"pilots[{index}].name", pilot.name), (f"pilots[{index}].project_name", pilot.project_name)]
    if spec.publication is not None:
        texts += [("publication.authors", spec.publication.authors),
                  ("publication.keywords", spec.publication.keywords)]
    return [key for key, text in texts if isinstance(text, dict) and lang not in text]


def in_language(text: str | dict[str, str] | None, lang: str, fallback: tuple[str, ...] = ()) -> str | None:
    """``text`` in ``lang``: a plain text as it is; a mapping's ``lang``, else the first of ``fallback`` it has."""
    if text is None or isinstance(text, str):
        return text
    for code in (lang, *fallback, *LANGUAGE_CODES):
        if code in text:
            return text[code]
    return None


@dataclass(frozen=True)
class ProgrammePilot:
    """A pilot as pages use it; ``name`` and ``project_name`` are in the active language."""

    entry: PilotEntry
    languages: tuple[str, ...]

    @property
    def pilot_id(self) -> str:
        """The pilot's id (the register's ``pilot_id``)."""
        return self.entry.pilot_id

    @property
    def budget_eur(self) -> float | int:
        """The pilot's budget in euros."""
        return self.entry.budget_eur

    @property
    def focus_areas(self) -> tuple[int, ...]:
        """The numbers of the programme's focus areas the pilot chose."""
        return self.entry.focus_areas

    def name_in(self, lang: str) -> str:
        """The pilot's name in ``lang`` (the main language's when it has none in ``lang``)."""
        return in_language(self.entry.name, lang, self.languages)

    def project_in(self, lang: str) -> str | None:
        """The pilot's project name in ``lang``, or None."""
        return in_language(self.entry.project_name, lang, self.languages)

    @property
    def name(self) -> str:
        """The name in the active language."""
        from evalkit.i18n import language
        return self.name_in(language())

    @property
    def project_name(self) -> str:
        """The project name in the active language; the pilot's name when it has none."""
        from evalkit.i18n import language
        return self.project_in(language()) or self.name

    @property
    def own_project_name(self) -> str | None:
        """The project name in the active language when it is not one of the pilot's names; else None.

        Compared with the pilot's name in every language it is given in, so that each edition says
        the same.
        """
        from evalkit.i18n import language
        project = self.project_in(language())
        given = self.entry.name
        names = {text.strip() for text in (given.values() if isinstance(given, dict) else (given,))}
        return project if project and project.strip() not in names else None

    @property
    def heading(self) -> str:
        """``name: project name`` as a chapter's title gives the pilot, or the name alone (not "North: North")."""
        project = self.own_project_name
        return self.name if project is None else f"{self.name}: {project}"


def pilot_context(pilot: ProgrammePilot) -> dict[str, str]:
    """The values a pilot page's ``{{ ctx.<name> }}`` placeholders take, as Markdown that shows them literally.

    The names come from ``programme.yml``, which a person wrote: no character of theirs is read as markup.
    """
    from evalkit.i18n import t
    from evalkit.page_output import literal

    region, project = literal(pilot.name), pilot.own_project_name
    return {"project_name": literal(pilot.project_name), "region": region, "pilot_id": pilot.pilot_id,
            "heading": literal(pilot.heading),
            # A sentence naming the project, or nothing when the pilot has no name of its own for it.
            "project_sentence": "" if project is None else
            t("pilot.project_sentence", region=region, project=literal(project)) + " "}


@dataclass(frozen=True)
class Programme:
    """A programme folder, loaded and checked: what commands and pages receive.

    Attributes
    ----------
    folder : Path
        The programme folder (``programme.yml``, ``params/``, ``data/``, ``_build/``).
    spec : ProgrammeFile
        ``programme.yml`` as checked.
    """

    folder: Path
    spec: ProgrammeFile

    @property
    def pilot_ids(self) -> tuple[str, ...]:
        """The pilots' ids in the programme's order (the order of every table and colour)."""
        return tuple(p.pilot_id for p in self.spec.pilots)

    @cached_property
    def pilots(self) -> tuple[ProgrammePilot, ...]:
        """The pilots in the programme's order."""
        return tuple(ProgrammePilot(p, self.languages) for p in self.spec.pilots)

    @property
    def languages(self) -> tuple[str, ...]:
        """The editions; the first is the main one."""
        return self.spec.languages

    @property
    def budgets(self) -> dict[str, float | int]:
        """Each pilot's budget in euros, by ``pilot_id``, in the programme's order."""
        return {p.pilot_id: p.budget_eur for p in self.spec.pilots}

    @property
    def focus_area_names(self) -> dict[int, str]:
        """The focus areas' names in the active language, by number."""
        from evalkit.i18n import language
        return {number: in_language(name, language(), self.languages)
                for number, name in self.spec.focus_areas.items()}

    def by_id(self, pilot_id: str) -> ProgrammePilot:
        """The pilot with this id.

        Raises
        ------
        KeyError
            No pilot of the programme has that id.
        """
        for pilot in self.pilots:
            if pilot.pilot_id == pilot_id:
                return pilot
        raise KeyError(pilot_id)

    def names(self, lang: str | None = None) -> dict[str, str]:
        """Every pilot's name in ``lang`` (default: the main language), by ``pilot_id``."""
        lang = lang or self.languages[0]
        return {p.pilot_id: p.name_in(lang) for p in self.pilots}

    def title(self, lang: str) -> str:
        """The report's title in ``lang``."""
        return in_language(self.spec.title, lang, self.languages)

    def publisher(self, lang: str) -> str:
        """The publisher in ``lang``."""
        return in_language(self.spec.publisher, lang, self.languages)

    def publication(self, lang: str) -> dict[str, Any]:
        """The optional publication metadata set in ``programme.yml``, texts in ``lang``; absent keys left out."""
        if self.spec.publication is None:
            return {}
        return {key: in_language(value, lang, self.languages) if isinstance(value, dict) else value
                for key, value in self.spec.publication.model_dump().items() if value is not None}

    def author(self, lang: str) -> str:
        """Who the report is by: ``publication.authors``, else the publisher."""
        return self.publication(lang).get("authors") or self.publisher(lang)

    def publication_text(self, key: str) -> str:
        """The catalogue key of a publication text: ``publication.<key>`` only with a source report.

        Those catalogue texts describe the programme of the project's source report (its
        ``data/reported/``); any other programme gets the same text without that programme's
        words (``publication.programme_<key>``).
        """
        return f"publication.{key}" if self.has_source_report else f"publication.programme_{key}"

    def params_file(self, pilot_id: str) -> Path:
        """Where the pilot's params live: ``params/<pilot_id>.yml``."""
        return self.folder / "params" / f"{pilot_id}.yml"

    @property
    def reported_dir(self) -> Path:
        """The facts of a source report, when the programme has one (``data/reported/``)."""
        return self.folder / "data" / "reported"

    @property
    def has_source_report(self) -> bool:
        """Whether the programme has a source report's facts (``data/reported/facts.yml``)."""
        return (self.reported_dir / "facts.yml").is_file()

    @property
    def has_reported_pilots(self) -> bool:
        """Whether a source report states facts about each pilot (``data/reported/pilots.yml``)."""
        return (self.reported_dir / "pilots.yml").is_file()

    @property
    def recommendations_file(self) -> Path:
        """The programme's recommendations, each linked to its evidence; the chapter exists only with it."""
        return self.folder / "data" / "recommendations.yml"


def load_programme(folder: Path | str, check_params: bool = True) -> Programme:
    """Read and check ``folder/programme.yml`` and the folder's params files against it.

    Parameters
    ----------
    folder
        The programme folder (or a programme file itself, read without its folder's params).
    check_params
        Check that ``params/`` has exactly one file per pilot (off for a copy of ``programme.yml``
        kept beside a pilot's own notebook).

    Returns
    -------
    Programme

    Raises
    ------
    InputError
        One line per problem naming the file, the line and the key: an unknown or missing key, a
        malformed or duplicate ``pilot_id``, a negative or non-numeric budget, an identity code in
        any text, a params file for a pilot the programme does not have or a pilot without one.
    """
    folder = Path(folder)
    path = folder / PROGRAMME_FILE
    if folder.suffix in (".yml", ".yaml") and not folder.is_dir():   # the file itself, kept under another name
        folder, path = folder.parent, folder
        if not path.is_file():
            raise InputError([InputProblem(_label(path), None, None, "file not found")])
    label = _label(path)
    if not path.is_file():
        raise InputError([InputProblem(label, None, None, "no programme.yml here; a programme folder holds "
                                       "programme.yml, params/ and data/ (evalkit new DIR --pilots a,b writes one)")])
    raw = load_yaml(path, label)
    lines = KeyLines(path)
    if not isinstance(raw, dict):
        raise InputError([InputProblem(label, 1, None, "programme.yml is a YAML mapping of keys "
                                       "(title, publisher, period, pilots, ...)")])
    hits = identity_code_keys(raw)
    if hits:
        raise InputError([InputProblem(label, lines.line(key), key, HETU_MESSAGE) for key in hits])
    hidden = hidden_character_keys(raw)
    if hidden:
        raise InputError([InputProblem(label, lines.line(key), key, f"contains {what}, which the report "
                                       "cannot show as written; delete it") for key, what in hidden])
    try:
        spec = ProgrammeFile.model_validate(raw)
    except ValidationError as exc:
        raise InputError([InputProblem(label, lines.line(key_path(loc)), key_path(loc) or None, message)
                          for loc, message in messages(exc, ProgrammeFile)]) from None
    problems = _duplicates(spec, label, lines) + _unknown_focus_areas(spec, label, lines)
    if check_params:
        problems += _params_files(folder, spec, label, lines)
    if problems:
        raise InputError(problems)
    return Programme(folder.resolve(), spec)


def _label(path: Path) -> str:
    from evalkit.shown import shown_path
    return shown_path(path)


def _duplicates(spec: ProgrammeFile, label: str, lines: KeyLines) -> list[InputProblem]:
    seen: dict[str, int] = {}
    problems = []
    for index, pilot in enumerate(spec.pilots):
        if pilot.pilot_id in seen:
            key = f"pilots[{index}].pilot_id"
            problems.append(InputProblem(label, lines.line(key), key, f"pilot_id {pilot.pilot_id!r} is already "
                                         f"pilots[{seen[pilot.pilot_id]}]; every pilot_id is unique"))
        seen.setdefault(pilot.pilot_id, index)
    # A name labels the pilot's column, axis tick and Excel sheet: two pilots of one name could
    # not be told apart in any table (compared as shown, in each edition's language).
    for lang in spec.languages:
        named: dict[str, int] = {}
        for index, pilot in enumerate(spec.pilots):
            name = unicodedata.normalize("NFC", " ".join(
                (in_language(pilot.name, lang, tuple(spec.languages)) or "").split())).casefold()
            if name in named and not any(p.column == f"pilots[{index}].name" for p in problems):
                key = f"pilots[{index}].name"
                problems.append(InputProblem(label, lines.line(key), key, f"the name is already pilots[{named[name]}]'s"
                                             f" in {lang}; every pilot needs a name of its own (it labels its "
                                             "columns, axes and sheets)"))
            named.setdefault(name, index)
    return problems


def _unknown_focus_areas(spec: ProgrammeFile, label: str, lines: KeyLines) -> list[InputProblem]:
    problems = []
    for index, pilot in enumerate(spec.pilots):
        for position, area in enumerate(pilot.focus_areas):
            if area not in spec.focus_areas:
                key = f"pilots[{index}].focus_areas[{position}]"
                known = ", ".join(str(n) for n in spec.focus_areas) or "none are declared"
                problems.append(InputProblem(label, lines.line(key), key, f"focus area {area} is not one of "
                                             f"the programme's focus_areas ({known})"))
    return problems


def _params_files(folder: Path, spec: ProgrammeFile, label: str, lines: KeyLines) -> list[InputProblem]:
    params = folder / "params"
    ids = [p.pilot_id for p in spec.pilots]
    problems = []
    for index, pilot_id in enumerate(ids):
        if not (params / f"{pilot_id}.yml").is_file():
            key = f"pilots[{index}].pilot_id"
            problems.append(InputProblem(label, lines.line(key), key, f"pilot {pilot_id!r} has no params file; "
                                         f"write params/{pilot_id}.yml (register, extract date, goals)"))
    if params.is_dir():
        for extra in sorted(params.glob("*.yml")):
            if extra.stem not in ids:
                problems.append(InputProblem(_label(extra), None, "pilot_id", f"params file for pilot "
                                             f"{extra.stem!r}, which {PROGRAMME_FILE} does not list; add the "
                                             f"pilot there or remove the file"))
    return problems


# The registry: one programme per folder, reloaded when its file or its params folder changes; and
# the programme a pilot's own notebook carries with it, pinned for its process.
_loaded: dict[str, tuple[tuple[int, ...], Programme]] = {}
_pinned: list[Programme] = []


def current() -> Programme:
    """The active programme: the pinned one (:func:`pin`), else that of :func:`evalkit.paths.project_root`."""
    if _pinned:
        return _pinned[-1]
    from evalkit.paths import project_root
    return programme_at(project_root())


def pin(programme: Programme) -> Programme:
    """Make ``programme`` the active one in this process (a pilot's own notebook, away from any folder)."""
    _pinned[:] = [programme]
    return programme


def programme_at(folder: Path | str) -> Programme:
    """The programme of ``folder``, cached while ``programme.yml`` and ``params/`` are unchanged."""
    folder = Path(folder).resolve()
    path = folder / PROGRAMME_FILE
    try:
        info = path.stat()
        params = folder / "params"
        # ctime too: a same-size rewrite that keeps the modification time (cp -p, rsync -t) still changes it.
        stamp = (info.st_ino, info.st_mtime_ns, info.st_ctime_ns, info.st_size,
                 params.stat().st_mtime_ns if params.is_dir() else 0)
    except OSError:
        stamp = None
    cached = _loaded.get(str(folder))
    if stamp is not None and cached is not None and cached[0] == stamp:
        return cached[1]
    programme = load_programme(folder)
    if stamp is not None:
        _loaded[str(folder)] = (stamp, programme)
    return programme


def use(folder: Path | str) -> Programme:
    """Make ``folder`` the active programme for this process and every process it starts.

    Checked at once, so that a bad folder is refused before any work; ``--programme DIR`` calls this.
    """
    programme = load_programme(folder)
    os.environ["EVALKIT_ROOT"] = str(programme.folder)
    return programme

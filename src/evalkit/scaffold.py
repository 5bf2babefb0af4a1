"""``evalkit new``: a programme folder that builds as it is, on a synthetic register of its pilots."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from evalkit.errors import EvalkitError
from evalkit.programme import PILOT_ID_PATTERN, load_programme

SEED = 1
START, END = "2024-01-01", "2025-06-30"
BUDGET = 250000

PROGRAMME_TEMPLATE = """\
# The programme this folder reports on (CONTRACT.md, "Programmes"). Replace every value below with
# your programme's own; evalkit refuses a key it does not know, naming the line.
#
# title and publisher: a text, or a text per language ({{fi: ..., sv: ..., en: ...}}).
title:
  fi: "Esimerkkiohjelma: arviointiraportti (demonstraatio)"
  en: "Example programme: evaluation report (demonstration)"
publisher: {{fi: "Esimerkkijulkaisija", en: "Demonstration publisher"}}
# When the pilots ran; the synthetic register's people start within it.
period: {{start: {start}, end: {end}}}
# The editions, fi, sv or en; the first is the main one.
languages: [fi, en]
# Optional: the programme's focus areas by number, which a pilot may choose (focus_areas: [1]).
# focus_areas:
#   1: {{fi: "Asiakkaiden tunnistaminen", en: "Identifying clients"}}
# One entry per pilot, in the order of every table and colour of the report:
#   pilot_id      lowercase ASCII letters, digits and hyphens; the register's pilot_id values
#   name          a text, or a text per language; short (it labels every table, axis and sheet)
#   budget_eur    euros, 0 or more (the cost indicators divide it by participants)
#   project_name  optional
pilots:
{pilots}"""

PILOT_TEMPLATE = """\
  - pilot_id: {pilot_id}
    name: "{name}"
    budget_eur: {budget}
    # project_name: "the project's own name, if it has one"
"""

PARAMS_TEMPLATE = """\
# Parameters of pilot {pilot_id}: its register extract, the extract date and the goals the pilot
# set itself. The register below is SYNTHETIC demonstration data: replace `data` (and `employers`,
# or delete that line) with the pilot's real extract and `as_of` with its extract date.
pilot_id: {pilot_id}
data: data/demo/participants.csv
employers: data/demo/employers.csv
as_of: {as_of}
# The services and goals are shown as written in every edition: write them in the programme's main
# language (the first of its languages).
services:
- "{pilot_id}: palvelu A"
- "{pilot_id}: palvelu B"
# A measurable goal names an indicator, a follow-up time in months and a target; a goal with text
# only is listed without a verdict.
goals:
- text: "Vähintään 30 % on työssä kuusi kuukautta palvelun jälkeen"
  indicator: employment_rate
  horizon: 6
  target: 0.3
- text: "Työnantajat oppivat käyttämään palvelua"
"""

README = """\
# {title}

This programme folder was written by `evalkit new`. It builds as it is:

    evalkit build --programme {folder} --no-pdf

Everything in it is **demonstration data**: the register in `data/demo/` is synthetic (no real
person is in it) and every page of the report says so. To make it your programme's report, replace,
in this order:

1. `programme.yml`: the title, publisher, period, languages and, for each pilot, its name, budget and
   project name (a pilot's id is the `pilot_id` its register rows carry).
2. The register: put each pilot's extract in `data/` and point `data` and `as_of` of
   `params/<pilot_id>.yml` at it (`evalkit validate FILE --as-of DATE --programme {folder}` checks
   it first). Delete `data/demo/` when no params file names it any more: the notice of
   demonstration data then leaves the pages.
3. The goals in `params/<pilot_id>.yml`: each pilot's own goals and targets.
4. Optional: `data/recommendations.yml` (the recommendations chapter) and `data/reported/` (the facts
   of a source report, for the chapters that check them).
"""


def parse_pilot_ids(text: str) -> list[str]:
    """The ids of ``--pilots a,b,c``, checked: each a valid ``pilot_id``, none twice, at least one.

    Raises
    ------
    EvalkitError
        Naming the first bad id.
    """
    from evalkit.register.hetu import HETU_MESSAGE, contains_hetu

    ids = [part.strip() for part in text.split(",")]
    for position, pilot_id in enumerate(ids, start=1):
        if contains_hetu(pilot_id):   # before anything is written: the message names no file
            raise EvalkitError(f"--pilots: the id in place {position} {HETU_MESSAGE}")
        if not PILOT_ID_PATTERN.fullmatch(pilot_id):
            raise EvalkitError(f"--pilots: {pilot_id!r} is not a pilot_id; use lowercase ASCII letters, digits "
                               "and single hyphens, separated by commas (alfa,beta,gamma)")
    duplicate = next((p for p in ids if ids.count(p) > 1), None)
    if duplicate:
        raise EvalkitError(f"--pilots: {duplicate!r} is given twice")
    return ids


def new_programme(folder: Path | str, pilot_ids: list[str]) -> Path:
    """Write a programme folder for ``pilot_ids`` into ``folder``, which must not exist or be empty.

    The folder is written in a temporary sibling first and renamed into place when complete.

    Returns
    -------
    Path
        ``folder``, resolved.

    Raises
    ------
    EvalkitError
        When ``folder`` holds anything already, or cannot be created there (a file in its path, a
        read-only or virtual file system).
    """
    from evalkit.synth import timing, write_synthetic

    folder = Path(folder).resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise EvalkitError(f"{folder} exists and is not an empty folder; give a new folder")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    except OSError as error:
        # The staging folder's name is ours, not the user's: name the folder they gave.
        blocking = next((p for p in folder.parents if p.exists() and not p.is_dir()), None)
        reason = f"{blocking} is a file, not a folder" if blocking else error.strerror or str(error)
        raise EvalkitError(f"{folder}: cannot create the folder ({reason})") from None
    try:
        pilots = "".join(PILOT_TEMPLATE.format(pilot_id=p, name=p.replace("-", " ").capitalize(), budget=BUDGET)
                         for p in pilot_ids)
        (staging / "programme.yml").write_text(PROGRAMME_TEMPLATE.format(
            start=START, end=END, pilots=pilots), encoding="utf-8")
        (staging / "params").mkdir()
        programme_file = load_programme(staging / "programme.yml", check_params=False)
        as_of = timing(programme_file).as_of
        for pilot_id in pilot_ids:
            (staging / "params" / f"{pilot_id}.yml").write_text(
                PARAMS_TEMPLATE.format(pilot_id=pilot_id, as_of=as_of.isoformat()), encoding="utf-8")
        programme = load_programme(staging)
        write_synthetic(staging / "data" / "demo", SEED, programme=programme)
        (staging / "README.md").write_text(README.format(title=programme.title("en"), folder=folder),
                                           encoding="utf-8")
        if folder.exists():
            folder.rmdir()
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder

"""A programme's recommendations (``data/recommendations.yml``), each linked to the pages that support it.

The file is optional: without it a programme's report has no recommendations chapter. Each
recommendation is a title and a text (one text, or one per language) and the pages of the report
that hold its evidence (``pilots/<pilot_id>``, ``national/comparison``, ``national/methods`` or
the front page ``national/summary``). Texts are checked like every input a report shows: an
identity code or a hidden character is refused by key, and the texts are shown literally.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError, field_validator

from evalkit.errors import InputError, InputProblem
from evalkit.input_models import InputModel, key_path, messages, refusal
from evalkit.programme import HETU_MESSAGE, Programme, Text, in_language
from evalkit.yaml_input import KeyLines, hidden_character_keys, identity_code_keys, load_yaml

NATIONAL_EVIDENCE = ("national/summary", "national/methods", "national/comparison")


class Recommendation(InputModel):
    """One recommendation: what to do, and where the report shows why."""

    title: Text
    text: Text
    evidence: tuple[str, ...]

    @field_validator("evidence")
    @classmethod
    def _some_evidence(cls, pages: tuple[str, ...]) -> tuple[str, ...]:
        if not pages:
            raise refusal("name at least one page of the report that supports it (pilots/<pilot_id>, "
                          "national/comparison, ...)")
        return pages


class RecommendationsFile(InputModel):
    """The whole file: a list of recommendations."""

    recommendations: tuple[Recommendation, ...]


def load_recommendations(programme: Programme) -> tuple[Recommendation, ...] | None:
    """The programme's recommendations, or None when it has no ``data/recommendations.yml``.

    Raises
    ------
    InputError
        One line per problem naming the file and the key: an unknown key, an identity code, a
        page of evidence that is not a page of this report.
    """
    path: Path = programme.recommendations_file
    if not path.is_file():
        return None
    label = path.name
    raw = load_yaml(path, label)
    lines = KeyLines(path)   # every refusal names its line, as programme.yml's and the params' do

    def problem(key: str | None, message: str) -> InputProblem:
        return InputProblem(label, lines.line(key), key, message)

    # A file holding an identity code or a hidden character is refused for those alone: the
    # model's messages quote values and keys, which might hold them. Otherwise every problem at once.
    problems = [problem(key, HETU_MESSAGE) for key in identity_code_keys(raw)]
    problems += [problem(key, f"contains {what}, which the report cannot show as written; delete it")
                 for key, what in hidden_character_keys(raw)]
    if problems:
        raise InputError(problems)
    try:
        parsed = RecommendationsFile.model_validate(raw).recommendations
    except ValidationError as exc:
        parsed = None
        problems += [problem(key_path(loc) or None, message) for loc, message in messages(exc, RecommendationsFile)]
    pages = {*NATIONAL_EVIDENCE, *(f"pilots/{pid}" for pid in programme.pilot_ids)}
    for i, j, page in _evidence(raw):
        if page not in pages:
            key = f"recommendations[{i}].evidence[{j}]"
            problems.append(problem(key, f"{page!r} is not a page of this report; one of {', '.join(sorted(pages))}"))
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.line or 0, p.column or "")))
    return parsed


def _evidence(raw) -> list[tuple[int, int, str]]:
    """(recommendation, place, page) of every page of evidence the file names as text, however wrong the rest is."""
    items = raw.get("recommendations") if isinstance(raw, dict) else None
    return [(i, j, page) for i, item in enumerate(items if isinstance(items, list) else [])
            if isinstance(item, dict) and isinstance(item.get("evidence"), list)
            for j, page in enumerate(item["evidence"]) if isinstance(page, str)]


def shown_recommendations(programme: Programme, lang: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(title, text, evidence pages) of each recommendation in ``lang``; empty without the file."""
    return [(in_language(r.title, lang, programme.languages), in_language(r.text, lang, programme.languages),
             r.evidence) for r in load_recommendations(programme) or ()]

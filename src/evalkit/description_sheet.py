"""The description sheet of the ministry's publication series (kuvailulehti, presentationsblad).

Every edition carries three sheets, in the order Finnish, Swedish, English, each written wholly in
its own language. :func:`sheet_rows` gives a sheet's fields from the programme's optional
publication metadata (the contract's ``publication`` keys); a field that is absent says so in words
("ei ilmoitettu"), never as a blank. :func:`abstract` states the main results with the computed
numbers, formatted as the sheet's language writes them.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from evalkit.formatting import fmt_date, fmt_eur, fmt_number, fmt_percent
from evalkit.i18n import t

SHEET_LANGUAGES = ("fi", "sv", "en")   # the order of the sheets, as the government's publications have it
# The page count is known only once the PDF is laid out: the sheet's cell carries this class, and
# the PDF's stylesheet writes the last page's number there (evalkit.pipeline.print_html).
PAGE_COUNT_CLASS = "evalkit-page-count"
FIELDS = ("publisher", "date", "title", "authors", "series", "isbn_pdf", "issn_pdf", "urn", "case_number",
          "pages", "language", "keywords")


def _text(value: object, lang: str) -> str | None:
    """A metadata value in ``lang``: text as it is, a language mapping's entry; None when absent or blank."""
    if isinstance(value, Mapping):
        value = value.get(lang)
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(item) for item in value if str(item).strip())
    if value is None or not str(value).strip():
        return None
    return str(value).strip()


def sheet_rows(sheet_lang: str, edition_lang: str, publication: Mapping | None = None, *,
               date: dt.date | None = None, pages: int | None = None) -> list[tuple[str, str]]:
    """The fields of one description sheet, labelled and filled in ``sheet_lang``.

    Parameters
    ----------
    sheet_lang : str
        The sheet's language (its labels and values).
    edition_lang : str
        The language of the edition described (the sheet's "language" field names it).
    publication : mapping, optional
        The programme's ``publication`` metadata: ``authors``, ``keywords`` (text, or a mapping from
        language code to text), ``series``, ``number``, ``isbn_pdf``, ``issn_pdf``, ``urn``,
        ``case_number``, ``date`` (a date or ``YYYY-MM-DD``); any may be missing, and so may the
        whole. Title and publisher may be given too; by default they are the catalogue's.
    date : datetime.date, optional
        The date when ``publication`` gives none (the build's).
    pages : int, optional
        The printed report's page count, when known.

    Returns
    -------
    list of (str, str)
        (label, value) in :data:`FIELDS` order; an absent value reads ``description.absent``.
    """
    meta = dict(publication or {})
    absent = t("description.absent", sheet_lang)
    when = meta.get("date") or date
    if isinstance(when, str):
        when = dt.date.fromisoformat(when)
    series = _text(meta.get("series"), sheet_lang)
    number = _text(meta.get("number"), sheet_lang)
    values = {
        "publisher": _text(meta.get("publisher"), sheet_lang) or t("publication.publisher", sheet_lang),
        "date": fmt_date(when, sheet_lang) if when else None,
        "title": _text(meta.get("title"), sheet_lang) or t("book.title", sheet_lang),
        "authors": _text(meta.get("authors"), sheet_lang),
        "series": " ".join(filter(None, (series, number))) if series else None,
        "isbn_pdf": _text(meta.get("isbn_pdf"), sheet_lang),
        "issn_pdf": _text(meta.get("issn_pdf"), sheet_lang),
        "urn": _text(meta.get("urn"), sheet_lang),
        "case_number": _text(meta.get("case_number"), sheet_lang),
        "pages": fmt_number(pages, lang=sheet_lang) if pages else None,
        "language": t(f"description.language_name.{edition_lang}", sheet_lang),
        "keywords": _text(meta.get("keywords"), sheet_lang),
    }
    return [(t(f"description.field.{name}", sheet_lang), values[name] or absent) for name in FIELDS]


def abstract(sheet_lang: str, *, pilots: int, budget_eur: float, participants: int | None, horizon: int,
             employment_rate: float | None, positive_rate: float | None, synthetic: bool,
             source_report: bool = True) -> str:
    """The sheet's abstract: what was evaluated and its main results, with the computed numbers.

    Numbers are passed in as computed (and as the small-cell rule publishes them: None where it
    hides one, shown as a dash) and formatted here in ``sheet_lang``; none is typed in a text.
    ``source_report`` False gives the text for a programme without the default programme's source
    report.

    Returns
    -------
    str
    """
    dash = t("format.missing", sheet_lang)
    # Without a source report, no word of the default programme (TE pilots, the ministry's report).
    text = t("description.abstract" if source_report else "description.programme_abstract", sheet_lang,
             pilots=fmt_number(pilots, lang=sheet_lang), budget=fmt_eur(budget_eur, lang=sheet_lang),
             participants=fmt_number(participants, lang=sheet_lang) if participants is not None else dash,
             horizon=fmt_number(horizon, lang=sheet_lang),
             employment=fmt_percent(employment_rate, lang=sheet_lang) if employment_rate is not None else dash,
             positive=fmt_percent(positive_rate, lang=sheet_lang) if positive_rate is not None else dash)
    return " ".join([text, t("description.abstract_synthetic", sheet_lang)] if synthetic else [text])

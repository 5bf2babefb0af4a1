"""One message catalogue per language; nothing else in evalkit hard-codes a language.

A language's catalogue is every ``evalkit/locales/<lang>/*.yml`` file (one file per area of the
product, so that areas can be edited independently), merged; a key defined twice is an error.
Entries are nested mappings. ``t("a.b", x=1)`` looks up
``a: {b: ...}`` in the active language and fills ``{x}`` placeholders with ``str.format``.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from evalkit.errors import EvalkitError
from evalkit.pipeline.read_log import package_only

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"
_active = DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    """Make ``lang`` the active language for :func:`t` and :func:`has`.

    Parameters
    ----------
    lang : {"fi", "sv", "en"}
        One of ``LANGUAGES``.

    Raises
    ------
    EvalkitError
        When ``lang`` is not one of ``LANGUAGES``.
    """
    global _active
    if lang not in LANGUAGES:
        raise EvalkitError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    _active = lang


def language() -> str:
    """The active language."""
    return _active


@package_only
@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, Any]:
    """Every message of ``lang``, merged from its ``locales/<lang>/*.yml`` files (read once, cached).

    Parameters
    ----------
    lang : str
        Language code, a folder under ``evalkit/locales``.

    Returns
    -------
    dict of str to Any
        Flat mapping from dotted key (``a.b`` for ``a: {b: ...}``) to its entry.

    Raises
    ------
    EvalkitError
        When two files of the language define the same key.
    """
    merged: dict[str, Any] = {}
    folder = resources.files("evalkit.locales").joinpath(lang)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yml"):
            continue
        # libyaml's safe loader where PyYAML has it: the same data from our own files, ten times faster.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        entries = _flatten(yaml.load(entry.read_text(encoding="utf-8"), Loader=loader) or {})  # noqa: S506
        twice = set(entries) & set(merged)
        if twice:
            raise EvalkitError(f"locales/{lang}/{entry.name} defines again: {', '.join(sorted(twice))}")
        merged.update(entries)
    return merged


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{full}."))
        else:
            flat[full] = value
    return flat


def t(key: str, lang: str | None = None, **values: Any) -> str:
    """The text for ``key`` in ``lang`` (default: the active language), placeholders filled.

    Parameters
    ----------
    key : str
        Dotted message key, e.g. ``"summary.title"``.
    lang : str, optional
        Language; default the active one (:func:`set_language`).
    **values
        Values for the ``{name}`` placeholders, filled with ``str.format``; without any, the
        text is returned as written (so a literal brace needs no escaping).

    Returns
    -------
    str

    Raises
    ------
    KeyError
        When the catalogue has no such key.
    """
    entries = catalogue(lang or _active)
    if key not in entries:
        raise KeyError(f"message {key!r} is missing from the {lang or _active!r} catalogue")
    text = entries[key]
    return text.format(**values) if values else text


def has(key: str, lang: str | None = None) -> bool:
    """Whether the catalogue of ``lang`` (default: the active language) defines ``key``."""
    return key in catalogue(lang or _active)

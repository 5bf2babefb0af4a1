"""One message catalogue per language; nothing else in evalkit hard-codes a language.

Catalogues live in ``evalkit/locales/<lang>.yml`` as nested mappings. ``t("a.b", x=1)`` looks up
``a: {b: ...}`` in the active language and fills ``{x}`` placeholders with ``str.format``.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from evalkit.errors import EvalkitError

LANGUAGES = ("fi", "en")
DEFAULT_LANGUAGE = "fi"
_active = DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    global _active
    if lang not in LANGUAGES:
        raise EvalkitError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    _active = lang


def current_language() -> str:
    return _active


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, Any]:
    text = resources.files("evalkit.locales").joinpath(f"{lang}.yml").read_text(encoding="utf-8")
    return _flatten(yaml.safe_load(text) or {})


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
    """The text for ``key`` in ``lang`` (default: the active language), placeholders filled."""
    entries = catalogue(lang or _active)
    if key not in entries:
        raise KeyError(f"message {key!r} is missing from the {lang or _active!r} catalogue")
    text = entries[key]
    return text.format(**values) if values else text


def has(key: str, lang: str | None = None) -> bool:
    return key in catalogue(lang or _active)

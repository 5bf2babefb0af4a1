"""The participant register (and the employer file): reading, validating, recognising demo data.

``load_register(path, as_of, pilot_id=None)`` is the only way register data enter evalkit;
``load_employers(path)`` reads the optional ``employers.csv``; ``is_synthetic(path)`` tells
whether a file was made by ``evalkit synth``.

The names are imported on first use (PEP 562): a submodule such as ``register.hetu``, which the
build's own bookkeeping needs, then costs no pandas and pandera import (over a second).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_WHERE = {
    "load_register": "load", "load_employers": "employers", "EMPLOYER_COLUMNS": "employers",
    "is_synthetic": "manifest", "MANIFEST_NAME": "manifest",
    "register_schema": "schema", "eligible": "schema", "due_dates": "schema",
}

__all__ = ["load_register", "load_employers", "is_synthetic", "register_schema", "eligible",
           "due_dates", "EMPLOYER_COLUMNS", "MANIFEST_NAME", "pilot_ids"]

if TYPE_CHECKING:
    from evalkit.register.employers import EMPLOYER_COLUMNS, load_employers
    from evalkit.register.load import load_register
    from evalkit.register.manifest import MANIFEST_NAME, is_synthetic
    from evalkit.register.schema import due_dates, eligible, register_schema


def pilot_ids(frame) -> set[str]:
    """The pilot ids in ``frame``'s ``pilot_id`` column as text, a missing id left out.

    Each distinct value is turned into text once: a set built from every row visits a million
    Arrow strings one by one in Python (more than half a second).
    """
    return {str(value) for value in frame["pilot_id"].dropna().unique()}


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value

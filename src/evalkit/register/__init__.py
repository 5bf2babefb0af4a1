"""The participant register (and the employer file): reading, validating, recognising demo data.

``load_register(path, as_of, pilot_id=None)`` is the only way register data enter evalkit;
``load_employers(path)`` reads the optional ``employers.csv``; ``is_synthetic(path)`` tells
whether a file was made by ``evalkit synth``.
"""
from evalkit.register.employers import EMPLOYER_COLUMNS, load_employers
from evalkit.register.load import load_register
from evalkit.register.manifest import MANIFEST_NAME, is_synthetic
from evalkit.register.schema import due_dates, eligible, register_schema

__all__ = ["load_register", "load_employers", "is_synthetic", "register_schema", "eligible",
           "due_dates", "EMPLOYER_COLUMNS", "MANIFEST_NAME"]

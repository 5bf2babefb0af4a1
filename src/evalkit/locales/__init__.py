"""Message catalogues: one folder of YAML files per language (``fi/``, ``en/``), read by :mod:`evalkit.i18n`."""

"""evalkit: rebuild the evaluation report of the TE-service pilots (2021-2022) from data."""
__version__ = "0.1.0"

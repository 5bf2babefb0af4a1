"""evalkit: build the evaluation report of a programme of pilots (by default the TE service pilots) from data."""
__version__ = "0.1.0"

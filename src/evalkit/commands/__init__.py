"""Subcommands of the evalkit CLI, discovered by evalkit.cli."""

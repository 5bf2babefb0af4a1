"""The ``evalkit`` command. Each subcommand is a module in ``evalkit.commands``.

A command module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``;
this file finds them, so adding a command never touches it. Errors reach the user as one line
each on stderr (a ``--debug`` flag shows the traceback), never as a Python traceback by default:
one line per problem of an :class:`~evalkit.errors.InputError`, one line for any other error,
with control characters escaped and identity codes hidden (:func:`evalkit.shown.shown`).
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import signal
import sys

from evalkit import __version__, commands
from evalkit.errors import EvalkitError, InputError
from evalkit.shown import shown


def _command_names() -> list[str]:
    return sorted(info.name for info in pkgutil.iter_modules(commands.__path__) if not info.name.startswith("_"))


def _command_modules(only: str | None = None):
    for name in _command_names():
        if only is None or name == only:
            yield importlib.import_module(f"evalkit.commands.{name}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``evalkit`` argument parser, with one subcommand per module in ``evalkit.commands``.

    A subcommand's description is its module docstring. With ``only`` (a command's module name),
    just that subcommand: each command module imports what its command needs, and a no-op
    ``evalkit build`` should not pay for the statistics another command imports.
    """
    parser = argparse.ArgumentParser(
        prog="evalkit",
        description="Build the evaluation report of a programme of pilots from data: validate "
                    "registers, compute indicators, build the book.",
    )
    parser.add_argument("--version", action="version", version=f"evalkit {__version__}")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules(only):
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.__doc__)
        module.add_arguments(command)
        if getattr(module, "PROGRAMME", False):
            command.add_argument("--programme", metavar="DIR",
                                 help="the programme folder (programme.yml, params/, data/); default: this project")
        command.set_defaults(run=module.run)
    return parser


def _programme_folder(argv: list[str]) -> str | None:
    """The value of ``--programme DIR`` (or ``--programme=DIR``) among the arguments, if given."""
    for index, arg in enumerate(argv):
        if arg == "--programme" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--programme="):
            return arg.split("=", 1)[1]
    return None


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that it cleans up as after Ctrl-C."""


def _terminate(signum, frame):
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    """Run the ``evalkit`` command line.

    Parameters
    ----------
    argv : list of str, optional
        Arguments after the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: the command's own (0 on success); 2 with no command given; an
        :class:`~evalkit.errors.EvalkitError`'s ``exit_code`` (its message printed one line each on
        stderr); 1 on an operating-system error (a full disk: the path and the reason, one line);
        130 on Ctrl-C (SIGINT), 143 on SIGTERM, both cleaned up as far as a command got; 3 on any
        other exception (a bug). ``--debug`` re-raises
        instead, to show the traceback.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    named = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(named if named in _command_names() else None)
    # The programme is chosen before anything else is read, so that the pilot ids an argument may
    # name are already its pilots (the thin entry point: one registry, no flag passed down).
    folder = _programme_folder(argv)
    if folder is not None:
        from evalkit.programme import use
        try:
            use(folder)
        except EvalkitError as exc:
            lines = [str(p) for p in exc.problems] if isinstance(exc, InputError) else [str(exc)]
            for line in lines:
                print(f"evalkit: {shown(line)}", file=sys.stderr)
            return exc.exit_code
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return int(args.run(args) or 0)
    except EvalkitError as exc:
        if args.debug:
            raise
        # One line per problem, each through shown(): a file name or key with a line break or an
        # escape sequence prints as one literal line, and no identity code reaches the terminal.
        lines = [str(p) for p in exc.problems] if isinstance(exc, InputError) else [str(exc)]
        for line in [line for line in lines if line] or [type(exc).__name__]:
            print(f"evalkit {args.command}: {shown(line)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        print(f"evalkit {args.command}: interrupted; previous outputs left as they were", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    except OSError as exc:  # the machine, not a bug: a full disk, a lost permission, a vanished folder
        if args.debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"evalkit {args.command}: {shown(f'{where}{exc.strerror or exc}')}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug, not bad input: still one line unless --debug
        if args.debug:
            raise
        print(f"evalkit {args.command}: internal error: {type(exc).__name__}: {shown(exc)} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return 3
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())

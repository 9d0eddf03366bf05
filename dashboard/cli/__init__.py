"""The `kontaktcenter` command. Each subcommand lives in its own module with `register()`."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

import duckdb

# dashboard/__init__.py made a Ctrl-C during these imports quiet (exit 130) for the command.
from dashboard import INTERRUPTED
from dashboard.cli.swedish import SwedishParser
from dashboard.config import load_settings
from dashboard.store import StoreError

# Subcommand modules, in the order `--help` lists them.
SUBCOMMANDS = (
    "serve", "sample", "ingest", "profile", "vocabulary", "metrics", "staffing", "export", "migrate",
    "find",
)


class CliError(Exception):
    """A user-facing failure: printed without a traceback, exit code 2."""


def tell(text: str) -> None:
    """A line on stderr, if anyone still reads it: a closed stderr must not become a traceback."""
    try:
        print(text, file=sys.stderr, flush=True)
    except OSError:
        pass


def detach_stdout() -> None:
    """After a broken pipe: point standard output at /dev/null, so Python's final flush of what
    is still buffered neither fails (exit status 120) nor prints a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no stdout at all
        pass


def build_parser() -> argparse.ArgumentParser:
    parser = SwedishParser(
        prog="kontaktcenter",
        description="Analys av Malmö stads kontaktcenter.",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="databasfil (annars KONTAKTCENTER_DB eller standardplatsen i användarens datakatalog)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="visa mer loggning")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"dashboard.cli.{name}").register(sub)
    # `--db` and `-v` are also accepted after the subcommand (`kontaktcenter ingest F --db X`),
    # where people put them; SUPPRESS keeps the value given before the subcommand when absent.
    for name, command in sub.choices.items():
        if not any("--db" in a.option_strings for a in command._actions):
            command.add_argument("--db", type=Path, default=argparse.SUPPRESS, metavar="DB",
                                 help="databasfil (får stå före eller efter kommandot)")
        if not any(o in ("-v", "--verbose") for a in command._actions for o in a.option_strings):
            command.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                                 help="visa mer loggning (får stå före eller efter kommandot)")
    return parser


class _Interrupt:
    """The SIGINT handler: remembers that Ctrl-C came, then raises KeyboardInterrupt. DuckDB
    turns an interrupt inside a query into an exception of its own choosing (InterruptException,
    or a RuntimeError "Query interrupted" from a fetch), so whatever exception ends the command
    after a Ctrl-C counts as the interrupt."""

    came = False

    def __call__(self, signum, frame):
        _Interrupt.came = True
        raise KeyboardInterrupt

    @staticmethod
    def unraisable(hook):
        """sys.unraisablehook: Python drops (and reports, with a traceback) an exception raised
        while a generator or object is finalised. A Ctrl-C that landed there is delivered again,
        quietly, so it stops the command where it runs now. It is sent from another thread a
        moment later: raised inside the hook it would be dropped the same way."""

        def redeliver() -> None:
            time.sleep(0.05)
            os.kill(os.getpid(), signal.SIGINT)

        def handle(unraisable) -> None:
            if isinstance(unraisable.exc_value, KeyboardInterrupt):
                threading.Thread(target=redeliver, daemon=True).start()
                return
            hook(unraisable)

        return handle


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except (KeyboardInterrupt, duckdb.InterruptException, Exception) as exc:
        if not (_Interrupt.came or isinstance(exc, (KeyboardInterrupt, duckdb.InterruptException))):
            raise
        # Anywhere: writers roll back or never commit, the writer lock goes with the process.
        signal.signal(signal.SIGINT, signal.SIG_IGN)   # a second Ctrl-C must not interrupt this
        print(INTERRUPTED, file=sys.stderr, flush=True)
        return 130


def _main(argv: list[str] | None) -> int:
    # From here on Ctrl-C raises KeyboardInterrupt, so open transactions roll back and locks close.
    _Interrupt.came = False
    signal.signal(signal.SIGINT, _Interrupt())
    previous_hook = sys.unraisablehook
    sys.unraisablehook = _Interrupt.unraisable(previous_hook)
    try:
        return _run(argv)
    finally:
        sys.unraisablehook = previous_hook


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        args.settings = load_settings(db=args.db)
    except ValueError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 2
    previous_umask = restrict_umask()
    try:
        return int(args.handler(args) or 0)
    except (CliError, StoreError) as exc:
        if _Interrupt.came:   # an error made of the interrupt (a query cut short): it is Ctrl-C
            raise
        tell(f"Fel: {exc}")
        return 2
    except BrokenPipeError:   # the reader went away (`metrics | head`): it asked for no more
        detach_stdout()
        return 1
    except duckdb.IOException as exc:   # the file broke under a query (truncated, disk error)
        if _Interrupt.came:
            raise
        from dashboard.store.database import damaged_message

        print(f"Fel: {damaged_message(args.settings.db, exc)}", file=sys.stderr)
        return 2
    finally:
        os.umask(previous_umask)


def restrict_umask() -> int:
    """Files the command creates (stores, logs, exports; the dashboard started by `serve`
    inherits it) are readable by their owner only: adds 077 to the umask, returns the old one."""
    old = os.umask(0o077)
    os.umask(old | 0o077)
    return old


if __name__ == "__main__":
    sys.exit(main())

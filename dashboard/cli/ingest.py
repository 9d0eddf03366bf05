"""`kontaktcenter ingest FILE... --profile PROFILE.toml`: read exports into the store.

Exit codes: 0 when every file was read and its quarantined share stayed within the limit;
1 when at least one file could not be read at all, landed no row although it had rows, or
quarantined more than --max-quarantine-share of its rows (the others still landed, and what
landed is kept); 2 for problems that stop everything (a named file that does not exist, profile,
key, store).
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

import duckdb

from dashboard.cli import CliError


def register(sub) -> None:
    p = sub.add_parser("ingest", help="läs in exportfiler (CSV, XLSX, Parquet) enligt en mappningsprofil")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="filer att läsa in")
    p.add_argument("--profile", required=True, type=Path, metavar="PROFILE.toml",
                   help="mappningsprofil (se docs/ingest.md; skapa ett utkast med `kontaktcenter profile suggest`)")
    p.add_argument("--source-system", default=None, metavar="NAME",
                   help="ersätt profilens source_system")
    p.add_argument("--max-quarantine-share", type=float, default=None, metavar="SHARE",
                   help="högsta andel rader i karantän per fil innan kommandot räknas som misslyckat "
                        "(0–1; standard inställningen ingest_max_quarantine_share, 0.1)")
    p.add_argument("-q", "--quiet", action="store_true", help="visa inga förloppsrader")
    p.set_defaults(handler=run)


class ProgressPrinter:
    """Progress on stderr for long files: first line after 2 s, then every second (TTY) or 10 s."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.tty = stream.isatty()
        self.start = time.monotonic()
        self.last: float | None = None

    def __call__(self, p) -> None:
        if p.done:
            if self.last is not None and self.tty:
                self.stream.write("\n")
            return
        now = time.monotonic() - self.start
        if now < 2 or (self.last is not None and now - self.last < (1 if self.tty else 10)):
            return
        self.last = now
        share = f" ({p.fraction:.0%})".replace("%", " %") if p.fraction is not None else ""
        rows = f"{p.rows_read:,}".replace(",", "\u00a0")
        line = f"Läser {p.file.name} (fil {p.file_index} av {p.file_count}): {rows} rader{share}"
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        self.stream.flush()


def _refuse_missing_files(files: list[Path]) -> None:
    """A path that is not there (a typo, a glob that matched nothing) stops the run before the
    key, the store or any other file is touched: one message naming them all, exit 2. A file
    that exists but cannot be read is a file-level failure of the run (exit 1)."""
    missing = [str(f) for f in files if not f.exists()]
    folders = [str(f) for f in files if f.is_dir()]
    if not missing and not folders:
        return
    parts = []
    if missing:
        parts.append(f"{'Filen' if len(missing) == 1 else 'Filerna'} {', '.join(missing)} finns inte")
    if folders:
        named = ", ".join(folders) if missing else (
            f"{'Sökvägen' if len(folders) == 1 else 'Sökvägarna'} {', '.join(folders)}")
        parts.append(f"{named} {'är en katalog' if len(folders) == 1 else 'är kataloger'}")
    paths = "sökvägen" if len(missing) + len(folders) == 1 else "sökvägarna"
    raise CliError(f"{' och '.join(parts)}. Kontrollera {paths}; ingen fil lästes in.")


def run(args) -> int:
    from dashboard.ingest import IngestError, ingest_files, load_profile
    from dashboard.cli.keys import key_for
    from dashboard.store import StoreError, writing

    settings = args.settings
    max_share = settings.ingest_max_quarantine_share if args.max_quarantine_share is None else args.max_quarantine_share
    if not 0 <= max_share <= 1:
        raise CliError("--max-quarantine-share ska ligga mellan 0 och 1 (t.ex. 0.1 för 10 %).")
    _refuse_missing_files(args.files)
    try:
        profile = load_profile(args.profile)
    except IngestError as exc:
        raise CliError(str(exc)) from None
    if args.source_system:
        profile = dataclasses.replace(profile, source_system=args.source_system.strip())
    key = key_for(settings)
    try:
        # The writer lock for the whole run; the dashboard's snapshot is published after commit.
        with writing(settings.db, key=key, memory_limit=settings.write_memory_limit) as con:
            con.execute("set enable_progress_bar = false")   # our own progress lines go to stderr
            summary = ingest_files(con, args.files, profile, key,
                                   None if args.quiet else ProgressPrinter(), settings=settings)
    except (IngestError, StoreError) as exc:
        raise CliError(str(exc)) from None
    except duckdb.IOException as exc:
        raise CliError(
            f"Databasen {settings.db} kan inte öppnas för skrivning ({str(exc).splitlines()[0]}). "
            "Kontrollera att filen och katalogen är skrivbara och försök igen."
        ) from None
    for line in summary.lines_sv():
        print(line)
    # stderr says once per failed file why, with the fix (an unreadable file was printed here
    # twice more: as "Fel:" and inside its verdict)
    verdicts = summary.verdicts_sv(max_share)
    if verdicts:
        print("Inläsningen räknas som misslyckad (slutkod 1):", file=sys.stderr)
        for line in verdicts:
            print(f"- {line}", file=sys.stderr)
        if len(summary.failed) < len(verdicts):   # some file landed too little: the quarantine says why
            print("Det som gick att läsa in är sparat; rätta profilen (se orsakerna i tabellen quarantine) "
                  "och läs in filen igen.", file=sys.stderr)
        elif summary.landed:
            print("Det som gick att läsa in är sparat; rätta felet och läs in filen igen.", file=sys.stderr)
        else:
            print("Inget lästes in; rätta felet och läs in filen igen.", file=sys.stderr)
    return 1 if verdicts else 0

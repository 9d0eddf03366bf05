"""The writer lock: one writing process per store file at a time.

Today the lock is DuckDB's own file lock: DuckDB refuses a writer while any other process has the
file open, even read-only. A writable open therefore retries for a while (the dashboard closes its
read-only connection after 2 s idle) and then stops with a message naming the fix. Ingest,
migrate and the marts refresh open the store through `dashboard.store.open_store` and so take this
lock. The sample builder is the exception: it writes a private temporary file (whose lock it
holds) and renames it over the target, which today does not wait for a writer of the target.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Callable

import duckdb

from dashboard.store.errors import StoreError

# A writer waits this long for another process to let go of the file before giving up
# (environment KONTAKTCENTER_LOCK_WAIT_S overrides it, e.g. for tests).
LOCK_WAIT_S = float(os.environ.get("KONTAKTCENTER_LOCK_WAIT_S", "15"))
_LOCK_RETRY_S = 0.25


def connect_writable(path: Path, wait_s: float,
                     on_wait: Callable[[str], None] | None) -> duckdb.DuckDBPyConnection:
    """Connect read-write, waiting up to wait_s for another process to release the file."""
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if not _is_lock_conflict(exc):
                raise
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"Databasen {path} används av ett annat program (t.ex. dashboarden eller ett annat "
                    f"kommando) och kunde inte öppnas för skrivning på {wait_s:.0f} s. Stäng dashboarden "
                    "(eller låt den vara orörd några sekunder så släpper den filen) och försök igen."
                ) from None
            if not told:
                (on_wait or _print_stderr)(
                    f"Databasen {path} är öppen i ett annat program (t.ex. dashboarden); "
                    f"väntar upp till {wait_s:.0f} s på att den släpps …")
                told = True
            time.sleep(max(0.0, min(_LOCK_RETRY_S, deadline - time.monotonic())))


def _is_lock_conflict(exc: duckdb.IOException) -> bool:
    text = str(exc)
    return "Conflicting lock" in text or "Could not set lock" in text


def _print_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)

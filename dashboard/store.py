"""The DuckDB store: open, migrate, data version.

Writers (ingest, sample) open the store read-write; migrations in queries/migrations run then.
The dashboard opens it read-only and takes one cursor per thread (DuckDB connections are not
thread-safe; cursors of one connection are).
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import duckdb

from dashboard.reference import seed_reference

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
MIGRATIONS_DIR = QUERIES_DIR / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
# A writer waits this long for another process (typically the dashboard, which closes its
# read-only connection after 2 s idle) to let go of the file before giving up
# (environment KONTAKTCENTER_LOCK_WAIT_S overrides it, e.g. for tests).
LOCK_WAIT_S = float(os.environ.get("KONTAKTCENTER_LOCK_WAIT_S", "15"))
_LOCK_RETRY_S = 0.25


class StoreError(RuntimeError):
    """A store problem a user can act on; the message is Swedish and names the fix."""


def migrations() -> list[tuple[int, str, Path]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        m = _MIGRATION_NAME.match(path.name)
        if not m:
            raise StoreError(f"Migreringsfilen {path.name} följer inte mönstret NNN_namn.sql.")
        found.append((int(m.group(1)), m.group(2), path))
    return found


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations, each in its own transaction. Returns the versions applied."""
    con.execute(
        "create table if not exists schema_migrations ("
        " version integer primary key, name varchar not null, applied_at timestamp not null)"
    )
    done = {row[0] for row in con.execute("select version from schema_migrations").fetchall()}
    applied = []
    for version, name, path in migrations():
        if version in done:
            continue
        con.execute("begin transaction")
        try:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute(
                "insert into schema_migrations values ($v, $n, now()::timestamp)",
                {"v": version, "n": name},
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        applied.append(version)
    return applied


def open_store(path: Path | str, read_only: bool = False, *, lock_wait_s: float | None = None,
               on_wait: Callable[[str], None] | None = None) -> duckdb.DuckDBPyConnection:
    """Open the store. Writable opens create the file and apply migrations.

    DuckDB refuses a writer while any other process has the file open (even read-only), so a
    writable open retries for lock_wait_s (default LOCK_WAIT_S); on_wait gets one Swedish line
    when the wait starts (default: printed to stderr). Then StoreError names the fix.
    """
    path = Path(path)
    if read_only:
        if not path.exists():
            raise StoreError(
                f"Databasen {path} finns inte. Skapa den med `kontaktcenter sample` "
                "eller läs in data med `kontaktcenter ingest`."
            )
        con = duckdb.connect(str(path), read_only=True)
        pending = {v for v, _, _ in migrations()} - _applied_versions(con)
        if pending:
            con.close()
            raise StoreError(
                f"Databasen {path} har en äldre version (migreringar {sorted(pending)} saknas). "
                "Öppna den en gång med skrivrätt, t.ex. `kontaktcenter migrate`, för att uppdatera."
            )
        return con
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect_writable(path, LOCK_WAIT_S if lock_wait_s is None else lock_wait_s, on_wait)
    migrate(con)
    seed_reference(con)  # fill empty lookup tables (dashboard/reference.py)
    return con


def _connect_writable(path: Path, wait_s: float, on_wait: Callable[[str], None] | None):
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


def _applied_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    try:
        return {r[0] for r in con.execute("select version from schema_migrations").fetchall()}
    except duckdb.CatalogException:
        return set()


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """A counter bumped by every committed ingest; caches key on it."""
    rows = con.execute("select value from meta where key = 'data_version'").fetchall()
    # fetchall, not fetchone: an unfinished result would block the next query on this connection.
    return int(rows[0][0]) if rows else 0


def bump_data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Call inside the writer's transaction so the bump commits with the data."""
    con.execute(
        "update meta set value = (value::bigint + 1)::varchar where key = 'data_version'"
    )
    return data_version(con)


class ThreadCursors:
    """One read-only connection per store file, one cursor per thread."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con
        self._local = threading.local()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

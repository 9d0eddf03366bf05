"""Open the DuckDB store, migrate it, read and bump its data version.

Writers (ingest, sample, migrate, refresh) open the store read-write through `open_store`, which
waits for DuckDB's writer lock (dashboard/store/lock.py) and applies the migrations in
queries/migrations. Readers open it read-only and take one cursor per thread (DuckDB connections
are not thread-safe; cursors of one connection are).
"""

from __future__ import annotations

import importlib
import re
import threading
from pathlib import Path
from typing import Callable

import duckdb

from dashboard.reference import seed_reference
from dashboard.shipped import shipped
from dashboard.store import lock
from dashboard.store.errors import StoreError

QUERIES_DIR = shipped("queries")
MIGRATIONS_DIR = QUERIES_DIR / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


def migrations() -> list[tuple[int, str, Path]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        m = _MIGRATION_NAME.match(path.name)
        if not m:
            raise StoreError(f"Migreringsfilen {path.name} följer inte mönstret NNN_namn.sql.")
        found.append((int(m.group(1)), m.group(2), path))
    if not found:  # a broken installation, not an empty schema
        raise StoreError(f"Inga migreringar finns i {MIGRATIONS_DIR}: installationen är ofullständig. "
                         "Installera paketet igen (`pip install .`).")
    return found


# Migrations with a step that SQL cannot do (it needs the pseudonymisation key): version ->
# (module, function), called as function(con, key) after the SQL, in the same transaction.
# Imported when needed, so the store does not depend on ingest at import time.
PYTHON_STEPS = {3: ("dashboard.ingest.door_migration", "run")}


def migrate(con: duckdb.DuckDBPyConnection, key: bytes | None = None) -> list[int]:
    """Apply pending migrations, each in its own transaction. Returns the versions applied.
    `key` is the pseudonymisation key, for migrations that convert stored values with it."""
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
            if version in PYTHON_STEPS:
                module, function = PYTHON_STEPS[version]
                getattr(importlib.import_module(module), function)(con, key)
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
               on_wait: Callable[[str], None] | None = None,
               key: bytes | None = None) -> duckdb.DuckDBPyConnection:
    """Open the store. Writable opens create the file and apply migrations.

    DuckDB refuses a writer while any other process has the file open (even read-only), so a
    writable open retries for lock_wait_s (default lock.LOCK_WAIT_S); on_wait gets one Swedish line
    when the wait starts (default: printed to stderr). Then StoreError names the fix.
    `key` (the pseudonymisation key) lets migrations that need it run.
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
    con = lock.connect_writable(path, lock.LOCK_WAIT_S if lock_wait_s is None else lock_wait_s,
                                on_wait)
    try:
        migrate(con, key)
    except BaseException:
        con.close()
        raise
    seed_reference(con)  # fill empty lookup tables (dashboard/reference.py)
    return con


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

"""Open the DuckDB store, migrate it, read and bump its data version.

Writers (ingest, sample, migrate, refresh, vocabulary) run inside `writing(db)`: the writer lock
(dashboard/store/lock.py), a writable `open_store` that applies the migrations in
queries/migrations, and after a successful run the publish of a read snapshot for the dashboard
(dashboard/store/snapshot.py). CLI readers open the store read-only and take one cursor per
thread (DuckDB connections are not thread-safe; cursors of one connection are).

A store that cannot be used (missing, a directory, empty, damaged, not writable, from a newer
version of the program) raises StoreError with a Swedish message naming the problem and the fix;
a newer schema is refused before anything is written.
"""

from __future__ import annotations

import importlib
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import duckdb

from dashboard.config import Settings
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
    `key` is the pseudonymisation key, for migrations that convert stored values with it.
    A migration that changes what the marts hold drops them (marts.clear_marts); they are built
    after its commit, in a transaction of their own (marts.finish_rebuild)."""
    con.execute(
        "create table if not exists schema_migrations ("
        " version integer primary key, name varchar not null, applied_at timestamp not null)"
    )
    done = {row[0] for row in con.execute("select version from schema_migrations").fetchall()}
    _refuse_newer(done, None)
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
    if applied:
        from dashboard.store.marts import finish_rebuild, marts_pending   # marts import this package

        if marts_pending(con):   # a migration dropped the marts with what it changed: build them
            finish_rebuild(con)
    return applied


# The write path's memory bound (the setting write_memory_limit, docs/configuration.md): DuckDB
# spills what does not fit to a temporary directory next to the store instead of growing.
DEFAULT_WRITE_MEMORY_LIMIT = Settings.write_memory_limit


def write_config(path: Path, memory_limit: str | None = None) -> dict:
    """DuckDB settings of every writing connection of the store at `path`."""
    return {"memory_limit": memory_limit or DEFAULT_WRITE_MEMORY_LIMIT,
            "temp_directory": str(path.with_name(path.name + ".tmp"))}


def open_store(path: Path | str, read_only: bool = False, *, lock_wait_s: float | None = None,
               on_wait: Callable[[str], None] | None = None,
               key: bytes | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the store. Writable opens create the file and apply migrations.

    Writers call this inside `writing` (which holds the writer lock and publishes afterwards).
    A CLI reader may have the file open, so a writable open retries for lock_wait_s (default
    lock.LOCK_WAIT_S); on_wait gets one Swedish line when the wait starts. Then StoreError
    names the fix. `key` (the pseudonymisation key) lets migrations that need it run.
    `memory_limit` bounds a writable connection (default DEFAULT_WRITE_MEMORY_LIMIT).
    """
    path = Path(path)
    _check_path(path, read_only)
    if read_only:
        con = _connect(path, lambda: duckdb.connect(str(path), read_only=True))
        try:
            applied = _applied_versions(con)
        except duckdb.Error as exc:   # the header was readable, the rest is not (truncated)
            con.close()
            raise StoreError(damaged_message(path, exc)) from None
        try:
            _refuse_newer(applied, path)
        except StoreError:
            con.close()
            raise
        pending = {v for v, _, _ in migrations()} - applied
        if pending:
            con.close()
            raise StoreError(
                f"Databasen {path} har en äldre version (migreringar {sorted(pending)} saknas). "
                "Öppna den en gång med skrivrätt, t.ex. `kontaktcenter migrate`, för att uppdatera."
            )
        return con
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(path, lambda: lock.connect_writable(
        path, lock.LOCK_WAIT_S if lock_wait_s is None else lock_wait_s, on_wait,
        write_config(path, memory_limit)))
    try:
        try:
            applied = _applied_versions(con)
        except duckdb.Error as exc:
            raise StoreError(damaged_message(path, exc)) from None
        _refuse_newer(applied, path)
        migrate(con, key)
    except duckdb.IOException as exc:
        con.close()
        raise StoreError(_not_writable(path, exc)) from None
    except BaseException:
        con.close()
        raise
    seed_reference(con)  # fill empty lookup tables (dashboard/reference.py)
    return con


@contextmanager
def writing(path: Path | str, *, key: bytes | None = None, wait_s: float | None = None,
            on_wait: Callable[[str], None] | None = None,
            memory_limit: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The one way to write the store: writer lock, writable open, and after a successful block
    the connection closed and a read snapshot published (all while the lock is held), both
    within `memory_limit` (the setting write_memory_limit; running out of it is a StoreError
    naming the setting, and the store is left as it was)."""
    path = Path(path)
    with memory_named(path, memory_limit), _writing(path, key, wait_s, on_wait, memory_limit) as con:
        yield con


@contextmanager
def memory_named(path: Path, memory_limit: str | None) -> Iterator[None]:
    """DuckDB's out-of-memory error of a write as a StoreError naming the setting."""
    try:
        yield
    except duckdb.OutOfMemoryException:
        raise StoreError(
            f"Minnet räckte inte för att skriva databasen {path} (gränsen write_memory_limit = "
            f"{memory_limit or DEFAULT_WRITE_MEMORY_LIMIT}). Höj gränsen i inställningarna eller med "
            "KONTAKTCENTER_WRITE_MEMORY_LIMIT (t.ex. \"4GB\"), eller se till att det finns plats på "
            "disken bredvid databasen för det som inte ryms i minnet. Inget har ändrats.") from None


@contextmanager
def _writing(path: Path, key, wait_s, on_wait, memory_limit) -> Iterator[duckdb.DuckDBPyConnection]:
    from dashboard.store.snapshot import is_stale, publish, read_pointer   # they import this module

    with lock.writer_lock(path, wait_s, on_wait):
        con = open_store(path, key=key, lock_wait_s=wait_s, on_wait=on_wait, memory_limit=memory_limit)
        try:
            yield con
        except Exception:
            con.close()
            # Rolled back, but closing may still have rewritten the file: publish here rather
            # than leave it to a reader.
            if is_stale(path, read_pointer(path)):
                publish(path, memory_limit)
            raise
        con.close()
        publish(path, memory_limit)


def check_readable(path: Path) -> None:
    """Raise StoreError naming the problem if the store cannot be read (missing, a directory,
    empty, damaged, locked, from a newer version); a cheap open and close otherwise."""
    open_store(path, read_only=True).close()


def missing_store_message(path: Path) -> str:
    return (f"Databasen {path} finns inte. Kontrollera sökvägen (--db eller KONTAKTCENTER_DB), "
            "skapa en med `kontaktcenter sample` eller läs in data med `kontaktcenter ingest`.")


def _check_path(path: Path, read_only: bool) -> None:
    if path.is_dir():
        raise StoreError(f"{path} är en katalog, inte en databasfil. Ange en fil med --db "
                         "(t.ex. --db data/kontaktcenter.duckdb).")
    if read_only and not path.exists():
        raise StoreError(missing_store_message(path))
    if path.exists() and path.stat().st_size == 0:
        raise StoreError(f"Databasfilen {path} är tom (0 byte), troligen efter ett avbrott när den "
                         "skapades. Ta bort filen och bygg om den (`kontaktcenter sample` eller "
                         "`kontaktcenter ingest`), eller återställ en säkerhetskopia.")
    if not read_only and path.exists() and not os.access(path, os.W_OK):
        raise StoreError(_not_writable(path, None))


def _not_writable(path: Path, exc: Exception | None) -> str:
    return (f"Databasen {path} är skrivskyddad för det här kontot och kan inte uppdateras. Ge "
            "kontot skrivrätt till filen och katalogen (eller kör kommandot som rätt användare).")


def _connect(path: Path, connect: Callable[[], duckdb.DuckDBPyConnection]) -> duckdb.DuckDBPyConnection:
    try:
        return connect()
    except StoreError:
        raise
    except duckdb.Error as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise StoreError(
                f"Databasen {path} är låst av ett annat program som skriver till den. Vänta tills "
                "det är klart och försök igen.") from None
        if "ermission" in text:
            raise StoreError(_not_writable(path, exc)) from None
        raise StoreError(damaged_message(path, exc)) from None


def damaged_message(path: Path | str, exc: Exception) -> str:
    return (f"Databasfilen {path} är skadad eller ingen DuckDB-databas "
            f"({str(exc).splitlines()[0]}). Återställ den från en säkerhetskopia, eller flytta "
            "undan filen och bygg om databasen (`kontaktcenter sample` eller `kontaktcenter "
            "ingest`).")


def _refuse_newer(applied: set[int], path: Path | None) -> None:
    known = max(v for v, _, _ in migrations())
    newer = sorted(v for v in applied if v > known)
    if newer:
        where = f"Databasen {path}" if path else "Databasen"
        raise StoreError(
            f"{where} har schemaversion {max(newer)}, nyare än det här programmets ({known}). "
            "Den öppnas inte, så att inget skrivs i fel format. Uppdatera programmet "
            "(`pip install -U kontaktcenter`) eller använd en databas från den här versionen.")


def store_id(con: duckdb.DuckDBPyConnection) -> str:
    """The store's identity, created with it (migration 005): a replaced store has a new one."""
    rows = con.execute("select value from meta where key = 'store_id'").fetchall()
    return rows[0][0] if rows else ""


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

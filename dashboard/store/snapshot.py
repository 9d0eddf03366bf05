"""Published read snapshots: after every commit the writer copies what the dashboard reads into
a new, immutable DuckDB file and switches a small pointer file to it by an atomic rename.

Layout next to the store `<db>`:

    <db>.snapshots/CURRENT                 the pointer: JSON naming the current snapshot
    <db>.snapshots/<version>-<id>.duckdb   snapshots, never written after they are renamed in
    <db>.snapshots/.building-*             a snapshot being written (removed on the next publish)

Only the tables the dashboard reads are published (`published_tables`): the marts and their
distribution twins, the lookups, the ingest log and its findings, `meta` and the migration list.
Never `contacts`, `quarantine` or the vocabulary aliases. A publish after an ingest costs what
the ingest changed, not the store's size: it starts from a file copy of the current snapshot and
replaces only the mart rows of the local days the marts refresh rewrote (the store's change log,
`marts_changes`), see `publish`. Readers (dashboard/store/readers.py)
open a snapshot read-only, many processes at once, and never touch the store, so a writer never
waits for a reader and a reader never sees a half-written state. `KEEP` snapshots (at least
`KEEP_S` old) stay for sessions still reading one; older ones are removed on publish.

The caller of `publish` holds the writer lock (dashboard/store/lock.py). The pointer records the
store file's stamp at publish time; a reader that finds the store changed since (a writer killed
between its commit and its publish, or a store written by a tool that does not publish) publishes
itself when the writer lock is free (`catch_up`).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from dashboard.store.errors import StoreError
from dashboard.store.lock import try_writer_lock

log = logging.getLogger(__name__)

POINTER = "CURRENT"
KEEP = 3
KEEP_S = 120.0
_BUILDING = ".building-"

# What the dashboard reads besides the marts (measured: docs/architecture.md).
LOOKUPS = ("departments", "topics", "city_areas", "service_points", "calendar", "opening_hours",
           "languages", "channels", "customer_types", "outcomes", "demand_types",
           "failure_reasons", "source_systems")
LOGS = ("ingest_log", "ingest_findings")
STATE = ("meta", "schema_migrations")


def published_tables() -> tuple[str, ...]:
    """Every table or view a snapshot carries: the marts (from the marts' own list), lookups, logs."""
    from dashboard.store.marts import MARTS   # marts import the store package: import late

    marts = []
    for mart in MARTS:
        marts += [mart.name, mart.dist]
    return (*dict.fromkeys(marts), *LOOKUPS, *LOGS, *STATE)


def snapshot_dir(db: Path) -> Path:
    return db.with_name(db.name + ".snapshots")


def file_stamp(path: Path) -> list:
    """What identifies the file's committed content cheaply: inode, mtime and size of db and WAL."""
    stamp = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            s = p.stat()
            stamp.append([s.st_ino, s.st_mtime_ns, s.st_size])
        except FileNotFoundError:
            stamp.append(None)
    return stamp


@dataclass(frozen=True)
class Pointer:
    """What CURRENT says: the snapshot file and the store state it was copied from."""
    file: str
    store_id: str
    data_version: int
    store_stamp: list
    sample: bool
    published_at: str
    marts_generation: int | None = None   # the store's marts refresh count it holds
    delta: bool = False                   # started from the previous snapshot (see publish)

    @property
    def key(self) -> str:
        """Part of every cache key: a replaced store (new id) or a new snapshot never hits old entries."""
        return f"{self.store_id}#{self.data_version}#{self.file}"


def read_pointer(db: Path) -> Pointer | None:
    try:
        raw = (snapshot_dir(db) / POINTER).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return Pointer(**json.loads(raw))
    except (ValueError, TypeError):   # written by a newer version, or damaged: publish again
        log.warning("unreadable snapshot pointer in %s", snapshot_dir(db))
        return None


def is_stale(db: Path, pointer: Pointer | None) -> bool:
    return pointer is None or pointer.store_stamp != file_stamp(db)


def publish(db: Path, memory_limit: str | None = None) -> Pointer:
    """Write a new snapshot of the published tables of the store and switch CURRENT to it.

    When the current snapshot is of the same store and the marts' change log
    (queries/migrations/006_marts_changes.sql) reaches back to it, the new snapshot starts as a
    file copy of the current one and only the mart rows of the local days rewritten since are
    replaced (the lookups, logs and state, all small, are copied whole); otherwise every table is
    copied. Either way the snapshot holds exactly the store's published tables.

    The caller holds the writer lock and has closed its writable connection (so the stamp
    recorded is the file as it rests). Table names are formatted in as trusted identifiers
    (from `published_tables`, our own list), never values. A kill at any point leaves CURRENT naming a complete
    snapshot: the old one until the rename, the new one after.
    """
    from dashboard.store.database import check_readable, write_config   # it imports this module

    db = Path(db)
    check_readable(db)   # a broken or newer store: its Swedish message, and nothing published
    directory = snapshot_dir(db)
    directory.mkdir(exist_ok=True)
    _remove_building(directory)
    stamp = file_stamp(db)
    tmp = directory / f"{_BUILDING}{os.getpid()}-{secrets.token_hex(4)}.duckdb"
    config = write_config(db, memory_limit)
    base, days = _delta_base(db, directory)
    if base is not None:
        shutil.copyfile(base, tmp)
    con = duckdb.connect(str(tmp), config=config)
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach '{_literal(db)}' as store (read_only)")
        present = _objects(con)
        con.execute("begin transaction")
        if base is None:
            _copy_all(con, present)
        else:
            _copy_changes(con, present, days)
        con.execute("commit")
        meta = dict(con.execute("select key, value from meta").fetchall()) if "meta" in present else {}
        sample = bool("ingest_log" in present and con.execute(
            "select count(*) from ingest_log where profile = 'sample'").fetchall()[0][0])
        con.execute("detach store")
        con.execute("checkpoint")
    finally:
        con.close()
    version = int(meta.get("data_version", 0))
    store_id = meta.get("store_id", "")
    generation = meta.get("marts_generation")
    name = f"{version:010d}-{secrets.token_hex(6)}.duckdb"
    _fsync(tmp)
    os.replace(tmp, directory / name)
    pointer = Pointer(file=name, store_id=store_id, data_version=version, store_stamp=stamp,
                      sample=sample, published_at=datetime.now(timezone.utc).isoformat(),
                      marts_generation=int(generation) if generation is not None else None,
                      delta=base is not None)
    _write_pointer(directory, pointer)
    _remove_old(directory, pointer)
    return pointer


def _mart_tables() -> set[str]:
    from dashboard.store.marts import MARTS   # marts import the store package: import late

    return {name for mart in MARTS for name in (mart.name, mart.dist)}


def _delta_base(db: Path, directory: Path) -> tuple[Path | None, list]:
    """(the current snapshot to start from, the local days whose mart rows changed since it),
    or (None, []) when the new snapshot must be copied whole: no usable current snapshot, another
    store's, or a change log that does not reach back to it (a full rebuild since, or too old)."""
    current = read_pointer(db)
    if current is None or current.marts_generation is None:
        return None, []
    path = directory / current.file
    if not path.is_file():
        return None, []
    con = duckdb.connect()
    try:   # the store's path, quoted by _literal (ATTACH binds no parameters): trusted identifiers
        con.execute(f"attach '{_literal(db)}' as store (read_only)")
        tables = {r[0] for r in con.execute(
            "select table_name from duckdb_tables() where database_name = 'store'").fetchall()}
        if "marts_changes" not in tables or "meta" not in tables:
            return None, []
        meta = dict(con.execute("select key, value from store.main.meta where key in "
                                "('store_id', 'marts_generation')").fetchall())
        if meta.get("store_id") != current.store_id or meta.get("marts_generation") is None:
            return None, []
        then, now = current.marts_generation, int(meta["marts_generation"])
        if now == then:
            return path, []
        logged, whole, oldest = con.execute(
            "select count(distinct generation), count(*) filter (where local_date is null), "
            "min(generation) from store.main.marts_changes where generation > $g", {"g": then}).fetchall()[0]
        if whole or logged != now - then or oldest != then + 1:
            return None, []
        days = [r[0] for r in con.execute(
            "select distinct local_date from store.main.marts_changes where generation > $g "
            "order by 1", {"g": then}).fetchall()]
        return path, days
    finally:
        con.close()


def _copy_all(con: duckdb.DuckDBPyConnection, present: dict[str, str]) -> None:
    # table names: trusted identifiers from published_tables(), our own list
    for name in published_tables():
        if present.get(name) == "table":
            con.execute(f'create table "{name}" as select * from store.main."{name}"')
    _copy_views(con, present)


def _copy_changes(con: duckdb.DuckDBPyConnection, present: dict[str, str], days: list) -> None:
    """Bring a copy of the previous snapshot up to the store: the changed days of each mart, the
    other (small) tables whole. Table names are trusted identifiers (published_tables(), our own
    list); the days are bound."""
    marts = _mart_tables()
    held = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database()").fetchall()}
    con.execute("create temp table _publish_days (local_date date)")
    if days:
        con.executemany("insert into _publish_days values ($1)", [[d] for d in days])
    changed = "local_date in (select local_date from _publish_days)"
    for name in published_tables():
        kind = present.get(name)
        if kind != "table":
            if name in held:
                con.execute(f'drop table "{name}"')
            continue
        if name in marts and name in held:
            if days:
                con.execute(f'delete from "{name}" where {changed}')
                con.execute(f'insert into "{name}" select * from store.main."{name}" where {changed}')
        else:
            con.execute(f'create or replace table "{name}" as select * from store.main."{name}"')
    con.execute("drop table _publish_days")
    for name in published_tables():
        if present.get(name) == "view":
            con.execute(f'drop view if exists "{name}"')
    _copy_views(con, present)


def _copy_views(con: duckdb.DuckDBPyConnection, present: dict[str, str]) -> None:
    for name in published_tables():   # views after the tables they read
        if present.get(name) == "view":
            definition = con.execute(
                "select sql from duckdb_views() where database_name = 'store' and view_name = $n",
                {"n": name}).fetchall()[0][0]
            con.execute(definition)


def catch_up(db: Path) -> Pointer | None:
    """Publish if the store changed since the last publish and no writer holds the lock.
    Returns the new pointer, or None when nothing was published (busy, up to date, or no store)."""
    db = Path(db)
    if not db.exists():
        return None
    fd = try_writer_lock(db)
    if fd is None:
        return None
    try:
        if not is_stale(db, read_pointer(db)):
            return None
        return publish(db)
    finally:
        os.close(fd)


def _objects(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute(
        "select table_name, 'table' from duckdb_tables() where database_name = 'store' "
        "union all select view_name, 'view' from duckdb_views() "
        "where database_name = 'store' and not internal").fetchall()
    return dict(rows)


def _literal(path: Path) -> str:
    # ATTACH takes no bound parameters; the path is ours (the store's), quotes are doubled.
    return str(path).replace("'", "''")


def _write_pointer(directory: Path, pointer: Pointer) -> None:
    tmp = directory / f"{_BUILDING}{POINTER}-{os.getpid()}"
    tmp.write_text(json.dumps(pointer.__dict__), encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, directory / POINTER)
    _fsync(directory)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_building(directory: Path) -> None:
    """Left by a publish that was killed (the caller holds the lock, so none is running)."""
    for p in directory.glob(f"{_BUILDING}*"):
        p.unlink(missing_ok=True)


def _remove_old(directory: Path, current: Pointer) -> None:
    """Keep the current snapshot, the KEEP newest and anything younger than KEEP_S."""
    import time

    files = sorted((p for p in directory.glob("*.duckdb") if not p.name.startswith(".")),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    now = time.time()
    for p in files[KEEP:]:
        if p.name != current.file and now - p.stat().st_mtime > KEEP_S:
            p.unlink(missing_ok=True)
            Path(f"{p}.wal").unlink(missing_ok=True)


class SnapshotMissing(StoreError):
    """No snapshot is published yet and a writer is busy publishing the first one."""

"""Published read snapshots: after every commit the writer copies what the dashboard reads into
a new, immutable DuckDB file and switches a small pointer file to it by an atomic rename.

Layout next to the store `<db>`:

    <db>.snapshots/CURRENT                        the pointer: JSON naming the current snapshot
    <db>.snapshots/<version>-<id>+<base>.duckdb   snapshots ("tops"), never written once renamed in
    <db>.snapshots/base-<base>.duckdb             the older days of the marts, shared by tops
    <db>.snapshots/.building-*                    a file being written (removed on the next publish)

A snapshot is two files: a base with every mart row of the local days before a cutoff (the
first of a month some 4–5 months before the newest day), and a top with the rest of the marts
(`<mart>__recent`), the small tables, and one view per mart joining the two (`<mart>` = the
base's rows `union all` the recent ones). A reader opens the top and attaches the base as
`base` (`open_published`). A nightly ingest changes recent days only, so its publish copies and
rewrites the top, a fraction of the data, and the new top names the same base, never written
again; a change before the cutoff, or a recent part grown past `RECENT_MAX_DAYS`, writes a new
base (as a whole copy costs). Why: docs/architecture.md, "Reading while writing".

Only the tables the dashboard reads are published (`published_tables`): the marts and their
distribution twins, the lookups, the ingest log and its findings, `meta` and the migration list.
Never `contacts`, `quarantine` or the vocabulary aliases. A publish after an ingest costs what
the ingest changed, not the store's size: it starts from a file copy of the current snapshot and
replaces only the mart rows of the local days the marts refresh rewrote (the store's change log,
`marts_changes`), see `publish`. Readers (dashboard/store/readers.py)
open a snapshot read-only, many processes at once, and never touch the store, so a writer never
waits for a reader and a reader never sees a half-written state. `KEEP` snapshots (at least
`KEEP_S` old) stay for sessions still reading one; older ones are removed on publish.

A store whose marts are pending (a standalone full rebuild between its two transactions, see
dashboard/store/marts.py `rebuild_marts`) is not published: the current snapshot stays until the
marts are built again.

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
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb

from dashboard.store.errors import StoreError
from dashboard.store.lock import try_writer_lock

log = logging.getLogger(__name__)

POINTER = "CURRENT"
KEEP = 3
KEEP_S = 120.0
_BUILDING = ".building-"
_BASE = "base-"
BASE_ALIAS = "base"    # the catalog name the top's views read the base by
RECENT = "__recent"    # suffix of a mart's recent rows in the top
# The recent part starts at least this many days before the newest day: a month's file plus the
# repeat window's margin (dashboard/store/marts.py REPEAT_MARGIN, 91 days), so that the repeat
# neighbours of a file of the last month fall in it too; once it spans more than RECENT_MAX_DAYS,
# the next publish moves the cutoff (a new base, about every three months).
RECENT_MIN_DAYS = 31 + 92
RECENT_MAX_DAYS = 214

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
    base: str | None = None               # the base file the top reads older days from
    cutoff: str | None = None             # ISO date: the base holds the days before it

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


def publish(db: Path, memory_limit: str | None = None) -> Pointer | None:
    """Write a new snapshot of the published tables of the store and switch CURRENT to it;
    None, and nothing written, while the store's marts are pending (`_marts_pending`).

    When the current snapshot is of the same store, the marts' change log
    (queries/migrations/006_marts_changes.sql) reaches back to it and every changed day is on or
    after its cutoff, the new top starts as a file copy of the current one, only the recent mart
    rows of the local days rewritten since are replaced (the lookups, logs and state, all small,
    are copied whole), and the base is shared. Otherwise a new base and top are written whole.
    Either way the snapshot holds exactly the store's published tables.

    The caller holds the writer lock and has closed its writable connection (so the stamp
    recorded is the file as it rests). Table names are formatted in as trusted identifiers
    (from `published_tables`, our own list), never values; dates are bound. A kill at any point
    leaves CURRENT naming a complete snapshot: the old one until the rename, the new one after.
    """
    from dashboard.store.database import check_readable, write_config   # it imports this module

    db = Path(db)
    check_readable(db)   # a broken or newer store: its Swedish message, and nothing published
    if _marts_pending(db):
        log.warning("the marts of %s are being rebuilt (pending): the current snapshot stays", db)
        return None
    directory = snapshot_dir(db)
    directory.mkdir(exist_ok=True)
    _remove_building(directory)
    stamp = file_stamp(db)
    config = write_config(db, memory_limit)
    plan = _plan(db, directory)
    base_id = plan.base_id or secrets.token_hex(4)
    if plan.base_id is None:
        _write_base(db, directory / f"{_BASE}{base_id}.duckdb", plan.cutoff, config)
    tmp = directory / f"{_BUILDING}{os.getpid()}-{secrets.token_hex(4)}.duckdb"
    if plan.top is not None:
        shutil.copyfile(plan.top, tmp)
    con = duckdb.connect(str(tmp), config=config)
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach '{_literal(db)}' as store (read_only)")
        con.execute(f"attach '{_literal(directory / f'{_BASE}{base_id}.duckdb')}' "
                    f"as {BASE_ALIAS} (read_only)")
        present = _objects(con)
        con.execute("begin transaction")
        con.execute("create temp table _publish_days (local_date date)")
        if plan.days:
            con.executemany("insert into _publish_days values ($1)", [[d] for d in plan.days])
        _copy_top(con, present, plan)
        con.execute("drop table _publish_days")
        con.execute("commit")
        meta = dict(con.execute("select key, value from meta").fetchall()) if "meta" in present else {}
        sample = bool("ingest_log" in present and con.execute(
            "select count(*) from ingest_log where profile = 'sample'").fetchall()[0][0])
        con.execute("detach store")
        con.execute(f"detach {BASE_ALIAS}")
        con.execute("checkpoint")
    finally:
        con.close()
    version = int(meta.get("data_version", 0))
    store_id = meta.get("store_id", "")
    generation = meta.get("marts_generation")
    name = f"{version:010d}-{secrets.token_hex(6)}+{base_id}.duckdb"
    _fsync(tmp)
    os.replace(tmp, directory / name)
    pointer = Pointer(file=name, store_id=store_id, data_version=version, store_stamp=stamp,
                      sample=sample, published_at=datetime.now(timezone.utc).isoformat(),
                      marts_generation=int(generation) if generation is not None else None,
                      delta=plan.top is not None, base=f"{_BASE}{base_id}.duckdb",
                      cutoff=plan.cutoff.isoformat())
    _write_pointer(directory, pointer)
    _remove_old(directory, pointer)
    return pointer


def open_published(db: Path, pointer: Pointer) -> duckdb.DuckDBPyConnection:
    """A read-only connection on a published snapshot: its top, with its base attached.
    The base's path (ours, quoted by _literal) and alias are trusted identifiers."""
    directory = snapshot_dir(Path(db))
    con = duckdb.connect(str(directory / pointer.file), read_only=True)
    # a second connection to a file this process has open shares its database, base attached
    if pointer.base and not con.execute("select count(*) from duckdb_databases() where "
                                        "database_name = $n", {"n": BASE_ALIAS}).fetchall()[0][0]:
        try:
            con.execute(f"attach '{_literal(directory / pointer.base)}' as {BASE_ALIAS} (read_only)")
        except duckdb.Error:
            con.close()
            raise
    return con


@dataclass(frozen=True)
class _Plan:
    """How to build the next snapshot: from the current top (`top`, with its base `base_id`
    and the changed `days`), or whole (`top` None: a new base of the days before `cutoff`)."""
    cutoff: date
    top: Path | None = None
    base_id: str | None = None
    days: tuple = ()


def _plan(db: Path, directory: Path) -> _Plan:
    top, days, current = _delta_base(db, directory)
    newest = _newest_day(db)
    if top is not None and current.base and current.cutoff and (directory / current.base).is_file():
        cutoff = date.fromisoformat(current.cutoff)
        recent_enough = newest is None or (newest - cutoff).days <= RECENT_MAX_DAYS
        if recent_enough and all(d >= cutoff for d in days):
            return _Plan(cutoff, top, current.base.removeprefix(_BASE).removesuffix(".duckdb"),
                         tuple(days))
    if newest is None:
        return _Plan(date(1900, 1, 1))   # no days yet: an empty base
    return _Plan((newest - timedelta(days=RECENT_MIN_DAYS)).replace(day=1))


def _marts_pending(db: Path) -> bool:
    """True while a standalone full rebuild has dropped the marts and not yet built them
    (dashboard/store/marts.py PENDING): publishing then would give readers a store without marts."""
    from dashboard.store.marts import PENDING   # marts import the store package: import late

    return bool(_store_value(db, "meta", "select count(*) from store.main.meta where key = $k",
                             {"k": PENDING}))


def _newest_day(db: Path) -> date | None:
    return _store_value(db, "contact_facts", "select max(local_date) from store.main.contact_facts")


def _store_value(db: Path, table: str, query: str, params: dict | None = None):
    """The first value of `query` on the store (attached read-only as `store`), or None when
    the store has no `table`."""
    con = duckdb.connect()
    try:   # the store's path, quoted by _literal (ATTACH binds no parameters): trusted identifiers
        con.execute(f"attach '{_literal(db)}' as store (read_only)")
        if not con.execute("select count(*) from duckdb_tables() where database_name = 'store' "
                           "and table_name = $t", {"t": table}).fetchall()[0][0]:
            return None
        return con.execute(query, params or {}).fetchall()[0][0]
    finally:
        con.close()


def _write_base(db: Path, path: Path, cutoff: date, config: dict) -> None:
    """The marts' rows of the days before `cutoff`, in a file of its own (renamed in complete)."""
    tmp = path.with_name(f"{_BUILDING}{path.name}")
    con = duckdb.connect(str(tmp), config=config)
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach '{_literal(db)}' as store (read_only)")
        present = _objects(con)
        con.execute("begin transaction")
        for name in published_tables():   # trusted identifiers, our own list
            if name in _mart_tables() and present.get(name) == "table":
                con.execute(f'create table "{name}" as select * from store.main."{name}" '
                            "where local_date < $cutoff", {"cutoff": cutoff})
        con.execute("commit")
        con.execute("detach store")
        con.execute("checkpoint")
    finally:
        con.close()
    _fsync(tmp)
    os.replace(tmp, path)


def _mart_tables() -> set[str]:
    from dashboard.store.marts import MARTS   # marts import the store package: import late

    return {name for mart in MARTS for name in (mart.name, mart.dist)}


def _delta_base(db: Path, directory: Path) -> tuple[Path | None, list, Pointer | None]:
    """(the current snapshot's top to start from, the local days whose mart rows changed since
    it, its pointer), or (None, [], pointer) when the new snapshot must be written whole: no
    usable current snapshot, another store's, or a change log that does not reach back to it (a
    full rebuild since, or too old)."""
    current = read_pointer(db)
    if current is None or current.marts_generation is None:
        return None, [], current
    path = directory / current.file
    if not path.is_file():
        return None, [], current
    con = duckdb.connect()
    try:   # the store's path, quoted by _literal (ATTACH binds no parameters): trusted identifiers
        con.execute(f"attach '{_literal(db)}' as store (read_only)")
        tables = {r[0] for r in con.execute(
            "select table_name from duckdb_tables() where database_name = 'store'").fetchall()}
        if "marts_changes" not in tables or "meta" not in tables:
            return None, [], current
        meta = dict(con.execute("select key, value from store.main.meta where key in "
                                "('store_id', 'marts_generation')").fetchall())
        if meta.get("store_id") != current.store_id or meta.get("marts_generation") is None:
            return None, [], current
        then, now = current.marts_generation, int(meta["marts_generation"])
        if now == then:
            return path, [], current
        logged, whole, oldest = con.execute(
            "select count(distinct generation), count(*) filter (where local_date is null), "
            "min(generation) from store.main.marts_changes where generation > $g", {"g": then}).fetchall()[0]
        if whole or logged != now - then or oldest != then + 1:
            return None, [], current
        days = [r[0] for r in con.execute(
            "select distinct local_date from store.main.marts_changes where generation > $g "
            "order by 1", {"g": then}).fetchall()]
        return path, days, current
    finally:
        con.close()


def _copy_top(con: duckdb.DuckDBPyConnection, present: dict[str, str], plan: _Plan) -> None:
    """Bring the top up to the store: each mart's recent rows (all of them in a new top, the
    changed days' in a copy of the current one), the other (small) tables whole, and the views.
    Table names are trusted identifiers (published_tables(), our own list); dates are bound."""
    marts = _mart_tables()
    held = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database()").fetchall()}
    recent = "(local_date >= $cutoff or local_date is null)"
    changed = "local_date in (select local_date from _publish_days)"
    cutoff = {"cutoff": plan.cutoff}
    for name in published_tables():
        kind = present.get(name)
        if name in held:        # a small table, or a mart the store has turned into a view
            con.execute(f'drop table "{name}"')
        if name in marts and kind == "table":
            part = f'"{name}{RECENT}"'
            if plan.top is None or f"{name}{RECENT}" not in held:
                con.execute(f"create or replace table {part} as select * from store.main.\"{name}\" "
                            f"where {recent}", cutoff)
            elif plan.days:
                con.execute(f"delete from {part} where {changed}")
                con.execute(f'insert into {part} select * from store.main."{name}" '
                            f"where {changed} and {recent}", cutoff)
        elif f"{name}{RECENT}" in held:
            con.execute(f'drop table "{name}{RECENT}"')
        if kind == "table" and name not in marts:
            con.execute(f'create table "{name}" as select * from store.main."{name}"')
    held_views = {r[0] for r in con.execute(
        "select view_name from duckdb_views() where database_name = current_database() "
        "and not internal").fetchall()}
    for name in reversed(published_tables()):   # views that read others first
        if name in held_views:
            con.execute(f'drop view "{name}"')
    for name in published_tables():
        if name in marts and present.get(name) == "table":
            con.execute(f'create view "{name}" as select * from {BASE_ALIAS}.main."{name}" '
                        f'union all select * from "{name}{RECENT}"')
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
    Returns the new pointer, or None when nothing was published (busy, up to date, no store, or
    marts pending: see publish)."""
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
    """Keep the current snapshot, the KEEP newest and anything younger than KEEP_S, and the bases
    they read; remove the rest."""
    import time

    now = time.time()
    tops = sorted((p for p in directory.glob("*.duckdb") if not p.name.startswith((".", _BASE))),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    kept = {current.file}
    for i, p in enumerate(tops):
        if i < KEEP or p.name == current.file or now - p.stat().st_mtime <= KEEP_S:
            kept.add(p.name)
        else:
            _unlink(p)
    in_use = {_base_of(name) for name in kept}
    for p in directory.glob(f"{_BASE}*.duckdb"):
        if p.name not in in_use and now - p.stat().st_mtime > KEEP_S:
            _unlink(p)


def _base_of(top: str) -> str | None:
    """The base a top reads, from its name (`<version>-<id>+<base>.duckdb`)."""
    if "+" not in top:
        return None   # a snapshot of one file, published by an earlier version
    return f"{_BASE}{top.split('+', 1)[1]}"


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)
    Path(f"{path}.wal").unlink(missing_ok=True)


class SnapshotMissing(StoreError):
    """No snapshot is published yet and a writer is busy publishing the first one."""

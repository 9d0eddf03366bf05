"""Shared by the store's writer tests: another process holding a store's writer lock (as a
running ingest would), the environment of a CLI run, every table's content of a store and of its
published snapshot, and waiting until a process holds the writer lock."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from dashboard.store import snapshot
from ingest_fixtures import KEY

_HOLD = ("import sys, time; from dashboard.store.lock import writer_lock\n"
         "with writer_lock(sys.argv[1]):\n print('held', flush=True); time.sleep(float(sys.argv[2]))")


@contextmanager
def another_writer(db: Path, seconds: float = 120) -> Iterator[None]:
    """The writer lock of `db` held by another process until the block ends (at most `seconds`)."""
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(db), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("KONTAKTCENTER_KEY", KEY.hex())
    monkeypatch.setenv("KONTAKTCENTER_CONFIG", str(tmp_path / "ingen.toml"))
    monkeypatch.delenv("KONTAKTCENTER_DB", raising=False)
    return tmp_path



# Columns that differ between two runs of the same command (clock times), left out of the content.
VOLATILE = {"ingest_log": ("started_at", "finished_at"), "schema_migrations": ("applied_at",)}


def _content(con, published: bool = False) -> dict:
    """Every table's row count and an order-independent hash of its rows (clock columns aside).
    `published`: a snapshot's tables as readers see them (the marts' views over its two files)."""
    out = {}
    tables = [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database()").fetchall()]
    if published:   # a mart is a view over its base rows and its recent ones (`<mart>__recent`)
        tables = [t for t in tables if not t.endswith(snapshot.RECENT)] + [
            t.removesuffix(snapshot.RECENT) for t in tables if t.endswith(snapshot.RECENT)]
    for table in sorted(tables):
        cols = [r[0] for r in con.execute(
            "select column_name from duckdb_columns() where database_name = current_database() "
            "and table_name = $t order by column_index", {"t": table}).fetchall()] or [
            d[0] for d in con.execute(f'select * from "{table}" limit 0').description]
        kept = ", ".join(f'"{c}"' for c in cols if c not in VOLATILE.get(table, ())) or "1"
        # a new sample store gets a new random id: the rest of `meta` must match
        where = " where key <> 'store_id'" if table == "meta" else ""
        # identifiers from the catalogue, not values
        out[table] = con.execute(
            f'select count(*), coalesce(sum(hash(row({kept}))), 0) from "{table}"{where}').fetchall()[0]
    return out


def store_content(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return _content(con)
    finally:
        con.close()


def published_content(db: Path) -> dict:
    con = snapshot.open_published(db, snapshot.read_pointer(db))
    try:
        return _content(con, published=True)
    finally:
        con.close()


def _holds_writer_lock(pid: int, db: Path) -> bool:
    """True once pid holds the store's writer lock (the kernel's /proc/locks), i.e. it is writing."""
    from dashboard.store.lock import lock_path

    try:
        inode = lock_path(db).stat().st_ino
    except FileNotFoundError:
        return False
    for line in Path("/proc/locks").read_text().split("\n"):
        f = line.split()
        if len(f) >= 6 and f[1] == "FLOCK" and f[4] == str(pid) and f[5].rsplit(":", 1)[-1] == str(inode):
            return True
    return False


def wait_for_lock(proc: subprocess.Popen, db: Path, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not _holds_writer_lock(proc.pid, db):
        assert proc.poll() is None, f"the writer ended before it wrote: {proc.returncode}"
        assert time.monotonic() < deadline, "the writer never took the lock"
        time.sleep(0.005)

"""Build a store from the sample: generated rows (`build_sample_store`) or the sample shipped in
sample_data/ (`ensure_store`, `load_shipped_sample`).

A new store is built in a temporary file next to the target and renamed into place when
complete, so an interrupted build never leaves a half-built store behind. The whole build holds
the target's writer lock (dashboard/store/lock.py), so it never replaces a store while another
command writes into it; temporary files of a killed build are removed by the next build, and the
dashboard's snapshot is published before the lock is released. Loading the shipped
sample into a store is one transaction: rows, the ingest-log row, the data-version bump, marts.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from dashboard.reference import seed_reference
from dashboard.sample.generator import DEFAULT_SEED, SOURCE_SYSTEM, generate_contacts
from dashboard.shipped import shipped
from dashboard.store import StoreError, bump_data_version, open_store
from dashboard.config import memory_bytes
from dashboard.store.database import DEFAULT_WRITE_MEMORY_LIMIT, memory_named
from dashboard.store.lock import writer_lock
from dashboard.store.snapshot import publish
from dashboard.store.marts import refresh_marts

SAMPLE_DATA_DIR = shipped("sample_data")
SHIPPED_SAMPLE = SAMPLE_DATA_DIR / "contacts.parquet"
# The shipped sample is `kontaktcenter sample --rows 200000 --seed 20250401` written as Parquet
# (sample_data/README.md). Without the file these parameters regenerate the same rows.
SHIPPED_ROWS = 200_000
SHIPPED_SEED = DEFAULT_SEED

Progress = Callable[[int, int], None]


def build_sample_store(db_path: Path | str, rows: int, seed: int = DEFAULT_SEED, plants: bool = True,
                       progress: Progress | None = None, chunk_rows: int = 1_000_000,
                       check: Callable[[Path], None] | None = None,
                       memory_limit: str | None = None) -> None:
    """Write a new store with `rows` generated contacts at db_path, replacing any file there.

    The store is built in a temporary file that becomes db_path only when complete, so readers
    see all of it or none. Inside that private file each chunk of contacts is committed as it
    lands (one transaction for 10 million rows held about 5 GB); the ingest-log row, the
    data-version bump and the marts commit together at the end. `check(db_path)` runs once the
    writer lock is held and may refuse (raise) before anything is built. `memory_limit`: the
    setting write_memory_limit, for the build and its publish.
    """
    label = f"generate_contacts(rows={rows}, seed={seed}, plants={plants}, chunk_rows={chunk_rows})"
    frames = generate_contacts(rows, seed=seed, plants=plants, chunk_rows=chunk_rows)
    with memory_named(Path(db_path), memory_limit), _new_store(Path(db_path), check, memory_limit) as con:
        limit = memory_limit or DEFAULT_WRITE_MEMORY_LIMIT
        inserter = _frame_inserter(con, frames, rows, progress, commit_chunks=True,
                                   memory_limits=(_insert_memory_limit(limit, chunk_rows), limit))
        _load(con, inserter, "generator", hashlib.sha256(label.encode()).hexdigest())


def ensure_store(db_path: Path | str) -> bool:
    """Build the store from the shipped sample if db_path does not exist. True if built."""
    db_path = Path(db_path)
    if db_path.exists():
        return False

    def still_missing(path: Path) -> None:
        if path.exists():   # another command built it while this one waited for the lock
            raise _AlreadyThere

    try:
        with _new_store(db_path, still_missing) as con:
            load_shipped_sample(con)
    except _AlreadyThere:
        return False
    return True


class _AlreadyThere(Exception):
    pass


def load_shipped_sample(con: duckdb.DuckDBPyConnection) -> int:
    """Load sample_data/contacts.parquet into an open, writable, migrated store in one
    transaction. Returns the rows loaded. Without the file, the same rows are generated."""
    seed_reference(con)
    if con.execute("select count(*) from ingest_log where profile = 'sample'").fetchall()[0][0]:
        raise StoreError("Exempeldata finns redan i databasen. Bygg en ny med `kontaktcenter sample --force`.")
    if not SHIPPED_SAMPLE.is_file():
        frames = generate_contacts(SHIPPED_ROWS, seed=SHIPPED_SEED)
        return _load(con, _frame_inserter(con, frames, SHIPPED_ROWS, None), "generator", "-")

    def insert(ingest_id: int) -> int:
        con.execute("insert into contacts by name select *, $id as ingest_id from read_parquet($path)",
                    {"id": ingest_id, "path": str(SHIPPED_SAMPLE)})
        return con.execute("select count(*) from contacts where ingest_id = $id", {"id": ingest_id}).fetchall()[0][0]

    digest = hashlib.sha256(SHIPPED_SAMPLE.read_bytes()).hexdigest()
    return _load(con, insert, SHIPPED_SAMPLE.name, digest)


# What the generator takes beside DuckDB while it draws one chunk: about 0.72 GB per million
# rows measured (numpy's and Polars' working arrays, the finished frame), rounded up.
GENERATOR_BYTES_PER_ROW = 800
# The insert slice: its Arrow copy (Polars' string views become Arrow strings) stays small.
_INSERT_SLICE_ROWS = 100_000


def _insert_memory_limit(memory_limit: str, chunk_rows: int) -> str:
    """DuckDB's limit while the generator runs beside it, so that the two together stay within
    the write limit: the limit less the generator's share, but not below 256 MB (appending
    committed chunks needs little) unless the limit itself is lower. The marts afterwards get
    the whole limit back."""
    limit = memory_bytes(memory_limit)
    floor = min(limit, 256 * 10**6)
    return f"{max(floor, limit - GENERATOR_BYTES_PER_ROW * chunk_rows)}B"


def _frame_inserter(con: duckdb.DuckDBPyConnection, frames: Iterable[pl.DataFrame], total: int,
                    progress: Progress | None, commit_chunks: bool = False,
                    memory_limits: tuple[str, str] | None = None) -> Callable[[int], int]:
    """Insert generated frames; commit_chunks only for a store file nobody else sees yet.
    `memory_limits`: DuckDB's limit during the inserts, and the one to restore afterwards."""
    def insert(ingest_id: int) -> int:
        done = 0
        if memory_limits:
            con.execute("set memory_limit = $limit", {"limit": memory_limits[0]})
        for frame in frames:
            _insert_frame(con, frame, ingest_id)
            if commit_chunks:
                con.execute("commit")
                con.execute("begin transaction")
            done += frame.height
            del frame   # not kept alive while the generator draws the next chunk
            if progress:
                progress(done, total)
        if memory_limits:
            con.execute("set memory_limit = $limit", {"limit": memory_limits[1]})
        return done
    return insert


def _insert_frame(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, ingest_id: int) -> None:
    for part in frame.iter_slices(_INSERT_SLICE_ROWS):
        con.register("_sample_chunk", part.to_arrow())
        try:
            con.execute("insert into contacts by name select *, $id as ingest_id from _sample_chunk",
                        {"id": ingest_id})
        finally:
            con.unregister("_sample_chunk")


def _load(con: duckdb.DuckDBPyConnection, insert: Callable[[int], int], file_name: str, file_hash: str) -> int:
    """One transaction: an ingest-log row, the contacts, the data-version bump, the marts."""
    started = _utc_now()
    con.execute("begin transaction")
    try:
        ingest_id = con.execute("select nextval('ingest_id_seq')").fetchall()[0][0]
        done = insert(ingest_id)
        con.execute(
            "insert into ingest_log values ($id, $source, $file, $hash, 'sample', $n, $n, 0, 0, $start, $end, 0, null)",
            {"id": ingest_id, "source": SOURCE_SYSTEM, "file": file_name, "hash": file_hash,
             "n": done, "start": started, "end": _utc_now()},
        )
        con.execute("insert into source_systems values ($s) on conflict do nothing", {"s": SOURCE_SYSTEM})
        bump_data_version(con)
        refresh_marts(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return done


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class _new_store:  # noqa: N801 - used as a context manager
    """Open a fresh store in a temporary file; on success rename it onto the target."""

    def __init__(self, target: Path, check: Callable[[Path], None] | None = None,
                 memory_limit: str | None = None):
        self.target = target
        self.check = check
        self.memory_limit = memory_limit
        self.tmp = target.with_name(f".{target.name}.building-{os.getpid()}")

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.lock = writer_lock(self.target)
        self.lock.__enter__()
        try:
            if self.check:
                self.check(self.target)
            self.con = open_store(self.tmp, memory_limit=self.memory_limit)
            self.con.execute("set enable_progress_bar = false")  # progress is the caller's to show
            seed_reference(self.con)
        except BaseException:
            _remove(self.tmp)   # a half-opened build file
            self.lock.__exit__(None, None, None)
            raise
        return self.con

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.con.close()
            if exc_type is None:
                _remove(Path(f"{self.target}.wal"))  # a stale log would be replayed onto the new file
                os.replace(self.tmp, self.target)
                publish(self.target, self.memory_limit)
            _remove(self.tmp)
        finally:
            self.lock.__exit__(None, None, None)


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        if p.exists():
            p.unlink()

"""Helpers for hand-worked fixtures: put a few contacts (and lookups) into a store, build marts.

Used by the metric, marts, CLI and app tests that need a store with known contents.
Timestamps given to `contact` are LOCAL Europe/Stockholm times and converted to UTC like ingest
does, so a fixture reads the way a person works it out by hand.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from dashboard.store.contract import CONTACT_COLUMN_TYPES

from dashboard.store.marts import refresh_marts

_STOCKHOLM = ZoneInfo("Europe/Stockholm")
_UTC = ZoneInfo("UTC")
_ids = itertools.count(1)

_POLARS_TYPES = {"VARCHAR": pl.String, "TIMESTAMP": pl.Datetime("us"), "BOOLEAN": pl.Boolean,
                 "TINYINT": pl.Int8, "INTEGER": pl.Int32, "BIGINT": pl.Int64}
CONTACT_COLUMNS = {c: _POLARS_TYPES[t] for c, t in CONTACT_COLUMN_TYPES.items()}


def local_to_utc(local: str | datetime) -> datetime:
    ts = datetime.fromisoformat(local) if isinstance(local, str) else local
    return ts.replace(tzinfo=_STOCKHOLM).astimezone(_UTC).replace(tzinfo=None)


def contact(at: str, channel: str = "phone", **fields) -> dict:
    """One contact row; `at` is local time 'YYYY-MM-DD HH:MM[:SS]'."""
    row = {"source_system": "test", "contact_id": f"c{next(_ids)}",
           "started_at": local_to_utc(at), "channel": channel, "ingest_id": 1}
    row.update(fields)
    return row


def call(at: str, *, wait: int, answered: bool = True, handle: int | None = None, **fields) -> dict:
    """A phone call that waited `wait` s and was answered (or abandoned)."""
    return contact(at, "phone", queue_s=wait, answered=answered, abandoned=not answered,
                   handle_s=handle if answered else None, **fields)


def insert_contacts(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    frame = pl.DataFrame(
        [{c: r.get(c) for c in CONTACT_COLUMNS} for r in rows], schema=CONTACT_COLUMNS
    )
    con.register("_fixture_rows", frame)
    try:
        con.execute("insert into contacts by name select * from _fixture_rows")
    finally:
        con.unregister("_fixture_rows")
    # contacts has no key index (migration 007): the ingest keeps the key unique, so must this
    twice = con.execute("select count(*) - count(distinct (source_system, contact_id)) from contacts").fetchone()[0]
    assert twice == 0, f"the fixture stored {twice} contact(s) under a key already in the store"


def replace_lookups(con: duckdb.DuckDBPyConnection, *, city_areas=None, topics=None,
                    calendar=None, opening_hours=None) -> None:
    """Replace the given lookup tables (a writable store comes seeded with Malmö's reference
    data) with rows as tuples in the tables' column order (queries/migrations/001_contract.sql).
    Tables not given keep the seeded reference data."""
    for table, rows in (("city_areas", city_areas), ("topics", topics), ("calendar", calendar),
                        ("opening_hours", opening_hours)):
        if rows is None:
            continue
        # table names are this function's constants
        con.execute("delete from " + table)
        for row in rows:
            marks = ", ".join(f"${i + 1}" for i in range(len(row)))
            con.execute("insert into " + table + " values (" + marks + ")", list(row))


def totals(con: duckdb.DuckDBPyConnection, filters, metric_ids, settings=None) -> dict:
    """The one row of `compute` without a breakdown, as a dict (values and `__n`)."""
    from dashboard.metrics.engine import compute

    return compute(con, filters, metric_ids, settings=settings).row(0, named=True)


def build(con: duckdb.DuckDBPyConnection, rows: list[dict], **lookups) -> duckdb.DuckDBPyConnection:
    """Insert lookups and contacts, then build the marts in one transaction, like an ingest."""
    con.execute("begin transaction")
    replace_lookups(con, **lookups)
    insert_contacts(con, rows)
    refresh_marts(con)
    con.execute("commit")
    return con

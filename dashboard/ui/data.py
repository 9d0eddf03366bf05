"""Reading through the cache: the store opened once per process, results cached per data version.

Every cached result is keyed on (name, the caller's key parts such as Filters and settings, the
store path and its data version). A new ingest bumps the data version, so the next rerun misses
the cache and recomputes; nothing is keyed on a connection object. st.cache_data hands out a copy
of the cached value on every hit, so a page can never mutate what another page reads.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import duckdb
import streamlit as st

from dashboard import domain
from dashboard.config import Settings, load_settings
from dashboard.view import FilterOptions
from dashboard.store.readers import SharedStore

log = logging.getLogger(__name__)
T = TypeVar("T")
STOCKHOLM = ZoneInfo(domain.STOCKHOLM)


@st.cache_resource(show_spinner=False)
def _settings(db_env: str | None, config_env: str | None) -> Settings:
    return load_settings()


def settings() -> Settings:
    """Settings from defaults, TOML and environment (KONTAKTCENTER_DB is set by `kontaktcenter serve`).

    Keyed on the two variables that choose the store, so a test or a restart with another store
    never gets a stale one.
    """
    return _settings(os.environ.get("KONTAKTCENTER_DB"), os.environ.get("KONTAKTCENTER_CONFIG"))


@st.cache_resource(show_spinner=False)
def shared_store(path: str) -> SharedStore:
    return SharedStore(Path(path))


def store() -> SharedStore:
    return shared_store(str(settings().db))


def version_key() -> str:
    """Path and data version: part of every cache key."""
    s = store()
    return f"{s.path}#{s.data_version()}"


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(name: str, key: str, _compute: Callable[[], T]) -> T:
    # `_compute` is not hashed (leading underscore): `key` stands for everything it depends on.
    return _compute()


def cached(name: str, compute: Callable[[duckdb.DuckDBPyConnection], T], *key_parts) -> T:
    """Run `compute(cursor)` once per (name, key parts, store path, data version).

    Key parts must have a stable repr (frozen dataclasses, tuples, strings, numbers).
    """
    key = "|".join([version_key(), *(repr(p) for p in key_parts)])

    def run() -> T:
        with store().cursor() as cur:
            return compute(cur)

    return _cached(name, key, run)


# --- filter options -----------------------------------------------------------------------------


def _local_date(ts: datetime | None) -> date | None:
    if ts is None:
        return None
    return ts.replace(tzinfo=ZoneInfo("UTC")).astimezone(STOCKHOLM).date()


def _column(cur, query: str) -> tuple[str, ...]:
    return tuple(r[0] for r in cur.execute(query).fetchall() if r[0] is not None)


def _read_options(cur: duckdb.DuckDBPyConnection) -> FilterOptions:
    first, last = cur.execute("select min(started_at), max(started_at) from contacts").fetchone()
    today = datetime.now(STOCKHOLM).date()
    return FilterOptions(
        earliest=_local_date(first) or today,
        latest=_local_date(last) or today,
        departments=_column(cur, "select department from departments order by department"),
        channels=tuple(domain.CHANNELS),
        city_areas=_column(
            cur, "select city_area from city_areas where level = 'stadsomrade' order by city_area"),
        topics=_column(cur, "select topic from topics order by topic"),
        languages=_column(cur, "select distinct language from contacts order by language"),
        customer_types=tuple(domain.CUSTOMER_TYPES),
    )


def filter_options() -> FilterOptions:
    return cached("filter_options", _read_options)


def has_contacts() -> bool:
    return cached("has_contacts", lambda cur: cur.execute("select count(*) > 0 from contacts").fetchone()[0])


def _read_opening_hours(cur: duckdb.DuckDBPyConnection) -> tuple[tuple[str, int, int, int], ...]:
    rows = cur.execute("select channel, weekday, opens, closes from opening_hours").fetchall()
    # closing at 16:30 keeps the 16 o'clock hour open
    return tuple((c, d, o.hour, cl.hour + (1 if cl.minute or cl.second else 0)) for c, d, o, cl in rows)


def opening_hours(channels: tuple[str, ...]) -> dict[int, tuple[int, int]]:
    """ISO weekday -> (first open hour, hour it closes) over `channels` (all when empty), from the
    store's opening_hours table; channels open at all hours (no rows) add nothing."""
    out: dict[int, tuple[int, int]] = {}
    for channel, day, first, closes in cached("opening_hours", _read_opening_hours):
        if channels and channel not in channels:
            continue
        lo, hi = out.get(day, (first, closes))
        out[day] = (min(lo, first), max(hi, closes))
    return out

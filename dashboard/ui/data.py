"""Reading through the cache: the published snapshot of the store, results cached per snapshot.

The dashboard never opens the store: it reads the newest published snapshot
(dashboard/store/readers.py). Each rerun pins one snapshot (`pin`, called by app.py first), so
every figure of a rerun comes from the same commit, and the next rerun moves to a newer one.
Every cached result is keyed on (name, the caller's key parts such as Filters and settings, the
snapshot's key: store identity, data version and snapshot file), so a new ingest or a replaced
store misses the cache; nothing is keyed on a connection object. st.cache_data hands out a copy
of the cached value on every hit, so a page can never mutate what another page reads.
"""

from __future__ import annotations

import logging
import os
import threading
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
from dashboard.store.readers import PublishedStore, Snapshot

log = logging.getLogger(__name__)
T = TypeVar("T")


# Process-wide, like st.cache_resource, but a plain dict: a page asks for the settings and the
# store a few hundred times a rerun, and Streamlit's cache hashes its arguments on every call.
_SETTINGS: dict[tuple[str | None, str | None], Settings] = {}
_STORES: dict[str, PublishedStore] = {}
_STORES_LOCK = threading.Lock()


def local_today() -> date:
    """Today in the reporting time zone, whose local dates the data's dates are."""
    return datetime.now(ZoneInfo(settings().reporting_timezone)).date()


def settings() -> Settings:
    """Settings from defaults, TOML and environment (KONTAKTCENTER_DB is set by `kontaktcenter serve`).

    Keyed on the two variables that choose the store, so a test or a restart with another store
    never gets a stale one.
    """
    key = (os.environ.get("KONTAKTCENTER_DB"), os.environ.get("KONTAKTCENTER_CONFIG"))
    found = _SETTINGS.get(key)
    if found is None:
        found = _SETTINGS.setdefault(key, load_settings())
    return found


def published_store(path: str) -> PublishedStore:
    found = _STORES.get(path)
    if found is None:
        with _STORES_LOCK:   # one PublishedStore (and one open snapshot) per store per process
            found = _STORES.get(path) or _STORES.setdefault(path, PublishedStore(Path(path)))
    return found


def store() -> PublishedStore:
    return published_store(str(settings().db))


_PINNED = "_snapshot_pinned"
SAMPLE_BANNER = ("**Exempeldata** – databasen innehåller påhittade kontakter från "
                 "exempelgeneratorn, inte Malmö stads verkliga siffror.")


def pin() -> Snapshot:
    """Pin the newest snapshot for this rerun (app.py calls it first on every rerun)."""
    snap = store().current()
    st.session_state[_PINNED] = snap
    return snap


def snapshot() -> Snapshot:
    """The snapshot this rerun reads: the pinned one, or the newest when nothing pinned it."""
    snap = st.session_state.get(_PINNED)
    if snap is None or snap.pointer.file not in store().open_files():
        return pin()
    return snap


def version_key() -> str:
    """Store identity, data version and snapshot: part of every cache key."""
    return snapshot().key


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(name: str, key: str, _compute: Callable[[], T]) -> T:
    # `_compute` is not hashed (leading underscore): `key` stands for everything it depends on.
    return _compute()


def cached(name: str, compute: Callable[[duckdb.DuckDBPyConnection], T], *key_parts) -> T:
    """Run `compute(cursor)` once per (name, key parts, store path, data version).

    Key parts must have a stable repr (frozen dataclasses, tuples, strings, numbers).
    """
    return cached_in(snapshot(), name, compute, *key_parts)


def cached_in(snap: Snapshot, name: str, compute: Callable[[duckdb.DuckDBPyConnection], T],
              *key_parts) -> T:
    """`cached` on a given snapshot (the server's warm-up, which has no session to pin one)."""
    key = "|".join([snap.key, *(repr(p) for p in key_parts)])

    def run() -> T:
        with snap.cursor() as cur:
            return compute(cur)

    return _cached(name, key, run)


# --- filter options -----------------------------------------------------------------------------


def _column(cur, query: str) -> tuple[str, ...]:
    return tuple(r[0] for r in cur.execute(query).fetchall() if r[0] is not None)


def _read_options(cur: duckdb.DuckDBPyConnection) -> FilterOptions:
    # contact_facts (one row per contact, in every snapshot with data) stands in for contacts,
    # which a snapshot never carries; local_date is already the Stockholm date.
    first = last = None
    languages: tuple[str, ...] = ()
    if _has_contacts(cur):
        first, last = cur.execute(
            "select min(local_date), max(local_date) from contact_facts").fetchall()[0]
        languages = _column(cur, "select distinct language from contact_facts order by language")
    today = local_today()
    return FilterOptions(
        earliest=first or today,
        latest=last or today,
        departments=_column(cur, "select department from departments order by department"),
        channels=tuple(domain.CHANNELS),
        city_areas=_column(
            cur, "select city_area from city_areas where level = 'stadsomrade' order by city_area"),
        topics=_column(cur, "select topic from topics order by topic"),
        languages=languages,
        customer_types=tuple(domain.CUSTOMER_TYPES),
    )


def filter_options(snap: Snapshot | None = None) -> FilterOptions:
    """The filters' choices in the snapshot (`snap`, or this rerun's)."""
    return cached_in(snap or snapshot(), "filter_options", _read_options)


def has_contacts(snap: Snapshot | None = None) -> bool:
    return cached_in(snap or snapshot(), "has_contacts", _has_contacts)


def _has_contacts(cur: duckdb.DuckDBPyConnection) -> bool:
    # A store without any ingest has no marts yet, so its snapshot has no contact_facts.
    # (a table in a store, a view over the snapshot's two files in a published snapshot)
    if not cur.execute("select count(*) from (select table_name as name, database_name as db "
                       "from duckdb_tables() union all select view_name, database_name from "
                       "duckdb_views()) where name = 'contact_facts' and db = current_database()"
                       ).fetchall()[0][0]:
        return False
    return cur.execute("select count(*) > 0 from contact_facts").fetchall()[0][0]


def holds_sample() -> bool:
    """The snapshot's store holds sample data (pages show the Exempeldata banner)."""
    return snapshot().sample


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

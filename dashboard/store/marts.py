"""Marts: pre-aggregated tables with a stated grain, built from `contacts` at ingest.

`refresh_marts(con)` is called by the ingest and the sample builder INSIDE their transaction; it
is idempotent (every mart is re-created whole: `create or replace` from its first chunk of dates,
then the other chunks appended), so a rolled-back ingest leaves the old marts and a committed one
the new. The engine reads the smallest mart whose columns cover the
filters and breakdowns (`choose`); `contact_facts` (one row per contact) is the fallback.

Grains are stated in `MARTS` below (and in docs/metrics.md).

Each mart has a twin `<mart>_dist` with the same grain plus distribution and bucket
(queries/marts/contact_dist.sql): the waits and repeat gaps behind settings-dependent metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from dashboard.domain import LOCAL_CHANNELS
from dashboard.store import sql
from dashboard.store.errors import StoreError

# Bump when the mart SQL changes: stores built with an older version are rebuilt on refresh and
# refused (with the fix named) by the engine until then.
MARTS_VERSION = "3"

ALL_DIMS = (
    "local_date", "slot", "department", "topic", "channel", "city_area", "stadsomrade",
    "language", "customer_type", "interpreter", "source_system", "service_point",
)
DIST_KEYS = ("measure", "bucket", "bucket_max")
DIST_SUMS = ("n", "handle_sum")
# Contacts per rollup chunk (_date_chunks): bounds memory on large stores, one chunk up to this.
CHUNK_ROWS = 2_000_000


@dataclass(frozen=True)
class Mart:
    name: str
    dims: tuple[str, ...]
    grain: str  # stated grain, Swedish (docs/metrics.md): "en rad per ..."
    channels: tuple[str, ...] | None = None  # rows restricted to these channels

    @property
    def dist(self) -> str:
        return "contact_dist" if self.name == "contact_facts" else f"{self.name}_dist"

    def covers(self, columns: set[str], channels: tuple[str, ...]) -> bool:
        if not columns <= set(self.dims):
            return False
        if self.channels is None:
            return True
        return bool(channels) and set(channels) <= set(self.channels)


# Smallest first: `choose` takes the first that covers a query.
MARTS: tuple[Mart, ...] = (
    Mart("mart_day_channel", ("local_date", "channel"), "dag × kanal (hela staden)"),
    Mart("mart_day", ("local_date", "department", "channel", "source_system"),
         "dag × förvaltning × kanal × källsystem"),
    Mart("mart_local", ("local_date", "slot", "service_point", "channel", "department", "topic",
                        "city_area", "stadsomrade", "language", "customer_type"),
         "dag × halvtimme × servicepunkt × kanal × förvaltning × ärendekategori × stadsdel × "
         "språk × kundtyp, bara besök och uppsökande verksamhet", channels=LOCAL_CHANNELS),
    Mart("mart_halfhour", ("local_date", "slot", "department", "channel"),
         "dag × halvtimme × förvaltning × kanal"),
    Mart("mart_topic_day", ("local_date", "department", "topic", "channel", "city_area",
                            "stadsomrade"),
         "dag × förvaltning × ärendekategori × kanal × stadsdel"),
    Mart("mart_people_day", ("local_date", "department", "channel", "city_area", "stadsomrade",
                             "language", "customer_type", "interpreter"),
         "dag × förvaltning × kanal × stadsdel × språk × kundtyp × tolk"),
    Mart("contact_facts", ALL_DIMS, "kontakt (alla härledda flaggor; reserv för ovanliga "
         "kombinationer av filter och indelningar)"),
)


def choose(columns: set[str], channels: tuple[str, ...] = ()) -> Mart:
    for mart in MARTS:
        if mart.covers(columns, channels):
            return mart
    raise ValueError(f"no mart covers {sorted(columns)}")  # contact_facts covers every dimension


def measure_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The additive columns of contact_facts (counters `*_n` and sums `*_sum`)."""
    names = [r[0] for r in con.execute("describe contact_facts").fetchall()]
    return [n for n in names if n.endswith("_n") or n.endswith("_sum")]


def _rollup_sql(target: str, source: str, dims, sums, channels, create: bool) -> str:
    # Identifiers and channel codes come from this module's constants, never from users.
    where = ""
    if channels:
        where = "and channel in (" + ", ".join(f"'{c}'" for c in channels) + ")"
    verb = f"create or replace table {target} as" if create else f"insert into {target}"
    return sql.text("marts/rollup").format(
        verb=verb, source=source, dims=", ".join(dims),
        sums=", ".join(f"cast(sum({c}) as bigint) as {c}" for c in sums), where=where,
    )


def _date_chunks(con: duckdb.DuckDBPyConnection) -> list[tuple[date | None, date | None]]:
    """Ranges of whole months [first, end) covering contact_facts' local dates, in date order,
    each of about CHUNK_ROWS contacts.

    Every mart has local_date as a dimension, so each range rolls up on its own: the
    aggregation's hash table (about as many groups as contacts for the finer marts) stays bounded
    on a large store instead of growing with it, and appending the ranges in order keeps each mart
    sorted by local_date for zone maps. A store up to CHUNK_ROWS is one range; an empty store gives
    one empty range, so every mart is still created."""
    months = con.execute(
        "select date_trunc('month', local_date)::date as month, count(*) as n "
        "from contact_facts group by all order by month"
    ).fetchall()
    if not months:
        return [(None, None)]
    chunks, start, rows = [], None, 0
    for i, (month, n) in enumerate(months):
        start = start or month
        rows += n
        if rows >= CHUNK_ROWS or i == len(months) - 1:
            chunks.append((start, (month + timedelta(days=32)).replace(day=1)))
            start, rows = None, 0
    return chunks


def _source(mart: Mart, built: list[Mart]) -> Mart | None:
    """The smallest mart already built that holds every row and dimension `mart` needs.

    Sums of sums are exact, so e.g. mart_day_channel rolls up mart_day instead of every contact."""
    for candidate in built:
        same_rows = candidate.channels is None or candidate.channels == mart.channels
        if same_rows and set(mart.dims) <= set(candidate.dims):
            return candidate
    return None


def _build_order() -> list[Mart]:
    """Rollup marts, each after the marts it can be rolled up from (largest grains first)."""
    rollups = [m for m in MARTS if m.name != "contact_facts"]
    return sorted(rollups, key=lambda m: -len(m.dims))


def refresh_marts(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build every mart from `contacts`. Call inside the writer's transaction."""
    sql.execute(con, "marts/contact_facts")
    sql.execute(con, "marts/contact_dist")
    sums = measure_columns(con)
    chunks = _date_chunks(con)
    built: list[Mart] = []
    for mart in _build_order():
        source = _source(mart, sorted(built, key=lambda m: MARTS.index(m)))
        facts, dist = ("contact_facts", "contact_dist") if source is None else (source.name, source.dist)
        for i, (date_from, date_to) in enumerate(chunks):
            params = {"date_from": date_from, "date_to": date_to}
            con.execute(_rollup_sql(mart.name, facts, mart.dims, sums, mart.channels, i == 0), params)
            con.execute(_rollup_sql(mart.dist, dist, mart.dims + DIST_KEYS, DIST_SUMS, mart.channels,
                                    i == 0), params)
        built.append(mart)
    con.execute(
        "insert into meta values ('marts_version', $v) "
        "on conflict (key) do update set value = excluded.value",
        {"v": MARTS_VERSION},
    )


class MartsMissing(StoreError):
    pass


def check_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse a store whose marts are missing or built by another version, naming the fix."""
    rows = con.execute("select value from meta where key = 'marts_version'").fetchall()
    row = rows[0] if rows else None
    if row is None or row[0] != MARTS_VERSION:
        raise MartsMissing(
            "Databasens statistiktabeller (marts) saknas eller är byggda av en äldre version. "
            "Bygg om dem med `kontaktcenter metrics --refresh-marts` (kräver skrivrätt), eller "
            "läs in data igen med `kontaktcenter ingest`."
        )

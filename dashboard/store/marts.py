"""Marts: pre-aggregated tables with a stated grain, built from `contacts` at ingest.

`refresh_marts(con)` builds every mart from `contacts`; `update_marts(con)`, after an ingest,
recomputes only the local days the new contacts change (their own and their repeat neighbours')
and falls back to the full build when it cannot tell what changed. Both run INSIDE the writer's
transaction, so a rolled-back ingest leaves the old marts and a committed one the new, and both
give the same marts (tests/test_marts_incremental.py). The engine reads the smallest mart
whose columns cover the filters and breakdowns (`choose`); `contact_facts` (one row per contact) is the fallback.

Grains are stated in `MARTS` below (and in docs/metrics.md).

A standalone full rebuild (`rebuild_marts`: `metrics --refresh-marts`, migration 003) is two
transactions instead: the first drops the marts and marks them pending (`PENDING`), a checkpoint
frees their blocks, the second builds them anew into those blocks, so the file does not grow by
the marts' size. While they are pending, nothing is published (dashboard/store/snapshot.py) and
`check_marts` refuses the store naming the fix; the next full build (this one rerun, or an
ingest's `update_marts`, which finds `marts_version` gone) clears the mark.

Each mart has a twin `<mart>_dist` with the same grain plus distribution and bucket
(queries/marts/contact_dist.sql): the waits and repeat gaps behind settings-dependent metrics.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


def _rollup_sql(target: str, source: str, dims, sums, channels, create: bool, dates: str) -> str:
    # Identifiers and channel codes come from this module's constants, never from users.
    where = ""
    if channels:
        where = "and channel in (" + ", ".join(f"'{c}'" for c in channels) + ")"
    verb = f"create or replace table {target} as" if create else f"insert into {target}"
    return sql.text("marts/rollup").format(
        verb=verb, source=source, dates=dates, dims=", ".join(dims),
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


def _facts_sql(verb: str, scope: str, chain_scope: str, where: str = "") -> str:
    # Identifiers and clauses are this module's constants, never user input.
    return sql.text("marts/contact_facts").format(verb=verb, scope=scope, chain_scope=chain_scope,
                                                  where=where)


def _dist_sql(verb: str, facts: str) -> str:
    return sql.text("marts/contact_dist").format(verb=verb, facts=facts)


ALL_CONTACTS = "(select *, rowid as row_no from contacts)"
ALL_CHAINS = "(select rowid as row_no, caller_key, topic, started_at, source_system, contact_id from contacts)"
CHUNK_DATES = "local_date >= $date_from and local_date < $date_to"


# The meta key a standalone rebuild sets in its first transaction (marts dropped, not yet built).
PENDING = "marts_pending"


def refresh_marts(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build every mart from `contacts`. Call inside the writer's transaction."""
    con.execute(_facts_sql("create or replace table contact_facts as", ALL_CONTACTS, ALL_CHAINS))
    con.execute(_dist_sql("create or replace view contact_dist as", "contact_facts"))
    sums = measure_columns(con)
    chunks = _date_chunks(con)
    built: list[Mart] = []
    for mart in _build_order():
        source = _source(mart, sorted(built, key=lambda m: MARTS.index(m)))
        facts, dist = ("contact_facts", "contact_dist") if source is None else (source.name, source.dist)
        for i, (date_from, date_to) in enumerate(chunks):
            params = {"date_from": date_from, "date_to": date_to}
            con.execute(_rollup_sql(mart.name, facts, mart.dims, sums, mart.channels, i == 0,
                                    CHUNK_DATES), params)
            con.execute(_rollup_sql(mart.dist, dist, mart.dims + DIST_KEYS, DIST_SUMS, mart.channels,
                                    i == 0, CHUNK_DATES), params)
        built.append(mart)
    _set_meta(con, "marts_version", MARTS_VERSION)
    _record_coverage(con)
    con.execute("delete from meta where key = $k", {"k": PENDING})
    _log_change(con, None)


def clear_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every mart and mark them pending: `marts_version` and the coverage go, so any later
    writer knows a full build is due, and `PENDING` keeps the store from being published until
    then. Call inside the writer's transaction (the first of `rebuild_marts`, or a migration's)."""
    con.execute("drop view if exists contact_dist")
    for mart in reversed(MARTS):   # our own names, trusted identifiers
        if mart.dist != "contact_dist":
            con.execute(f'drop table if exists "{mart.dist}"')
        con.execute(f'drop table if exists "{mart.name}"')
    con.execute("delete from meta where key in $keys", {"keys": ["marts_version", *COVERAGE]})
    _set_meta(con, PENDING, "1")


def marts_pending(con: duckdb.DuckDBPyConnection) -> bool:
    """True between `clear_marts` and the next full build (the marts are dropped)."""
    return bool(con.execute("select count(*) from meta where key = $k", {"k": PENDING}).fetchall()[0][0])


def rebuild_marts(con: duckdb.DuckDBPyConnection, on_pending=None) -> None:
    """The standalone full rebuild, in two transactions so the file does not grow by the marts'
    size (DuckDB frees a dropped table's blocks only at a checkpoint after its commit): drop
    (`clear_marts`), commit, checkpoint, then build (`finish_rebuild`). Call outside a
    transaction, holding the writer lock. A kill or failure between or during the second leaves
    the marts pending (see `clear_marts`); `on_pending()` is called then, before the exception
    goes on."""
    with _transaction(con):
        clear_marts(con)
    finish_rebuild(con, on_pending)


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back on any exception."""
    con.execute("begin transaction")
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def finish_rebuild(con: duckdb.DuckDBPyConnection, on_pending=None) -> None:
    """Checkpoint (the dropped marts' blocks become free), then build every mart in one
    transaction. Call outside a transaction. Out of memory, the marts stay pending and the
    StoreError says so (not the write path's "nothing changed")."""
    try:
        con.execute("checkpoint")
        with _transaction(con):
            refresh_marts(con)
    except duckdb.OutOfMemoryException:
        limit = con.execute("select current_setting('memory_limit')").fetchall()[0][0]
        raise StoreError(
            f"Minnet räckte inte för att bygga om statistiktabellerna (marts) (gränsen "
            f"write_memory_limit = {limit}). De gamla tabellerna var redan borttagna, så de saknas "
            "nu; kontakterna är orörda och dashboarden visar den senast publicerade "
            "ögonblicksbilden. Höj gränsen i inställningarna eller med "
            "KONTAKTCENTER_WRITE_MEMORY_LIMIT (t.ex. \"4GB\") och kör `kontaktcenter metrics "
            "--refresh-marts` igen.") from None
    except BaseException:
        if on_pending:
            on_pending()
        raise


# --- refresh: only the days the new rows change ---------------------------------------------
#
# A contact's row in contact_facts depends on the contact itself, on the lookups it joins
# (city_areas, topics, calendar, opening_hours: their fingerprint below) and on the reporting
# time zone, and through its repeat gaps on its nearest neighbours by the same caller on the same
# topic. A new contact therefore changes its own local day and the days of its two neighbours
# (only when the gap is inside the repeat window, but recomputing a day too many is harmless).
# Every mart has local_date as a dimension, so those days are recomputed whole, from the
# contacts that fall in them, and swapped in for the old rows of the same days.
#
# The ingest-id watermark says which contacts are new: ingest ids come from a sequence, so rows
# with an id above the newest one the marts include are the new ones; the count of contacts the
# marts were built from catches any other change to `contacts` (rows without an ingest id,
# deletions), which falls back to a full build.

COVERAGE = ("marts_ingest_id", "marts_contacts", "marts_lookups")
# Wider than the 90-day repeat window of queries/marts/contact_facts.sql (gaps <= 90 days count):
# a neighbour farther away than this cannot change a flag.
REPEAT_MARGIN = "interval 91 day"
ZONE = "coalesce((select value from meta where key = 'reporting_timezone'), 'Europe/Stockholm')"
_LOOKUPS_FINGERPRINT = f"""
select md5(string_agg(line, '|' order by line)) from (
    select 'a' || city_area || '=' || stadsomrade as line from city_areas where stadsomrade is not null
    union all select 't' || topic from topics where is_progress_chasing
    union all select 'c' || cast(date as varchar) || cast(is_working_day as varchar)
        || cast(is_holiday as varchar) from calendar
    union all select 'o' || cast(opening_hours as varchar) from opening_hours
    union all select 'z' || {ZONE}
)
"""


def _set_meta(con, key: str, value) -> None:
    con.execute("insert into meta values ($k, $v) on conflict (key) do update set value = excluded.value",
                {"k": key, "v": str(value)})


def _coverage_now(con) -> tuple[str, str, str]:
    newest, count = con.execute("select coalesce(max(ingest_id), 0), count(*) from contacts").fetchall()[0]
    return str(newest), str(count), con.execute(_LOOKUPS_FINGERPRINT).fetchall()[0][0] or ""


def _record_coverage(con) -> None:
    for key, value in zip(COVERAGE, _coverage_now(con)):
        _set_meta(con, key, value)


def update_marts(con: duckdb.DuckDBPyConnection) -> str:
    """Bring the marts up to date after contacts were added, touching only the days the new rows
    change; a full build when the marts are missing, outdated, or `contacts` changed otherwise.
    Call inside the writer's transaction. Returns "full", "days" or "none" (what was done)."""
    recorded = dict(con.execute("select key, value from meta where key in $keys",
                                {"keys": [*COVERAGE, "marts_version"]}).fetchall())
    if recorded.get("marts_version") != MARTS_VERSION or any(k not in recorded for k in COVERAGE):
        refresh_marts(con)
        return "full"
    watermark = int(recorded["marts_ingest_id"])
    new = con.execute("select count(*) from contacts where ingest_id > $w", {"w": watermark}).fetchall()[0][0]
    total = con.execute("select count(*) from contacts").fetchall()[0][0]
    lookups = con.execute(_LOOKUPS_FINGERPRINT).fetchall()[0][0] or ""
    if total - new != int(recorded["marts_contacts"]) or lookups != recorded["marts_lookups"]:
        refresh_marts(con)
        return "full"
    if not new:
        return "none"
    _refresh_days(con, watermark)
    _record_coverage(con)
    return "days"


# Generations of the change log kept; a snapshot older than that is published whole.
CHANGES_KEPT = 500


def _log_change(con, days: str | None) -> None:
    """Record what this refresh rewrote (`days`: a table of local_date; None: everything) under
    the next generation, for the publish of the next snapshot (dashboard/store/snapshot.py).
    A refresh during an older migration (before the log's table exists) records nothing: the
    next publish then copies everything. `days` is one of this module's temp tables (trusted identifiers)."""
    if not con.execute("select count(*) from duckdb_tables() where table_name = 'marts_changes' "
                       "and schema_name = 'main' and database_name = current_database()").fetchall()[0][0]:
        con.execute("delete from meta where key = 'marts_generation'")
        return
    rows = con.execute("select value from meta where key = 'marts_generation'").fetchall()
    generation = int(rows[0][0]) + 1 if rows else 1
    if days is None:
        con.execute("delete from marts_changes")
        con.execute("insert into marts_changes values ($g, null)", {"g": generation})
    else:
        con.execute("delete from marts_changes where generation <= $g", {"g": generation - CHANGES_KEPT})
        con.execute(f"insert into marts_changes select $g, local_date from {days}", {"g": generation})
    _set_meta(con, "marts_generation", generation)


def _refresh_days(con, watermark: int) -> None:
    # Formatted in: trusted identifiers and clauses (this module's constants and temp tables);
    # the watermark is bound.
    params = {"w": watermark}
    # The new contacts and their nearest neighbours on the same caller and topic: their days change.
    con.execute(f"""
        create or replace temp table _marts_touched as
        with new as (
            select caller_key, topic, started_at from contacts where ingest_id > $w
        ),
        keys as (
            select caller_key, topic, min(started_at) - {REPEAT_MARGIN} as lo,
                max(started_at) + {REPEAT_MARGIN} as hi
            from new where caller_key is not null and topic is not null group by all
        ),
        near as (
            select c.started_at, coalesce(c.ingest_id > $w, false) as is_new,
                coalesce(lag(c.ingest_id) over w > $w, false) as prior_new,
                coalesce(lead(c.ingest_id) over w > $w, false) as next_new,
            from contacts as c
            join keys as k on c.caller_key = k.caller_key and c.topic = k.topic
                and c.started_at between k.lo and k.hi
            -- redundant with the join, but lets zone maps skip row groups outside every window
            where c.started_at between (select min(lo) from keys) and (select max(hi) from keys)
            window w as (partition by c.caller_key, c.topic order by c.started_at, c.source_system, c.contact_id)
        )
        select started_at from new
        union all
        select started_at from near where not is_new and (prior_new or next_new)
    """, params)
    con.execute(f"""
        create or replace temp table _marts_days as
        select distinct cast(timezone({ZONE}, timezone('UTC', started_at)) as date) as local_date
        from _marts_touched
    """)
    # Every contact of those days (a local date is within a day of the UTC date in any zone) ...
    con.execute("""
        create or replace temp table _marts_scope as
        select *, rowid as row_no from contacts
        where cast(started_at as date) in (
            select local_date + shift from _marts_days, (values (-1), (0), (1)) as s(shift))
            and started_at >= (select min(local_date) - 1 from _marts_days)
            and started_at < (select max(local_date) + 2 from _marts_days)
    """)
    # ... and the contacts their repeat gaps are measured against: same caller and topic, within
    # the window of any of them (a farther neighbour gives no gap inside the window either way).
    con.execute(f"""
        create or replace temp table _marts_chains as
        with keys as (
            select caller_key, topic, min(started_at) - {REPEAT_MARGIN} as lo,
                max(started_at) + {REPEAT_MARGIN} as hi
            from _marts_scope where caller_key is not null and topic is not null group by all
        )
        select c.rowid as row_no, c.caller_key, c.topic, c.started_at, c.source_system, c.contact_id
        from contacts as c
        join keys as k on c.caller_key = k.caller_key and c.topic = k.topic
            and c.started_at between k.lo and k.hi
        where c.started_at between (select min(lo) from keys) and (select max(hi) from keys)
    """)
    days = "local_date in (select local_date from _marts_days)"
    con.execute(_facts_sql("create or replace temp table _marts_facts as", "_marts_scope",
                           "_marts_chains", f"where {days}"))
    con.execute(_dist_sql("create or replace temp view _marts_dist as", "_marts_facts"))
    con.execute(f"delete from contact_facts where {days}")
    con.execute("insert into contact_facts select * from _marts_facts")
    sums = measure_columns(con)
    for mart in _build_order():
        for target, source, dims, measures in ((mart.name, "_marts_facts", mart.dims, sums),
                                               (mart.dist, "_marts_dist", mart.dims + DIST_KEYS, DIST_SUMS)):
            con.execute(f"delete from {target} where {days}")
            con.execute(_rollup_sql(target, source, dims, measures, mart.channels, False, "true"))
    _log_change(con, "_marts_days")
    for name in ("_marts_dist",):
        con.execute(f"drop view {name}")
    for name in ("_marts_facts", "_marts_chains", "_marts_scope", "_marts_days", "_marts_touched"):
        con.execute(f"drop table {name}")


class MartsMissing(StoreError):
    pass


PENDING_MESSAGE = (
    "Databasens statistiktabeller (marts) saknas: en ombyggnad av dem avbröts innan den blev "
    "klar (kontakterna är orörda, dashboarden visar den senast publicerade ögonblicksbilden). "
    "Bygg om dem med `kontaktcenter metrics --refresh-marts` (kräver skrivrätt); nästa "
    "`kontaktcenter ingest` bygger också om dem."
)


def check_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse a store whose marts are missing, pending or built by another version, naming the fix."""
    if marts_pending(con):
        raise MartsMissing(PENDING_MESSAGE)
    rows = con.execute("select value from meta where key = 'marts_version'").fetchall()
    row = rows[0] if rows else None
    if row is None or row[0] != MARTS_VERSION:
        raise MartsMissing(
            "Databasens statistiktabeller (marts) saknas eller är byggda av en äldre version. "
            "Bygg om dem med `kontaktcenter metrics --refresh-marts` (kräver skrivrätt), eller "
            "läs in data igen med `kontaktcenter ingest`."
        )

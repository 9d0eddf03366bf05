"""The marts refresh: local time by the summer-time rule, rollups in date chunks, empty stores.

Expected values come from independent computations: ICU's timezone() and Python's zoneinfo for
local time, Polars group-bys of contact_facts / contact_dist for the rollups.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard.store import marts
from contact_fixtures import build, call, contact
from dashboard.store import open_store

_STOCKHOLM = ZoneInfo("Europe/Stockholm")
_UTC = ZoneInfo("UTC")


def _utc_instants() -> list[datetime]:
    """Every 20 minutes around each summer-time change 2024-2026, a few instants a year from
    1996 to 2099, and years outside the rule's table (they fall back to ICU)."""
    out = []
    for year in (2024, 2025, 2026):
        for month in (3, 10):
            last = datetime(year, month, 31)
            change = last - timedelta(days=last.isoweekday() % 7) + timedelta(hours=1)
            out += [change + timedelta(minutes=m) for m in range(-180, 181, 20)]
            out += [change - timedelta(microseconds=1), change]
    out += [datetime(y, m, 28, 23, 45) for y in range(1996, 2100, 7) for m in (1, 4, 7, 10, 12)]
    out += [datetime(1990, 6, 1, 22, 30), datetime(1995, 12, 31, 23, 30), datetime(2150, 7, 1, 22, 30)]
    return out


def test_local_date_and_half_hour_match_zoneinfo_and_icu(tmp_path):
    instants = _utc_instants()
    rows = []
    for i, at in enumerate(instants):
        row = contact("2025-01-01 00:00", "email", first_response_s=3600 * (i % 5))
        row["started_at"] = at
        rows.append(row)
    db = build(open_store(tmp_path / "tz.duckdb"), rows)
    got = db.sql("select local_date, slot from contact_facts").pl().sort("local_date", "slot")
    local = [at.replace(tzinfo=_UTC).astimezone(_STOCKHOLM) for at in instants]
    expected = pl.DataFrame({
        "local_date": [t.date() for t in local],
        "slot": [t.hour * 2 + (t.minute >= 30) for t in local],
    }, schema={"local_date": pl.Date, "slot": pl.UInt8}).sort("local_date", "slot")
    assert_frame_equal(got, expected)
    # contact_facts has no contact key: compare the sorted local dates with ICU's
    by_icu = db.sql(
        "select cast(timezone('Europe/Stockholm', timezone('UTC', started_at)) as date) as local_date "
        "from contacts order by 1"
    ).pl()
    assert_frame_equal(by_icu, got.select("local_date"))
    db.close()


def _months_of_contacts() -> list[dict]:
    rows = []
    for month in range(1, 8):
        day = f"2025-{month:02d}-1{month % 3 + 2}"
        rows += [
            call(f"{day} 09:10", wait=15 * month, department="A", topic="Bygglov",
                 caller_key="k1", outcome="resolved", handle=300),
            call(f"{day} 09:40", wait=400, answered=False, department="B", topic="Parkering",
                 caller_key="k2"),
            contact(f"{day} 11:05", "visit", department="A", topic="Bygglov", service_point="Rådhuset",
                    city_area="Husie", language="sv", customer_type="resident", caller_key="k3"),
            contact(f"{day} 23:50", "email", department="B", topic="Parkering", first_response_s=90000,
                    caller_key="k1", demand_type="failure", failure_reason="repeat"),
        ]
    return rows


def _rolled_up(source: pl.DataFrame, mart: marts.Mart, keys: tuple[str, ...], sums: list[str]) -> pl.DataFrame:
    if mart.channels is not None:
        source = source.filter(pl.col("channel").is_in(list(mart.channels)))
    dims = list(mart.dims + keys)
    return (source.group_by(dims).agg(pl.col(c).cast(pl.Int64).sum() for c in sums)
            .sort(dims, nulls_last=True))


@pytest.mark.parametrize("chunk_rows", [1, 5, 10_000])
def test_every_rollup_is_the_sum_of_its_source_in_any_chunking(tmp_path, monkeypatch, chunk_rows):
    monkeypatch.setattr(marts, "CHUNK_ROWS", chunk_rows)
    db = build(open_store(tmp_path / "c.duckdb"), _months_of_contacts())
    facts = db.sql("select * from contact_facts").pl()
    dist = db.sql("select * from contact_dist").pl()
    sums = marts.measure_columns(db)
    assert len(marts._date_chunks(db)) == {1: 7, 5: 4, 10_000: 1}[chunk_rows]
    for mart in marts.MARTS:
        if mart.name == "contact_facts":
            continue
        for table, source, keys, measures in ((mart.name, facts, (), sums),
                                              (mart.dist, dist, marts.DIST_KEYS, list(marts.DIST_SUMS))):
            got = db.sql(f"select * from {table}").pl()  # table names are the module's constants
            dims = list(mart.dims + keys)
            assert got["local_date"].is_sorted(), table
            assert_frame_equal(got.sort(dims, nulls_last=True),
                               _rolled_up(source, mart, keys, measures), check_dtypes=False)
            assert got.height > 0, table
    db.close()


def test_an_empty_store_gets_every_mart_empty(tmp_path):
    db = build(open_store(tmp_path / "e.duckdb"), [])
    for mart in marts.MARTS:
        for table in (mart.name, mart.dist):
            assert db.sql(f"select count(*) from {table}").fetchall() == [(0,)]  # module constants
    db.close()


def test_rollups_read_the_smallest_built_mart_that_covers_them():
    by_name = {m.name: m for m in marts.MARTS}
    order = marts._build_order()
    built = []
    sources = {}
    for mart in order:
        source = marts._source(mart, sorted(built, key=marts.MARTS.index))
        sources[mart.name] = source.name if source else None
        built.append(mart)
    assert sources["mart_day_channel"] == "mart_day"
    assert sources["mart_local"] is None  # only local channels: nothing else may feed it
    assert all(sources[m] is None for m in ("mart_day", "mart_halfhour", "mart_topic_day",
                                            "mart_people_day"))
    assert by_name["mart_local"].channels is not None

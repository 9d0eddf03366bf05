"""The engine's machinery: filters, local time, breakdowns, wait buckets, marts and their refresh."""

from datetime import date

import duckdb
import pytest
from hypothesis import given, settings as hsettings, strategies as st

import polars as pl

from dashboard.metrics import Filters, compute
from dashboard.metrics.buckets import nearest_rank, percentiles_from_histogram, wait_bucket
from dashboard.metrics.filters import UnknownDimension
from dashboard.store.marts import MartsMissing, refresh_marts
from dashboard.metrics.metric import UnknownMetric
from contact_fixtures import build, call, contact, insert_contacts
from dashboard.store import open_store

EDGE_WAITS = [0, 1, 5, 299, 300, 309, 310, 1799, 1800, 1859, 1860, 7199, 7200, 100000]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    db = open_store(tmp_path_factory.mktemp("engine") / "t.duckdb")
    rows = [
        # 22:30 UTC on 30 June is 00:30 on 1 July in Stockholm (summer time)
        contact("2025-07-01 00:30", "email", department="A", city_area="Rosengård"),
        contact("2025-06-30 23:59", "email", department="A", city_area="Husie"),
        contact("2025-06-30 12:00", "phone", department="B", city_area="Limhamn-Bunkeflo"),
        contact("2025-01-31 23:30", "chat", department="B"),  # winter time: still 31 January
        contact("2025-02-01 00:10", "chat", department="B"),
        *(call("2025-03-03 10:00", wait=w, department="C") for w in EDGE_WAITS),
    ]
    build(db, rows)
    yield db
    db.close()


def test_local_dates_and_hours_are_europe_stockholm(con):
    days = compute(con, Filters(date(2025, 6, 30), date(2025, 7, 1)), ["contacts"], by=("day", "hour"))
    got = {(r["day"], r["hour"]): r["contacts"] for r in days.iter_rows(named=True)}
    assert got == {(date(2025, 6, 30), 12): 1, (date(2025, 6, 30), 23): 1, (date(2025, 7, 1), 0): 1}
    january = compute(con, Filters(date(2025, 1, 31), date(2025, 1, 31)), ["contacts"])
    assert january["contacts"][0] == 1  # 23:30 local on the 31st (22:30 UTC) is in the period


def test_period_bounds_are_inclusive(con):
    r = compute(con, Filters(date(2025, 6, 30), date(2025, 6, 30)), ["contacts"])
    assert r["contacts"][0] == 2


def test_city_area_filter_accepts_stadsomrade_and_stadsdel(con):
    period = dict(start=date(2025, 6, 30), end=date(2025, 7, 1))
    oster = compute(con, Filters(**period, city_areas=("Öster",)), ["contacts"])
    assert oster["contacts"][0] == 2  # Rosengård and Husie are in Öster
    one = compute(con, Filters(**period, city_areas=("Husie", "Väster")), ["contacts"])
    assert one["contacts"][0] == 2  # Husie, and Limhamn-Bunkeflo in Väster
    by = compute(con, Filters(**period), ["contacts"], by=("stadsomrade",))
    assert dict(zip(by["stadsomrade"], by["contacts"])) == {"Väster": 1, "Öster": 2}


def test_time_grains(con):
    frame = compute(con, Filters(date(2025, 6, 30), date(2025, 7, 1)), ["contacts"],
                    by=("year", "month", "week", "weekday"))
    rows = {tuple(r[:4]) for r in frame.iter_rows()}
    assert rows == {(2025, date(2025, 6, 1), date(2025, 6, 30), 1),
                    (2025, date(2025, 7, 1), date(2025, 6, 30), 2)}
    halfhours = compute(con, Filters(date(2025, 6, 30), date(2025, 6, 30)), ["contacts"], by=("halfhour",))
    assert halfhours["halfhour"].to_list() == ["12:00", "23:30"]


def test_unknown_metric_and_dimension_list_the_valid_ones(con):
    with pytest.raises(UnknownMetric, match="Giltiga: contacts, offered"):
        compute(con, Filters(), ["contacts", "nonsense"])
    with pytest.raises(UnknownDimension, match="Giltiga: department, channel"):
        compute(con, Filters(), ["contacts"], by=("planet",))


def test_filters_are_hashable_and_compare_periods():
    f = Filters(date(2024, 3, 1), date(2024, 3, 31), departments=["A"], channels="phone")
    assert hash(f) == hash(Filters(date(2024, 3, 1), date(2024, 3, 31), ("A",), ("phone",)))
    assert f.channels == ("phone",)
    # a whole calendar month: the month before, all of February 2024
    assert f.previous_period() == Filters(date(2024, 2, 1), date(2024, 2, 29), ("A",), ("phone",))
    # ten days from a Friday: back two whole weeks, Friday to Friday
    ten = Filters(date(2024, 3, 1), date(2024, 3, 10)).previous_period()
    assert (ten.start, ten.end) == (date(2024, 2, 16), date(2024, 2, 25))
    leap = Filters(date(2024, 2, 1), date(2024, 2, 29)).same_period_last_year()
    assert (leap.start, leap.end) == (date(2023, 2, 1), date(2023, 2, 28))
    assert f.without("departments").departments == ()
    with pytest.raises(ValueError):
        Filters(date(2025, 2, 1), date(2025, 1, 1))


def test_wait_buckets_in_sql_match_the_python_mirror(con):
    rows = con.sql("select bucket, bucket_max, sum(n) as n from mart_day_dist "
                   "where measure = 'wait_answered' group by all order by bucket").fetchall()
    expected = {}
    for w in EDGE_WAITS:
        low, high = wait_bucket(w)
        expected[(low, high)] = expected.get((low, high), 0) + 1
    assert {(b, m): n for b, m, n in rows} == expected


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 299), min_size=1, max_size=40),
       st.sampled_from([0.5, 0.9, 0.25, 1.0]))
def test_histogram_percentile_equals_nearest_rank_on_whole_seconds(values, q):
    hist = pl.DataFrame({"bucket": values, "n": [1] * len(values)}).group_by("bucket").agg(pl.col("n").sum())
    got = percentiles_from_histogram(hist, [], q, "p")
    ordered = sorted(values)
    assert got["p"][0] == ordered[nearest_rank(q, len(values)) - 1]
    assert got["p__n"][0] == len(values)


def test_percentile_per_group_and_in_coarse_buckets(con):
    r = compute(con, Filters(date(2025, 3, 3), date(2025, 3, 3)), ["wait_median_s", "wait_p90_s"])
    # 14 waits; rank 7 is 310 (bucket 310-319), rank ceil(12.6) = 13 is 7200 (open bucket)
    assert (r["wait_median_s"][0], r["wait_p90_s"][0]) == (310, 7200)


def test_fte_uses_the_days_of_each_calendar_group(tmp_path):
    db = open_store(tmp_path / "fte.duckdb")
    build(db, [contact("2025-01-15 10:00", demand_type="failure", handle_s=3600),
               contact("2025-02-15 10:00", demand_type="failure", handle_s=3600)])
    frame = compute(db, Filters(date(2025, 1, 1), date(2025, 2, 28)), ["failure_demand_fte"], by=("month",))
    assert frame["failure_demand_fte"].to_list() == pytest.approx(
        [1 / (1600 * 31 / 365), 1 / (1600 * 28 / 365)])
    db.close()


def test_every_mart_gives_the_answer_of_the_per_contact_table(sample_db, monkeypatch):
    """The rollups are sums of contact_facts, so forcing the fallback must change nothing."""
    from dashboard.metrics import query
    from dashboard.store import marts

    db = duckdb.connect(str(sample_db), read_only=True)
    ids = ["contacts", "offered", "answer_rate", "service_level", "asa_s", "wait_median_s",
           "wait_p90_s", "repeat_rate", "failure_demand_share_inferred", "channel_share"]
    cases = [((), Filters(date(2025, 1, 1), date(2025, 6, 30))), (("department",), Filters()),
             (("weekday", "hour"), Filters(channels=("phone",))), (("topic",), Filters()),
             (("language",), Filters(customer_types=("resident",))),
             (("service_point",), Filters(channels=("visit",)))]
    chosen = [compute(db, f, ids, by=by) for by, f in cases]
    monkeypatch.setattr(query, "choose_mart", lambda filters, by: marts.MARTS[-1])
    for (by, f), expected in zip(cases, chosen):
        assert compute(db, f, ids, by=by).equals(expected), by
    db.close()


def test_refresh_is_idempotent_and_follows_the_transaction(tmp_path):
    db = open_store(tmp_path / "r.duckdb")
    build(db, [call("2025-03-03 10:00", wait=10)])
    before = db.sql("select count(*) from mart_day_dist").fetchall()
    db.execute("begin transaction")
    refresh_marts(db)
    refresh_marts(db)
    db.execute("commit")
    assert db.sql("select count(*) from mart_day_dist").fetchall() == before
    db.execute("begin transaction")
    insert_contacts(db, [call("2025-03-04 10:00", wait=10)])
    refresh_marts(db)
    db.execute("rollback")
    assert compute(db, Filters(), ["offered"])["offered"][0] == 1
    db.close()


def test_a_store_without_marts_is_refused_with_the_fix(tmp_path):
    db = open_store(tmp_path / "m.duckdb")
    with pytest.raises(MartsMissing, match="--refresh-marts"):
        compute(db, Filters(), ["contacts"])
    db.close()

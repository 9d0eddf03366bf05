"""The engine on the generated sample: a second, independent implementation in plain Polars over
raw contacts agrees with it, and the planted incident and equity gap are found (and nothing of
that size in a sample generated without them)."""

from datetime import date

import duckdb
import polars as pl
import pytest

from dashboard.metrics import Filters, compute, equity, incidents
from dashboard.metrics.buckets import nearest_rank, wait_bucket
from dashboard.sample.planted import EQUITY_GAP, INCIDENT

PERIOD = Filters(date(2025, 1, 1), date(2025, 6, 30))


@pytest.fixture(scope="module")
def db(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def db_no_plants(sample_db_no_plants):
    con = duckdb.connect(str(sample_db_no_plants), read_only=True)
    yield con
    con.close()


def _raw(con) -> pl.DataFrame:
    frame = con.sql("select * from contacts").pl()
    local = pl.col("started_at").dt.replace_time_zone("UTC").dt.convert_time_zone("Europe/Stockholm")
    return frame.with_columns(local.dt.date().alias("day")).filter(
        pl.col("day").is_between(PERIOD.start, PERIOD.end))


def _median_wait(waits: list[int]):
    if not waits:
        return None
    ordered = sorted(waits)
    return wait_bucket(ordered[nearest_rank(0.5, len(ordered)) - 1])[0]


def _by_hand(raw: pl.DataFrame) -> dict:
    out = {}
    for (dept,), g in raw.group_by(["department"]):
        queued = g.filter(pl.col("channel").is_in(["phone", "chat"]))
        answered = g.filter(pl.col("answered").fill_null(False))
        abandoned = g.filter(pl.col("abandoned").fill_null(False))
        short = abandoned.filter(pl.col("queue_s") < 5).height
        handled = g.filter(~pl.col("abandoned").fill_null(False))
        known = handled.filter(pl.col("outcome").is_in(["resolved", "forwarded", "referred", "callback"]))
        sl_den = answered.height + abandoned.height - short
        out[dept] = {
            "offered": queued.height,
            "answer_rate": answered.height / queued.height if queued.height else None,
            "asa_s": answered["queue_s"].mean() if answered.height else None,
            "service_level": answered.filter(pl.col("queue_s") <= 60).height / sl_den if sl_den else None,
            "wait_median_s": _median_wait(answered["queue_s"].drop_nulls().to_list()),
            "resolved_rate": known.filter(pl.col("outcome") == "resolved").height / known.height
            if known.height else None,
        }
    return out


def _repeat_rate_by_hand(con) -> float:
    """Followed within 7 days by the same caller on the same topic (look-ahead past the period)."""
    frame = con.sql("select * from contacts where caller_key is not null and topic is not null").pl()
    local = pl.col("started_at").dt.replace_time_zone("UTC").dt.convert_time_zone("Europe/Stockholm")
    frame = frame.sort(["caller_key", "topic", "started_at", "source_system", "contact_id"])
    frame = frame.with_columns(
        local.dt.date().alias("day"),
        (pl.col("started_at").shift(-1).over(["caller_key", "topic"]) - pl.col("started_at"))
        .dt.total_seconds().alias("gap"),
    ).filter(pl.col("day").is_between(PERIOD.start, PERIOD.end))
    return frame.filter(pl.col("gap") <= 7 * 86400).height / frame.height


def test_engine_agrees_with_a_plain_polars_implementation(db):
    expected = _by_hand(_raw(db))
    ids = ["offered", "answer_rate", "asa_s", "service_level", "wait_median_s", "resolved_rate"]
    got = compute(db, PERIOD, ids, by=("department",))
    assert set(got["department"].to_list()) == set(expected)
    for row in got.iter_rows(named=True):
        for metric in ids:
            assert row[metric] == pytest.approx(expected[row["department"]][metric]), (row["department"], metric)
    repeat = compute(db, PERIOD, ["repeat_rate"])["repeat_rate"][0]
    assert repeat == pytest.approx(_repeat_rate_by_hand(db))


def test_planted_incident_is_found_and_is_the_largest(db):
    found = incidents(db, Filters(date(2025, 8, 1), date(2025, 10, 31)))
    top = found.row(0, named=True)
    assert (top["city_area"], top["topic"]) == (INCIDENT.city_area, INCIDENT.topic)
    assert top["start"] <= INCIDENT.last_day and top["end"] >= INCIDENT.first_day
    others = found.slice(1)
    assert others.filter(pl.col("excess") >= top["excess"] / 2).is_empty()


def test_no_incident_of_that_size_without_plants(db, db_no_plants):
    window = Filters(date(2025, 8, 1), date(2025, 10, 31))
    planted = incidents(db, window).row(0, named=True)
    found = incidents(db_no_plants, window)
    assert found.filter(pl.col("excess") >= planted["excess"] / 2).is_empty()


def test_planted_equity_gap_is_flagged(db):
    frame = equity(db, Filters(), dimension="language", metric_ids=[EQUITY_GAP.rate])
    flagged = frame.filter(pl.col("flagged"))
    assert flagged["language"].to_list() == [EQUITY_GAP.language]
    row = flagged.row(0, named=True)
    assert row["rate"] < row["rest_rate"] and row["difference_hi"] < 0


def test_nothing_is_flagged_without_plants(db_no_plants):
    frame = equity(db_no_plants, Filters())
    assert frame.filter(pl.col("flagged")).is_empty(), frame.filter(pl.col("flagged"))

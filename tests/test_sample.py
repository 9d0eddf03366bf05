"""The sample generator: determinism, the contract, realism and the planted truths.

Statistics are read back from real stores (tests/conftest.py) with DuckDB SQL, whose ICU time
zone conversion is independent of the generator's own offset table.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard.domain import CHANNELS, QUEUED_CHANNELS, WRITTEN_CHANNELS
from dashboard.cli import main
from dashboard.reference import LANGUAGES
from dashboard.sample import (
    CONTACT_COLUMNS, SHIPPED_SAMPLE, build_sample_store, ensure_store, generate_contacts, load_shipped_sample,
    store_build,
)
from dashboard.sample.planted import EQUITY_GAP, INCIDENT
from dashboard.sample.population import caller_keys, sample_key
from dashboard.sample.timing import build_timeline, local_to_utc
from dashboard.sample.store_build import SHIPPED_ROWS
from dashboard.store import StoreError, open_store

LOCAL = "timezone('Europe/Stockholm', timezone('UTC', started_at))"


@pytest.fixture
def con(sample_con):
    return sample_con


@pytest.fixture
def con_no_plants(sample_con_no_plants):
    return sample_con_no_plants


def one(con, sql: str, params: dict | None = None):
    return con.execute(sql, params or {}).fetchall()[0][0]


def test_same_seed_gives_identical_frames_and_another_seed_does_not():
    a = list(generate_contacts(12_000, seed=7, chunk_rows=5_000))
    b = list(generate_contacts(12_000, seed=7, chunk_rows=5_000))
    assert [f.height for f in a] == [5_000, 5_000, 2_000]
    for x, y in zip(a, b):
        assert_frame_equal(x, y)
    c = pl.concat(generate_contacts(12_000, seed=8, chunk_rows=5_000))
    assert not pl.concat(a).equals(c)
    assert tuple(a[0].columns) == CONTACT_COLUMNS
    ids = pl.concat(a)["contact_id"]
    assert ids.n_unique() == 12_000


def test_caller_key_is_hmac_sha256_of_the_person_with_the_sample_key():
    pids = np.array([0, 1, 42, 42, 999_999])
    keys = caller_keys(pids, seed=5)
    expected = [hmac.new(sample_key(5), b"person-%d" % p, "sha256").hexdigest() for p in pids]
    assert list(keys) == expected
    assert caller_keys(pids[:1], seed=6)[0] != keys[0]


@pytest.mark.parametrize("local", [
    datetime(2025, 1, 15, 8, 0), datetime(2025, 7, 1, 8, 0), datetime(2025, 3, 30, 1, 30),
    datetime(2025, 3, 30, 2, 30), datetime(2025, 3, 30, 3, 30), datetime(2025, 10, 26, 1, 30),
    datetime(2025, 10, 26, 2, 30), datetime(2025, 10, 26, 3, 30), datetime(2024, 3, 31, 16, 59),
])
def test_local_times_map_to_utc_like_zoneinfo(local):
    tl = build_timeline(1)
    day = np.array([(np.datetime64(local.date()) - tl.dates[0]).astype(int)])
    second = np.array([local.hour * 3600 + local.minute * 60])
    got = datetime.fromtimestamp(int(local_to_utc(tl, day, second)[0]), tz=timezone.utc)
    # zoneinfo with fold=0: the first of a repeated hour; a skipped hour is read with the
    # offset before the change, i.e. one hour later on the clock.
    expected = local.replace(tzinfo=ZoneInfo("Europe/Stockholm")).astimezone(timezone.utc)
    assert got == expected


def test_store_rows_keep_the_contract(con):
    assert one(con, "select count(*) from contacts") == 60_000
    checks = {
        "queue fields only on phone and chat": """select count(*) from contacts where
            (channel in $queued) <> (queue_s is not null and answered is not null
             and abandoned is not null and callback_requested is not null)""",
        "exactly one queue outcome": """select count(*) from contacts where channel in $queued
            and answered::int + abandoned::int + callback_requested::int <> 1""",
        "handle time exactly on handled contacts": """select count(*) from contacts where
            (handle_s is not null) <> (coalesce(answered, channel <> 'e_service'))""",
        "first response only on handled written contacts": """select count(*) from contacts where
            (first_response_s is not null) <> (channel in $written)""",
        "outcome on handled and callback contacts only": """select count(*) from contacts where
            (outcome is null) <> (coalesce(abandoned, channel = 'e_service'))
            or (callback_requested and outcome <> 'callback')""",
        "a reason exactly on failure demand": """select count(*) from contacts where
            (failure_reason is not null) <> (demand_type is not distinct from 'failure')""",
        "service points only for visits and outreach": """select count(*) from contacts where
            (service_point is not null) <> (channel in ('visit', 'outreach'))""",
        "department is the topic's owner": """select count(*) from contacts c left join topics t
            using (topic) where c.department is distinct from t.department""",
        "known city areas": """select count(*) from contacts where city_area is not null
            and city_area not in (select city_area from city_areas where level = 'stadsdel')""",
        "known service points": """select count(*) from contacts where service_point is not null
            and service_point not in (select service_point from service_points)""",
        "interpreters only for spoken, handled contacts": """select count(*) from contacts where
            interpreter and (handle_s is null or channel not in ('phone', 'visit', 'outreach'))""",
        "inside 2024-2025 local time": f"""select count(*) from contacts where
            {LOCAL}::date not between '2024-01-01' and '2025-12-31'""",
    }
    params = {"queued": list(QUEUED_CHANNELS), "written": list(WRITTEN_CHANNELS)}
    for name, sql in checks.items():
        needed = {k: v for k, v in params.items() if f"${k}" in sql}
        assert one(con, sql, needed) == 0, name
    assert {r[0] for r in con.execute("select distinct channel from contacts").fetchall()} == set(CHANNELS)
    langs = {r[0] for r in con.execute("select distinct language from contacts").fetchall()}
    assert langs <= set(LANGUAGES) and "sv" in langs
    keys = [r[0] for r in con.execute("select caller_key from contacts where caller_key is not null limit 500").fetchall()]
    assert all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)


def test_shares_are_in_realistic_ranges(con):
    share = lambda sql: one(con, f"select avg(({sql})::int) from contacts")  # noqa: E731
    assert 0.50 <= share("channel = 'phone'") <= 0.62
    assert 0.30 <= one(con, "select avg((demand_type = 'failure')::int) from contacts") <= 0.40
    assert 0.08 <= share("satisfaction is not null") <= 0.13
    assert 0.75 <= share("language = 'sv'") <= 0.88
    phone = "from contacts where channel = 'phone'"
    assert 0.75 <= one(con, f"select avg(answered::int) {phone}") <= 0.9
    asa = one(con, f"select avg(queue_s) {phone} and answered")
    assert 30 <= asa <= 180
    failure_by_topic = con.execute("""select topic, avg((demand_type = 'failure')::int) from contacts
        where topic is not null group by topic""").fetchall()
    shares = dict(failure_by_topic)
    assert shares["Status i ärende om bygglov"] > 0.7 > 0.3 > shares["Bibliotek och lån"]


def test_nothing_arrives_on_the_phone_outside_opening_hours(con):
    hours = con.execute(f"""select distinct hour({LOCAL}), isodow({LOCAL}) from contacts
        where channel = 'phone'""").fetchall()
    assert {h for h, _ in hours} <= set(range(8, 17)) and {d for _, d in hours} <= set(range(1, 6))
    closed = one(con, f"""select count(*) from contacts c join calendar k on k.date = {LOCAL}::date
        where c.channel in ('phone', 'chat', 'visit', 'outreach') and not k.is_working_day""")
    assert closed == 0
    night = one(con, f"select count(*) from contacts where channel in ('e_service', 'email') and hour({LOCAL}) < 6")
    assert night > 0


def test_lunch_dip_on_the_phone(con):
    by_hour = dict(con.execute(f"""select hour({LOCAL}), count(*) from contacts
        where channel = 'phone' group by 1""").fetchall())
    assert by_hour[12] < 0.75 * (by_hour[11] + by_hour[13]) / 2


def test_fewer_digital_contacts_on_holidays(con):
    rows = con.execute(f"""select k.holiday_name is not null as closed, count(*) / count(distinct k.date)
        from contacts c join calendar k on k.date = {LOCAL}::date
        where c.channel in ('e_service', 'email') and isodow(k.date) <= 5 group by 1""").fetchall()
    per_day = dict(rows)
    assert per_day[True] < 0.7 * per_day[False]


def test_seasonal_peaks(con):
    def months(topic):
        return dict(con.execute(f"""select month({LOCAL}), count(*) from contacts where topic = $t
            group by 1""", {"t": topic}).fetchall())
    snow = months("Snöröjning och halkbekämpning")
    assert snow[1] + snow[2] > 5 * (snow.get(6, 0) + snow.get(7, 0))
    preschool = months("Ansökan om förskoleplats")
    assert preschool[2] > 1.5 * preschool[11]
    school = months("Skolskjuts")
    assert school[8] > 1.5 * school[10]


def test_waits_grow_with_load_and_abandonment_with_waits(con):
    buckets = con.sql(f"""select {LOCAL}::date as d, hour({LOCAL}) as h,
            avg(queue_s) filter (where answered) as wait, avg(abandoned::int) as abandon, count(*) as n
        from contacts where channel = 'phone' group by 1, 2 having count(*) >= 4""").pl()
    buckets = buckets.drop_nulls().sort("wait")
    fifth = buckets.height // 5
    low, high = buckets.head(fifth), buckets.tail(fifth)
    assert high["abandon"].mean() > 2 * low["abandon"].mean()
    by_day = dict(con.execute(f"""select isodow({LOCAL}), avg(queue_s) from contacts
        where channel = 'phone' and answered group by 1""").fetchall())
    assert by_day[1] > 1.1 * by_day[5]  # Monday is the busiest day, Friday the calmest
    by_month = dict(con.execute(f"""select month({LOCAL}), avg(queue_s) from contacts
        where channel = 'phone' and answered group by 1""").fetchall())
    assert by_month[1] > 1.5 * by_month[7]


def test_repeat_callers_on_the_same_topic(con):
    rows = con.execute("""with ordered as (
            select demand_type, started_at, lead(started_at) over (
                partition by caller_key, topic order by started_at) as next_at
            from contacts where caller_key is not null and topic is not null)
        select demand_type, avg(coalesce(next_at - started_at <= interval 7 day, false)::int) from ordered
        where demand_type is not null group by 1""").fetchall()
    repeat = dict(rows)
    assert repeat["failure"] > 0.08
    assert repeat["failure"] > 1.5 * repeat["value"]


def _incident_ratio(con) -> float:
    """Contacts on the incident's days against the mean of the same weekdays in the six weeks
    before and after (the incident's own days excluded)."""
    daily = dict(con.execute(f"""select {LOCAL}::date, count(*) from contacts
        where topic = $topic and city_area = $area group by 1""",
        {"topic": INCIDENT.topic, "area": INCIDENT.city_area}).fetchall())
    days = [INCIDENT.first_day + timedelta(i) for i in range((INCIDENT.last_day - INCIDENT.first_day).days + 1)]
    window = sum(daily.get(d, 0) for d in days)
    around = [d + timedelta(7 * w) for d in days for w in (-6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6)]
    baseline = np.mean([daily.get(d, 0) for d in around]) * len(days)
    return window / baseline


def test_planted_incident_present_only_with_plants(con, con_no_plants):
    assert _incident_ratio(con) > 5
    assert _incident_ratio(con_no_plants) < 2.5


def _resolved_gap(con) -> float:
    rates = dict(con.execute("""select language = $lang, avg((outcome = 'resolved')::int)
        from contacts where outcome is not null group by 1""", {"lang": EQUITY_GAP.language}).fetchall())
    return rates[False] - rates[True]


def test_planted_equity_gap_present_only_with_plants(con, con_no_plants):
    assert _resolved_gap(con) > 0.15
    assert abs(_resolved_gap(con_no_plants)) < 0.05
    others = dict(con_no_plants.execute("""select language, avg((outcome = 'resolved')::int)
        from contacts where outcome is not null group by 1 having count(*) > 300""").fetchall())
    assert max(others.values()) - min(others.values()) < 0.08


def test_ingest_log_and_data_version(con):
    log = con.execute("select profile, rows_read, rows_landed, rows_quarantined from ingest_log").fetchall()
    assert log == [("sample", 60_000, 60_000, 0)]
    assert one(con, "select value from meta where key = 'data_version'") == "1"
    assert one(con, "select count(distinct ingest_id) from contacts") == 1


def test_store_file_holds_no_raw_person_ids(sample_db):
    data = sample_db.read_bytes()
    assert b"person-1" not in data and b"kontaktcenter-sample-key" not in data


def test_generator_rows_insert_into_a_fresh_store(empty_db):
    con = open_store(empty_db())
    frame = next(generate_contacts(3_000, seed=3, plants=False))
    con.register("f", frame.to_arrow())
    con.execute("insert into contacts by name select *, 1 as ingest_id from f")
    assert one(con, "select count(*) from contacts") == 3_000
    # the sample builder inserts without the ingest's anti-join (contacts has no key index since
    # migration 007), so the generator itself must give every contact its own key, across chunks
    assert one(con, "select count(distinct (source_system, contact_id)) from contacts") == 3_000
    chunks = list(generate_contacts(5_000, seed=3, plants=False, chunk_rows=2_000))
    ids = pl.concat([c.select("source_system", "contact_id") for c in chunks])
    assert len(chunks) == 3 and ids.height == 5_000 and ids.n_unique() == 5_000
    con.close()


# --- the shipped sample and building stores ---------------------------------------------------

def test_shipped_sample_is_small_complete_and_holds_the_plants():
    assert SHIPPED_SAMPLE.stat().st_size <= 10_000_000
    frame = pl.read_parquet(SHIPPED_SAMPLE)
    assert tuple(frame.columns) == CONTACT_COLUMNS and frame.height == SHIPPED_ROWS
    local = frame.with_columns(
        day=pl.col("started_at").dt.replace_time_zone("UTC").dt.convert_time_zone("Europe/Stockholm").dt.date())
    spike = local.filter(pl.col("topic") == INCIDENT.topic, pl.col("city_area") == INCIDENT.city_area)
    in_window = spike.filter(pl.col("day").is_between(INCIDENT.first_day, INCIDENT.last_day)).height
    before = spike.filter(pl.col("day").is_between(INCIDENT.first_day - timedelta(28), INCIDENT.first_day - timedelta(1)))
    weekday_mean = before.filter(pl.col("day").dt.weekday() <= 5).height / 20  # 20 weekdays in 4 weeks
    assert in_window > 5 * weekday_mean * 4
    handled = frame.filter(pl.col("outcome").is_not_null())
    rate = handled.group_by(pl.col("language") == EQUITY_GAP.language).agg((pl.col("outcome") == "resolved").mean())
    rates = dict(rate.iter_rows())
    assert rates[False] - rates[True] > 0.15


def test_ensure_store_builds_the_shipped_sample_once(tmp_path):
    db = tmp_path / "nested" / "store.duckdb"
    assert ensure_store(db) is True
    assert ensure_store(db) is False
    con = open_store(db, read_only=True)
    assert one(con, "select count(*) from contacts") == SHIPPED_ROWS
    name, digest = con.execute("select file_name, file_hash from ingest_log").fetchall()[0]
    assert name == SHIPPED_SAMPLE.name and digest == hashlib.sha256(SHIPPED_SAMPLE.read_bytes()).hexdigest()
    con.close()
    # No temporary file is left: the store, its writer lock and its published snapshot only.
    assert sorted(p.name for p in db.parent.iterdir()) == [
        "store.duckdb", "store.duckdb.lock", "store.duckdb.snapshots"]
    assert "CURRENT" in {p.name for p in (db.parent / "store.duckdb.snapshots").iterdir()}


def test_loading_the_shipped_sample_twice_is_refused(empty_db, monkeypatch):
    monkeypatch.setattr(store_build, "SHIPPED_SAMPLE", SHIPPED_SAMPLE.with_name("missing.parquet"))
    monkeypatch.setattr(store_build, "SHIPPED_ROWS", 1_500)  # without the file: generated rows
    con = open_store(empty_db())
    assert load_shipped_sample(con) == 1_500
    with pytest.raises(StoreError, match="finns redan"):
        load_shipped_sample(con)
    assert one(con, "select count(*) from contacts") == 1_500
    con.close()


def test_a_failed_build_leaves_nothing_behind(tmp_path, monkeypatch):
    def broken(con):
        raise RuntimeError("marts broke")
    monkeypatch.setattr(store_build, "refresh_marts", broken)
    with pytest.raises(RuntimeError):
        ensure_store(tmp_path / "store.duckdb")
    with pytest.raises(RuntimeError):
        build_sample_store(tmp_path / "store.duckdb", 1_000)
    assert [p.name for p in tmp_path.iterdir()] == ["store.duckdb.lock"]   # the lock file only


def test_cli_sample_writes_refuses_and_forces(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    assert main(["--db", str(db), "sample", "--rows", "2000", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "kontakter till" in out and INCIDENT.city_area in out
    assert main(["--db", str(db), "sample", "--rows", "2000"]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["--db", str(db), "sample", "--rows", "1500", "--no-plants", "--force"]) == 0
    assert "Utan inplanterade" in capsys.readouterr().out
    con = open_store(db, read_only=True)
    assert one(con, "select count(*) from contacts") == 1_500
    assert one(con, "select file_name from ingest_log") == "generator"
    con.close()


def test_a_small_sample_whose_first_contact_has_no_caller_key_builds(tmp_path, capsys):
    # 500 rows with the default seed: the first contact is keyless, so the caller keys begin with
    # a null (once typed Object by Polars and refused).
    frame = pl.concat(generate_contacts(500))
    assert frame["caller_key"].dtype == pl.String and frame["caller_key"][0] is None
    assert 0 < frame["caller_key"].null_count() < 500
    db = tmp_path / "small.duckdb"
    assert main(["--db", str(db), "sample", "--rows", "500"]) == 0
    con = open_store(db, read_only=True)
    assert one(con, "select count(*) from contacts") == 500
    assert one(con, "select count(caller_key) from contacts") == 500 - frame["caller_key"].null_count()
    con.close()

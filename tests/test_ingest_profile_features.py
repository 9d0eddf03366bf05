"""Profile keys for real exports: missing-value markers, answer_status, per-field duration
formats, composite ids, the outcome not_resolved, the plausible window and the reporting zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import duckdb
import pytest

from dashboard.config import Settings
from dashboard.ingest import ProfileError, ingest_files
from dashboard.ingest.profile import parse_profile
from ingest_fixtures import KEY, header_csv, open_test_store, profile_file, sid

BASE = """
source_system = "test"
[started_at]
column = "Start"
[constants]
channel = "phone"
"""


def ingest_text(tmp_path, header, rows, profile_text, settings=None, name="f.csv"):
    path = tmp_path / name
    path.write_text(header_csv(header, rows), encoding="utf-8")
    con = open_test_store(tmp_path)
    summary = ingest_files(con, [path], profile_file(tmp_path, profile_text), KEY, settings=settings)
    return con, summary


def test_missing_markers_per_column_and_for_the_file_make_identifiers_missing_too(tmp_path):
    rows = [["1", "2024-03-04 08:00", "0", "N/A"], ["2", "2024-03-04 09:00", "0", "Bygglov och anmälan"],
            ["3", "2024-03-04 10:00", "4711", "-"], ["4", "2024-03-04 11:00", "4711", "Parkering och parkeringstillstånd"]]
    profile = BASE + """
[file]
missing = ["N/A", "-"]
[missing]
"Kund" = ["0"]
[columns]
"Id" = "contact_id"
"Kö" = "topic"
[identifiers]
columns = ["Kund"]
"""
    con, summary = ingest_text(tmp_path, ["Id", "Start", "Kund", "Kö"], rows, profile)
    assert (summary.landed, summary.quarantined) == (4, 0)
    got = con.execute("select contact_id, caller_key is null, topic from contacts order by started_at").fetchall()
    # placeholder customer id 0 is no caller at all; the two 4711 calls share one pseudonym
    assert [(c, k) for c, k, _ in got] == [(sid("1", "test"), True), (sid("2", "test"), True),
                                           (sid("3", "test"), False), (sid("4", "test"), False)]
    assert [t is None for *_, t in got] == [True, False, True, False]   # N/A and - are missing
    keys = con.execute("select count(distinct caller_key) from contacts").fetchone()[0]
    assert keys == 1


def test_missing_marker_on_the_id_sends_the_row_to_quarantine_naming_missing(tmp_path):
    profile = BASE + '[missing]\n"Id" = ["0"]\n[columns]\n"Id" = "contact_id"\n'
    con, summary = ingest_text(tmp_path, ["Id", "Start"], [["0", "2024-03-04 08:00"], ["7", "2024-03-04 08:00"]], profile)
    assert (summary.landed, summary.quarantined) == (1, 1)
    reason = con.execute("select reason from quarantine").fetchone()[0]
    assert "Kontakt-id saknas" in reason and "[missing]" in reason


@pytest.mark.parametrize("values,expected", [
    ("", [(True, False), (False, True), (None, None)]),                      # Y/N words built in
    ('[values.answer_status]\n"ANS" = "answered"\n"HUP" = "abandoned"\n"CB" = "other"\n',
     [(True, False), (False, True), (False, False)]),
])
def test_one_answer_status_line_fills_answered_and_abandoned(tmp_path, values, expected):
    codes = ["Y", "N", ""] if not values else ["ANS", "HUP", "CB"]
    rows = [[str(i), f"2024-03-04 08:0{i}", c] for i, c in enumerate(codes)]
    profile = BASE + '[columns]\n"Id" = "contact_id"\n"Answered" = "answer_status"\n' + values
    con, summary = ingest_text(tmp_path, ["Id", "Start", "Answered"], rows, profile)
    assert summary.landed == 3
    assert con.execute("select answered, abandoned from contacts order by started_at").fetchall() == expected


def test_answer_status_unknown_code_is_quarantined_once_naming_the_key(tmp_path):
    profile = BASE + '[columns]\n"Id" = "contact_id"\n"Res" = "answer_status"\n'
    con, summary = ingest_text(tmp_path, ["Id", "Start", "Res"], [["1", "2024-03-04 08:00", "XFER"]], profile)
    (reason,), = con.execute("select reason from quarantine").fetchall()
    assert reason.count("Okänt värde") == 1 and "[values.answer_status]" in reason


def test_answer_status_and_answered_together_is_refused():
    with pytest.raises(ProfileError, match="answer_status"):
        parse_profile({"source_system": "x", "started_at": {"column": "S"}, "constants": {"channel": "phone"},
                       "columns": {"A": "answer_status", "B": "answered"}})


def test_duration_format_per_field_and_a_message_naming_the_key(tmp_path):
    rows = [["1", "2024-03-04 08:00", "99", "0:01:39"], ["2", "2024-03-04 08:01", "1:05", "0:02:00"]]
    profile = BASE + """
[columns]
"Id" = "contact_id"
"Wait" = "queue_s"
"Talk" = "handle_s"
[durations]
format = { queue_s = "seconds", handle_s = "hms" }
"""
    con, summary = ingest_text(tmp_path, ["Id", "Start", "Wait", "Talk"], rows, profile)
    assert con.execute("select contact_id, queue_s, handle_s from contacts").fetchall() == [(sid("1", "test"), 99, 99)]
    (reason,), = con.execute("select reason from quarantine").fetchall()
    assert 'Ogiltig tid "1:05" för kötid' in reason
    assert 'format = { queue_s = "hms" }' in reason          # the key to change, for this field


def test_not_resolved_counts_in_the_resolution_rate_denominator_unlike_unknown(tmp_path):
    from dashboard.metrics.engine import compute
    from dashboard.metrics.filters import Filters

    rows = [[str(i), f"2024-03-04 08:{i:02d}", "Y" if i < 10 else ("N" if i < 30 else "?")] for i in range(40)]
    profile = BASE + """
[columns]
"Id" = "contact_id"
"Resolved" = "outcome"
[values.outcome]
"Y" = "resolved"
"N" = "not_resolved"
"?" = "unknown"
"""
    con, _ = ingest_text(tmp_path, ["Id", "Start", "Resolved"], rows, profile)
    frame = compute(con, Filters(), ("resolved_rate",), settings=Settings())
    assert frame["resolved_rate"][0] == pytest.approx(10 / 30)   # 10 resolved of 30 known, 10 unknown left out


def store_before_migration(db, version: int):
    """A store file at the schema just before migration `version`, as an older release left it."""
    from dashboard.store import migrations

    con = duckdb.connect(str(db))
    con.execute("create table schema_migrations (version integer primary key, name varchar not null, applied_at timestamp not null)")
    for number, name, path in migrations():
        if number < version:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("insert into schema_migrations values ($v, $n, now()::timestamp)", {"v": number, "n": name})
    return con


def test_migration_004_keeps_rows_and_accepts_not_resolved(tmp_path):
    con = store_before_migration(tmp_path / "old.duckdb", 4)
    con.execute("insert into contacts (source_system, contact_id, started_at, channel, outcome, ingest_id) "
                "values ('s', 'a', '2024-01-01', 'phone', 'resolved', 1)")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("insert into contacts (source_system, contact_id, started_at, channel, outcome, ingest_id) "
                    "values ('s', 'b', '2024-01-01', 'phone', 'not_resolved', 1)")
    con.close()
    con = open_test_store(tmp_path, "old.duckdb")
    assert con.execute("select contact_id, outcome from contacts").fetchall() == [("a", "resolved")]
    con.execute("insert into contacts (source_system, contact_id, started_at, channel, outcome, ingest_id) "
                "values ('s', 'b', '2024-01-01', 'phone', 'not_resolved', 1)")
    assert con.execute("select count(*) from contacts").fetchall() == [(2,)]


def test_migration_007_keeps_rows_and_checks_and_drops_the_key_index(tmp_path):
    """The key index made every ingest's checkpoint grow with the store (migration 007)."""
    con = store_before_migration(tmp_path / "old.duckdb", 7)
    con.execute("insert into contacts (source_system, contact_id, started_at, channel, outcome, queue_s, ingest_id) "
                "values ('s', 'a', '2024-01-01 08:00', 'phone', 'resolved', 12, 1), "
                "('s', 'b', '2024-01-02 09:00', 'email', null, null, 1)")
    before = con.execute("select * from contacts order by contact_id").fetchall()
    con.close()
    con = open_test_store(tmp_path, "old.duckdb")
    assert con.execute("select * from contacts order by contact_id").fetchall() == before
    kinds = {r[0] for r in con.execute("select constraint_type from duckdb_constraints() "
                                        "where table_name = 'contacts'").fetchall()}
    assert "PRIMARY KEY" not in kinds and {"CHECK", "NOT NULL"} <= kinds
    with pytest.raises(duckdb.ConstraintException):   # the checks survived the rebuild
        con.execute("insert into contacts (source_system, contact_id, started_at, channel, queue_s, ingest_id) "
                    "values ('s', 'c', '2024-01-01', 'phone', -1, 1)")


def test_plausible_window_is_a_setting(tmp_path):
    rows = [["1", "1994-05-06 10:00"]]
    profile = BASE + '[columns]\n"Id" = "contact_id"\n'
    con, summary = ingest_text(tmp_path, ["Id", "Start"], rows, profile)
    assert summary.quarantined == 1
    assert "före 2000-01-01" in con.execute("select reason from quarantine").fetchone()[0]
    con.close()
    other = tmp_path / "arkiv"
    other.mkdir()
    older = Settings(earliest_plausible_date=dt.date(1990, 1, 1))
    con, summary = ingest_text(other, ["Id", "Start"], rows, profile, settings=older)
    assert summary.landed == 1


@pytest.mark.parametrize("zone", ["Europe/Stockholm", "America/New_York", "Asia/Kolkata", "UTC"])
def test_local_dates_and_half_hours_follow_the_reporting_time_zone(tmp_path, zone):
    # UTC instants around both European and American daylight-saving changes
    instants = [dt.datetime(2024, 3, 10, 6, 45), dt.datetime(2024, 3, 10, 7, 15), dt.datetime(2024, 3, 31, 0, 59),
                dt.datetime(2024, 3, 31, 1, 0), dt.datetime(2024, 10, 27, 0, 59), dt.datetime(2024, 10, 27, 1, 0),
                dt.datetime(2024, 11, 3, 5, 30), dt.datetime(2024, 11, 3, 6, 30), dt.datetime(2024, 12, 31, 23, 10)]
    rows = [[str(i), t.strftime("%Y-%m-%dT%H:%M:%S") + "+00:00"] for i, t in enumerate(instants)]
    con, summary = ingest_text(tmp_path, ["Id", "Start"], rows, BASE + '[columns]\n"Id" = "contact_id"\n',
                               settings=Settings(reporting_timezone=zone))
    assert summary.landed == len(instants)
    got = con.execute("select local_date, slot from contact_facts order by local_date, slot").fetchall()
    local = [t.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)) for t in instants]
    expected = sorted((t.date(), t.hour * 2 + (t.minute >= 30)) for t in local)
    assert got == expected


def test_changing_the_reporting_zone_rebuilds_the_marts_at_the_next_ingest(tmp_path):
    rows = [["1", "2024-06-01T22:30:00+00:00"]]
    profile = BASE + '[columns]\n"Id" = "contact_id"\n'
    path = tmp_path / "f.csv"
    path.write_text(header_csv(["Id", "Start"], rows), encoding="utf-8")
    con = open_test_store(tmp_path)
    p = profile_file(tmp_path, profile)
    ingest_files(con, [path], p, KEY)
    assert con.execute("select local_date from contact_facts").fetchone()[0] == dt.date(2024, 6, 2)
    ingest_files(con, [path], p, KEY, settings=Settings(reporting_timezone="America/New_York"))   # a repeat file
    assert con.execute("select local_date from contact_facts").fetchone()[0] == dt.date(2024, 6, 1)
    assert con.execute("select value from meta where key = 'reporting_timezone'").fetchone()[0] == "America/New_York"

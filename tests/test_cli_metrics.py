"""`kontaktcenter metrics`: output formats, filters, suppression and user errors."""

import csv
import io
import json
from datetime import date

import pytest

from dashboard.cli import main
from dashboard.metrics import Filters, compute
from contact_fixtures import build, call, contact, insert_contacts
from dashboard.store import open_store

ROWS = (
    [call("2025-03-03 10:00", wait=10, department="A", handle=60) for _ in range(30)]
    + [call("2025-03-03 10:00", wait=10, department="B", handle=60) for _ in range(3)]
    + [call("2025-03-04 10:00", wait=100, department="C", handle=60) for _ in range(40)]
    + [contact("2025-03-05 10:00", "email", department="C") for _ in range(25)]
)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "cli.duckdb"
    con = open_store(path)
    build(con, ROWS)
    con.close()
    return path


def run(db, capsys, *args):
    code = main(["--db", str(db), "metrics", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_has_one_object_per_group_with_dimensions_and_metric_ids(db, capsys):
    code, out, _ = run(db, capsys, "--by", "department", "--metric", "contacts",
                       "--metric", "answer_rate", "--format", "json")
    assert code == 0
    rows = {r["department"]: r for r in json.loads(out)}
    assert set(rows) == {"A", "B", "C"}
    assert rows["C"]["contacts"] == 65 and rows["C"]["answer_rate"] == 1.0
    # B has 3 contacts: hidden, and A hidden with it so B cannot be derived from the city total
    assert rows["B"]["contacts"] is None and "contacts" in rows["B"]["suppressed"]
    assert rows["A"]["contacts"] is None
    assert rows["B"]["answer_rate"] is None  # 3 offered is below the rate minimum of 20
    # B's 3 offered is a published count (answer_rate's basis, A's and C's are shown next to
    # theirs): A's 30 offered hides with it, else B's = city total - 30 - 40
    assert rows["A"]["answer_rate"] is None and "answer_rate" in rows["A"]["suppressed"]


def test_json_values_equal_the_engine(db, capsys):
    _, out, _ = run(db, capsys, "--from", "2025-03-04", "--to", "2025-03-05", "--metric", "asa_s",
                    "--metric", "reply_within_1_workday", "--format", "json")
    con = open_store(db, read_only=True)
    expected = compute(con, Filters(date(2025, 3, 4), date(2025, 3, 5)),
                       ["asa_s", "reply_within_1_workday"]).row(0, named=True)
    con.close()
    [row] = json.loads(out)
    assert row == {"asa_s": expected["asa_s"], "reply_within_1_workday": expected["reply_within_1_workday"]}
    assert row["asa_s"] == 100.0


def test_csv_has_a_header_and_leaves_suppressed_cells_empty(db, capsys):
    code, out, _ = run(db, capsys, "--by", "department", "--metric", "contacts", "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["department", "contacts"]
    assert rows[1:] == [["A", ""], ["B", ""], ["C", "65"]]


def test_table_uses_swedish_labels_and_shows_hidden_counts_as_below_threshold(db, capsys):
    code, out, _ = run(db, capsys, "--by", "department", "--metric", "contacts", "--metric", "answer_rate")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["Förvaltning", "Kontakter", "Svarsandel"]
    assert lines[2].split() == ["B", "<5", "Dolt"]
    assert lines[3].split() == ["C", "65", "100,0", "%"]


def test_filters_by_department_and_channel(db, capsys):
    _, out, _ = run(db, capsys, "--department", "C", "--channel", "email", "--metric", "contacts",
                    "--format", "json")
    assert json.loads(out) == [{"contacts": 25}]


@pytest.mark.parametrize("args, message", [
    (("--metric", "nonsense"), "Giltiga: contacts, offered"),
    (("--by", "planet"), "Giltiga: department, channel"),
    (("--from", "2025-02-30"), "ÅÅÅÅ-MM-DD"),
    (("--from", "2025-03-05", "--to", "2025-03-01"), "Byt plats"),
])
def test_user_errors_name_the_problem_and_exit_2(db, capsys, args, message):
    code, out, err = run(db, capsys, *args)
    assert code == 2 and out == ""
    assert message in err


def test_missing_store_names_the_fix(tmp_path, capsys):
    code, _, err = run(tmp_path / "none.duckdb", capsys)
    assert code == 2 and "kontaktcenter sample" in err


def test_refresh_marts_builds_them_for_a_store_without(tmp_path, capsys):
    path = tmp_path / "raw.duckdb"
    con = open_store(path)
    insert_contacts(con, [call("2025-03-03 10:00", wait=5) for _ in range(6)])
    con.close()
    code, _, err = run(path, capsys, "--metric", "offered")
    assert code == 2 and "--refresh-marts" in err
    code, out, _ = run(path, capsys, "--refresh-marts", "--metric", "offered", "--format", "json")
    assert code == 0 and json.loads(out) == [{"offered": 6}]


def test_a_reader_that_goes_away_ends_the_command_quietly(db):
    """`kontaktcenter metrics … | head`: the pipe's reader is gone before the first line (its
    end closed at once), so the first write fails; exit 1, no traceback on stderr."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "dashboard", "--db", str(db), "metrics",
                             "--by", "department"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 1, err
    assert "Traceback" not in err and "Exception" not in err, err


def test_filter_values_match_in_any_case_or_label_and_a_misspelt_one_is_refused(db, capsys):
    """`--channel PHONE` and `--channel telefon` (the dashboard's word) count the 73 calls;
    `--channel telefn` printed 0 with exit 0 before, now it is refused with the closest value."""
    for spelling in ("phone", "PHONE", "Telefon", "telefon"):
        code, out, _ = run(db, capsys, "--metric", "contacts", "--channel", spelling, "--format", "json")
        assert code == 0 and json.loads(out)[0]["contacts"] == 73, spelling
    code, out, err = run(db, capsys, "--metric", "contacts", "--channel", "telefn")
    assert code == 2 and out == ""
    assert "Okänd kanal 'telefn'. Menade du 'phone'?" in err
    code, _, err = run(db, capsys, "--metric", "contacts", "--language", "klingon")
    assert code == 2 and "Okänt språk 'klingon'" in err


@pytest.mark.parametrize("args, asked", [
    (("--from", "2024-01-01", "--to", "2024-12-31"), "1 januari–31 december 2024"),
    (("--from", "2025-04-01"), "från 1 april 2025"),
    (("--to", "2025-03-02"), "till och med 2 mars 2025"),
])
def test_a_period_entirely_outside_the_data_warns_with_the_data_period_and_exits_1(
        db, capsys, args, asked):
    # the fixture's contacts are on 3-5 March 2025: a table of zeros would read as "no calls"
    for fmt in ("table", "json"):
        code, out, err = run(db, capsys, *args, "--format", fmt)
        assert code == 1
        assert out == ""
        assert (f"Varning: perioden {asked} ligger helt utanför data (3–5 mars 2025). "
                "Inga mått skrevs ut; välj en period inom data.") in err


def test_a_period_overlapping_the_data_is_not_refused(db, capsys):
    code, out, err = run(db, capsys, "--from", "2025-03-05", "--to", "2025-06-30",
                         "--metric", "contacts", "--format", "json")
    assert code == 0 and err == ""
    assert json.loads(out) == [{"contacts": 25}]


def test_the_data_period_is_read_in_the_reporting_time_zone(tmp_path, capsys, monkeypatch):
    """Calls at 00:30 on 1 April in Stockholm are at 22:30 on 31 March in UTC: with
    reporting_timezone = "UTC" (the marts built in UTC too) the data's only day is 31 March, so
    a period from 1 April lies wholly outside it, whatever Stockholm's calendar says."""
    from dashboard.cli.names import data_period

    path = tmp_path / "utc.duckdb"
    con = open_store(path)
    con.execute("insert into meta values ('reporting_timezone', 'UTC') "
                "on conflict (key) do update set value = excluded.value")
    build(con, [call("2025-04-01 00:30", wait=10, department="A", handle=60) for _ in range(6)])
    assert data_period(con, "UTC") == (date(2025, 3, 31), date(2025, 3, 31))
    assert data_period(con, "Europe/Stockholm") == (date(2025, 4, 1), date(2025, 4, 1))
    assert data_period(con, "America/New_York") == (date(2025, 3, 31), date(2025, 3, 31))
    con.close()
    monkeypatch.setenv("KONTAKTCENTER_REPORTING_TIMEZONE", "UTC")
    code, out, err = run(path, capsys, "--from", "2025-04-01", "--format", "json")
    assert (code, out) == (1, "")
    assert "perioden från 1 april 2025 ligger helt utanför data (31 mars 2025)" in err
    code, out, _ = run(path, capsys, "--from", "2025-03-31", "--to", "2025-03-31",
                       "--metric", "contacts", "--format", "json")
    assert code == 0 and json.loads(out) == [{"contacts": 6}]

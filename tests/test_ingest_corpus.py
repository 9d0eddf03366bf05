"""The export corpus: each file goes from `profile suggest` to correct metrics with only the
review edits docs/ingest.md lists.

For every file: the draft is compared with the reviewed profile decision by decision (the
differences must be exactly the documented review edits), then the file is ingested with the
reviewed profile and counts and metrics are checked against values computed here from the raw
file with the csv module, openpyxl or pyarrow (not with the ingest's own parsers)."""

from __future__ import annotations

import csv
import datetime as dt
import re
import statistics
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from corpus import CORPUS, EXAMPLES, PROFILES, ROOT, differences
from dashboard.config import Settings
from dashboard.ingest import ingest_files, load_profile
from dashboard.ingest.suggest import NotContacts, suggest_profile
from dashboard.metrics.engine import compute
from dashboard.metrics.filters import Filters
from ingest_fixtures import KEY, open_test_store, sid

# What the review changed in each draft (decision key -> why). docs/ingest.md shows the same.
REVIEW_EDITS = {
    "telefoni_export.csv": {"values.topic.bygglov": "several city topics contain the word",
                            "values.topic.förskoleplats": "several city topics contain the word"},
    "arende_export.tsv": {"values.channel.webbformulär": "a channel value not in the sample rows",
                          "values.topic.bygglov": "several city topics contain the word",
                          "values.topic.förskoleplats": "several city topics contain the word"},
    "call_log_en.csv": {"started_at.timezone": "the source's clock (Europe/London) cannot be seen in the file"},
    "vaxel_arkiv_1997.txt": {},
    "sf311_cases.csv": {"started_at.timezone": "the source's clock (America/Los_Angeles)",
                        "unknown_values.department": "San Francisco's agencies are no Malmö förvaltningar",
                        "unknown_values.city_area": "nor its neighbourhoods Malmö's stadsdelar"},
    "chatt_export.csv": {},
    "besok_servicepunkt.xlsx": {},
    "kontakter_utc.parquet": {},
    "servicenow_incidents.csv": {
        "values.outcome.closed/resolved by caller": "closed by the caller: not resolved by kontaktcenter",
        "drop.columns": "the coarse category dropped (the draft left it as ATT GÖRA)",
    },
}
# Settings the review changes (not profile keys): the archive is older than the default window.
REVIEW_SETTINGS = {"vaxel_arkiv_1997.txt": Settings(earliest_plausible_date=dt.date(1990, 1, 1))}


@pytest.mark.parametrize("name", list(CORPUS))
def test_suggest_differs_from_the_reviewed_profile_only_by_the_documented_edits(name):
    source_system, profile = CORPUS[name]
    draft = suggest_profile(EXAMPLES / name, source_system)
    tomllib.loads(draft)                               # the draft is valid TOML
    assert set(differences(draft, PROFILES / profile)) == set(REVIEW_EDITS[name])
    load_profile(PROFILES / profile)                    # and the reviewed profile loads


def test_docs_list_every_review_edit_and_corpus_file():
    doc = (ROOT / "docs" / "ingest.md").read_text(encoding="utf-8")
    for name, edits in REVIEW_EDITS.items():
        assert f"`{name}`" in doc, name
        for key in edits:
            assert f"`{key}`" in doc, key


def test_suggest_refuses_a_file_of_monthly_totals():
    with pytest.raises(NotContacts) as err:
        suggest_profile(EXAMPLES / "manadsrapport.csv")
    message = str(err.value)
    assert "sammanställning" in message and "en rad per månad" in message and "Antal samtal" in message


# -- ingest with the reviewed profile, checked against the raw file ------------------------------

def raw_csv(name: str, delimiter: str, encoding: str = "utf-8") -> list[dict]:
    with (EXAMPLES / name).open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def clock(text: str) -> int:
    parts = [int(p) for p in text.split(":")]
    return parts[0] * 3600 + parts[1] * 60 + parts[2] if len(parts) == 3 else parts[0] * 60 + parts[1]


def ingest(tmp_path, name):
    con = open_test_store(tmp_path)
    summary = ingest_files(con, [EXAMPLES / name], load_profile(PROFILES / CORPUS[name][1]), KEY,
                           settings=REVIEW_SETTINGS.get(name))
    return con, summary.files[0]


def metrics(con, *ids, by=()):
    return compute(con, Filters(), ids, by=by, settings=Settings())


def count_codes(rows: list[dict], column: str, codes: dict[str, str]) -> dict[str, int]:
    """Rows per contract code, from the raw values and the reviewed profile's translation."""
    out: dict[str, int] = {}
    for r in rows:
        out[codes[r[column]]] = out.get(codes[r[column]], 0) + 1
    return out


def contacts_by_channel(con) -> dict[str, int]:
    by = metrics(con, "contacts", by=("channel",))
    return dict(zip(by["channel"], by["contacts"]))


def test_english_call_log(tmp_path):
    rows = raw_csv("call_log_en.csv", ",")
    con, f = ingest(tmp_path, "call_log_en.csv")
    assert (f.rows_read, f.landed, f.quarantined, f.duplicates) == (len(rows), len(rows), 0, 0)
    answered = [r for r in rows if r["Answered"] == "Y"]
    resolved_known = [r for r in answered if r["Resolved"] in ("Y", "N")]
    scores = [float(r["Satisfaction"]) for r in rows if r["Satisfaction"]]
    m = metrics(con, "answered", "abandoned", "aht_s", "resolved_rate", "satisfaction_mean", "asa_s").row(0, named=True)
    assert (m["answered"], m["abandoned"]) == (len(answered), len(rows) - len(answered))
    assert m["aht_s"] == pytest.approx(statistics.mean(clock(r["Talk Time"]) for r in answered))
    assert m["asa_s"] == pytest.approx(statistics.mean(int(r["Wait Time (s)"]) for r in answered))
    assert m["resolved_rate"] == pytest.approx(sum(r["Resolved"] == "Y" for r in resolved_known) / len(resolved_known))
    assert m["satisfaction_mean"] == pytest.approx(statistics.mean(scores))
    # customer id 0 means "not identified": those rows fall back to the phone number
    identified = {r["Customer ID"] for r in rows if r["Customer ID"] != "0"}
    phones = {r["Caller Number"] for r in rows if r["Customer ID"] == "0"}
    assert con.execute("select count(distinct caller_key) from contacts").fetchone()[0] == len(identified) + len(phones)
    # the source's clock is London time
    first = dt.datetime.fromisoformat(rows[0]["Start Time"]).replace(tzinfo=ZoneInfo("Europe/London"))
    stored = con.execute("select started_at from contacts where contact_id = $c",
                         {"c": sid(rows[0]["Call ID"], "call_log_en")}).fetchone()[0]
    assert stored == first.astimezone(dt.UTC).replace(tzinfo=None)


def test_archive_with_two_digit_years_and_a_composite_id(tmp_path):
    rows = raw_csv("vaxel_arkiv_1997.txt", "\t", "cp1252")
    con, f = ingest(tmp_path, "vaxel_arkiv_1997.txt")
    assert (f.rows_read, f.landed, f.quarantined, f.duplicates) == (40, 40, 0, 0)
    handled = [r for r in rows if r["Res"] != "HUP"]
    m = metrics(con, "contacts", "answered", "abandoned", "aht_s").row(0, named=True)
    assert (m["contacts"], m["answered"], m["abandoned"]) == (
        40, sum(r["Res"] == "ANS" for r in rows), sum(r["Res"] == "HUP" for r in rows))
    assert m["aht_s"] == pytest.approx(statistics.mean(int(r["Längd"]) for r in handled))
    days = con.execute("select min(local_date), max(local_date) from contact_facts").fetchone()
    parsed = sorted(dt.datetime.strptime(r["Datum"], "%y%m%d").date() for r in rows)
    assert days == (parsed[0], parsed[-1]) and parsed[0].year == 1997
    # "8:05" and "17:45" alike: local half-hours as written
    slots = sorted(s for (s,) in con.execute("select slot from contact_facts").fetchall())
    hm = [tuple(map(int, r["Kl"].split(":"))) for r in rows]
    assert slots == sorted(h * 2 + (m >= 30) for h, m in hm)
    ids = {r[0] for r in con.execute("select contact_id from contacts").fetchall()}
    assert ids == {sid(f"{r['Samtal']}/{r['Växel']}", "vaxel_arkiv_1997") for r in rows}


def test_archive_without_the_setting_fails_the_script_with_the_fix(tmp_path):
    con = open_test_store(tmp_path)
    summary = ingest_files(con, [EXAMPLES / "vaxel_arkiv_1997.txt"], load_profile(PROFILES / "vaxel_arkiv_1997.toml"), KEY)
    (verdict,) = summary.verdicts_sv(0.1)
    assert "ingen rad lästes in" in verdict and "earliest_plausible_date" in verdict


def test_311_extract(tmp_path):
    rows = raw_csv("sf311_cases.csv", ",")
    con, f = ingest(tmp_path, "sf311_cases.csv")
    assert (f.rows_read, f.landed, f.quarantined) == (45, 45, 0)
    codes = {"Phone": "phone", "Web": "e_service", "Mobile/Open311": "e_service", "Twitter": "social", "Email": "email"}
    assert contacts_by_channel(con) == count_codes(rows, "source", codes)
    la = ZoneInfo("America/Los_Angeles")
    want = sorted(dt.datetime.fromisoformat(r["requested_datetime"]).replace(tzinfo=la).astimezone(dt.UTC)
                  .replace(tzinfo=None) for r in rows)
    assert [t for (t,) in con.execute("select started_at from contacts order by started_at").fetchall()] == want
    # the closing time, the status and the coordinates are not read; San Francisco's agencies and
    # neighbourhoods are not Malmö's, so the reviewed profile stores them as unknown
    assert con.execute("select count(*) from contacts where department is null and city_area is null").fetchone()[0] == 45
    assert set(f.unknown_columns) == set()


def test_chat_export(tmp_path):
    rows = raw_csv("chatt_export.csv", ";")
    con, f = ingest(tmp_path, "chatt_export.csv")
    assert (f.rows_read, f.landed, f.quarantined) == (42, 42, 0)
    answered = [r for r in rows if r["Besvarad"] == "Ja"]
    m = metrics(con, "answered", "abandoned", "asa_s", "aht_s", "satisfaction_mean").row(0, named=True)
    assert (m["answered"], m["abandoned"]) == (len(answered), len(rows) - len(answered))
    assert m["asa_s"] == pytest.approx(statistics.mean(int(r["Väntetid (s)"]) for r in answered))
    assert m["aht_s"] == pytest.approx(statistics.mean(clock(r["Chattlängd"]) for r in answered))
    assert m["satisfaction_mean"] == pytest.approx(statistics.mean(int(r["Betyg"]) for r in rows if r["Betyg"]))
    langs = {r[0] for r in con.execute("select distinct language from contacts").fetchall()}
    assert langs == {"sv", "en", "ar"}
    assert "Handläggare" in f.dropped_columns


def test_visits_workbook_with_a_title_row(tmp_path):
    from openpyxl import load_workbook

    sheet = load_workbook(EXAMPLES / "besok_servicepunkt.xlsx", read_only=True).active
    values = [tuple(r) for r in sheet.iter_rows(min_row=3, values_only=True) if any(v is not None for v in r)]
    con, f = ingest(tmp_path, "besok_servicepunkt.xlsx")
    distinct = len(set(values))                        # identical rows share a derived id
    assert (f.rows_read, f.landed, f.duplicates, f.quarantined) == (len(values), distinct, len(values) - distinct, 0)
    by = metrics(con, "contacts", by=("service_point",))
    counts: dict[str, int] = {}
    for v in set(values):
        counts["Servicepunkt " + v[2]] = counts.get("Servicepunkt " + v[2], 0) + 1
    assert dict(zip(by["service_point"], by["contacts"])) == counts
    assert con.execute("select count(*) from contacts where interpreter").fetchone()[0] == sum(v[5] == "Ja" for v in set(values))


def test_parquet_with_utc_timestamps_over_the_end_of_summer_time(tmp_path):
    import pyarrow.parquet as pq

    table = pq.read_table(EXAMPLES / "kontakter_utc.parquet").to_pylist()
    con, f = ingest(tmp_path, "kontakter_utc.parquet")
    assert (f.rows_read, f.landed, f.quarantined) == (40, 40, 0)
    m = metrics(con, "aht_s").row(0, named=True)
    assert m["aht_s"] == pytest.approx(statistics.mean(r["handle_seconds"] for r in table))
    stockholm = ZoneInfo("Europe/Stockholm")
    local = sorted((r["created_at"].astimezone(stockholm).date(), r["created_at"].astimezone(stockholm).hour)
                   for r in table)
    got = sorted(con.execute("select local_date, slot // 2 from contact_facts").fetchall())
    assert got == local
    assert con.execute("select count(distinct caller_key) from contacts").fetchone()[0] == len(
        {r["customer_email"] for r in table})


def test_every_corpus_profile_is_documented_with_its_example():
    readme = (ROOT / "docs" / "ingest.md").read_text(encoding="utf-8")
    for name, (_, profile) in CORPUS.items():
        assert re.search(rf"`sample_data/profiles/{re.escape(profile)}`", readme), profile


@pytest.mark.parametrize("name", list(CORPUS))
def test_every_decision_of_the_draft_carries_a_comment(name):
    """Each key line has a comment, or sits in a table whose header line explains it
    ([values.*] entries); lines left to the user say ATT GÖRA."""
    draft = suggest_profile(EXAMPLES / name, CORPUS[name][0])
    table_comment = False
    for line in draft.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped in ("]", "columns = ["):
            continue
        if stripped.startswith("["):
            table_comment = "#" in stripped
            continue
        assert "#" in stripped or table_comment, f"{name}: {line!r}"


def test_servicenow_style_incidents(tmp_path):
    rows = raw_csv("servicenow_incidents.csv", ",")
    con, f = ingest(tmp_path, "servicenow_incidents.csv")
    assert (f.rows_read, f.landed, f.quarantined) == (36, 36, 0)
    resolved = sum(r["close_code"].startswith("Solved") for r in rows)
    m = metrics(con, "contacts", "resolved_rate").row(0, named=True)
    assert m["contacts"] == 36
    assert m["resolved_rate"] == pytest.approx(resolved / 36)          # every close code is a known outcome
    codes = {"phone": "phone", "email": "email", "self-service": "e_service", "walk-in": "visit", "chat": "chat"}
    assert contacts_by_channel(con) == count_codes(rows, "contact_type", codes)
    assert "assigned_to" in f.dropped_columns and "category" in f.dropped_columns

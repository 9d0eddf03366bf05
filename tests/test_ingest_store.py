"""The store side of ingest: idempotence, overlapping exports, atomicity under kill, the key, privacy."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import polars as pl
import pytest


from dashboard.ingest import ingest_files
from dashboard.store import data_version
from ingest_fixtures import (
    KEY, NAMES, AGENTS, SMALL_HEADER, SMALL_PROFILE, header_csv, small_row, open_test_store, profile_file, run_ingest, store_state, telephony_frame,
    errand_frame, identifier_values, raw_ids, write_csv, write_xlsx,
)

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def test_reingesting_the_same_file_adds_nothing(tmp_path):
    path = write_csv(telephony_frame(200, seed=1), tmp_path / "export.csv", encoding="cp1252")
    con = open_test_store(tmp_path)
    profile = profile_file(tmp_path)
    first = run_ingest(con, [path], profile)
    assert first.landed == 200 and data_version(con) == 1
    before = store_state(con)
    again = run_ingest(con, [path], profile)
    assert again.files[0].already_ingested == first.files[0].ingest_id
    assert (again.rows_read, again.landed, again.duplicates) == (200, 0, 200)
    assert "redan inläst" in again.lines_sv()[0]
    contacts, quarantined, logged, version = store_state(con)
    assert (contacts, quarantined, version) == (before[0], before[1], before[3])   # not even the data version moves
    # ...but the log has one row per file, the repeat included, all its rows as duplicates
    assert logged == [*before[2], (logged[-1][0], "export.csv", 200)] and logged[-1][0] > before[2][-1][0]
    assert con.execute("select rows_landed, rows_duplicate from ingest_log order by ingest_id desc limit 1").fetchone() == (0, 200)


def test_same_file_under_another_name_or_edited_profile_is_read_but_not_doubled(tmp_path):
    frame = telephony_frame(120, seed=1)
    a = write_csv(frame, tmp_path / "a.csv")
    b = write_csv(frame, tmp_path / "b.csv", encoding="cp1252")      # same rows, other bytes
    con = open_test_store(tmp_path)
    run_ingest(con, [a], profile_file(tmp_path))
    second = run_ingest(con, [b], profile_file(tmp_path, name="annan.toml"))
    assert (second.rows_read, second.landed, second.duplicates) == (120, 0, 120)
    assert con.execute("select count(*) from contacts").fetchone()[0] == 120


def test_overlapping_exports_land_each_contact_once(tmp_path):
    frame = telephony_frame(300, seed=2)
    jan = write_csv(frame[:200], tmp_path / "jan.csv")
    feb = write_csv(frame[150:], tmp_path / "feb.csv")             # rows 150..199 in both
    con = open_test_store(tmp_path)
    profile = profile_file(tmp_path, batch_rows=64)
    s1 = run_ingest(con, [jan], profile)
    s2 = run_ingest(con, [feb], profile)
    assert (s1.landed, s2.landed, s2.duplicates) == (200, 100, 50)
    ids = [i[0] for i in con.execute("select contact_id from contacts").fetchall()]
    raw = frame["Samtals-ID"].to_list()
    assert all(i.startswith("k:") for i in ids) and raw_ids(ids, raw, "telefoni") == sorted(raw)


def test_overlapping_files_in_one_command(tmp_path):
    frame = telephony_frame(100, seed=3)
    a = write_csv(frame[:70], tmp_path / "a.csv")
    b = write_csv(frame[40:], tmp_path / "b.csv")
    con = open_test_store(tmp_path)
    summary = run_ingest(con, [a, b], profile_file(tmp_path))
    assert [(f.landed, f.duplicates) for f in summary.files] == [(70, 0), (30, 30)]
    assert data_version(con) == 1                                   # one transaction, one bump
    logged = con.execute("select file_name, rows_read, rows_landed, rows_duplicate from ingest_log order by 1").fetchall()
    assert logged == [("a.csv", 70, 70, 0), ("b.csv", 60, 30, 30)]


def test_sources_without_ids_get_stable_derived_ids(tmp_path):
    frame = errand_frame(80, seed=4).drop("Ärendenummer")
    a = write_csv(frame[:50], tmp_path / "a.tsv", delimiter="\t")
    b = write_csv(frame[30:], tmp_path / "b.tsv", delimiter="\t")
    text = (ROOT / "sample_data/profiles/arende_export.toml").read_text(encoding="utf-8")
    text = text.replace('"Ärendenummer" = "contact_id"\n', "")
    con = open_test_store(tmp_path)
    profile = profile_file(tmp_path, text)
    s1, s2 = run_ingest(con, [a], profile), run_ingest(con, [b], profile)
    assert (s1.landed, s2.landed, s2.duplicates) == (50, 30, 20)
    ids = [r[0] for r in con.execute("select contact_id from contacts").fetchall()]
    assert len(set(ids)) == 80 and all(re.fullmatch(r"h:[0-9a-f]{32}", i) for i in ids)


def test_ingest_bumps_the_data_version_and_refreshes_marts(tmp_path):
    from dashboard.store.marts import MARTS_VERSION

    path = write_csv(telephony_frame(50, seed=5), tmp_path / "export.csv")
    con = open_test_store(tmp_path)
    run_ingest(con, [path], profile_file(tmp_path))
    assert data_version(con) == 1
    assert con.execute("select count(*) from contact_facts").fetchone()[0] == 50
    assert con.execute("select value from meta where key = 'marts_version'").fetchone()[0] == MARTS_VERSION


def test_an_ingest_where_nothing_lands_still_leaves_a_queryable_store(tmp_path):
    from dashboard.store.marts import MARTS_VERSION
    path = tmp_path / "bad.csv"
    path.write_text(header_csv(SMALL_HEADER, [small_row("Q1", date="2024-02-30")]), encoding="utf-8")
    con = open_test_store(tmp_path)
    summary = run_ingest(con, [path], profile_file(tmp_path, SMALL_PROFILE))
    assert (summary.landed, summary.quarantined, data_version(con)) == (0, 1, 1)
    # the marts exist (empty), so `metrics` can say "no data yet" instead of "marts missing"
    assert con.execute("select value from meta where key = 'marts_version'").fetchone()[0] == MARTS_VERSION
    assert con.execute("select count(*) from mart_day").fetchone()[0] == 0
    # a second such ingest does not rebuild them again
    version = data_version(con)
    path.write_text(header_csv(SMALL_HEADER, [small_row("Q2", date="2024-02-31")]), encoding="utf-8")
    run_ingest(con, [path], profile_file(tmp_path, SMALL_PROFILE))
    assert data_version(con) == version + 1


KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from dashboard.ingest import ingest_files, load_profile
    from dashboard.store import open_store
    from ingest_fixtures import KEY

    def die(progress):
        print(progress.file.name, progress.batches, flush=True)
        if progress.file.name == {kill_file!r} and progress.batches == {after}:
            os.kill(os.getpid(), signal.SIGKILL)

    con = open_store({db!r})
    ingest_files(con, [Path(p) for p in {files!r}], load_profile({profile!r}), KEY, die)
    print("NOT KILLED", flush=True)
""")


@pytest.mark.parametrize("kill_file,after", [("b.csv", 3), ("c.csv", 2)])
def test_killed_ingest_leaves_the_store_as_it_was(tmp_path, kill_file, after):
    frame = telephony_frame(1_500, seed=6)
    a = write_csv(frame[:300], tmp_path / "a.csv")
    b = write_csv(frame[300:900], tmp_path / "b.csv")
    c = write_csv(frame[900:], tmp_path / "c.csv")
    db = tmp_path / "store.duckdb"
    con = open_test_store(tmp_path)
    profile = profile_file(tmp_path, batch_rows=100)
    run_ingest(con, [a], profile)
    before = store_state(con)
    con.close()
    script = KILL_SCRIPT.format(tests=str(TESTS), db=str(db), files=[str(b), str(c)], kill_file=kill_file,
                                after=after, profile=str(tmp_path / "profil.toml"))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    assert "NOT KILLED" not in proc.stdout
    assert f"{kill_file} {after}" in proc.stdout                      # it died mid-way, with batches written
    reopened = open_test_store(tmp_path)
    assert store_state(reopened) == before
    # And the interrupted ingest can simply be run again.
    summary = run_ingest(reopened, [b, c], profile)
    assert summary.landed + summary.quarantined == 1_200 and data_version(reopened) == 2


def test_exception_mid_ingest_rolls_back(tmp_path):
    path = write_csv(telephony_frame(500, seed=7), tmp_path / "export.csv")
    con = open_test_store(tmp_path)
    before = store_state(con)

    def boom(progress):
        if progress.batches == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_ingest(con, [path], profile_file(tmp_path, batch_rows=100), progress=boom)
    assert store_state(con) == before


def test_ingest_refuses_without_a_key(tmp_path, monkeypatch):
    path = write_csv(telephony_frame(5, seed=8), tmp_path / "export.csv")
    profile = tmp_path / "profil.toml"
    profile_file(tmp_path)
    db = tmp_path / "store.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "KONTAKTCENTER_KEY"}
    env["KONTAKTCENTER_KEY_FILE"] = str(tmp_path / "saknas.key")
    env["KONTAKTCENTER_CONFIG"] = str(tmp_path / "ingen-config.toml")
    proc = subprocess.run([sys.executable, "-m", "dashboard", "--db", str(db), "ingest", str(path),
                           "--profile", str(profile)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert "Nyckel för pseudonymisering saknas" in proc.stderr and "KONTAKTCENTER_KEY" in proc.stderr
    assert not db.exists()                                            # nothing was even opened


def raw_forms(value: str) -> set[str]:
    """The raw value and the forms a careless pipeline could store (digits only, +46, lower case)."""
    forms = {value, value.lower()}
    digits = re.sub(r"[^0-9]", "", value)
    if len(digits) >= 8 and "@" not in value:
        forms |= {digits}
        if digits.startswith("0"):
            forms |= {"+46" + digits[1:], "46" + digits[1:]}
        if len(digits) == 12:
            forms |= {digits[2:], digits[2:8] + "-" + digits[8:]}
    return {f for f in forms if len(f) >= 6}


def privacy_files(tmp_path):
    tele = telephony_frame(400, seed=9)
    # Bad rows carrying identifiers: they go to quarantine and must be scrubbed there too.
    bad = tele[:3].with_columns(pl.Series("Samtals-ID", ["Q1", "Q2", "Q3"]), pl.Series("Datum", ["2024-02-30"] * 3),
                                pl.Series("Kommentar", ["Nås på 070-174 06 42 eller anna.testsson@example.com",
                                                        "Pnr 19400101-9803, bor på Storgatan 12", "Inget"]))
    tele = pl.concat([tele, bad])
    errands = errand_frame(200, seed=9)
    files = [write_csv(tele, tmp_path / "tele.csv", encoding="cp1252"),
             write_xlsx(tele[:100].with_columns(pl.col("Samtals-ID") + "-x"), tmp_path / "tele.xlsx"),
             write_csv(errands, tmp_path / "arende.tsv", delimiter="\t", bom=True)]
    values = set(identifier_values(tele)) | set(identifier_values(errands.rename({"Meddelande": "Kommentar"})))
    values |= set(NAMES) | set(AGENTS) | {"19400101-9803", "070-174 06 42", "anna.testsson@example.com", "Storgatan 12"}
    return files, values


def test_store_file_holds_no_raw_identifier(tmp_path):
    files, values = privacy_files(tmp_path)
    con = open_test_store(tmp_path)
    con.execute("set force_compression = 'uncompressed'")   # so a stored string is visible in the bytes
    tele_profile = profile_file(tmp_path)
    xlsx_profile = profile_file(tmp_path, (tmp_path / "profil.toml").read_text().replace(
        "[file]", "[file]\nskip_lines = 1"), name="xlsx.toml")
    errand_profile = profile_file(tmp_path, (ROOT / "sample_data/profiles/arende_export.toml").read_text(), name="a.toml")
    s1 = run_ingest(con, files[:1], tele_profile)
    s2 = run_ingest(con, files[1:2], xlsx_profile)
    s3 = run_ingest(con, files[2:], errand_profile)
    assert (s1.landed, s1.quarantined, s2.landed, s3.landed) == (400, 3, 100, 200)
    con.execute("checkpoint")
    con.close()
    data = b"".join(p.read_bytes() for p in tmp_path.glob("store.duckdb*"))
    assert "Ansökan om förskoleplats".encode() in data and b"[TELEFON]" in data   # the scan can see stored text
    leaked = sorted(f for v in values for f in raw_forms(v) if f.encode("utf-8") in data or f.encode("cp1252", "ignore") in data)
    assert leaked == []


def test_no_table_holds_a_raw_identifier(tmp_path):
    files, values = privacy_files(tmp_path)
    con = open_test_store(tmp_path)
    run_ingest(con, files[:1], profile_file(tmp_path))
    run_ingest(con, files[2:], profile_file(tmp_path, (ROOT / "sample_data/profiles/arende_export.toml").read_text(), "a.toml"))
    forms = sorted({f for v in values for f in raw_forms(v)})
    for table, column in con.execute(
            "select table_name, column_name from information_schema.columns where data_type = 'VARCHAR'").fetchall():
        text = con.execute(f'select string_agg("{column}", chr(10)) from "{table}"').fetchone()[0] or ""  # names from the catalog
        assert [f for f in forms if f in text] == [], (table, column)
    q = con.execute("select reason, row_json from quarantine").fetchall()
    assert len(q) == 3 and all("[TELEFON]" in r[1] or "[PERSONNUMMER]" in r[1] or "Inget" in r[1] for r in q)
    assert all("Telefonnummer" not in r[1] and "Personnummer" not in r[1] and "Handläggare" not in r[1] for r in q)


def test_caller_key_is_the_same_for_the_same_person_across_forms(tmp_path):
    text = "Samtals-ID;Datum;Tid;Telefonnummer\r\nK1;2024-03-04;08:00;070-174 06 42\r\nK2;2024-03-04;09:00;+46 70 174 06 42\r\n"
    path = tmp_path / "nummer.csv"
    path.write_text(text, encoding="utf-8")
    profile = 'source_system = "v"\n[started_at]\ndate_column = "Datum"\ntime_column = "Tid"\n' \
              '[columns]\n"Samtals-ID" = "contact_id"\n[constants]\nchannel = "phone"\n' \
              '[identifiers]\ncolumns = ["Telefonnummer"]\n'
    con = open_test_store(tmp_path)
    run_ingest(con, [path], profile_file(tmp_path, profile))
    keys = con.execute("select caller_key from contacts order by contact_id").fetchall()
    assert keys[0] == keys[1] and re.fullmatch(r"[0-9a-f]{64}", keys[0][0])
    other = duckdb.connect()
    from dashboard.store import migrate
    migrate(other)
    ingest_files(other, [path], profile_file(tmp_path, profile, "p2.toml"), b"en-helt-annan-nyckel-123456")
    assert other.execute("select caller_key from contacts limit 1").fetchone() != keys[0]

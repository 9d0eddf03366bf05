"""The door in: vocabulary columns hold only lookup values, contact ids are keyed pseudonyms, file
names are scrubbed, misfiled identifiers are pseudonymised and counted; the vocabulary and find
commands, and migration 003 for stores written before all this."""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest

from dashboard import store
from dashboard.cli import main
from dashboard.ingest import pii
from dashboard.ingest.errors import IngestError
from dashboard.ingest.vocabulary import VocabularyError, add_value, load_vocabularies
from store_support import cli_env  # noqa: F401  (a fixture)
from ingest_fixtures import (
    KEY, PERSONNUMMER, SMALL_HEADER, SMALL_PROFILE, header_csv, open_test_store, profile_file,
    quarantine, run_ingest, sid, small_row,
)

# SMALL_HEADER plus the vocabulary columns this file needs.
HEADER = SMALL_HEADER + ["Förvaltning", "Stadsdel"]
PROFILE = SMALL_PROFILE.replace('"Nöjdhet" = "satisfaction"',
                                '"Nöjdhet" = "satisfaction"\n"Förvaltning" = "department"\n"Stadsdel" = "city_area"')


def row(cid: str, queue: str = "Bygglov", department: str = "Stadsbyggnadskontoret", area: str = "Hyllie",
        **kw) -> list[str]:
    cells = small_row(cid, **kw)
    cells[SMALL_HEADER.index("Kö")] = queue
    return cells + [department, area]


def ingest(tmp_path, rows, profile_text=PROFILE, name="export.csv", con=None):
    path = tmp_path / name
    path.write_text(header_csv(HEADER, rows), encoding="utf-8")
    con = con or open_test_store(tmp_path)
    summary = run_ingest(con, [path], profile_file(tmp_path, profile_text, name=f"{name}.toml"))
    return con, summary


def stored(con, cid: str, column: str):
    return con.execute(f"select {column} from contacts where contact_id = $id", {"id": sid(cid)}).fetchall()


def findings(con) -> dict:
    return {(f, c, k): n for f, c, k, n in con.execute(
        "select field, source_column, kind, rows from ingest_findings").fetchall()}


# --------------------------------------------------------------------------- vocabularies


def test_vocabulary_values_match_ignoring_case_and_spacing_and_through_aliases(tmp_path):
    con = open_test_store(tmp_path)
    con.execute("begin")
    add_value(con, "topic", "Parkering och parkeringstillstånd", ("P-tillstånd",))
    con.execute("commit")
    con, summary = ingest(tmp_path, [
        row("V1", queue="  bygglov   OCH anmälan "),          # the lookup value, other case and spacing
        row("V2", queue="BYGGLOV"),                            # the profile's [values.topic]
        row("V3", queue="p-TILLSTÅND", area="  västra   innerstaden"),   # a store alias; a city area
        row("V4", department="stadsbyggnad"),                  # a department's short name
    ], con=con)
    assert summary.landed == 4 and summary.quarantined == 0
    assert [stored(con, c, "topic")[0][0] for c in ("V1", "V2", "V3")] == [
        "Bygglov och anmälan", "Bygglov och anmälan", "Parkering och parkeringstillstånd"]
    assert stored(con, "V3", "city_area") == [("Västra Innerstaden",)]
    assert stored(con, "V4", "department") == [("Stadsbyggnadskontoret",)]
    assert findings(con) == {}


def test_unknown_topic_is_stored_as_unknown_and_counted(tmp_path):
    con, summary = ingest(tmp_path, [row("U1", queue="Återring 0701740642"), row("U2", queue="Okänd kö"),
                                     row("U3")])
    assert summary.landed == 3
    assert stored(con, "U1", "topic") == [(None,)] and stored(con, "U2", "topic") == [(None,)]
    assert findings(con) == {("topic", "Kö", "unknown_value"): 2}
    assert summary.files[0].findings == {("topic", "Kö", "unknown_value"): 2}
    assert any("2 rader hade ett okänt värde" in line for line in summary.lines_sv())


def test_unknown_department_and_city_area_quarantine_without_repeating_the_value(tmp_path):
    con, summary = ingest(tmp_path, [row("Q1", department="anna.testsson@example.com"),
                                     row("Q2", area="Anna Testsson 19811218-9876"), row("Q3")])
    assert (summary.landed, summary.quarantined) == (1, 2)
    text = json.dumps(quarantine(con), ensure_ascii=False)
    assert "Okänt värde för förvaltning" in text and "Okänt värde för stadsområde" in text
    assert "anna" not in text.lower() and "Testsson" not in text and "9876" not in text
    rows = [json.loads(r[3]) for r in quarantine(con)]
    assert rows[0]["Förvaltning"] == "[okänt värde]" and rows[0]["Samtals-ID"] == sid("Q1")
    assert rows[1]["Stadsdel"] == "[okänt värde]" and rows[1]["Förvaltning"] == "Stadsbyggnadskontoret"


def test_the_profile_chooses_the_policy_per_column(tmp_path):
    profile = PROFILE + '\n[unknown_values]\ndepartment = "unknown"\ntopic = "quarantine"\noutcome = "unknown"\n'
    con, summary = ingest(tmp_path, [row("P1", department="Gatukontoret gamla namnet"),
                                     row("P2", queue="Något nytt"), row("P3", outcome="KLAR")], profile)
    assert (summary.landed, summary.quarantined) == (2, 1)
    assert stored(con, "P1", "department") == [(None,)]
    assert stored(con, "P3", "outcome") == [("unknown",)]      # the contract's own unknown code
    assert findings(con) == {("department", "Förvaltning", "unknown_value"): 1,
                             ("outcome", "Utfall", "unknown_value"): 1}
    assert "Okänt värde för ärendekategori" in quarantine(con)[0][2]


@pytest.mark.parametrize("section, message", [
    ('[unknown_values]\nchannel = "unknown"\n', "kanal måste alltid vara känd"),
    ('[unknown_values]\ntopic = "drop"\n', '"quarantine" eller "unknown"'),
    ('[unknown_values]\nnote = "unknown"\n', "inget vokabulärfält"),
    ('[vocabulary]\ntopic = ["Ring 070-174 06 42"]\n', "telefonnummer"),
    ('[vocabulary]\ntopic = ["Anna Testsson"]\n', "efternamn"),
    ('[vocabulary]\nchannel = ["fax"]\n', "kan bara läggas till"),
])
def test_bad_vocabulary_sections_stop_the_profile(tmp_path, section, message):
    with pytest.raises(IngestError, match=message):
        profile_file(tmp_path, PROFILE + "\n" + section)


def test_a_profile_vocabulary_section_adds_values_at_ingest(tmp_path):
    profile = PROFILE + '\n[vocabulary]\ntopic = ["Sophämtning i villaområden"]\n'
    con, summary = ingest(tmp_path, [row("A1", queue="sophämtning i villaområden")], profile)
    assert stored(con, "A1", "topic") == [("Sophämtning i villaområden",)]
    assert load_vocabularies(con).match("topic", "SOPHÄMTNING I VILLAOMRÅDEN") == "Sophämtning i villaområden"


def test_a_personal_source_system_name_is_refused(tmp_path):
    with pytest.raises(VocabularyError, match="personnummer"):
        ingest(tmp_path, [row("S1")], PROFILE.replace('source_system = "vaxel"', 'source_system = "vaxel 19811218-9876"'))


@pytest.mark.parametrize("value", [
    "19811218-9876", "811218-9876", "8112189876", "070-174 06 42", "0701740642", "+46 70 174 06 42",
    "anna@example.com", "[Klicka](https://example.org)", "https://example.org", "<b>fet</b>",
    "Anna Testsson", "Storgatan 12", "x" * 121, "  ",
])
def test_personal_looking_values_are_refused(value):
    assert pii.personal_data_problem(value) is not None


@pytest.mark.parametrize("value", [
    "Bygglov och anmälan", "Servicepunkt Holma/Kroksbäck", "Gymnasie- och vuxenutbildningsförvaltningen",
    "Vatten, avlopp och avfall (VA SYD)", "Limhamn-Bunkeflo", "Återuppringning", "sv",
])
def test_ordinary_vocabulary_values_pass(value):
    assert pii.personal_data_problem(value) is None


# ------------------------------------------------------------ identifiers, ids, file names


def test_an_identifier_that_is_not_what_its_column_claims_is_pseudonymised_and_counted(tmp_path):
    email = "anna.testsson@example.com"
    con, summary = ingest(tmp_path, [row("M1", phone=email), row("M2", phone="070-174 06 05"),
                                     row("M3", phone="okänt")])
    assert summary.landed == 3
    expected = pii.pseudonymise(pl.Series([email]), KEY, "email")[0]
    assert stored(con, "M1", "caller_key") == [(expected,)]
    assert stored(con, "M2", "caller_key") == [(pii.pseudonymise(pl.Series(["070-174 06 05"]), KEY, "phone")[0],)]
    assert stored(con, "M3", "caller_key")[0][0] is not None      # kept as a customer id, not dropped
    assert findings(con) == {("caller_key", "Telefonnummer", "misfiled_identifier"): 2}


def test_a_personnummer_used_as_contact_id_never_lands_and_duplicates_are_still_found(tmp_path):
    pnr = PERSONNUMMER[5]
    con, first = ingest(tmp_path, [row(pnr), row("X2")])
    # the same call again with another value (a start time of its own would make it another
    # contact under a non-unique id, which is quarantined instead)
    _, second = ingest(tmp_path, [row(pnr, sat="4"), row("X3")], name="again.csv", con=con)
    assert (first.landed, second.landed, second.duplicates) == (2, 1, 1)
    ids = [r[0] for r in con.execute("select contact_id from contacts").fetchall()]
    assert sid(pnr) in ids and pnr not in ids
    assert sid(pnr) == pii.contact_pseudonym_one(f"  {pnr} ", KEY, "vaxel")     # trimmed first
    assert sid(pnr) != pii.contact_pseudonym_one(pnr, KEY, "annat")               # its own source's space
    assert sid(pnr) not in {pii.pseudonymise(pl.Series([pnr]), KEY)[0][:34]}      # not a caller_key


def test_file_names_are_stored_scrubbed(tmp_path):
    pnr = PERSONNUMMER[7]
    con, summary = ingest(tmp_path, [row("F1"), row("F2", sat="9")], name=f"vaxel_{pnr}_anna@example.com.csv")
    expected = "vaxel_[PERSONNUMMER]_[E-POST].csv"
    assert con.execute("select file_name from ingest_log").fetchall() == [(expected,)]
    assert con.execute("select distinct file_name from quarantine").fetchall() == [(expected,)]
    assert all(pnr not in line and "anna@" not in line for line in summary.lines_sv())
    assert pii.scrub_file_name("rapport_2024-03.csv") == "rapport_2024-03.csv"


def test_quarantined_values_keep_numbers_but_not_words():
    out = pii.safe_echo(pl.Series(["12:30", "-0:05", "Anna Testsson", "19811218-9876", "ja", None]))
    assert out.to_list() == ["12:30", "-0:05", "[text, 13 tecken]", "[PERSONNUMMER]", "ja", None]


# ------------------------------------------------------------------------- the commands


def cli(tmp_path, *args) -> int:
    return main(["--db", str(tmp_path / "store.duckdb"), *map(str, args)])


def test_vocabulary_add_and_list(cli_env, capsys):
    assert cli(cli_env, "vocabulary", "add", "topic", "Sophämtning", "--department", "Stadskontoret",
               "--alias", "Sopor", "--alias", "avfall villa") == 0
    assert cli(cli_env, "vocabulary", "add", "outcome", "resolved", "--alias", "KLART") == 0
    assert cli(cli_env, "vocabulary", "add", "city_area", "Holma", "--stadsomrade", "väster") == 0
    out = capsys.readouterr().out
    assert "Nytt värde för ärendekategori: Sophämtning." in out and "Alias 'KLART' -> resolved." in out
    con = duckdb.connect(str(cli_env / "store.duckdb"), read_only=True)
    assert con.execute("select department from topics where topic = 'Sophämtning'").fetchall() == [("Stadskontoret",)]
    assert con.execute("select stadsomrade from city_areas where city_area = 'Holma'").fetchall() == [("Väster",)]
    con.close()
    assert cli(cli_env, "vocabulary", "list", "topic") == 0
    assert "Sophämtning  alias: avfall villa, sopor" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (("topic", "Återring 0701740642"), "telefonnummer"),
    (("topic", "Bygglov", "--alias", "anna@example.com"), "e-postadress"),
    (("department", "[Klicka](https://example.org)"), "länk"),
    (("city_area", "Anna Testsson", "--stadsomrade", "Väster"), "efternamn"),
    (("outcome", "klar"), "ingen kod för utfall"),
    (("city_area", "Ny stadsdel"), "--stadsomrade"),
    (("topic", "Bygglov och anmälan", "--alias", "Parkering och parkeringstillstånd"), "står redan för"),
])
def test_vocabulary_add_refuses(cli_env, capsys, args, message):
    assert cli(cli_env, "vocabulary", "add", *args) == 2
    assert message in capsys.readouterr().err
    con = duckdb.connect(str(cli_env / "store.duckdb"), read_only=True)
    assert con.execute("select count(*) from vocabulary_aliases").fetchone()[0] == 0
    assert con.execute("select count(*) from topics").fetchone()[0] == 63   # reference topics only
    con.close()


def test_find_shows_a_landed_and_a_quarantined_record_by_its_source_id(cli_env, capsys):
    path = cli_env / "export.csv"
    path.write_text(header_csv(HEADER, [row("G1"), row("G2", sat="9")]), encoding="utf-8")
    profile = cli_env / "p.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    # one row of the file is meant for quarantine: a share above the default limit of 10 %
    assert cli(cli_env, "ingest", path, "--profile", profile, "-q", "--max-quarantine-share", "1") == 0
    capsys.readouterr()
    assert cli(cli_env, "find", "--source-system", "vaxel", "--contact-id", "G1") == 0
    out = capsys.readouterr().out
    assert sid("G1") in out and "Inläst kontakt:" in out and "department: Stadsbyggnadskontoret" in out
    assert cli(cli_env, "find", "--source-system", "vaxel", "--contact-id", "G2") == 0
    out = capsys.readouterr().out
    assert "Ingen inläst kontakt" in out and "I karantän: inläsning 1, fil export.csv, rad 3" in out
    assert cli(cli_env, "find", "--source-system", "vaxel", "--contact-id", "G9") == 1


# ----------------------------------------------------------------------------- migration 003


def _store_at_migration_002(db, contact_ids, profile="vaxel@1", file_name="export.csv"):
    con = duckdb.connect(str(db))
    con.execute("create table schema_migrations ("
                " version integer primary key, name varchar not null, applied_at timestamp not null)")
    for version, name, path in store.migrations()[:2]:
        con.execute(path.read_text(encoding="utf-8"))
        con.execute("insert into schema_migrations values ($v, $n, now()::timestamp)", {"v": version, "n": name})
    con.execute("insert into ingest_log (ingest_id, source_system, file_name, file_hash, profile, rows_read, "
                "rows_landed, rows_quarantined, rows_duplicate, started_at, finished_at) values "
                "(41, 'vaxel', $f, 'ab', $p, 2, 2, 0, 0, timestamp '2025-01-01 08:00', timestamp '2025-01-01 08:01')",
                {"f": file_name, "p": profile})
    for i, cid in enumerate(contact_ids):
        con.execute("insert into contacts (source_system, contact_id, started_at, channel, ingest_id) "
                    "values ('vaxel', $c, timestamp '2024-03-04 07:15' + to_minutes($i::bigint), 'phone', 41)",
                    {"c": cid, "i": i})
    con.close()


def test_migration_003_needs_the_key_for_raw_contact_ids(tmp_path):
    db = tmp_path / "store.duckdb"
    pnr = PERSONNUMMER[2]
    _store_at_migration_002(db, ["A1", pnr], file_name=f"export_{pnr}.csv")
    with pytest.raises(store.StoreError, match="kontaktcenter migrate"):
        store.open_store(db)
    con = duckdb.connect(str(db), read_only=True)        # refused: nothing changed
    assert con.execute("select max(version) from schema_migrations").fetchone()[0] == 2
    assert sorted(r[0] for r in con.execute("select contact_id from contacts").fetchall()) == sorted(["A1", pnr])
    con.close()

    con = store.open_store(db, key=KEY)
    assert sorted(r[0] for r in con.execute("select contact_id from contacts").fetchall()) == sorted([sid("A1"), sid(pnr)])
    assert con.execute("select file_name from ingest_log").fetchall() == [("export_[PERSONNUMMER].csv",)]
    # Ingests after the migration still recognise the converted contacts as duplicates.
    _, summary = ingest(tmp_path, [row("A1"), row("A3")], con=con)
    assert (summary.landed, summary.duplicates) == (1, 1)


def test_migrate_command_applies_003_with_the_key_and_says_what_to_do_without(tmp_path, monkeypatch, capsys):
    db = tmp_path / "store.duckdb"
    _store_at_migration_002(db, ["A1"])
    monkeypatch.setenv("KONTAKTCENTER_CONFIG", str(tmp_path / "ingen.toml"))
    monkeypatch.setenv("KONTAKTCENTER_KEY_FILE", str(tmp_path / "saknas.key"))
    monkeypatch.delenv("KONTAKTCENTER_KEY", raising=False)
    assert main(["--db", str(db), "migrate"]) == 2
    err = capsys.readouterr().err
    assert "kontakt-id i klartext" in err and "KONTAKTCENTER_KEY" in err
    monkeypatch.setenv("KONTAKTCENTER_KEY", KEY.hex())
    assert main(["--db", str(db), "migrate"]) == 0
    assert f"schemaversion {store.migrations()[-1][0]}" in capsys.readouterr().out  # the newest
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select contact_id from contacts").fetchall() == [(sid("A1"),)]
    con.close()


def test_a_store_with_only_the_generated_sample_migrates_without_a_key(tmp_path):
    db = tmp_path / "store.duckdb"
    _store_at_migration_002(db, ["S-1", "S-2"], profile="sample")
    con = store.open_store(db)
    assert sorted(r[0] for r in con.execute("select contact_id from contacts").fetchall()) == ["S-1", "S-2"]
    assert con.execute("select source_system from source_systems").fetchall() == [("vaxel",)]
    con.close()


def test_migration_003_brings_stored_vocabulary_values_to_their_lookups(tmp_path):
    db = tmp_path / "store.duckdb"
    _store_at_migration_002(db, ["A1", "A2", "A3", "A4", "A5"])
    con = duckdb.connect(str(db))
    for cid, column, value in (("A1", "topic", "Återring 0701740642"), ("A2", "topic", "Sophämtning"),
                               ("A3", "city_area", "Anna Testsson"), ("A4", "department", "stadsbyggnad"),
                               ("A5", "language", "sv")):
        con.execute(f"update contacts set {column} = $v where contact_id = $c", {"v": value, "c": cid})
    con.close()
    con = store.open_store(db, key=KEY)
    got = {r[0]: r[1:] for r in con.execute("select contact_id, topic, city_area, department, language from contacts").fetchall()}
    assert got[sid("A1")][0] is None                                  # looked personal: unknown
    assert got[sid("A2")][0] == "Sophämtning"                         # safe and in use: adopted
    assert load_vocabularies(con).match("topic", "sophämtning") == "Sophämtning"
    assert got[sid("A3")][1] is None                                  # city areas are never adopted
    assert got[sid("A4")][2] == "Stadsbyggnadskontoret" and got[sid("A5")][3] == "sv"
    assert findings(con) == {("topic", "(lagrat före migrering 003)", "unknown_value"): 1,
                             ("city_area", "(lagrat före migrering 003)", "unknown_value"): 1}


def test_migration_003_rebuilds_the_marts_it_changes_after_its_commit(tmp_path):
    """A store with marts whose vocabulary values the migration changes: the migration drops the
    marts with its changes (one transaction), and `migrate` builds them after its commit, in a
    transaction of their own, from the migrated contacts."""
    from dashboard.store import marts

    db = tmp_path / "store.duckdb"
    _store_at_migration_002(db, ["A1", "A2"])
    con = duckdb.connect(str(db))
    con.execute("update contacts set department = 'stadsbyggnad'")
    con.execute("insert into meta values ('marts_version', '2')")   # marts of an older version
    con.close()
    con = store.open_store(db, key=KEY)
    assert con.execute("select value from meta where key = 'marts_version'").fetchall() == [(marts.MARTS_VERSION,)]
    assert not marts.marts_pending(con)
    assert con.execute("select department, count(*) from contact_facts group by all").fetchall() == [
        ("Stadsbyggnadskontoret", 2)]
    con.close()

"""Every kind of bad input gets a clear message, good rows still land, nothing twice or half."""

from __future__ import annotations

import gzip
import json
import zipfile

import pytest

from ingest_fixtures import (
    SMALL_HEADER, SMALL_PROFILE, header_csv, open_test_store, profile_file, quarantine, run_ingest,
    sid, small_row,
)


def good_file(tmp_path, name="good.csv"):
    path = tmp_path / name
    path.write_text(header_csv(SMALL_HEADER, [small_row("G1"), small_row("G2", time="09:00")]), encoding="utf-8")
    return path


def ingest_with_good(tmp_path, bad_path, profile_text=SMALL_PROFILE):
    """Ingest a good file and the bad one together; the good one must land whatever happens."""
    con = open_test_store(tmp_path)
    summary = run_ingest(con, [good_file(tmp_path), bad_path], profile_file(tmp_path, profile_text))
    ids = [r[0] for r in con.execute("select contact_id from contacts order by contact_id").fetchall()]
    assert {sid("G1"), sid("G2")} <= set(ids)
    good, bad = summary.files
    assert good.error is None and good.landed == 2
    return con, summary, bad


def assert_file_failed(con, bad, *words):
    """A file-level failure: named problem and fix, nothing of the file in any table."""
    assert bad.error is not None
    message = str(bad.error)
    for word in words:
        assert word in message, message
    assert "Åtgärd:" in message
    assert (bad.landed, bad.quarantined) == (0, 0)
    name = bad.path.name
    assert con.execute("select count(*) from quarantine where file_name = $n", {"n": name}).fetchone()[0] == 0
    assert con.execute("select count(*) from ingest_log where file_name = $n", {"n": name}).fetchone()[0] == 0
    assert con.execute("select count(*) from contacts").fetchone()[0] == 2


def assert_rows_add_up(summary_file):
    f = summary_file
    assert f.rows_read == f.landed + f.quarantined + f.duplicates + f.skipped


def test_empty_file(tmp_path):
    bad = tmp_path / "tom.csv"
    bad.write_bytes(b"")
    con, _, failed = ingest_with_good(tmp_path, bad)
    assert_file_failed(con, failed, "tom", "0 byte")


def test_whitespace_only_file(tmp_path):
    bad = tmp_path / "blank.csv"
    bad.write_bytes(b"\r\n\r\n  \r\n")
    con, _, failed = ingest_with_good(tmp_path, bad)
    assert_file_failed(con, failed, "rubrikrad")


def test_header_only(tmp_path):
    bad = tmp_path / "rubrik.csv"
    bad.write_text(header_csv(SMALL_HEADER, []), encoding="utf-8")
    con, summary, result = ingest_with_good(tmp_path, bad)
    assert result.error is None and result.rows_read == 0
    assert any("bara en rubrikrad" in line for line in summary.lines_sv())
    assert con.execute("select rows_read from ingest_log where file_name = 'rubrik.csv'").fetchall() == [(0,)]


def test_unknown_columns_are_reported_and_never_stored(tmp_path):
    bad = tmp_path / "extra.csv"
    rows = [small_row("U1") + ["hemlig-extra-1"], small_row("U2", sat="9") + ["hemlig-extra-2"]]
    bad.write_text(header_csv(SMALL_HEADER + ["Internt fält"], rows), encoding="utf-8")
    con, summary, result = ingest_with_good(tmp_path, bad)
    assert result.unknown_columns == ["Internt fält"]
    assert any("Internt fält" in line and "[drop]" in line for line in summary.lines_sv())
    assert (result.landed, result.quarantined) == (1, 1)
    (row_json,) = con.execute("select row_json from quarantine").fetchone()
    assert "Internt" not in row_json and "hemlig" not in row_json


def test_required_column_missing(tmp_path):
    header = [("Kötid (s)" if c == "Kötid" else c) for c in SMALL_HEADER]
    bad = tmp_path / "saknas.csv"
    bad.write_text(header_csv(header, [small_row("M1")]), encoding="utf-8")
    con, _, failed = ingest_with_good(tmp_path, bad)
    assert_file_failed(con, failed, '"Kötid"', "Kötid (s)", "[optional]")


def test_optional_column_may_be_missing(tmp_path):
    header = [c for c in SMALL_HEADER if c != "Nöjdhet"]
    rows = [[v for c, v in zip(SMALL_HEADER, small_row("O1")) if c != "Nöjdhet"]]
    path = tmp_path / "utan_nojdhet.csv"
    path.write_text(header_csv(header, rows), encoding="utf-8")
    con = open_test_store(tmp_path)
    profile = SMALL_PROFILE + '\n[optional]\ncolumns = ["Nöjdhet"]\n'
    summary = run_ingest(con, [path], profile_file(tmp_path, profile))
    assert summary.landed == 1
    assert con.execute("select satisfaction from contacts").fetchall() == [(None,)]


def test_wrong_encoding_declared(tmp_path):
    bad = tmp_path / "cp1252.csv"
    bad.write_bytes(header_csv(SMALL_HEADER, [small_row("E1", note="Förskola på Möllan")]).encode("cp1252"))
    profile = SMALL_PROFILE + '\n[file]\nencoding = "utf-8"\n'
    con, _, failed = ingest_with_good(tmp_path, bad, profile)
    assert_file_failed(con, failed, "avkodas", "encoding")


def test_binary_file_named_csv(tmp_path):
    bad = tmp_path / "bild.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    con, _, failed = ingest_with_good(tmp_path, bad)
    assert_file_failed(con, failed, "binära")


def test_invalid_and_impossible_dates_go_to_quarantine(tmp_path):
    bad = tmp_path / "datum.csv"
    rows = [small_row("D1"), small_row("D2", date="2024-02-30"), small_row("D3", date="2023-02-29"),
            small_row("D4", date="04/03/2024"), small_row("D5", time="24:30"), small_row("D6", date="")]
    bad.write_text(header_csv(SMALL_HEADER, rows), encoding="utf-8")
    con, _, result = ingest_with_good(tmp_path, bad)
    assert (result.landed, result.quarantined) == (1, 5)
    assert_rows_add_up(result)
    q = [(line, reason) for name, line, reason, _ in quarantine(con)]
    assert [line for line, _ in q] == [3, 4, 5, 6, 7]       # header is line 1, D1 line 2
    assert all("Ogiltigt eller omöjligt" in r for _, r in q[:4])
    assert "Starttid saknas" in q[4][1]


def test_daylight_saving_nonexistent_and_ambiguous(tmp_path):
    bad = tmp_path / "sommartid.csv"
    rows = [small_row("S1", date="2024-03-31", time="02:30"),     # does not exist
            small_row("S2", date="2024-03-31", time="03:30"),     # exists: 01:30 UTC
            small_row("S3", date="2024-10-27", time="02:30")]     # twice: first = 00:30 UTC
    bad.write_text(header_csv(SMALL_HEADER, rows), encoding="utf-8")
    con, _, result = ingest_with_good(tmp_path, bad)
    assert (result.landed, result.quarantined) == (2, 1)
    got = con.execute("select contact_id, strftime(started_at, '%Y-%m-%d %H:%M') from contacts "
                      "where contact_id in ($a, $b, $c)", {"a": sid("S1"), "b": sid("S2"), "c": sid("S3")}).fetchall()
    assert sorted(got) == sorted([(sid("S2"), "2024-03-31 01:30"), (sid("S3"), "2024-10-27 00:30")])
    (_, line, reason, _), = quarantine(con)
    assert line == 2 and "finns inte" in reason


def test_ambiguous_times_can_be_quarantined(tmp_path):
    bad = tmp_path / "vintertid.csv"
    bad.write_text(header_csv(SMALL_HEADER, [small_row("A1", date="2024-10-27", time="02:30")]), encoding="utf-8")
    profile = SMALL_PROFILE.replace('time_column = "Tid"', 'time_column = "Tid"\nambiguous = "quarantine"')
    con, _, result = ingest_with_good(tmp_path, bad, profile)
    assert result.quarantined == 1 and "två gånger" in quarantine(con)[0][2]


def test_negative_durations(tmp_path):
    bad = tmp_path / "negativ.csv"
    bad.write_text(header_csv(SMALL_HEADER, [small_row("N1", queue="-0:05"), small_row("N2", talk="-12"),
                                             small_row("N3", queue="0:00", talk="0")]), encoding="utf-8")
    con, _, result = ingest_with_good(tmp_path, bad)
    assert (result.landed, result.quarantined) == (1, 2)
    reasons = [r[2] for r in quarantine(con)]
    assert "Negativ tid" in reasons[0] and "Kötid" in reasons[0]
    assert "Negativ tid" in reasons[1] and "Samtalstid" in reasons[1]


def test_satisfaction_outside_1_to_5(tmp_path):
    bad = tmp_path / "nojdhet.csv"
    bad.write_text(header_csv(SMALL_HEADER, [small_row("N1", sat="0"), small_row("N2", sat="6"),
                                             small_row("N3", sat="5"), small_row("N4", sat="")]), encoding="utf-8")
    con, _, result = ingest_with_good(tmp_path, bad)
    assert (result.landed, result.quarantined) == (2, 2)
    assert all("utanför skalan 1–5" in r[2] for r in quarantine(con))
    assert con.execute("select satisfaction from contacts where contact_id in ($a, $b) order by 1",
                       {"a": sid("N3"), "b": sid("N4")}).fetchall() == [(5,), (None,)]


def test_unknown_codes_and_several_reasons_in_one_row(tmp_path):
    bad = tmp_path / "koder.csv"
    bad.write_text(header_csv(SMALL_HEADER, [small_row("K1", outcome="XYZ", answered="kanske", queue="-1")]),
                   encoding="utf-8")
    con, _, result = ingest_with_good(tmp_path, bad)
    (_, _, reason, row_json), = quarantine(con)
    assert "[values.outcome]" in reason and "ja/nej" in reason and "Negativ" in reason
    # An unknown code is not repeated (it could be personal data); the contact id is its pseudonym.
    assert json.loads(row_json)["Utfall"] == "[okänt värde]" and "XYZ" not in reason + row_json
    assert json.loads(row_json)["Samtals-ID"] == sid("K1")


def test_duplicate_rows_within_a_file(tmp_path):
    bad = tmp_path / "dubbel.csv"
    rows = [small_row("P1"), small_row("P2"), small_row("P1"), small_row("P1", outcome="ÖVL")]
    bad.write_text(header_csv(SMALL_HEADER, rows), encoding="utf-8")
    con, summary, result = ingest_with_good(tmp_path, bad)
    assert (result.rows_read, result.landed, result.duplicates) == (4, 2, 2)
    assert con.execute("select outcome from contacts where contact_id = $id", {"id": sid("P1")}).fetchall() == [("resolved",)]
    assert any(line.startswith("dubbel.csv: läst 4, inläst 2, karantän 0, dubbletter hoppade över 2")
               for line in summary.lines_sv())


def test_duplicates_across_batches_of_one_file(tmp_path):
    path = tmp_path / "dubbel.csv"
    # The same contact exported again (same id, same start) with another comment: a duplicate.
    rows = [small_row(f"B{i % 7}", time=f"08:{i % 7:02d}", note=f"version {i}") for i in range(30)]
    path.write_text(header_csv(SMALL_HEADER, rows), encoding="utf-8")
    con = open_test_store(tmp_path)
    profile = SMALL_PROFILE + "\n[file]\nbatch_rows = 4\n"
    summary = run_ingest(con, [path], profile_file(tmp_path, profile))
    assert (summary.landed, summary.duplicates, summary.quarantined) == (7, 23, 0)
    # The first occurrence wins: B3 first appears as row i = 3.
    assert con.execute("select note from contacts where contact_id = $id", {"id": sid("B3")}).fetchone() == ("version 3",)


def test_one_id_with_another_start_time_is_quarantined_with_a_composite_proposal(tmp_path):
    """A call id unique only per queue: rows with a known id but another start time are other
    contacts, quarantined (not merged), within a batch, across batches and against the store."""
    path = tmp_path / "kö.csv"
    rows = [small_row(f"N{i % 5}", time=f"08:{i:02d}") for i in range(15)]
    for i, row in enumerate(rows):
        row[3] = ["Bygglov", "Parkering", "Skola"][i // 5]      # the "Kö" column
    path.write_text(header_csv(SMALL_HEADER, rows), encoding="utf-8")
    con = open_test_store(tmp_path)
    profile = SMALL_PROFILE + "\n[file]\nbatch_rows = 4\n"
    summary = run_ingest(con, [path], profile_file(tmp_path, profile))
    f = summary.files[0]
    assert (f.landed, f.duplicates, f.quarantined, f.id_conflicts) == (5, 0, 10, 10)
    assert f.id_proposal == ["Samtals-ID", "Kö"]
    # each reason names the row's start time and the other contact's, as the file writes them
    # (Stockholm time): row i (line i + 2) is N{i % 5} at 08:i, the contact kept is at 08:(i % 5)
    reasons = dict(con.execute("select line, reason from quarantine").fetchall())
    assert sorted(reasons) == list(range(7, 17))
    for line, reason in reasons.items():
        i = line - 2
        assert reason.startswith(
            f'Kontakt-id:t från ["Samtals-ID"] med starttid "2024-03-04 08:{i:02d}:00" (svensk tid) '
            f'finns redan för en annan kontakt med starttid "2024-03-04 08:{i % 5:02d}:00": '), reason
        assert 'columns = ["Samtals-ID", "Kö"]' in reason
    assert any('Förslag: [contact_id] columns = ["Samtals-ID", "Kö"]' in line for line in summary.lines_sv())
    # the proposal, applied, lands every call once
    fixed = SMALL_PROFILE.replace('"Samtals-ID" = "contact_id"\n', "") + '\n[contact_id]\ncolumns = ["Samtals-ID", "Kö"]\n'
    con2 = open_test_store(tmp_path / "b")
    again = run_ingest(con2, [path], profile_file(tmp_path, fixed))
    assert (again.landed, again.quarantined) == (15, 0)
    ids = {r[0] for r in con2.execute("select contact_id from contacts").fetchall()}
    assert ids == {sid(f"N{i}/{q}") for i in range(5) for q in ("Bygglov", "Parkering", "Skola")}


def test_an_id_clash_within_one_batch_names_both_start_times_in_the_sources_time_zone(tmp_path):
    path = tmp_path / "samma_id.csv"
    rows = [small_row("D1", time="08:00"), small_row("D1", date="2024-07-01", time="23:30")]
    path.write_text(header_csv(SMALL_HEADER, rows), encoding="utf-8")
    con = open_test_store(tmp_path)
    profile = SMALL_PROFILE.replace('time_column = "Tid"\n', 'time_column = "Tid"\ntimezone = "Europe/Helsinki"\n')
    assert profile != SMALL_PROFILE
    summary = run_ingest(con, [path], profile_file(tmp_path, profile))
    assert (summary.landed, summary.quarantined) == (1, 1)
    ((line, reason),) = con.execute("select line, reason from quarantine").fetchall()
    assert line == 3
    # 23:30 in Helsinki (UTC+3 in July) is stored as 20:30 UTC; the reason shows the file's clock
    assert reason.startswith('Kontakt-id:t från ["Samtals-ID"] med starttid "2024-07-01 23:30:00" '
                             '(Europe/Helsinki) finns redan för en annan kontakt med starttid '
                             '"2024-03-04 08:00:00": ')
    assert con.execute("select started_at from contacts").fetchall()[0][0].isoformat() == \
        "2024-03-04T06:00:00"


def test_rows_with_wrong_field_count_are_quarantined_without_their_text(tmp_path):
    bad = tmp_path / "trasig.csv"
    text = header_csv(SMALL_HEADER, [small_row("R1")]) + "R2;2024-03-04;08:00;070-174 06 77\r\n"
    text += header_csv(SMALL_HEADER, [small_row("R3")]).split("\r\n", 1)[1]
    bad.write_text(text, encoding="utf-8")
    con, _, result = ingest_with_good(tmp_path, bad)
    assert (result.landed, result.quarantined) == (2, 1)
    (_, line, reason, row_json), = quarantine(con)
    assert line == 3 and "4 fält" in reason and "12" in reason and row_json is None


@pytest.mark.parametrize("content,words", [
    (lambda: header_csv(SMALL_HEADER, [small_row("X1")]).encode(), ["Excel-arbetsbok", "text"]),
    (lambda: b"PK\x03\x04 this is not really a zip", ["trasig"]),
    (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, [".xls"]),
])
def test_xlsx_that_is_not_a_workbook(tmp_path, content, words):
    bad = tmp_path / "rapport.xlsx"
    bad.write_bytes(content())
    con, _, failed = ingest_with_good(tmp_path, bad)
    assert_file_failed(con, failed, *words)


def test_zip_that_is_not_a_workbook(tmp_path):
    bad = tmp_path / "rapport.xlsx"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("readme.txt", "hej")
    con, _, failed = ingest_with_good(tmp_path, bad)
    assert_file_failed(con, failed, "Excel-arbetsbok")


def test_gzip_bomb_is_refused_early(tmp_path):
    bad = tmp_path / "bomb.csv.gz"
    header = header_csv(SMALL_HEADER, []).encode()
    with gzip.open(bad, "wb", compresslevel=9) as fh:
        fh.write(header)
        zeros = b"0" * (1 << 20)
        for _ in range(100):          # 100 MiB of one byte: about 100 KiB packed
            fh.write(zeros)
    assert bad.stat().st_size < 1 << 20
    con, _, failed = ingest_with_good(tmp_path, bad)
    assert_file_failed(con, failed, "zip-bomb", "max_expansion_ratio")


def test_gzip_bomb_with_a_lying_size_is_stopped_while_unpacking(tmp_path):
    bad = tmp_path / "bomb2.csv.gz"
    line = ";".join(["0"] * len(SMALL_HEADER)).encode() + b"\r\n"
    with gzip.open(bad, "wb", compresslevel=9) as fh:
        fh.write(header_csv(SMALL_HEADER, []).encode())
        block = line * ((1 << 20) // len(line))
        for _ in range(100):
            fh.write(block)
    data = bytearray(bad.read_bytes())
    data[-4:] = (1000).to_bytes(4, "little")          # claims to expand to 1000 bytes
    bad.write_bytes(bytes(data))
    con, _, failed = ingest_with_good(tmp_path, bad)
    assert_file_failed(con, failed, "zip-bomb")


def test_zip_bomb_is_refused_from_its_directory(tmp_path):
    bad = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bad, "w", compression=zipfile.ZIP_DEFLATED) as z:
        with z.open("export.csv", "w") as fh:
            zeros = b"0" * (1 << 20)
            for _ in range(80):
                fh.write(zeros)
    con, _, failed = ingest_with_good(tmp_path, bad)
    assert_file_failed(con, failed, "zip-bomb")


def test_zip_with_one_csv_is_read(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("export.csv", header_csv(SMALL_HEADER, [small_row("Z1")]))
    con = open_test_store(tmp_path)
    assert run_ingest(con, [path], profile_file(tmp_path, SMALL_PROFILE)).landed == 1


def test_thousands_of_columns(tmp_path):
    bad = tmp_path / "bred.csv"
    header = SMALL_HEADER + [f"Extra {i}" for i in range(5000)]
    bad.write_text(header_csv(header, [small_row("W1") + ["x"] * 5000]), encoding="utf-8")
    con, _, failed = ingest_with_good(tmp_path, bad)
    assert_file_failed(con, failed, "5012 kolumner", "max_columns")


def test_missing_file(tmp_path):
    con, _, failed = ingest_with_good(tmp_path, tmp_path / "finns_inte.csv")
    assert_file_failed(con, failed, "kan inte läsas")


def test_wrong_encoding_found_deep_in_the_file_removes_the_files_earlier_batches(tmp_path):
    rows = [small_row(f"L{i:05d}", time=f"{8 + i % 9:02d}:{i % 60:02d}") for i in range(3000)]
    text = header_csv(SMALL_HEADER, rows)
    bad = tmp_path / "sen.csv"
    bad.write_bytes(text.encode("utf-8") + "L99999;2024-03-04;08:00;Bygglov;0:45;200;J;LÖST;;;Möllan;Åsa\r\n".encode("cp1252"))
    assert bad.stat().st_size > 1 << 16          # the bad byte lies beyond the sniffed sample
    profile = SMALL_PROFILE + '\n[file]\nencoding = "utf-8"\nbatch_rows = 500\n'
    con, _, failed = ingest_with_good(tmp_path, bad, profile)
    assert_file_failed(con, failed, "avkodas", "encoding")


def test_truncated_gzip(tmp_path):
    rows = [small_row(f"T{i:04d}", time=f"{8 + i % 9:02d}:{i % 60:02d}") for i in range(2000)]
    packed = gzip.compress(header_csv(SMALL_HEADER, rows).encode())
    for cut in (len(packed) // 2, len(packed) - 6):
        folder = tmp_path / f"cut{cut}"
        folder.mkdir()
        bad = folder / "avkortad.csv.gz"
        bad.write_bytes(packed[:cut])
        con, _, failed = ingest_with_good(folder, bad)
        # A cut file's last bytes are read as its declared size; both possible messages say "avkortad".
        assert_file_failed(con, failed, "avkortad")

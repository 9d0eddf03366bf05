"""Files as Swedish systems write them: encodings, delimiters, quoting, XLSX, Parquet, gzip, streaming."""

from __future__ import annotations

import datetime as dt
import gzip

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.ingest.profile import FileOptions
from dashboard.ingest.readers import open_reader
from dashboard.ingest.sources import open_source
from ingest_fixtures import (
    QUEUE_TOPICS, SMALL_HEADER, SMALL_PROFILE, header_csv, open_test_store, profile_file, raw_ids,
    run_ingest, sid, small_row, telephony_frame, write_csv, write_xlsx, TELEPHONY_PROFILE,
)

# Hand-worked expectations for the three rows below (Stockholm winter time = UTC+1).
EXPECTED = [
    ("A1", dt.datetime(2024, 3, 4, 7, 15), QUEUE_TOPICS["Förskoleplats"], 45, 200, True, "resolved", 4),
    ("A2", dt.datetime(2024, 3, 4, 8, 5), QUEUE_TOPICS["Snöröjning"], 13, 126, False, "forwarded", None),
    ("A3", dt.datetime(2024, 3, 4, 9, 0), QUEUE_TOPICS["Bygglov"], 3723, 0, True, "resolved", None),
]


def swedish_csv_bytes(encoding: str, bom: bool = False, delimiter: str = ";") -> bytes:
    d = delimiter
    text = (
        f"Samtals-ID{d}Datum{d}Tid{d}Kö{d}Kötid{d}Samtalstid{d}Besvarad{d}Utfall{d}Nöjdhet{d}Telefonnummer{d}Kommentar{d}Handläggare\r\n"
        f'A1{d}2024-03-04{d}08:15{d}Förskoleplats{d}0:45{d}200{d}J{d}LÖST{d}4{d}070-174 06 05{d}"Ringde om plats,\r\nvill ha svar; snart"{d}Åsa\r\n'
        f'A2{d}2024-03-04{d}09:05:00{d}Snöröjning{d}12,5{d}"125,6"{d}N{d}ÖVL{d}{d}040-628 04 11{d}{d}Örjan\r\n'
        f"A3{d}2024-03-04{d}10:00{d}Bygglov{d}1:02:03{d}0{d}Ja{d}löst{d}{d}{d}Inget särskilt{d}Ärla\r\n"
    )
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def landed(con):
    """The landed rows with their contact ids read back as the source's ids A1..A3."""
    rows = con.execute(
        "select contact_id, started_at, topic, queue_s, handle_s, answered, outcome, satisfaction "
        "from contacts").fetchall()
    back = {sid(raw): raw for raw in ("A1", "A2", "A3")}
    return sorted((back.get(r[0], r[0]), *r[1:]) for r in rows)


def test_cp1252_semicolon_decimal_comma_quoted_newlines(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(swedish_csv_bytes("cp1252"))
    con = open_test_store(tmp_path)
    summary = run_ingest(con, [path], profile_file(tmp_path, SMALL_PROFILE))
    assert (summary.rows_read, summary.landed, summary.quarantined) == (3, 3, 0)
    assert landed(con) == EXPECTED
    note = con.execute("select note from contacts where contact_id = $id", {"id": sid("A1")}).fetchone()[0]
    assert note == "Ringde om plats,\r\nvill ha svar; snart"


def test_utf8_with_bom_and_tabs(tmp_path):
    path = tmp_path / "export.tsv"
    path.write_bytes(swedish_csv_bytes("utf-8", bom=True, delimiter="\t"))
    con = open_test_store(tmp_path)
    summary = run_ingest(con, [path], profile_file(tmp_path, SMALL_PROFILE))
    assert summary.landed == 3 and landed(con) == EXPECTED


def test_utf8_without_bom_and_comma_delimiter(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(swedish_csv_bytes("utf-8", delimiter=",").replace(b"12,5", b'"12,5"'))
    con = open_test_store(tmp_path)
    assert run_ingest(con, [path], profile_file(tmp_path, SMALL_PROFILE)).landed == 3
    assert landed(con) == EXPECTED


def test_utf16_from_excel_unicode_text(tmp_path):
    path = tmp_path / "export.txt"
    path.write_bytes(swedish_csv_bytes("utf-16", delimiter="\t"))
    con = open_test_store(tmp_path)
    assert run_ingest(con, [path], profile_file(tmp_path, SMALL_PROFILE)).landed == 3
    assert landed(con) == EXPECTED


def test_file_mixing_utf8_and_cp1252_lines_decodes_both(tmp_path):
    utf8 = swedish_csv_bytes("utf-8")
    lines = utf8.split(b"\r\n")
    # The last data line re-encoded in cp1252, as when two exports are concatenated.
    lines[-2] = lines[-2].decode("utf-8").encode("cp1252")
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\r\n".join(lines))
    con = open_test_store(tmp_path)
    assert run_ingest(con, [path], profile_file(tmp_path, SMALL_PROFILE)).landed == 3
    assert landed(con) == EXPECTED


def test_gzip_compressed_csv(tmp_path):
    path = tmp_path / "export.csv.gz"
    path.write_bytes(gzip.compress(swedish_csv_bytes("cp1252")))
    con = open_test_store(tmp_path)
    assert run_ingest(con, [path], profile_file(tmp_path, SMALL_PROFILE)).landed == 3
    assert landed(con) == EXPECTED


def test_xlsx_with_typed_cells_and_a_title_row(tmp_path):
    frame = telephony_frame(60, seed=2)
    csv_path = write_csv(frame, tmp_path / "export.csv", encoding="cp1252")
    xlsx_path = write_xlsx(frame, tmp_path / "export.xlsx", typed=True)
    profile = TELEPHONY_PROFILE.format(batch_rows=25).replace("[file]", "[file]\nskip_lines = 0")
    con_csv = open_test_store(tmp_path, "csv.duckdb")
    con_xlsx = open_test_store(tmp_path, "xlsx.duckdb")
    s_csv = run_ingest(con_csv, [csv_path], profile_file(tmp_path, profile, "a.toml"))
    s_xlsx = run_ingest(con_xlsx, [xlsx_path],
                        profile_file(tmp_path, profile.replace("skip_lines = 0", "skip_lines = 1"), "b.toml"))
    assert s_csv.landed == s_xlsx.landed == 60
    query = "select * exclude (ingest_id) from contacts order by contact_id"
    assert con_csv.execute(query).fetchall() == con_xlsx.execute(query).fetchall()
    lines = [r[0] for r in con_xlsx.execute("select line from quarantine").fetchall()]
    assert lines == []


def test_parquet_with_typed_columns(tmp_path):
    table = pa.table({
        "id": pa.array([101, 102], pa.int64()),
        "start": pa.array([dt.datetime(2024, 7, 1, 12, 0), dt.datetime(2024, 10, 27, 2, 30)], pa.timestamp("us")),
        "channel": pa.array(["chat", "Chatt"]).dictionary_encode(),
        "wait": pa.array([30.0, 12.4]),
        "answered": pa.array([True, False]),
        "email": pa.array(["anna.testsson@example.com", None]),
    })
    path = tmp_path / "export.parquet"
    pq.write_table(table, path)
    profile = """
source_system = "chatt"
[started_at]
column = "start"
[columns]
"id" = "contact_id"
"channel" = "channel"
"wait" = "queue_s"
"answered" = "answered"
[identifiers]
columns = ["email"]
"""
    con = open_test_store(tmp_path)
    summary = run_ingest(con, [path], profile_file(tmp_path, profile))
    assert summary.landed == 2
    rows = con.execute("select contact_id, started_at, channel, queue_s, answered, caller_key is null "
                       "from contacts order by started_at").fetchall()
    assert raw_ids([r[0] for r in rows], ["101", "102"], "chatt") == ["101", "102"]
    rows = [(raw_ids([r[0]], ["101", "102"], "chatt")[0], *r[1:]) for r in rows]
    assert rows == [("101", dt.datetime(2024, 7, 1, 10, 0), "chat", 30, True, False),
                    ("102", dt.datetime(2024, 10, 27, 0, 30), "chat", 12, False, True)]


def test_readers_stream_in_bounded_batches(tmp_path):
    frame = telephony_frame(2_000, seed=4)
    files = {
        "csv": write_csv(frame, tmp_path / "big.csv", encoding="cp1252"),
        "xlsx": write_xlsx(frame, tmp_path / "big.xlsx", typed=False),
        "parquet": tmp_path / "big.parquet",
    }
    frame.write_parquet(files["parquet"])
    for kind, path in files.items():
        opts = FileOptions(batch_rows=150, skip_lines=1 if kind == "xlsx" else 0)
        reader = open_reader(open_source(path, opts))
        heights = [b.frame.height for b in reader.batches()]
        assert max(heights) <= 150, kind
        assert sum(heights) == 2_000, kind
        assert len(heights) >= 2_000 // 150, kind


def test_progress_is_reported_per_batch(tmp_path):
    path = write_csv(telephony_frame(1_000, seed=5), tmp_path / "export.csv")
    events = []
    con = open_test_store(tmp_path)
    run_ingest(con, [path], profile_file(tmp_path, batch_rows=100), progress=events.append)
    steps = [e.rows_read for e in events if not e.done]
    assert steps == sorted(steps) and steps[-1] == 1_000
    assert all(b - a <= 100 for a, b in zip([0] + steps, steps))
    assert events[-1].done and events[-1].file_index == events[-1].file_count == 1


def test_bom_never_reaches_a_column_name(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + header_csv(SMALL_HEADER, [small_row("B1")]).encode("utf-8"))
    reader = open_reader(open_source(path, FileOptions()))
    assert reader.columns[0] == "Samtals-ID"
    assert pl.concat([b.frame for b in reader.batches()])["Samtals-ID"].to_list() == ["B1"]


def test_excel_sep_line_names_the_delimiter(tmp_path):
    path = tmp_path / "excel.csv"
    body = header_csv(SMALL_HEADER, [small_row("X1"), small_row("X2", time="09:00")], delimiter=",")
    path.write_bytes(("sep=,\r\n" + body).encode("cp1252"))
    con = open_test_store(tmp_path)
    summary = run_ingest(con, [path], profile_file(tmp_path, SMALL_PROFILE))
    assert summary.landed == 2
    bad = tmp_path / "excel_bad.csv"
    bad.write_bytes(("sep=,\r\n" + body.replace("X2,2024-03-04", "X3,2024-02-31")).encode("cp1252"))
    run_ingest(con, [bad], profile_file(tmp_path, SMALL_PROFILE, "p2.toml"))
    assert con.execute("select line from quarantine").fetchall() == [(4,)]   # sep line 1, header 2


def test_cp1252_bytes_after_the_first_mebibyte_restart_the_file_without_doubling(tmp_path):
    rows = [small_row(f"M{i:05d}", time=f"{8 + i % 9:02d}:{i % 60:02d}") for i in range(20_000)]
    head = header_csv(SMALL_HEADER, rows).encode("utf-8")
    assert len(head) > 1 << 20
    tail = header_csv(SMALL_HEADER, [small_row("M99999", note="Möllevången, Sofielund")]).split("\r\n", 1)[1]
    path = tmp_path / "sen_cp1252.csv"
    path.write_bytes(head + tail.encode("cp1252"))
    con = open_test_store(tmp_path)
    profile = profile_file(tmp_path, SMALL_PROFILE + "\n[file]\nbatch_rows = 4000\n")
    summary = run_ingest(con, [path], profile)
    assert (summary.rows_read, summary.landed, summary.duplicates) == (20_001, 20_001, 0)
    note = con.execute("select note from contacts where contact_id = $id", {"id": sid("M99999")}).fetchone()[0]
    assert note == "Möllevången, Sofielund"


def test_detected_encodings(tmp_path):
    from dashboard.ingest.profile import FileOptions
    from dashboard.ingest.sources import open_source
    from dashboard.ingest.textcodecs import CP1252, MIXED, detect_encoding

    cases = {"utf8.csv": "Kö;Tid\r\nÅsa;1\r\n".encode("utf-8"),
             "cp.csv": "Kö;Tid\r\nÅsa;1\r\n".encode("cp1252"),
             "mix.csv": "Kö;Tid\r\n".encode("utf-8") + "Åsa;1\r\n".encode("cp1252"),
             "ascii.csv": b"A;B\r\n1;2\r\n",
             "u16.txt": "Kö\tTid\r\n".encode("utf-16")}
    expected = {"utf8.csv": "utf8", "cp.csv": CP1252, "mix.csv": MIXED, "ascii.csv": "utf8", "u16.txt": "utf-16"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        assert detect_encoding(open_source(tmp_path / name, FileOptions())) == expected[name], name


def _read_and_map_peaks(tmp_path, rows: int) -> tuple[int, int, int]:
    """(file size, Python peak, Arrow peak) while reading and mapping a file in 2 000-row batches."""
    import tracemalloc

    from dashboard.ingest.mapping import make_plan, map_batch
    from ingest_fixtures import KEY

    path = write_csv(telephony_frame(rows, seed=8), tmp_path / f"stor{rows}.csv", encoding="cp1252")
    profile = profile_file(tmp_path, batch_rows=2_000, name=f"p{rows}.toml")
    reader = open_reader(open_source(path, profile.file))
    plan = make_plan(reader.columns, profile, path)
    landed, arrow_peak = 0, 0
    tracemalloc.start()
    try:
        for batch in reader.batches():
            landed += map_batch(batch.frame, plan, KEY).good.height
            arrow_peak = max(arrow_peak, pa.total_allocated_bytes())
        python_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert landed > rows * 0.99
    return path.stat().st_size, python_peak, arrow_peak


def test_reading_and_mapping_memory_does_not_grow_with_the_file(tmp_path):
    """Four times the rows, about the same Python and Arrow memory: one chunk at a time (DuckDB's
    own transaction memory is another matter: docs/ingest.md, Performance)."""
    small_size, small_py, small_arrow = _read_and_map_peaks(tmp_path, 15_000)
    big_size, big_py, big_arrow = _read_and_map_peaks(tmp_path, 60_000)
    assert big_size > 3.5 * small_size
    assert big_py < 1.3 * small_py + (512 << 10), (small_py, big_py)
    assert big_arrow < 1.3 * small_arrow + (512 << 10), (small_arrow, big_arrow)
    assert big_py < big_size / 2 and big_arrow < big_size / 2

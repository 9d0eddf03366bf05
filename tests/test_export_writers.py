"""Data downloads (CSV, XLSX), formula neutralising and the audit log."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given, strategies as st

from dashboard.export import audit
from dashboard.export.cells import neutralise, plain_number
from dashboard.privacy.cells import Hidden
from dashboard.export.downloads import (MIME, file_name, slug, table_download, table_from_rows,
                                        view_context)
from dashboard.export.model import Column, Context, Table
from dashboard.export.tabular import table_csv, table_xlsx
from dashboard.metrics.filters import Filters

INJECTIONS = ["=1+1", "+46 40 34 10 00", "-2+3", "@SUM(A1)", "\tfoo", "\rbar",
              "=HYPERLINK(\"http://x\")", "\uff1dcmd"]


def _table() -> Table:
    return Table(
        "Ärenden per kategori",
        (Column("topic", "Ärendekategori"), Column("n", "Kontakter", "count"),
         Column("rate", "Svarsandel", "share"), Column("diff", "Förändring", "count")),
        (("Förskoleplats", 1234, 0.8125, -17),
         ("=HYPERLINK(\"http://x\")", 56, 0.1, 3.5),
         ("-minus text", Hidden("small_count", "count", 5), Hidden("complementary", "share", 5), None),
         ("Bygglov; tillstånd", 10_000_000, 1e-7, -0.25)),
    )


def _context() -> Context:
    return Context("Tabell", "Förskoleförvaltningen", (date(2025, 1, 1), date(2025, 3, 31)),
                   (date(2024, 10, 1), date(2024, 12, 31)),
                   (("Kanal", "Telefon"), ("Språk", "alla")), 3,
                   datetime(2025, 4, 1, 9, 30), 5)


@pytest.mark.parametrize("text", INJECTIONS)
def test_formula_triggers_are_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Förskola", "", "5 <", "<5", "'quoted", "a=b"])
def test_ordinary_text_is_untouched(text):
    assert neutralise(text) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_plain_number_round_trips_with_decimal_comma(x):
    text = plain_number(x, ",")
    assert "e" not in text.lower() and "." not in text
    assert float(text.replace(",", ".")) == x


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_integers_stay_integers(n):
    assert plain_number(n, ",") == str(n)


def _parse_swedish(text: str):
    """What Swedish Excel does with a cell: a decimal-comma number becomes a number."""
    try:
        return Decimal(text.replace(",", "."))
    except Exception:
        return text


def test_swedish_csv_has_bom_semicolons_and_decimal_commas():
    raw = table_csv(_table(), threshold=5)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Ärendekategori", "Kontakter", "Svarsandel", "Förändring", "Anmärkning"]
    assert rows[1][:4] == ["Förskoleplats", "1234", "0,8125", "-17"]
    # negative and fractional numbers stay numbers under Swedish settings
    assert _parse_swedish(rows[1][3]) == -17
    assert _parse_swedish(rows[2][3]) == Decimal("3.5")
    assert _parse_swedish(rows[4][2]) == Decimal("1E-7")
    assert rows[4][0] == "Bygglov; tillstånd"  # quoted on disk, intact after parsing
    assert rows[4][1] == "10000000"


def test_csv_neutralises_text_but_not_numbers():
    rows = list(csv.reader(io.StringIO(table_csv(_table(), 5).decode("utf-8-sig")), delimiter=";"))
    assert rows[2][0] == "'=HYPERLINK(\"http://x\")"
    assert rows[3][0] == "'-minus text"
    assert rows[4][3] == "-0,25"
    for row in rows:
        for cell in row:
            if cell[:1] in ("=", "+", "@", "\t", "\r"):
                pytest.fail(f"unneutralised cell {cell!r}")
            if cell.startswith("-"):
                assert isinstance(_parse_swedish(cell), Decimal), cell


def test_csv_hidden_cells_read_as_on_screen_with_a_note():
    rows = list(csv.reader(io.StringIO(table_csv(_table(), 5).decode("utf-8-sig")), delimiter=";"))
    assert rows[3][1:3] == ["<5", "Dolt"]
    assert rows[3][4].startswith("Värden markerade <5")
    assert rows[1][4] == ""
    assert rows[3][3] == ""  # no data is empty, not zero


def test_international_csv_uses_commas_and_points():
    raw = table_csv(_table(), 5, style="intl")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=","))
    assert rows[1][:4] == ["Förskoleplats", "1234", "0.8125", "-17"]
    assert rows[4][0] == "Bygglov; tillstånd"
    assert float(rows[4][3]) == -0.25


def test_csv_round_trips_every_value():
    table = _table()
    rows = list(csv.reader(io.StringIO(table_csv(table, 5).decode("utf-8-sig")), delimiter=";"))
    for original, written in zip(table.rows, rows[1:]):
        for value, cell in zip(original, written):
            if isinstance(value, (int, float)):
                assert float(cell.replace(",", ".")) == value
            elif isinstance(value, Hidden):
                assert cell == value.text
            elif value is None:
                assert cell == ""
            else:
                assert cell.removeprefix("'") == value


def test_xlsx_download_keeps_numbers_and_never_writes_formulas():
    wb = openpyxl.load_workbook(io.BytesIO(table_xlsx(_table(), _context())))
    assert wb.sheetnames == ["Data", "Urval"]
    ws = wb["Data"]
    assert [c.value for c in ws[1]] == ["Ärendekategori", "Kontakter", "Svarsandel", "Förändring"]
    assert ws["B2"].value == 1234 and ws["B2"].number_format == "#,##0"
    assert ws["D2"].value == -17 and ws["D2"].data_type == "n"
    assert ws["C2"].value == 0.8125 and "%" in ws["C2"].number_format
    # a string cell, never evaluated: written as it is, without an apostrophe
    assert ws["A3"].value == "=HYPERLINK(\"http://x\")" and ws["A3"].data_type == "s"
    assert ws["B4"].value == "<5" and ws["C4"].value == "Dolt"
    assert ws.freeze_panes == "A2"
    for row in wb["Data"].iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    notes = [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("Värden")]
    assert notes, "the suppression note is missing"
    context = {r[0].value: r[1].value for r in wb["Urval"].iter_rows(min_row=3) if r[0].value}
    assert context["Förvaltning"] == "Förskoleförvaltningen"
    assert context["Kanal"] == "Telefon"
    assert context["Period"] == "1 januari–31 mars 2025"
    assert context["Dataversion"] == "3"


def test_table_from_rows_keeps_hidden_cells_as_objects_and_never_reads_text_as_hidden():
    hidden = Hidden("small_count", "count", 5)
    table = table_from_rows("T", [("Kanal", None), ("Kontakter", "count")],
                            [("Telefon", 12), ("Chatt", hidden), ("=x", 7), ("y", "<5")])
    assert table.rows[1][1] is hidden and hidden.text == "<5"
    assert table.rows[3][1] == "<5"  # text stays text: no round trip through "<5"
    assert table.rows[2][0] == "=x"  # text column: neutralised only when written


def test_table_download_is_lazy_and_audited(tmp_path):
    log = tmp_path / "logs" / "audit.jsonl"
    filters = Filters(start=date(2025, 1, 1), end=date(2025, 1, 31),
                      departments=("Förskoleförvaltningen",), channels=("phone",))
    context = view_context(filters, title="Kontakter", data_version=9, threshold=5)
    download = table_download(_table(), "csv", context, audit_log=log, user="anna")
    assert download.mime == MIME["csv"]
    assert download.file_name == "arenden-per-kategori_forskoleforvaltningen_20250101-20250131.csv"
    assert not log.exists()  # nothing built, nothing recorded
    content = download.data()
    entry = json.loads(log.read_text(encoding="utf-8"))
    assert entry["what"] == "tabell" and entry["user"] == "anna" and entry["via"] == "dashboard"
    assert entry["filter"]["departments"] == ["Förskoleförvaltningen"]
    assert entry["filter"]["channels"] == ["phone"]
    assert entry["filter"]["start"] == "2025-01-01" and entry["filter"]["end"] == "2025-01-31"
    assert entry["filter"]["data_version"] == 9
    assert entry["bytes"] == len(content)
    table_download(_table(), "xlsx", context, audit_log=log).data()
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["format"] == "xlsx"


def test_audit_log_only_appends(tmp_path):
    log = tmp_path / "audit.jsonl"
    log.write_text('{"earlier": true}\n', encoding="utf-8")
    for i in range(3):
        audit.append(log, audit.entry_for("paket", "pdf", f"f{i}.pdf", {"d": i}, "cli", None,
                                          b"x" * i))
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '{"earlier": true}'
    assert [json.loads(x)["file"] for x in lines[1:]] == ["f0.pdf", "f1.pdf", "f2.pdf"]


def test_audit_failure_blocks_the_export(tmp_path):
    """A directory where the log file should be cannot be opened for appending, even by root."""
    log = tmp_path / "audit.jsonl"
    log.mkdir()
    download = table_download(_table(), "csv", _context(), audit_log=log)
    with pytest.raises(audit.AuditError, match="Exporten har inte skapats"):
        download.data()


def test_slug_and_file_name():
    assert slug("Hälsa-, vård- och omsorgsförvaltningen") == "halsa-vard-och-omsorgsforvaltningen"
    ctx = _context()
    assert file_name("Förvaltningspaket", ctx.scope, ctx.period, "pdf") == (
        "forvaltningspaket_forskoleforvaltningen_20250101-20250331.pdf")

"""A chart's comparison period in its "Visa som tabell" and its CSV and XLSX downloads, on a tiny
store worked by hand (AppTest): the same table model the chart's note and download read
(ui.tables.with_comparison), the same hidden cells as the dashed line.

The store: phone calls for Hela staden. 10–16 March 2025 (the period, Monday to Sunday): 20, 21,
…, 26 calls a day, the first 5 of each abandoned, so the answer rate is 15/20 = 75,0 %,
16/21 = 76,2 %, 17/22 = 77,3 %, 18/23 = 78,3 %, 19/24 = 79,2 %, 20/25 = 80,0 %, 21/26 = 80,8 %.
3–9 March (the previous period, laid a week on): 3, 2, 7, 8, 9, 10, 11 calls, all answered:
3 and 2 are under the threshold 5 ("<5"; their answer rate "Dolt"), the others 100 % over fewer
than 20 calls ("(osäker)").
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

import openpyxl
import pytest

from apptest_support import open_page, problems
from contact_fixtures import build, call
from dashboard.store import bump_data_version, open_store

NOW = [20, 21, 22, 23, 24, 25, 26]
BEFORE = [3, 2, 7, 8, 9, 10, 11]
QUERY = {"period": "custom", "from": "2025-03-10", "to": "2025-03-16"}
NBSP = "\u00a0"
COUNT_HEADER = "Kontakter, föregående period (3–9 mars 2025)"
RATE_HEADER = "Svarsandel, föregående period (3–9 mars 2025)"
DAYS_NOW = [f"{d} mar 2025" for d in range(10, 17)]
DAYS_BEFORE = [f"{d} mar 2025" for d in range(3, 10)]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("compare") / "tiny.duckdb"
    rows = []
    for i, n in enumerate(NOW):
        rows += [call(f"2025-03-{10 + i:02d} 10:{k:02d}", wait=10, answered=k >= 5, handle=60)
                 for k in range(n)]
    for i, n in enumerate(BEFORE):
        rows += [call(f"2025-03-{3 + i:02d} 11:{k:02d}", wait=10, handle=60) for k in range(n)]
    con = open_store(path)
    build(con, rows)
    con.execute("begin transaction")
    bump_data_version(con)
    con.execute("commit")
    con.close()
    return path


@pytest.fixture
def downloads(monkeypatch, tmp_path):
    """The downloads the page offers, by (table title, format): the very `Download` each button
    got (ui.download -> export.downloads.table_download), so `data()` is what a click gives."""
    import dashboard.ui.download as ui_download

    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    made = {}
    real = ui_download.table_download

    def spy(table, fmt, context, **kw):
        made[(table.title, fmt)] = real(table, fmt, context, **kw)
        return made[(table.title, fmt)]

    monkeypatch.setattr(ui_download, "table_download", spy)
    return made


def _table(at, first_header: str):
    tables = [t.value for t in at.table if list(t.value.columns)[:1] == [first_header]]
    assert len(tables) == 1, [list(t.value.columns) for t in at.table]
    return tables[0]


def test_the_overview_trend_table_carries_the_comparison_with_its_hidden_cells(tiny, monkeypatch,
                                                                              downloads):
    at = open_page(tiny, monkeypatch, "overview.py", {**QUERY, "table": "ov_trend"})
    assert problems(at) == []
    table = _table(at, "Dag")
    assert list(table.columns) == ["Dag", "Kontakter", "Dag i föregående period", COUNT_HEADER]
    assert table.values.tolist() == [
        [now, str(n), before, "<5" if b < 5 else str(b)]
        for now, n, before, b in zip(DAYS_NOW, NOW, DAYS_BEFORE, BEFORE)]
    # the CSV as Swedish Excel reads it: numbers bare, hidden cells as on screen, with the note
    text = downloads[("Kontakter per dag", "csv")].data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Dag", "Kontakter", "Dag i föregående period", COUNT_HEADER, "Anmärkning"]
    assert [r[:4] for r in rows[1:]] == [
        ["2025-03-10", "20", "2025-03-03", "<5"], ["2025-03-11", "21", "2025-03-04", "<5"],
        ["2025-03-12", "22", "2025-03-05", "7"], ["2025-03-13", "23", "2025-03-06", "8"],
        ["2025-03-14", "24", "2025-03-07", "9"], ["2025-03-15", "25", "2025-03-08", "10"],
        ["2025-03-16", "26", "2025-03-09", "11"]]
    assert [bool(r[4]) for r in rows[1:]] == [True, True, False, False, False, False, False]
    # the XLSX: counts and dates are cells of their type, hidden cells the screen's text
    sheet = openpyxl.load_workbook(io.BytesIO(downloads[("Kontakter per dag", "xlsx")].data()))["Data"]
    cells = list(sheet.iter_rows(min_row=1, max_row=8, values_only=True))
    assert cells[0] == ("Dag", "Kontakter", "Dag i föregående period", COUNT_HEADER)
    assert cells[1] == (datetime(2025, 3, 10), 20, datetime(2025, 3, 3), "<5")
    assert cells[2] == (datetime(2025, 3, 11), 21, datetime(2025, 3, 4), "<5")
    assert cells[3:] == [(datetime(2025, 3, d + 10), n, datetime(2025, 3, d + 3), b)
                         for d, (n, b) in enumerate(zip(NOW, BEFORE)) if d >= 2]
    assert all(isinstance(v, int) for row in cells[3:] for v in row[1::2])


def test_the_answer_rate_trend_table_and_download_name_the_comparison(tiny, monkeypatch, downloads):
    at = open_page(tiny, monkeypatch, "accessibility.py", {**QUERY, "table": "acc_trend_answer"})
    assert problems(at) == []
    table = _table(at, "Dag")
    assert list(table.columns) == ["Dag", "Svarsandel", "Dag i föregående period", RATE_HEADER]
    now = ["75,0", "76,2", "77,3", "78,3", "79,2", "80,0", "80,8"]
    assert table.values.tolist() == [
        [d, f"{r}{NBSP}%", before, "Dolt" if b < 5 else f"100,0{NBSP}% (osäker)"]
        for d, r, before, b in zip(DAYS_NOW, now, DAYS_BEFORE, BEFORE)]
    notes = " ".join(c.value for c in at.caption)
    assert f"”(osäker)”: {RATE_HEADER} bygger på färre än 20 observationer" in notes
    # the chart's dashed line has the same two gaps
    title = "Svarsandel per dag"
    sheet = openpyxl.load_workbook(io.BytesIO(downloads[(title, "xlsx")].data()))["Data"]
    cells = list(sheet.iter_rows(min_row=2, max_row=8, values_only=True))
    assert [c[1] for c in cells] == pytest.approx([15 / 20, 16 / 21, 17 / 22, 18 / 23, 19 / 24,
                                                   20 / 25, 21 / 26])
    assert [c[3] for c in cells] == ["Dolt", "Dolt", 1, 1, 1, 1, 1]
    assert sheet.cell(1, 4).value == RATE_HEADER
    csv_rows = list(csv.reader(io.StringIO(downloads[(title, "csv")].data().decode("utf-8-sig")),
                               delimiter=";"))
    assert [r[3] for r in csv_rows[1:8]] == ["Dolt", "Dolt", "1", "1", "1", "1", "1"]
    assert csv_rows[1][1] == "0,75"


def test_the_chart_draws_the_same_comparison_points_the_table_holds(tiny, monkeypatch):
    import json

    at = open_page(tiny, monkeypatch, "overview.py", QUERY)
    assert problems(at) == []
    specs = [json.loads(c.proto.spec or "{}") for c in at.get("plotly_chart")]
    spec = next(s for s in specs
                if ((s.get("layout") or {}).get("title") or {}).get("text", "").split("<br>")[0]
                == "Kontakter per dag")
    now, before = spec["data"][0], spec["data"][1]
    assert before["name"] == "Föregående period"
    assert now["y"] == NOW
    assert before["y"] == [None, None, *BEFORE[2:]]

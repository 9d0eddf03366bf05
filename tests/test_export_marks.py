"""Marks in the pack's cells, as the screen's tables draw them, on a hand-built pack read back
(openpyxl, pdftotext): an uncertain value reads "100,0 % (osäker)" in the PDF and stays a number
in the XLSX, its number format writing the mark; the table's note names its rows as the note on
hidden cells does. And the one ranking rule (dashboard.ranking) the dashboard's ranked charts and
the pack share: largest first, hidden rows last."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import openpyxl
import polars as pl
import pytest

from dashboard import charts, ranking
from dashboard.export.cells import display_text
from dashboard.export.model import Column, Table
from dashboard.export.pdf_pack import render_pdf
from dashboard.export.xlsx_common import NUMBER_FORMATS, marked_format
from dashboard.export.xlsx_pack import render_xlsx
from dashboard.privacy.cells import Hidden, Uncertain
from pack_support import read
from test_export_render import _pdf_pages, make_pack

NBSP = "\u00a0"
CHANNELS = Table(
    "Per kanal",
    (Column("channel", "Kanal"), Column("contacts", "Kontakter", "count"),
     Column("answer_rate", "Svarsandel", "share"), Column("aht", "Handläggningstid", "seconds")),
    (("Telefon", 87, 0.839, 217.0),
     ("Chatt", 7, Uncertain(1.0, 20), Uncertain(262.0, 20)),
     ("Besök", 6, None, Uncertain(537.0, 20)),
     ("Sociala medier", Hidden("small_count", "count", 5), Hidden("small_denominator", "share", 5),
      None)))


def marked_pack():
    pack = make_pack()
    first = pack.sections[0]
    return replace(pack, sections=(replace(first, tables=(*first.tables, CHANNELS)),
                                   *pack.sections[1:]))


@pytest.fixture(scope="module")
def sheet():
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(marked_pack())))
    return book[marked_pack().sections[0].sheet_name]


def _rows(ws, title: str) -> tuple[dict[str, list], str | None]:
    """The table under the heading `title`: its rows (first cell -> cells) and its note."""
    cells = list(ws.iter_rows())
    start = next(i for i, r in enumerate(cells) if r[0].value == title)
    rows = {}
    for row in cells[start + 2:]:
        if row[0].value is None or row[0].font.i:
            return rows, row[0].value
        rows[row[0].value] = list(row[:4])
    return rows, None


def test_an_uncertain_value_stays_a_number_in_the_xlsx_its_format_marking_it(sheet):
    rows, note = _rows(sheet, "Per kanal")
    rate, aht = rows["Chatt"][2], rows["Chatt"][3]
    for cell, value in ((rate, 1.0), (aht, 262.0)):
        assert cell.data_type == "n" and cell.value == value
        assert "(osäker)" in cell.number_format
    # the format writes the screen's text: the unit's own format, then " (osäker)"
    assert rate.number_format == NUMBER_FORMATS["share"] + '" (osäker)"'
    assert aht.number_format == NUMBER_FORMATS["seconds"][:-1] + ' (osäker)"'
    assert read(rate, "share") == f"100,0{NBSP}% (osäker)"
    # a certain value has no mark; a hidden one stays its text
    assert "osäker" not in rows["Telefon"][2].number_format
    assert rows["Sociala medier"][1].value == "<5"
    # the note names the rows, per column, as the hidden cells' note does
    assert "”(osäker)” (Chatt): Svarsandel bygger på färre än 20 observationer" in note
    assert "”(osäker)” (Chatt, Besök): Handläggningstid bygger på färre än 20" in note
    assert "”<5” (Sociala medier)" in note


def test_an_uncertain_value_reads_as_on_screen_in_the_pdf(tmp_path):
    text = "\n".join(_pdf_pages(render_pdf(marked_pack()), tmp_path))
    line = next(line for line in text.splitlines() if line.strip().startswith("Chatt"))
    shown = " ".join(line.replace(NBSP, " ").split())
    assert "100,0 % (osäker)" in shown and "4 min 22 s (osäker)" in shown, line
    flat = " ".join(text.split())
    assert "”(osäker)” (Chatt): Svarsandel bygger på färre än 20 observationer och är " \
           "statistiskt osäker." in flat
    assert "”(osäker)” (Chatt, Besök): Handläggningstid" in flat


def test_display_text_marks_an_uncertain_value_as_the_screen():
    assert display_text(Uncertain(1.0, 20), "share") == f"100,0{NBSP}% (osäker)"
    assert display_text(Uncertain(262.0), "seconds") == display_text(262.0, "seconds") + " (osäker)"
    assert display_text(262.0, "seconds").replace(NBSP, " ") == "4 min 22 s"


@pytest.mark.parametrize("unit", sorted(NUMBER_FORMATS))
def test_every_number_format_can_carry_the_mark_in_each_section(unit):
    code = marked_format(NUMBER_FORMATS[unit])
    sections = re.split(r';(?=(?:[^"]*"[^"]*")*[^"]*$)', code)
    assert len(sections) == len(re.split(r';(?=(?:[^"]*"[^"]*")*[^"]*$)', NUMBER_FORMATS[unit]))
    assert all(s.endswith(' (osäker)"') for s in sections), code
    assert '""' not in code, code  # one literal, never two quoted strings side by side


def test_ranked_rows_put_hidden_rows_last_in_their_order():
    frame = pl.DataFrame({"k": ["outreach", "social", "phone", "chat", "email"],
                          "v": [None, None, 87, 7, 29]})
    assert ranking.ranked_rows(frame, "v")["k"].to_list() == [
        "phone", "email", "chat", "outreach", "social"]
    assert ranking.ranked_rows(frame, "v", 2)["k"].to_list() == ["phone", "email"]
    # the dashboard's ranked charts rank by the same function
    assert charts.ranked_rows is ranking.ranked_rows


def test_a_chart_with_an_uncertain_value_is_not_all_hidden():
    """An uncertain value is a number drawn with a mark: a chart of it beside hidden cells still
    has a bar, so it is not replaced by the "Alla … är dolda" sentence."""
    from dashboard.export.cells import every_value_hidden
    from dashboard.privacy.cells import Hidden, Uncertain

    hidden = Hidden("small_count", "count", 5)
    assert every_value_hidden([hidden, None])
    assert not every_value_hidden([Uncertain(0.5, 20), hidden])

"""The förvaltning pack's XLSX and PDF on the sample store: the engine's numbers, hidden cells,
department isolation, layout, fonts and outline. The summary's ranking and the weekly table are
checked on hand-made inputs as well. Fixtures: tests/export_pack_support.py."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date

import openpyxl
import pytest

from dashboard.config import Settings
from dashboard.export.cells import display_text
from dashboard.export.pack import build_pack, render
from dashboard.export.pack_tables import scorecard_title
from dashboard.export.pdf_pack import DATA_TITLE
from dashboard.export.xlsx_common import NUMBER_FORMATS
from dashboard.export.xlsx_pack import DATA
from dashboard.metrics import Filters, compute, get
from export_pack_support import (AREA_SHEETS, COUNT_FORMAT, DEPT, END, FILTERS, START,  # noqa: F401
                                 con, pack, pdf_pages, table_rows, workbook)
from pack_support import front_rows, pdf_row
from test_export_render import charts_per_sheet

def test_sheets_and_a_native_chart_on_every_area_sheet(workbook):
    content, wb = workbook
    # the month's small cells leave gaps in some charts: their numbers are on Diagramunderlag
    assert wb.sheetnames == ["Framsida", "Sammanfattning", *AREA_SHEETS, "Definitioner", "Data",
                             "Diagramunderlag"]
    charts = charts_per_sheet(content)
    assert all(charts[s] >= 1 for s in AREA_SHEETS), charts


def test_front_sheet_names_the_filter(workbook):
    pairs = front_rows(workbook[1]["Framsida"])
    assert pairs["Förvaltning"] == DEPT
    assert pairs["Period"] == "1–31 mars 2025"
    assert pairs["Jämförelseperiod"] == "1–28 februari 2025"  # a whole month: the month before
    for name in ("Kanal", "Stadsdel/stadsområde", "Ärendekategori", "Språk", "Kundtyp"):
        assert pairs[name] == "alla"
    assert pairs["Dataversion"].isdigit()


def test_the_front_sheet_says_innehall_once_over_its_sheet_links(workbook, pdf_pages):
    """"Innehåll" heads the list of sheets, once: it also labelled the pack's title (already the
    sheet's heading) in the filter rows above. The PDF cover has no such row either."""
    ws = workbook[1]["Framsida"]
    found = [c for row in ws.iter_rows() for c in row if c.value == "Innehåll"]
    assert len(found) == 1, [c.coordinate for c in found]
    listed = [ws.cell(found[0].row + i, 1) for i in range(1, len(workbook[1].sheetnames))]
    assert [c.value for c in listed] == workbook[1].sheetnames[1:]
    assert all(c.hyperlink.location == f"'{c.value}'!A1" for c in listed)
    cover = " ".join(" ".join(pdf_pages[0].strip().splitlines()[:-3]).split())  # no footer
    assert "Innehåll" not in cover and cover.count("Förvaltningspaket för budgetdialogen") == 1


def test_key_figures_equal_the_engine(workbook, con):
    ws = workbook[1]["Tillgänglighet"]
    rows = table_rows(ws, "Nyckeltal")
    ids = ("contacts", "offered", "answered", "answer_rate", "service_level", "asa_s", "aht_s")
    now = compute(con, FILTERS, ids).row(0, named=True)
    before = compute(con, FILTERS.previous_period(), ids).row(0, named=True)
    city = compute(con, FILTERS.without("departments"), ids).row(0, named=True)
    settings = Settings()
    for mid in ids:
        m = get(mid)
        label = m.label_for(settings)
        for column, values in ((1, now), (2, before), (5, city)):  # 3, 4: change, verdict
            shown = rows[label][column]
            n, t = values[f"{mid}__n"], settings.small_cell_threshold
            # a proportion shown with its basis gives its numerator back (rate × n)
            num = round(values[mid] * n) if m.is_proportion and values[mid] is not None else 0
            if m.kind == "count" and 0 < n < t:
                assert shown == "<5", (mid, column)
            elif m.kind != "count" and (n < m.min_n_for(settings) or 0 < num < t):
                assert shown == "Dolt", (mid, column)
            else:
                assert shown == pytest.approx(values[mid], rel=1e-12), (mid, column)


def test_channel_table_equals_the_engine_with_small_counts_hidden(workbook, con):
    rows = table_rows(workbook[1]["Tillgänglighet"], "Per kanal")
    engine = {r["channel"]: r for r in compute(con, FILTERS, ["contacts"], by=("channel",))
              .iter_rows(named=True)}
    labels = {"phone": "Telefon", "chat": "Chatt", "email": "E-post", "e_service": "E-tjänst",
              "visit": "Besök", "social": "Sociala medier", "outreach": "Uppsökande verksamhet"}
    hidden = 0
    for code, r in engine.items():
        cell = rows[labels[code]][1]
        if 0 < r["contacts"] < 5:
            assert cell == "<5"
            hidden += 1
        elif cell != "Dolt":  # shown cells are the engine's; a complementary one is "Dolt"
            assert cell == r["contacts"]
    assert hidden >= 2, "the fixture should exercise small cells"


def test_no_count_below_the_threshold_and_no_formulas_anywhere(workbook):
    for ws in workbook[1]:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate}"
                if isinstance(c.value, (int, float)) and c.number_format == COUNT_FORMAT:
                    assert c.value == 0 or c.value >= 5, f"{ws.title}!{c.coordinate}={c.value}"


def test_no_other_department_and_no_free_text(workbook, con, pdf_pages):
    others = [r[0] for r in con.sql("select department from departments").fetchall()
              if r[0] != DEPT]
    notes = [r[0] for r in con.sql("select distinct note from contacts where note is not null "
                                   "limit 200").fetchall()]
    strings = [c for ws in workbook[1] for row in ws.iter_rows(values_only=True) for c in row
               if isinstance(c, str)]
    text = "\n".join(strings) + "\n" + "\n".join(pdf_pages)
    for name in others:
        assert name not in text, name
    for note in notes:
        assert note not in text


def test_arsarbetare_read_in_the_workbook_as_on_the_screen(workbook, pdf_pages):
    """Every årsarbetare figure of the key figures and the scorecard: the cell's Excel number
    format, applied to its number, gives the dashboard's text (formatting.format_value: its
    decimals and its unit word), and the PDF prints the same."""
    from dashboard.formatting import format_value

    label = get("failure_demand_fte").label_for(Settings())
    shown = [(sheet, c) for sheet, title in (("Onödig efterfrågan", "Nyckeltal"),
                                             ("Förvaltning", scorecard_title(DEPT)))
             for c in workbook[1][sheet][_row_of(workbook[1][sheet], title, label)]
             if isinstance(c.value, float)]
    assert len(shown) >= 2, shown  # the fixture shows some (the city's, at least)
    pdf = re.sub(r"\s", "", "".join(pdf_pages))
    for sheet, cell in shown:
        code = re.fullmatch(r'#,##0(?:\.(0+))?"\u00a0(\w+)"', cell.number_format)
        assert code, (sheet, cell.coordinate, cell.number_format)
        decimals, word = len(code.group(1) or ""), code.group(2)
        excel = f"{cell.value:,.{decimals}f}".replace(",", " ").replace(".", ",") + " " + word
        screen = format_value(cell.value, "fte")
        assert excel == screen.replace("\u00a0", " "), (sheet, cell.coordinate)
        assert re.sub(r"\s", "", screen) in pdf


def _row_of(ws, title: str, label: str) -> int:
    """The row number of `label` in the table under the heading `title`."""
    rows = [c.row for c in ws["A"] if c.value == title]
    return next(c.row for c in ws["A"] if c.row > rows[0] and c.value == label)


def test_definitions_cover_every_metric_shown(workbook):
    ws = workbook[1]["Definitioner"]
    ids = {r[1] for r in ws.iter_rows(min_row=4, values_only=True) if r[1]}
    assert {"answer_rate", "forwarded_rate", "failure_demand_cost_sek",
            "handled_time_share"} <= ids


def test_pdf_pages_footers_and_hidden_cells(pdf_pages):
    assert len(pdf_pages) >= 8
    full = "\n".join(pdf_pages)
    for heading in ("Sammanfattning", "Tillgänglighet och serviceinriktat bemötande",
                    "Serviceglapp (rättighetsbaserad service)", "Lokal service",
                    "Förvaltning", scorecard_title(DEPT), "Definitioner"):
        assert heading in full
    for i, page in enumerate(pdf_pages, start=1):
        footer = " ".join(page.strip().splitlines()[-3:])
        assert f"Sida {i} av {len(pdf_pages)}" in footer
        assert DEPT in footer and "Period 1–31 mars 2025" in footer and "Kundtyp: alla" in footer
    # the channel table: small channels read "<5", never their count
    channel_lines = [line for line in full.splitlines()
                     if re.match(r"\s*(Chatt|Besök|Sociala medier)\s+(<|\d)", line)]
    assert channel_lines and all("<5" in line for line in channel_lines), channel_lines
    assert "Kulturförvaltningen" in full and "Förändring" in full


def test_city_pack_without_comparison(con, tmp_path):
    city = Filters(start=START, end=END)
    pack = build_pack(con, city, comparison=None)
    wb = openpyxl.load_workbook(io.BytesIO(render(pack, "xlsx")))
    front = front_rows(wb["Framsida"])
    assert front["Förvaltning"] == "Hela staden" and front["Jämförelseperiod"] == "Ingen"
    key = table_rows(wb["Tillgänglighet"], "Nyckeltal")
    header = next(r for r in wb["Tillgänglighet"].iter_rows(values_only=True) if r[0] == "Mått")
    assert [h for h in header if h] == ["Mått", "Perioden"]  # no comparison, no city column
    engine = compute(con, city, ["contacts"]).row(0, named=True)
    assert key["Kontakter"][1] == engine["contacts"]
    per_department = table_rows(wb["Förvaltning"], "Per förvaltning")
    assert DEPT in per_department  # the city pack lists the departments
    path = tmp_path / "city.pdf"
    path.write_bytes(render(pack, "pdf"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert "Ingen jämförelse" in text and "Ingen jämförelseperiod vald" in text


def _page_fill(pdf: bytes, tmp_path) -> list[float]:
    """Per page, the share of the body's height (between the margins, footer left out) its
    text spans, from pdftotext's word boxes."""
    from dashboard.export.pdf_layout import MARGIN_BOTTOM, MARGIN_TOP, PAGE_H

    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                           check=True, text=True).stdout
    body_end = PAGE_H - MARGIN_BOTTOM
    out = []
    for page in boxes.split("<page ")[1:]:
        ys = [(float(a), float(b)) for a, b in
              re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', page)]
        body = [y for y in ys if y[1] < body_end]
        out.append((max(b for _, b in body) - min(a for a, _ in body))
                    / (body_end - MARGIN_TOP) if body else 0.0)
    return out


@pytest.mark.parametrize("departments", [(DEPT,), ()], ids=["department", "city"])
def test_no_near_empty_page_in_the_pdf(con, departments, tmp_path):
    pack = build_pack(con, Filters(start=START, end=END, departments=departments),
                      settings=Settings())
    fill = _page_fill(render(pack, "pdf"), tmp_path)
    # the last page ends the document wherever the text ends
    thin = [(i + 1, round(f, 2)) for i, f in enumerate(fill[:-1]) if f < 0.3]
    assert thin == [], f"pages under 30 % filled: {thin}"


def test_every_font_in_the_pdf_is_embedded(pack, tmp_path):
    """pdffonts on the real pack: one row per font, every one embedded DejaVu. (reportlab named
    its base font Helvetica, not embedded, for the page start, table cells and chart drawings.)"""
    path = tmp_path / "pack.pdf"
    path.write_bytes(render(pack, "pdf"))
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True,
                             text=True).stdout.splitlines()
    header, rows = listing[0], listing[2:]
    emb = header.index(" emb ") + 1  # the column's start, from the header
    fonts = [(row.split()[0], row[emb:emb + 3]) for row in rows]
    assert len(fonts) >= 3, listing
    assert all(flag == "yes" for _, flag in fonts), listing
    assert all("DejaVuSans" in name and "Helvetica" not in name for name, _ in fonts), listing


def test_pdf_has_language_title_and_an_outline_of_its_headings(pack):
    pdf = render(pack, "pdf")
    assert b"/Lang (sv-SE)" in pdf and b"/DisplayDocTitle true" in pdf
    assert b"/Outlines" in pdf and b"/PageMode /UseOutlines" in pdf
    for title in [s.title for s in pack.sections] + ["Definitioner", DATA_TITLE]:
        title = title.encode("latin-1")  # ReportLab writes outline titles in PDFDocEncoding
        escaped = title.replace(b"(", b"\\(").replace(b")", b"\\)")
        octal = b"".join(bytes([c]) if c < 128 else b"\\%o" % c for c in escaped)
        assert b"/Title (" + octal + b")" in pdf or b"/Title (" + escaped + b")" in pdf, title


def _sheet_texts(ws, title: str) -> list[list[str]]:
    """The rows of the table under the heading `title`, each cell as its number format reads
    (the unit whose Excel code it carries; dates as the format writes them)."""
    units = {code: unit for unit, code in NUMBER_FORMATS.items()}
    cells = list(ws.iter_rows())
    start = next(i for i, r in enumerate(cells) if r[0].value == title)
    out = []
    for row in cells[start + 2:]:
        if row[0].value is None or row[0].font.i:  # an empty line or the table's note
            break
        out.append([display_text(c.value, units.get(c.number_format)) for c in row
                    if c.value is not None])
    return out


def test_the_pdf_data_chapter_has_the_data_sheets_cells_and_the_stores_counts(workbook, pdf_pages,
                                                                             con):
    """The PDF's chapter "Om data" is the XLSX sheet Data: every row of its three tables, cell
    by cell as the sheet reads, is a line of the chapter. And the figures are the store's: the
    rows landed per source system are its contacts, and the quality table's contacts are the
    engine's for the filter."""
    _, wb = workbook
    # the chapter opens on a page of its own or under the last one's end (pdf_pack.SECTION_ROOM)
    text = "\n".join(pdf_pages)
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip() == DATA_TITLE)
    chapter = "\n".join(lines[first:])
    tables = {title: _sheet_texts(wb[DATA], title) for title in
              ("Källsystem", "Inläsningar (senaste 50)", "Datakvalitet per källsystem i urvalet")}
    for title, rows in tables.items():
        assert rows, title
        assert title in chapter
        for label, *cells in rows:
            pdf_row(chapter, label, cells)
    stored = dict(con.sql("select source_system, count(*) from contacts group by 1").fetchall())
    assert {r[0]: r[2] for r in tables["Källsystem"]} == \
        {source: f"{n:,}".replace(",", "\u00a0") + "\u00a0rader" for source, n in stored.items()}
    engine = compute(con, FILTERS, ["contacts"], by=("source_system",))
    assert {r[0]: r[1] for r in tables["Datakvalitet per källsystem i urvalet"]} == \
        {r["source_system"]: f"{r['contacts']:,}".replace(",", "\u00a0")
         for r in engine.iter_rows(named=True)}


def test_every_chart_has_axis_titles_in_xlsx_and_pdf(pack, workbook, pdf_pages):
    import zipfile
    content, _ = workbook
    z = zipfile.ZipFile(io.BytesIO(content))
    charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    total = sum(len(s.charts) for s in pack.sections)
    assert len(charts) == total
    for name in charts:
        xml = z.read(name).decode("utf-8")
        axes = re.findall(r"<c:(?:valAx|catAx|dateAx)>.*?</c:(?:valAx|catAx|dateAx)>", xml, re.S)
        assert len(axes) == 2 and all("<c:title>" in a for a in axes), name
    text = re.sub(r"\s", "", "".join(pdf_pages))
    for section in pack.sections:
        for chart in section.charts:
            assert re.sub(r"\s", "", chart.value_title) in text, chart.title
            assert re.sub(r"\s", "", chart.category_title) in text, chart.title


def test_chart_labels_are_whole_and_inside_the_body_in_the_pdf(pack, tmp_path):
    """No text of the PDF is cut ("Löst av kontaktcen…" under the scorecard's columns): every
    word of every chart's categories and axis titles and of every table's header is a word of
    the PDF (pdftotext's word boxes), and every word lies inside the body's width."""
    from dashboard.export.pdf_layout import MARGIN_X, PAGE_W

    path = tmp_path / "pack.pdf"
    path.write_bytes(render(pack, "pdf"))
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                           check=True, text=True).stdout
    words = [(float(x0), float(x1), w) for x0, x1, w in
             re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">'
                        r'([^<]*)</word>', boxes)]
    assert words and not [w for *_, w in words if "…" in w]
    outside = [w for x0, x1, w in words if x0 < MARGIN_X - 1 or x1 > PAGE_W - MARGIN_X + 1]
    assert outside == []
    found = {w for *_, w in words}
    for section in pack.sections:
        for chart in section.charts:
            j = chart.table.column_index(chart.category)
            texts = [chart.category_title, chart.value_title]
            texts += [str(row[j]) for row in chart.table.rows if isinstance(row[j], str)]
            missing = [w for t in texts for w in t.split() if w not in found]
            assert missing == [], chart.title
    # no table header broken inside a word ("Kontakte r" in a wide table)
    tables = [t for s in pack.sections for t in s.tables]
    tables += [pack.summary.top_gaps, pack.data.sources, pack.data.quality]
    for table in (t for t in tables if t.rows):  # an empty table is its title and a note
        missing = [w for c in table.columns for w in c.label.split() if w not in found]
        assert missing == [], table.title


def test_the_channel_table_says_why_phones_rates_are_hidden(empty_db, tmp_path):
    """A förvaltning where only phone and chat queue and chat's abandoned chats are few (2):
    chat's and phone's answered and abandoned hide together (docs/privacy.md, "Per kanal"),
    so phone's answer rate, waiting and handling time read "Dolt" beside its 30 contacts. The
    table says why under it, in the PDF and in the workbook."""
    from contact_fixtures import build, call, contact
    from dashboard.store import open_store

    def chat(answered: bool) -> dict:
        return contact("2025-03-11 10:00", "chat", queue_s=30, answered=answered,
                       abandoned=not answered, handle_s=200 if answered else None,
                       department=DEPT)

    rows = ([call("2025-03-10 10:00", wait=20, handle=180, department=DEPT) for _ in range(24)]
            + [call("2025-03-10 11:00", wait=90, answered=False, department=DEPT)
               for _ in range(6)]
            + [chat(True) for _ in range(8)] + [chat(False) for _ in range(2)]
            + [contact("2025-03-12 10:00", "email", handle_s=300, department=DEPT)
               for _ in range(12)])
    con = build(open_store(empty_db()), rows)
    try:
        pack = build_pack(con, FILTERS, comparison=None, settings=Settings())
    finally:
        con.close()
    table = next(t for s in pack.sections for t in s.tables if t.title == "Per kanal")
    by_channel = {row[0]: row for row in table.rows}
    rates = [table.column_index(m) for m in ("answer_rate", "asa_s", "aht_s")]
    assert by_channel["Telefon"][table.column_index("contacts")] == 30
    for channel in ("Telefon", "Chatt"):
        assert all(by_channel[channel][j].text == "Dolt" for j in rates), by_channel[channel]
    why = "”Dolt” (Telefon, Chatt): Dold så att en annan dold siffra inte kan räknas fram ur summan."
    assert why in table.full_note
    pdf = tmp_path / "paket.pdf"
    pdf.write_bytes(render(pack, "pdf"))
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   check=True, text=True).stdout.split())
    assert why in text
    sheet = openpyxl.load_workbook(io.BytesIO(render(pack, "xlsx")))["Tillgänglighet"]
    assert any(why in str(c.value) for r in sheet.iter_rows() for c in r if c.value)


def test_the_packs_notes_write_their_numbers_in_swedish(workbook, pdf_pages):
    """The settings in the summary's notes are numbers as the rest of the pack writes them: a
    space between thousands and a decimal comma ("1600 timmar" stood beside "1 600" elsewhere)."""
    s = Settings()
    hours = f"{s.working_hours_per_fte:,.0f}".replace(",", "\u00a0")
    kronor = f"{s.cost_per_handled_minute_sek:.2f}".replace(".", ",")
    expected = f"en årsarbetare är {hours} timmar"
    cells = [str(c.value) for ws in workbook[1] for row in ws.iter_rows() for c in row if c.value]
    assert any(expected in c and f"{kronor} kr per handlagd minut" in c for c in cells), expected
    text = " ".join(" ".join(p.split()) for p in pdf_pages).replace("\u00a0", " ")
    assert expected.replace("\u00a0", " ") in text


def test_a_hidden_comparison_value_is_named_by_its_own_date_in_the_note():
    """A table with its comparison period beside (ui.tables.with_comparison): a hidden value of
    the comparison is named by the comparison's own date, not by the period's date on its row;
    the period's hidden values by the first column, as in any table."""
    from dashboard.export.model import Column, Table
    from dashboard.privacy import Hidden
    from dashboard.privacy.suppression import SMALL_COUNT

    small = Hidden(SMALL_COUNT, "count", 5)
    table = Table("Kontakter per dag", (
        Column("day", "Dag"), Column("contacts", "Kontakter", "count"),
        Column("compared_day", "Dag i föregående period"),
        Column("compared_contacts", "Kontakter, föregående period", "count")), (
        (date(2025, 3, 10), 12, date(2025, 3, 3), small),
        (date(2025, 3, 11), small, date(2025, 3, 4), 9),
        (date(2025, 3, 12), 7, None, None)))
    assert table.row_label_columns() == [0, 0, 2, 2]
    note = table.full_note
    assert "(2025-03-04" not in note and "2025-03-10" not in note
    assert f"”{small.text}” (2025-03-03, 2025-03-11)" in note, note  # row by row

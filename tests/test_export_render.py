"""The XLSX and PDF renderers on a hand-built pack: layout, context, charts, hidden cells, fonts."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from datetime import date, datetime, timedelta
from xml.etree import ElementTree as ET

import openpyxl
import pytest

from dashboard.privacy.cells import Hidden
from dashboard.export.model import (Chart, Column, Context, DataInfo, Definition, Mover, Pack,
                                    Section, Summary, Table)
from dashboard.export.pdf_pack import render_pdf
from dashboard.export.xlsx_pack import render_xlsx
from pack_support import front_rows

HIDDEN = Hidden("small_count", "count", 5)
AREAS = (("Tillgänglighet och serviceinriktat bemötande", "Tillgänglighet"),
         ("Serviceglapp (rättighetsbaserad service)", "Serviceglapp"),
         ("Onödig efterfrågan (digitalisering)", "Onödig efterfrågan"),
         ("Lokal service", "Lokal service"),
         ("Förvaltning (samarbetsprocess)", "Förvaltning"))


def make_pack() -> Pack:
    weekly = Table("Kontakter per vecka",
                   (Column("week", "Vecka"), Column("cur", "Perioden", "count"),
                    Column("prev", "Jämförelseperioden", "count")),
                   tuple((date(2025, 1, 6 + 7 * i), 1000 + 50 * i, HIDDEN if i == 2 else 950)
                         for i in range(4)))
    gaps = Table("Serviceglapp", (Column("topic", "Ärendekategori"),
                                  Column("fwd", "Överlämnade", "count"),
                                  Column("rate", "Andel överlämnade", "share")),
                 (("Bygglov – handläggningstid", 420, 0.61), ("Förskoleplats", 300, 0.4),
                  ("=Parkering", HIDDEN, Hidden("complementary", "count", 5))),
                 note="Ärendekategorier med färre än 5 överlämnade visas som <5.")
    sections = tuple(
        Section(f"a{i}", title, sheet, "Inledning med å, ä och ö.", (weekly, gaps),
                (Chart("Kontakter per vecka", weekly, "week", ("cur", "prev"), "line", ("prev",)),
                 Chart("Överlämnade per kategori", gaps, "topic", ("fwd",), "bar")))
        for i, (title, sheet) in enumerate(AREAS))
    context = Context("Förvaltningspaket", "Förskoleförvaltningen",
                      (date(2025, 1, 1), date(2025, 3, 31)), (date(2024, 10, 1), date(2024, 12, 31)),
                      (("Kanal", "Telefon, Chatt"), ("Stadsdel/stadsområde", "Öster"),
                       ("Ärendekategori", "alla"), ("Språk", "alla"), ("Kundtyp", "alla")),
                      42, datetime(2025, 4, 2, 10, 15), 5)
    summary = Summary((Mover("Svarsandel", "share", 0.91, 0.88, 3.0, "points", "+3,0 procentenheter"),
                       Mover("Kontakter", "count", 12345, 11000, 0.122, "relative", "+12,2 %")),
                      gaps, 1_234_567.0, 2.34, 1714.7)
    definitions = tuple(Definition(f"m{i}", f"Mått {i}", "Besvarade / inkomna.", "share", True,
                                   "SKR", 20) for i in range(3))
    return Pack(context, summary, sections, definitions, make_data_info(),
                ("Erlang C bortser från avbrutna samtal.",))


INGESTS = 50  # the ingest log's rows, newest first (the pack lists the latest 50)


def make_data_info() -> DataInfo:
    """Two source systems, fifty nightly ingests, data quality with a small cell hidden."""
    sources = Table("Källsystem", (Column("source", "Källsystem"),
                                   Column("ingests", "Inläsningar", "number"),
                                   Column("rows", "Inlästa totalt", "rows"),
                                   Column("last", "Senaste inläsning (UTC)")),
                    (("telefoni", 30, 31_500, datetime(2025, 3, 31, 2, 0)),
                     ("e-post", 20, 8_200, datetime(2025, 3, 30, 2, 0))))
    nights = [datetime(2025, 3, 31, 2, 0) - timedelta(days=i) for i in range(INGESTS)]
    ingests = Table(f"Inläsningar (senaste {INGESTS})", (
        Column("source", "Källsystem"), Column("file", "Fil"), Column("profile", "Profil"),
        Column("landed", "Inlästa", "rows"), Column("quarantined", "I karantän", "rows"),
        Column("at", "Inläst (UTC)")),
        tuple(("telefoni", f"samtal-{at:%Y%m%d}.csv", "telia", 1000 + i, i % 3, at)
              for i, at in enumerate(nights)))
    quality = Table("Datakvalitet per källsystem i urvalet", (
        Column("source_system", "Källsystem"), Column("contacts", "Kontakter", "count"),
        Column("topic", "Utan ärendekategori", "share"),
        Column("outcome", "Utan utfall", "share")),
        (("telefoni", 1234, 0.021, 0.105), ("e-post", 3, HIDDEN, Hidden("small_count", "share", 5))),
        note="Andel kontakter utan ärendekategori eller utfall (av hanterade).")
    return DataInfo(sources, ingests, quality)


@pytest.fixture(scope="module")
def xlsx_bytes() -> bytes:
    return render_xlsx(make_pack())


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return render_pdf(make_pack())


def charts_per_sheet(content: bytes) -> dict[str, int]:
    """Count the chart parts each sheet's drawing refers to (openpyxl drops charts on load)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    z = zipfile.ZipFile(io.BytesIO(content))

    def rels(path: str) -> dict[str, str]:
        folder, name = path.rsplit("/", 1)
        rel_path = f"{folder}/_rels/{name}.rels"
        if rel_path not in z.namelist():
            return {}
        root = ET.fromstring(z.read(rel_path))
        return {r.get("Id"): r.get("Target") for r in root}

    def resolve(base: str, target: str) -> str:
        parts = base.rsplit("/", 1)[0].split("/") + target.split("/")
        out: list[str] = []
        for p in parts:
            out.pop() if p == ".." else out.append(p)
        return "/".join(out)

    workbook = ET.fromstring(z.read("xl/workbook.xml"))
    wb_rels = rels("xl/workbook.xml")
    counts = {}
    for sheet in workbook.find("m:sheets", ns):
        path = resolve("xl/workbook.xml", wb_rels[sheet.get(f"{{{ns['r']}}}id")])
        n = 0
        for target in rels(path).values():
            if "drawing" in target:
                drawing = resolve(path, target)
                n += sum("charts/" in t for t in rels(drawing).values())
        counts[sheet.get("name")] = n
    return counts


def test_xlsx_sheets_and_charts(xlsx_bytes):
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))
    expected = ["Framsida", "Sammanfattning", *[s for _, s in AREAS], "Definitioner", "Data",
                "Diagramunderlag"]
    assert wb.sheetnames == expected
    charts = charts_per_sheet(xlsx_bytes)
    for _, sheet in AREAS:
        assert charts[sheet] == 2, sheet
    assert charts["Framsida"] == 0


def test_xlsx_front_sheet_carries_every_filter(xlsx_bytes):
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))["Framsida"]
    pairs = front_rows(ws)
    assert pairs["Förvaltning"] == "Förskoleförvaltningen"
    assert pairs["Period"] == "1 januari–31 mars 2025"
    assert pairs["Jämförelseperiod"] == "1 oktober–31 december 2024"
    assert pairs["Kanal"] == "Telefon, Chatt"
    assert pairs["Stadsdel/stadsområde"] == "Öster"
    assert pairs["Dataversion"] == "42"
    assert pairs["Skapad"] == "2025-04-02 10:15"
    assert "5" in pairs["Gräns för små tal"]


def test_xlsx_numbers_formats_and_hidden_cells(xlsx_bytes):
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))
    ws = wb["Tillgänglighet"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    assert cells[1050].number_format == "#,##0"
    assert cells[0.61].number_format.startswith("0.0") and "%" in cells[0.61].number_format
    # text from data stays itself, in a string cell that never runs (no apostrophe)
    assert cells["=Parkering"].data_type == "s"
    assert not any(isinstance(v, str) and v.startswith("'") for v in cells)
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "<5" in texts and "Dolt" in texts
    assert ws.freeze_panes == "A4"
    for sheet in wb:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{sheet.title}!{c.coordinate}"


def _series_ranges(content: bytes) -> list[str]:
    """Every chart series' values and categories reference ('Blad'!$B$5:$B$8), from the chart XML."""
    z = zipfile.ZipFile(io.BytesIO(content))
    return [f.text for name in z.namelist() if name.startswith("xl/charts/chart")
            for f in ET.fromstring(z.read(name)).iter("{http://schemas.openxmlformats.org/drawingml/2006/chart}f")]


def test_every_column_a_chart_reads_has_a_swedish_header_and_no_column_is_hidden(xlsx_bytes):
    """The charts' helper data were unlabelled hidden columns (T–U) to the right of the charts:
    now every range a chart reads sits under a header, and a series with hidden cells reads the
    labelled sheet Diagramunderlag, with a blank where the table says "<5"."""
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))
    for ws in wb:
        assert not [k for k, d in ws.column_dimensions.items() if d.hidden], ws.title
    ranges = _series_ranges(xlsx_bytes)
    # 5 sheets, a line of 2 series and bars of 1, each series its name, categories and values
    assert len(ranges) == 5 * 3 * 3
    for ref in ranges:
        sheet, column, first, last = re.fullmatch(r"'?(.+?)'?!\$([A-Z]+)\$(\d+)(:\$[A-Z]+\$\d+)?",
                                                  ref).groups()
        header = wb[sheet][f"{column}{int(first) - (1 if last else 0)}"].value  # a name is its header
        assert isinstance(header, str) and header.strip(), ref
    data = wb["Diagramunderlag"]
    texts = [[c.value for c in row] for row in data.iter_rows()]
    assert texts[0][0] == "Diagramunderlag" and "dolda" in texts[1][0]
    # the first block: the weekly line's comparison (950, 950, <5, 950), under its chart's name
    assert texts[3][0] == "Tillgänglighet: Kontakter per vecka"
    assert texts[4][:2] == ["Vecka", "Jämförelseperioden"]
    assert [r[1] for r in texts[5:9]] == [950, 950, None, 950]
    # the bars' forwarded column (420, 300, <5), categories as in the table
    assert texts[10][0] == "Tillgänglighet: Överlämnade per kategori"
    assert texts[11][:2] == ["Ärendekategori", "Överlämnade"]
    assert [r[:2] for r in texts[12:15]] == [["Bygglov – handläggningstid", 420], ["Förskoleplats", 300],
                                             ["=Parkering", None]]
    assert all(c.data_type != "f" for row in data.iter_rows() for c in row)
    # the line's comparison series reads the block, its current series the table itself
    assert "Diagramunderlag!$B$6:$B$9" in ranges and "Tillgänglighet!$B$7:$B$10" in ranges
    front = wb["Framsida"]
    assert "Diagramunderlag" in [c.value for row in front.iter_rows(max_col=1) for c in row]


def test_xlsx_summary_keeps_numbers_with_signed_change(xlsx_bytes):
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))["Sammanfattning"]
    rows = {r[0].value: r for r in ws.iter_rows() if r[0].value}
    assert rows["Svarsandel"][1].value == 0.91
    assert rows["Svarsandel"][3].value == 3.0
    assert rows["Svarsandel"][3].number_format.startswith("+0.0")
    assert rows["Kostnad"][1].value == 1_234_567.0


def _pdf_pages(content: bytes, tmp_path) -> list[str]:
    path = tmp_path / "pack.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout
    return text.split("\f")[:-1]


def test_pdf_pages_headings_and_footers(pdf_bytes, tmp_path):
    pages = _pdf_pages(pdf_bytes, tmp_path)
    # cover and summary on pages of their own; the five areas and the definitions follow in
    # order, a chapter opening on the current page when 40 % of it is left (so this small
    # pack needs fewer pages than one per chapter)
    assert "Sammanfattning" not in pages[0] and pages[1].lstrip().startswith("Sammanfattning")
    assert len(pages) < 9  # with "Om data" last
    full = "\n".join(pages[1:])
    at = [full.index(h) for h in ("Sammanfattning", *[t for t, _ in AREAS], "Definitioner",
                                  "Om data")]
    assert at == sorted(at)
    for number, page in enumerate(pages, start=1):
        assert f"Sida {number} av {len(pages)}" in page
        footer = " ".join(page.strip().splitlines()[-3:])
        for value in ("Förskoleförvaltningen", "Period 1 januari–31 mars 2025",
                      "Kanal: Telefon, Chatt", "Stadsdel/stadsområde: Öster", "Dataversion 42"):
            assert value in footer, (number, value)


def test_pdf_swedish_letters_and_formats(pdf_bytes, tmp_path):
    full = "\n".join(_pdf_pages(pdf_bytes, tmp_path))
    assert "Inledning med å, ä och ö." in full
    assert "1,2 mnkr" in full and "2,3 årsarbetare" in full
    assert "91,0 %" in full and "+3,0 procentenheter" in full
    assert "<5" in full and "Dolt" in full
    assert "=Parkering" in full and "'=Parkering" not in full  # no spreadsheet quoting in a PDF


def test_pdf_data_chapter_has_the_data_sheets_tables_and_the_latest_ingests(pdf_bytes, xlsx_bytes,
                                                                           tmp_path):
    """"Om data" closes the PDF: data quality (hidden cells as in the sheet, with their reason),
    the source systems and the ten latest of the ingests, saying that the sheet Data lists all
    fifty; the sheet keeps them all."""
    pages = _pdf_pages(pdf_bytes, tmp_path)
    full = "\n".join(pages)
    chapter = full[full.rindex("Om data"):]
    lines = [" ".join(line.split()) for line in chapter.splitlines()]
    assert "telefoni 1 234 2,1 % 10,5 %" in lines and "e-post 3 <5 Dolt" in lines
    assert "Färre än 5" in chapter  # why the cells are hidden
    assert "telefoni 30 31 500 rader 2025-03-31 02:00" in lines
    assert "Inläsningar (senaste 10)" in lines and "Inläsningar (senaste 50)" not in chapter
    listed = [line for line in lines if line.startswith("telefoni samtal-")]
    assert listed == [f"telefoni samtal-{d:%Y%m%d}.csv telia {1000 + i:,} rader {i % 3} "
                      f"{'rad' if i % 3 == 1 else 'rader'} "
                      f"{d:%Y-%m-%d} 02:00".replace(",", " ")
                      for i, d in enumerate(date(2025, 3, 31) - timedelta(days=i)
                                            for i in range(10))]
    assert "De 10 senaste av de 50 inläsningar som bladet Data i Excel-filen listar." in \
        " ".join(lines)
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))["Data"]
    files = [r[1] for r in ws.iter_rows(values_only=True) if str(r[1]).startswith("samtal-")]
    assert len(files) == INGESTS
    # the quarantined rows stay numbers; one of them reads "1 rad", the others "N rader"
    quarantined = [r[4] for r in ws.iter_rows() if str(r[1].value).startswith("samtal-")]
    assert {c.value for c in quarantined} == {0, 1, 2}
    assert {c.number_format for c in quarantined} == {'[=1]0"\u00a0rad";#,##0"\u00a0rader"'}


def test_pdf_renders_to_png(pdf_bytes, tmp_path):
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "3", str(path),
                    str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == 3 and all(p.stat().st_size > 2000 for p in pngs)


def test_pdf_is_a4_and_swedish(pdf_bytes, tmp_path):
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf_bytes)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True,
                          text=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert b"/Lang (sv-SE)" in pdf_bytes
    assert b"DejaVuSans" in pdf_bytes


# ---------------------------------------------------------------- chart labels in the PDF

LONG_NAMES = ("Arbetsmarknads- och socialförvaltningen", "Stadsbyggnadsförvaltningen",
              "Status i ärende om ekonomiskt bistånd och försörjningsstöd för barnfamiljer",
              "Gymnasie- och vuxenutbildningsförvaltningen", "Kort")


def _long_label_charts() -> list[Chart]:
    """Charts whose categories and axis titles are longer than their room (the PDF cut them
    with "…" before)."""
    table = Table("Överlämnade", (
        Column("name", "Förvaltning eller ärendekategori som kontakten gällde"),
        Column("cur", "Överlämnade till förvaltning under perioden", "count"),
        Column("prev", "Jämförelseperioden", "count")),
        tuple((n, 40 + 9 * i, HIDDEN if i == 2 else 30) for i, n in enumerate(LONG_NAMES)))
    weeks = Table("Per vecka", (
        Column("week", "Vecka från (måndag i veckan som kontakterna kom in)"),
        Column("cur", "Antal kontakter per vecka i alla kanaler tillsammans", "count")),
        tuple((date(2025, 1, 6) + timedelta(weeks=i), 100 + 5 * i) for i in range(9)))
    title = "Överlämnade ärenden per förvaltning och ärendekategori, perioden och jämförelseperioden"
    # short labels under an axis title wider than them ("Stadsområde" stood left of the page)
    areas = Table("Per område", (Column("area", "Stadsområde"), Column("n", "Kontakter", "count")),
                  (("Norr", 12), ("Öster", 30)))
    return [Chart(title, table, "name", ("cur", "prev"), "bar", ("prev",)),
            Chart(title, table, "name", ("cur",), "column"),
            Chart(title, weeks, "week", ("cur",), "line"),
            Chart("Kontakter", areas, "area", ("n",), "bar")]


def _texts(drawing) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every text of a chart drawing with its box in the drawing (rotated titles turned)."""
    from reportlab.graphics.shapes import Group, String

    out = []
    for item in drawing.contents:
        strings = item.contents if isinstance(item, Group) else [item]
        if all(isinstance(s, String) for s in strings) and strings:
            out.append((" ".join(s.text for s in strings), item.getBounds()))
    return out


@pytest.mark.parametrize("chart", _long_label_charts(),
                         ids=["bar", "column", "line", "short_bar"])
def test_pdf_chart_texts_are_whole_inside_the_chart_and_apart(chart):
    """Each category label, the chart's title and both axis titles are there in full, in lines
    (wrapped between words) that lie inside the drawing and overlap no other text."""
    from dashboard.export.fonts import register_fonts
    from dashboard.export.pdf_charts import draw_chart
    from dashboard.export.pdf_layout import BODY_W

    register_fonts()
    d = draw_chart(chart, BODY_W)
    texts = _texts(d)
    assert not [t for t, _ in texts if "…" in t]
    lines = [t for t, _ in texts]
    j = chart.table.column_index(chart.category)
    names = [row[j] for row in chart.table.rows if isinstance(row[j], str)]
    for text in (chart.title, chart.category_title, chart.value_title, *names):
        assert _is_run(lines, text), text
    for text, (x0, y0, x1, y1) in texts:
        assert -0.5 <= x0 and x1 <= d.width + 0.5 and -0.5 <= y0 and y1 <= d.height + 0.5, text
    for i, (a, box_a) in enumerate(texts):
        for b, box_b in texts[i + 1:]:
            overlap_w = min(box_a[2], box_b[2]) - max(box_a[0], box_b[0])
            overlap_h = min(box_a[3], box_b[3]) - max(box_a[1], box_b[1])
            assert overlap_w < 0.5 or overlap_h < 0.5, (a, b)


def _is_run(lines: list[str], wanted: str) -> bool:
    """Some consecutive texts of the drawing are `wanted`'s lines (a wrapped label's lines are
    drawn one after the other)."""
    return any(" ".join(lines[i:j]) == wanted
               for i in range(len(lines)) for j in range(i + 1, len(lines) + 1))


def test_a_wide_tables_words_fit_their_columns():
    """The city's service-gap ledger (seven columns, long names): every word of the header and
    of the cells fits its column (reportlab broke "Kontakte r" and "Återkommand e" when the
    words did not), the table at a smaller size than the usual 7.8 pt and as wide as the body."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from dashboard.export.fonts import BOLD, REGULAR, register_fonts
    from dashboard.export.pdf_layout import BODY_W, pdf_table

    register_fonts()
    ledger = Table("Serviceglapp: ärenden som lämnas vidare", (
        Column("department", "Förvaltning"), Column("topic", "Ärendekategori"),
        Column("contacts", "Kontakter", "count"),
        Column("forwarded", "Överlämnade till förvaltning", "count"),
        Column("rate", "Överlämnat till förvaltning", "share"),
        Column("repeat", "Återkommande kontakter", "share"),
        Column("solved", "Löst av kontaktcenter", "share")),
        (("Gymnasie- och vuxenutbildningsförvaltningen", "Parkering och parkeringstillstånd",
          12_345, 1_234, 0.667, 0.111, 0.299),
         ("Stadsbyggnadskontoret", "Bygglov och anmälan", 98, 40, 0.606, 0.057, 0.394)))
    grid = pdf_table(ledger)
    widths = grid._colWidths
    assert abs(sum(widths) - BODY_W) < 0.01
    header, *rows = grid._cellvalues
    size = header[0].style.fontSize
    for j, cell in enumerate(header):
        words = cell.text.split() + [w for row in rows for w in
                                     (row[j].text if hasattr(row[j], "text") else row[j]).split()]
        for word in words:
            font = BOLD if word in cell.text.split() else REGULAR
            assert stringWidth(word, font, size) <= widths[j] - 6, (word, widths[j])
    assert size < 7.8


@pytest.mark.parametrize("kind", ["bar", "column"])
def test_a_pdf_chart_with_every_value_hidden_says_so_in_words(kind):
    """Funktionsstödsförvaltningen's "Onödig efterfrågan per orsak (härledd)" drew an empty 0–1
    axis with only hidden labels: it now says, as the dashboard does, that every bar is hidden."""
    from reportlab.graphics.shapes import Line, Rect

    from dashboard.export.fonts import register_fonts
    from dashboard.export.pdf_charts import draw_chart
    from dashboard.export.pdf_layout import BODY_W

    register_fonts()
    table = Table("Per orsak", (Column("reason", "Orsak"), Column("n", "Onödiga kontakter", "count")),
                  (("Status i ärende", HIDDEN), ("Fel kanal", Hidden("complementary", "count", 5))))
    d = draw_chart(Chart("Onödig efterfrågan per orsak (härledd)", table, "reason", ("n",), kind), BODY_W)
    texts = " ".join(t for t, _ in _texts(d))
    assert texts.startswith("Onödig efterfrågan per orsak (härledd)")
    assert "Alla staplar är dolda: för få kontakter per stapel för att visas." in texts
    assert "se tabellen" in texts and "<5" not in texts
    assert not [s for s in d.contents if isinstance(s, (Line, Rect))]  # no axes
    # one value shown: the chart is drawn
    shown = Table("Per orsak", table.columns, (("Status i ärende", 7), table.rows[1]))
    assert [s for s in draw_chart(Chart("t", shown, "reason", ("n",), kind), BODY_W).contents
            if isinstance(s, Line)]


def test_an_xlsx_chart_with_every_value_hidden_says_so_in_its_title():
    """Its native chart stays linked to the cells, empty: the title says why, as the PDF does."""
    from dataclasses import replace

    pack = make_pack()
    table = Table("Per orsak", (Column("reason", "Orsak"), Column("n", "Onödiga kontakter", "count")),
                  (("Status i ärende", HIDDEN), ("Fel kanal", Hidden("complementary", "count", 5))))
    first = replace(pack.sections[0], tables=(*pack.sections[0].tables, table),
                    charts=(*pack.sections[0].charts,
                            Chart("Onödig efterfrågan per orsak (härledd)", table, "reason", ("n",), "bar")))
    z = zipfile.ZipFile(io.BytesIO(render_xlsx(replace(pack, sections=(first, *pack.sections[1:])))))
    titles = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    said = [t for t in titles if "Alla staplar är dolda: för få kontakter per stapel för att visas." in t]
    assert len(said) == 1 and "Onödig efterfrågan per orsak (härledd)" in said[0]

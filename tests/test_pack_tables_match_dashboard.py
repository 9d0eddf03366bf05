"""The pack's tables that the dashboard also shows as a table (a chart's "Visa som tabell", or a
table block) have the same rows and, cell by cell, the same figures: XLSX cells read in their
unit, and the PDF row (pdftotext) with the XLSX row's texts. Where the two differ in shape, the
figures both show are compared, and the test says which (tests/pack_support.py has the filter:
a small department in one month, so hidden cells occur).

Compared: Per kanal, Kontakter per vecka, the Serviceglapp ledger (and the summary's largest
gaps), Onödig efterfrågan per orsak (tagged and inferred), Självservice, the drivers of failure
demand, the service points' topics, the flagged groups (for a förvaltning that has one) and
the data quality per source system (the PDF's chapter "Om data")."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import polars as pl

from apptest_support import open_page, problems
from dashboard.domain import DIMENSION_LABELS, dimension_text, label_for
from dashboard.export.pack_sections import TOP, _reason_tables
from dashboard.export.pdf_pack import DATA_TITLE
from dashboard.export.xlsx_pack import DATA
from dashboard.navigation import title_of
from dashboard.ui.demand import REASON_LABELS
from pack_support import (HIDDEN_TEXTS, QUERY, UNCERTAIN, app, labels_to_ids, pack, pack_of,  # noqa: F401
                          pdf_row, pdf_section, pdf_text, pdf_text_of, read, screen_frame,
                          screen_frames, sheet_table, workbook, workbook_of)

MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def _date_text(value) -> str:
    """A date as the screen's table writes it ("3 mar 2025")."""
    value = value.date() if isinstance(value, datetime) else value
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _pack_rows(ws, title: str, units: dict[str, str | None]) -> list[dict[str, str]]:
    """The XLSX table's rows in order, each column (of `units`) as the screen writes it."""
    header, rows = sheet_table(ws, title)
    out = []
    for cells in rows.values():
        by_column = dict(zip(header, cells))
        out.append({c: _date_text(by_column[c].value) if isinstance(by_column[c].value, date)
                    else read(by_column[c], unit) for c, unit in units.items()})
    return out


def _screen_rows(frame, columns: dict[str, str]) -> list[dict[str, str]]:
    """The screen table's rows in order, screen column -> the pack's column name; an uncertain
    value keeps its mark ("100,0 % (osäker)"), which the pack's cell must carry too (read)."""
    return [{pack_column: str(r[screen_column])
             for screen_column, pack_column in columns.items()}
            for r in frame.to_dict("records")]


def _uncertain(rows: list[dict[str, str]]) -> int:
    return sum(text.endswith(UNCERTAIN) for r in rows for text in r.values())


def _hidden(rows: list[dict[str, str]]) -> int:
    return sum(text in HIDDEN_TEXTS for r in rows for text in r.values())


def _pdf_table(pdf_text, pack, sheet: str, title: str, first_column: str,  # noqa: F811
               rows: list[dict[str, str]]) -> None:
    """Each row is a line of the PDF table: its first cell, then the others in order."""
    section = None if sheet == "Sammanfattning" else \
        {DATA: DATA_TITLE, **{s.sheet_name: s.title for s in pack.sections}}[sheet]
    lines = pdf_section(pdf_text, section, title, first_column)
    for r in rows:
        label, *cells = r.values()
        pdf_row(lines, label, cells)


def test_channels_on_screen_equal_the_pack(app, pack, workbook, pdf_text):  # noqa: F811
    """Tillgänglighet's channel shares (Kanalfördelning) are the pack's "Per kanal" column: the
    chart is fetched as the pack's table (pack_sections.table_set), so a phone row the table
    hides (its calls would give back a small chat count) is hidden on the screen too. The screen
    ranks by share, the pack by contacts: the same rows, in another order."""
    frame = screen_frame(app, "screens/accessibility.py", ["Kanal", "Kanalandel"],
                         "tbl_acc_channels")
    screen = _screen_rows(frame, {"Kanal": "Kanal", "Kanalandel": "Kanalandel"})
    units = {"Kanal": None, "Kontakter": "count", "Kanalandel": "share", "Svarsandel": "share",
             "Genomsnittlig väntetid till svar (ASA)": "seconds",
             "Genomsnittlig handläggningstid (AHT)": "seconds"}
    rows = _pack_rows(workbook["Tillgänglighet"], "Per kanal", units)
    key = {r["Kanal"]: r["Kanalandel"] for r in screen}
    assert {r["Kanal"]: r["Kanalandel"] for r in rows} == key
    assert len(key) == len(screen) and _hidden(screen) and not all(
        text in HIDDEN_TEXTS for text in key.values())
    _pdf_table(pdf_text, pack, "Tillgänglighet", "Per kanal", "Kanal", rows)


def test_contacts_per_week_on_screen_equal_the_pack(app, pack, workbook, pdf_text):  # noqa: F811
    """The overview's contacts trend in weeks (the period's days are too few to draw, so the
    trend's grain rule picks weeks) against the pack's "Kontakter per vecka": both are the
    period's whole weeks (Monday to Sunday) by their Monday, the same weeks and counts. The
    comparison column is the chart's dashed line in both: March 2025's whole weeks are 3–30
    March, the 31 days before (29 January–28 February) hold the whole weeks 3–23 February, laid
    four weeks on (3 February beside 3 March: in the pack as on screen), and the fourth
    week has none."""
    compared = "Kontakter, föregående period (3–23 februari 2025)"
    frame = screen_frame(app, "screens/overview.py",
                         ["Vecka", "Kontakter", "Vecka i föregående period", compared], "tbl_ov_trend")
    screen = _screen_rows(frame, {"Vecka": "Vecka från", "Kontakter": "Perioden",
                                  compared: "Jämförelseperioden"})
    assert [r["Vecka i föregående period"] for r in frame.to_dict("records")] == [
        "3 feb 2025", "10 feb 2025", "17 feb 2025", "–"]
    ws = workbook["Tillgänglighet"]
    rows = _pack_rows(ws, "Kontakter per vecka", {"Vecka från": None, "Perioden": "count",
                                                   "Jämförelseperioden": "count"})
    assert len(screen) == 4 and screen[3]["Jämförelseperioden"] == "–"
    assert rows == screen
    _pdf_table(pdf_text, pack, "Tillgänglighet", "Kontakter per vecka", "Vecka", rows)


LEDGER_UNITS = {"Ärendekategori": None, "Kontakter": "count",
                "Överlämnade till förvaltning": "count", "Överlämnat till förvaltning": "share",
                "Återkommande kontakter": "share", "Löst av kontaktcenter": "share"}


def test_service_gap_ledger_on_screen_equals_the_pack(app, pack, workbook, pdf_text):  # noqa: F811
    """Serviceglapp's ledger (one förvaltning: no department column; its rank is the row order)
    and the pack's: the same topics in the same order, the same cells."""
    screen, rows = _compare_ledger(app, pack, workbook, pdf_text)
    assert _hidden(screen)


def _compare_ledger(at, pack, workbook, pdf_text):  # noqa: F811
    """The Serviceglapp page's ledger against the pack's, XLSX and PDF: (screen rows, pack rows)."""
    columns = ["Plats", *LEDGER_UNITS]
    frame = screen_frame(at, "screens/service_gaps.py", columns)
    assert frame["Plats"].astype(int).tolist() == list(range(1, len(frame) + 1))
    screen = _screen_rows(frame, {c: c for c in LEDGER_UNITS})
    title = "Serviceglapp: ärenden som lämnas vidare"
    rows = _pack_rows(workbook["Serviceglapp"], title, LEDGER_UNITS)
    assert rows == screen[:TOP] and len(rows) >= 3
    _pdf_table(pdf_text, pack, "Serviceglapp", title, "Ärendekategori", rows)
    return screen, rows


# Kulturförvaltningen in January 2025: one ledger value under its statistical minimum
UNSURE_START, UNSURE_END = date(2025, 1, 1), date(2025, 1, 31)


def test_an_uncertain_value_is_marked_alike_on_screen_and_in_the_pack(sample_con, sample_db,
                                                                      monkeypatch, tmp_path):
    """A value under its statistical minimum reads "… (osäker)" in the screen's table, and in
    the pack's cell: the PDF prints the screen's text, the XLSX keeps a number whose number
    format writes the mark (pack_support.read); the table's note names its row. Every table
    comparison here holds the marks to the screen's (a screen "(osäker)" ⇔ a pack mark)."""
    office = pack_of(sample_con, start=UNSURE_START, end=UNSURE_END)
    book, text = workbook_of(office), pdf_text_of(office, tmp_path / "unsure.pdf")
    at = open_page(sample_db, monkeypatch, "service_gaps.py",
                   {**QUERY, "from": UNSURE_START.isoformat(), "to": UNSURE_END.isoformat()})
    screen, rows = _compare_ledger(at, office, book, text)
    assert _uncertain(screen) >= 1 and _uncertain(rows) == _uncertain(screen[:TOP])
    unsure = [(r["Ärendekategori"], c) for r in rows for c, v in r.items() if v.endswith(UNCERTAIN)]
    title = "Serviceglapp: ärenden som lämnas vidare"
    header, cells = sheet_table(book["Serviceglapp"], title)
    notes = " ".join(r[0].value for r in book["Serviceglapp"].iter_rows()
                     if isinstance(r[0].value, str) and r[0].font.i)
    in_pdf = " ".join(text.split())
    for topic, column in unsure:
        cell = cells[topic][header.index(column)]
        assert isinstance(cell.value, (int, float)) and cell.data_type == "n", cell
        # the note names the row and the column: '”(osäker)” (Bygglov): Svarsandel bygger på …'
        for said in (notes, in_pdf):
            assert any(topic in part[:200] and column in part[:300]
                       for part in said.split("”(osäker)”")[1:]), (topic, column, said)


def test_largest_gaps_on_the_overview_equal_the_summary(app, pack, workbook,  # noqa: F811
                                                         pdf_text):  # noqa: F811
    """The overview's most forwarded topics (top 5 of the ledger) are the summary's "Största
    serviceglappen" (its columns: no contacts, no resolved share)."""
    units = {c: LEDGER_UNITS[c] for c in ("Ärendekategori", "Överlämnade till förvaltning",
                                          "Överlämnat till förvaltning", "Återkommande kontakter")}
    frame = screen_frame(app, "screens/overview.py", ["Förvaltning", *LEDGER_UNITS],
                         "tbl_ov_gaps")
    assert set(frame["Förvaltning"]) == {"Kulturförvaltningen"}
    screen = _screen_rows(frame, {c: c for c in units})
    rows = _pack_rows(workbook["Sammanfattning"], "Största serviceglappen", units)
    assert rows == screen and _hidden(rows)
    _pdf_table(pdf_text, pack, "Sammanfattning", "Största serviceglappen", "Ärendekategori",
               rows)


def test_failure_reasons_on_screen_equal_the_pack(app, pack, workbook, pdf_text):  # noqa: F811
    """Onödig efterfrågan per orsak, tagged and inferred apart (the screen's tagged chart comes
    first): the same reasons in the same order, the same counts and shares. The screen's
    "Underlag" column (the base) is not in the pack."""
    columns = ["Orsak", "Kontakter", "Underlag", "Andel av underlaget",
               "Andel av den onödiga efterfrågan"]
    frames = screen_frames(app, "screens/failure_demand.py", columns, "tbl_fd_reasons_False",
                           "tbl_fd_reasons_True")
    assert len(frames) == 2
    named = {"Orsak": "Orsak", "Kontakter": "Kontakter",
             "Andel av underlaget": "Andel av underlaget",
             "Andel av den onödiga efterfrågan": "Andel av onödig efterfrågan"}
    units = {"Orsak": None, "Kontakter": "count", "Andel av underlaget": "share",
             "Andel av onödig efterfrågan": "share"}
    hidden = 0
    for frame, title in zip(frames, ("Onödig efterfrågan per orsak (taggad)",
                                     "Onödig efterfrågan per orsak (härledd ur regler)")):
        screen = _screen_rows(frame, named)
        rows = _pack_rows(workbook["Onödig efterfrågan"], title, units)
        assert rows == screen, title
        hidden += _hidden(rows)
        _pdf_table(pdf_text, pack, "Onödig efterfrågan", title, "Orsak", rows)
    assert hidden


def test_a_reason_left_out_reads_alike_in_the_pack_and_on_screen():
    """Failure demand tagged without a reason (none in the fixture's month): the pack's row, the
    screen's table cell (ui.tables: dimension_text) and its chart's bar have one label."""
    frame = pl.DataFrame({"reason": [None, "progress_chasing"], "inferred": [False, False],
                          "failures": [7, 9], "share": [0.1, 0.2],
                          "share_of_failure": [0.4, 0.6]})
    tagged, _ = _reason_tables(frame, SimpleNamespace(threshold=5))
    on_screen = dimension_text("failure_reason", None)
    assert [r[0] for r in tagged.rows] == [on_screen, label_for("failure_reason",
                                                                "progress_chasing")]
    assert REASON_LABELS[None] == on_screen != "Uppgift saknas"


def test_self_service_on_screen_equals_the_pack(app, pack, workbook, pdf_text):  # noqa: F811
    """Självservice: the same topics in the same order (the pack's first 15), the same contacts
    and phone share. The pack's phone and e-service counts and the screen's e-service share,
    phone time and flag are each one side's only."""
    columns = ["Ärendekategori", "Förvaltning", "Kontakter", "Andel via telefon",
               "Andel via e-tjänst", "Telefontid (timmar)", "Mest telefon"]
    frame = screen_frame(app, "screens/failure_demand.py", columns)
    screen = _screen_rows(frame, {"Ärendekategori": "Ärendekategori", "Kontakter": "Kontakter",
                                  "Andel via telefon": "Andel telefon"})
    title = "Självservice: ärenden med e-tjänst, mest per telefon först"
    ws = workbook["Onödig efterfrågan"]
    units = {"Ärendekategori": None, "Kontakter": "count", "Andel telefon": "share"}
    assert _pack_rows(ws, title, units) == screen[:TOP]
    assert _hidden(screen)
    rows = _pack_rows(ws, title, {"Ärendekategori": None, "Kontakter": "count",
                                  "Telefon": "count", "E-tjänst": "count",
                                  "Andel telefon": "share"})
    _pdf_table(pdf_text, pack, "Onödig efterfrågan", title, "Ärendekategori", rows)


def test_drivers_on_screen_equal_the_pack(app, pack, workbook, pdf_text):  # noqa: F811
    """The Förvaltning page's tagged drivers of failure demand are the pack's rows marked
    "taggad" (the pack lists the inferred ones too, marked "härledd"), in rank order."""
    columns = ["Plats", "Ärendekategori", "Orsak", "Kontakter", "Andel av onödig efterfrågan",
               "Jämförelseperioden"]
    frame = screen_frame(app, "screens/department.py", columns, "tbl_dep_drivers")
    screen = _screen_rows(frame, {c: c for c in columns})
    units = {"Plats": "integer", "Ärendekategori": None, "Orsak": None, "Underlag": None,
             "Kontakter": "count", "Andel av onödig efterfrågan": "share",
             "Jämförelseperioden": "count"}
    title = "De största drivarna av onödig efterfrågan"
    rows = _pack_rows(workbook[title_of("department.py")], title, units)
    tagged = [{c: r[c] for c in columns} for r in rows if r["Underlag"] == "taggad"]
    assert tagged == screen and _hidden(screen)
    _pdf_table(pdf_text, pack, title_of("department.py"), title, "Plats", rows)


def test_service_point_topics_on_screen_equal_the_pack(app, pack, workbook, pdf_text):  # noqa: F811
    """Lokal service's topics of the chosen service point (its table view) hold each row of the
    pack's "Vanligaste ärenden på servicepunkterna" (the pack's 15 largest over all points):
    the same contacts and share of the point's contacts."""
    title = "Vanligaste ärenden på servicepunkterna"
    units = {"Servicepunkt": None, "Ärendekategori": None, "Kontakter": "count",
             "Andel av punktens kontakter": "share"}
    assert sheet_table(workbook["Lokal service"], title)[0] == list(units)
    rows = _pack_rows(workbook["Lokal service"], title, units)
    assert rows and _hidden(rows)
    app.switch_page("screens/local_service.py").run()
    for r in rows:
        app.selectbox(key="pc_point").set_value(r["Servicepunkt"]).run()
        frame = screen_frame(app, "screens/local_service.py",
                             ["Ärendekategori", "Kontakter", "Andel"], "tbl_ls_point_topics")
        assert app.selectbox(key="pc_point").value == r["Servicepunkt"]
        screen = {t["Ärendekategori"]: t for t in _screen_rows(frame, {
            "Ärendekategori": "Ärendekategori", "Kontakter": "Kontakter",
            "Andel": "Andel av punktens kontakter"})}
        assert {"Servicepunkt": r["Servicepunkt"], **screen[r["Ärendekategori"]]} == r
    _pdf_table(pdf_text, pack, "Lokal service", title, "Servicepunkt", rows)


GROUPS_OFFICE = "Stadskontoret"  # a förvaltning with a flagged group in the month
# its groups are compared with the rest of the förvaltning, not the rest of the city
GROUPS = "Grupper som får tydligt sämre service än resten av förvaltningen"
REST = "Resten av förvaltningen"


def test_flagged_groups_on_screen_equal_the_pack(sample_con, sample_db, monkeypatch, tmp_path):
    """The groups flagged as clearly worse served than the rest of the city (for a förvaltning
    that has one in the month: Kulturförvaltningen has none). The pack's rows are the
    overview's list (all of it: it shows up to five), and each is the Serviceglapp group table's
    row for its dimension and measure, marked flagged: share, rest of the city, difference (in
    percentage points in both) and base."""
    office = pack_of(sample_con, GROUPS_OFFICE)
    ws = workbook_of(office)["Serviceglapp"]
    units = {"Grupp": None, "Mått": None, "Underlag": "count", "Gruppen": "share",
             REST: "share", "Skillnad": "points"}
    rows = _pack_rows(ws, GROUPS, units)
    assert 1 <= len(rows) <= 5
    text = pdf_text_of(office, tmp_path / "office.pdf")
    _pdf_table(text, office, "Serviceglapp", GROUPS, "Grupp", rows)

    query = {**QUERY, "department": GROUPS_OFFICE}
    overview = open_page(sample_db, monkeypatch, "overview.py", query)
    listed = [m.value for m in overview.markdown if m.value.startswith("- **")]
    dimensions = {name: d for d, name in DIMENSION_LABELS.items()}
    metrics = labels_to_ids()
    expected = []
    for r in rows:
        name, group = r["Grupp"].split(": ", 1)
        expected.append(f"- **{group}** ({name.lower()}): {r['Mått'].lower()} {r['Gruppen']} "
                        f"mot {r[REST]} i resten av förvaltningen")
        dimension = dimensions[name]
        at = open_page(sample_db, monkeypatch, "service_gaps.py",
                       {**query, "equity": dimension, "measure": metrics[r["Mått"]],
                        "table": "sg_equity"})
        assert problems(at) == []
        frames = [d.value for d in [*at.dataframe, *at.table] if "Flaggad" in d.value.columns]
        on_screen = {g["name"]: g for g in _screen_rows(frames[0], {
            name: "name", "Andel": "Gruppen", REST: REST,
            "Skillnad": "Skillnad", "Underlag (kontakter)": "Underlag", "Flaggad": "Flaggad"})}
        assert on_screen[group] == {"name": group, "Gruppen": r["Gruppen"],
                                    REST: r[REST],
                                    "Skillnad": r["Skillnad"], "Underlag": r["Underlag"],
                                    "Flaggad": "Ja"}, r
    assert sorted(listed) == sorted(expected)


def test_data_quality_on_screen_equals_the_pack(app, pack, workbook, pdf_text):  # noqa: F811
    """Datakvalitet's shares of missing fields per source system are the pack's data-quality
    table (XLSX sheet Data, the PDF's chapter "Om data"). The page's key figures (the same
    shares over all sources, with their change) are in no "Nyckeltal" table of the pack. Filtered
    to one förvaltning, neither shows "Utan förvaltning" (0 by construction), and both say why."""
    columns = ["Källsystem", "Kontakter", "Utan ärendekategori", "Utan utfall", "Utan efterfrågetyp"]
    frame = screen_frame(app, "screens/data_quality.py", columns)
    why = "Utan förvaltning visas inte när urvalet är filtrerat på förvaltning"
    assert [c.value for c in app.caption if why in c.value]
    assert [m.label for m in app.metric] == columns[2:]
    assert why in " ".join(" ".join(str(c) for c in row if c)
                           for row in workbook[DATA].iter_rows(values_only=True))
    screen = _screen_rows(frame, {c: c for c in columns})
    units = {c: "share" for c in columns[2:]} | {"Källsystem": None, "Kontakter": "count"}
    title = "Datakvalitet per källsystem i urvalet"
    rows = _pack_rows(workbook[DATA], title, units)
    assert rows == screen and rows
    in_order = [{c: r[c] for c in columns} for r in rows]  # the table's column order
    _pdf_table(pdf_text, pack, DATA, title, "Källsystem", in_order)

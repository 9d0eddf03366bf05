"""The förvaltning pack and the dashboard show one set of numbers for the same filter: every
figure of the pack's key-figure tables, scorecard, service-point and residents tables, read back
from the XLSX cells and from the PDF's text (pdftotext), equals what the dashboard draws
(AppTest) for a small department in one month (so hidden cells occur): the same value, unit,
hidden text, change and better/worse word ("oförändrat" too, for a förvaltning that has one).
The pack's other tables against the screen's table views:
tests/test_pack_tables_match_dashboard.py; fixtures and readers: tests/pack_support.py."""

from __future__ import annotations

import re

import pytest

from apptest_support import open_page, problems
from dashboard.config import Settings
from dashboard.export.pack_tables import scorecard_title
from dashboard.navigation import TITLES, title_of
from dashboard.metrics import registry
from pack_support import (DEPT, DELTA_UNITS, HIDDEN_TEXTS, QUERY, app, labels_to_ids,  # noqa: F401
                          pack, pack_of, pdf_key_figures, pdf_row, pdf_text, pdf_text_of, read,
                          sheet_table, workbook, workbook_of)


SCORECARD_SHEET = title_of("department.py")  # the scorecard's page names its sheet


def _scorecard_screen(at) -> dict[str, dict[str, str]]:
    at.switch_page("screens/department.py").run()
    assert problems(at) == []
    frames = [d.value for d in [*at.dataframe, *at.table] if "Bedömning" in d.value.columns]
    assert frames, "the Förvaltning page shows no scorecard"
    frame = frames[0]
    return {r["Mått"]: dict(r) for r in frame.to_dict("records")}


def _compare_scorecard(at, workbook, pdf_text, department: str = DEPT) -> list[str]:
    """The Förvaltning page's scorecard against the pack's, row by row and cell by
    cell, XLSX and PDF; the screen's texts."""
    screen = _scorecard_screen(at)
    header, rows = sheet_table(workbook[SCORECARD_SHEET], scorecard_title(department))
    assert header == ["Mått", "Perioden", "Jämförelseperioden", "Förändring", "Bedömning",
                      "Hela staden"]
    assert set(rows) == set(screen), "the pack and the screen list different figures"
    ids = labels_to_ids()
    # the scorecard carries kronor and årsarbetare
    assert {"failure_demand_cost_sek", "failure_demand_fte"} <= {ids[label] for label in rows}
    texts = []
    for label, cells in rows.items():
        unit = registry.get(ids[label]).unit
        pack_texts = [read(cells[1], unit), read(cells[2], unit),
                      read(cells[3], DELTA_UNITS.get(unit, "relative")), read(cells[4], None),
                      read(cells[5], unit)]
        on_screen = [screen[label][h] for h in header[1:]]
        assert pack_texts == on_screen, label
        texts += on_screen
        pdf_row(pdf_text, label, on_screen)
    return texts


def test_scorecard_on_screen_equals_the_pack_xlsx_and_pdf(app, pack, workbook, pdf_text):
    texts = _compare_scorecard(app, workbook, pdf_text)
    assert any(t in HIDDEN_TEXTS for t in texts), "the fixture should exercise hidden cells"
    # the note under it, which names the rows of its uncertain and hidden cells, is the pack's
    table = next(t for s in pack.sections for t in s.tables if t.title == scorecard_title(DEPT))
    assert "(osäker)" in table.full_note and "Dolt" in table.full_note
    assert table.full_note in [c.value for c in app.caption]


def test_index_changes_in_index_units_in_both(app, workbook):
    screen = _scorecard_screen(app)
    label = registry.get("satisfaction_index").label_for(Settings())
    _, rows = sheet_table(workbook[SCORECARD_SHEET], scorecard_title(DEPT))
    change = screen[label]["Förändring"]
    assert change.endswith("indexenheter") or change in ("Dolt", "–"), change
    assert rows[label][3].value is None or isinstance(rows[label][3].value, (int, float))
    assert "indexenheter" in rows[label][3].number_format or rows[label][3].value is None


# The plan areas' pages and the pack's sheets and chapters for them.
AREA_PAGES = ("screens/accessibility.py", "screens/service_gaps.py", "screens/failure_demand.py",
              "screens/local_service.py", "screens/department.py")


@pytest.mark.parametrize("page", AREA_PAGES)
def test_the_pack_calls_a_page_what_the_dashboard_calls_it(app, pack, workbook, pdf_text, page):
    """The page's heading on screen is the name of its sheet in the XLSX and begins its chapter's
    heading in the PDF (a user looking for "Serviceglapp" found "Rättighetsbaserad service")."""
    app.switch_page(page).run()
    assert problems(app) == []
    title = app.title[0].value
    assert title in workbook.sheetnames, (title, workbook.sheetnames)
    chapter = next(s.title for s in pack.sections if s.sheet_name == title)
    assert chapter.startswith(title)
    assert chapter in [line.strip() for line in pdf_text.splitlines()], chapter


def test_every_sheet_and_chapter_of_a_plan_area_is_named_by_its_page(pack):
    """The pack's plan areas take their names from dashboard/navigation.py, the one place a
    page's title lives: the sheet is the page's title and the chapter begins with it (then the
    development plan's name where it differs); the scorecard's area is the Förvaltning page's
    (its sheet and chapter were "Samarbetsprocess")."""
    for section in pack.sections:
        assert section.sheet_name in TITLES.values(), section.sheet_name
        assert section.title.startswith(section.sheet_name), section.title
    scorecard = next(s for s in pack.sections
                     if any(t.title == scorecard_title(DEPT) for t in s.tables))
    assert scorecard.sheet_name == title_of("department.py") == "Förvaltning"
    assert scorecard.title == "Förvaltning (samarbetsprocess)"


def test_the_scorecard_is_called_as_on_screen(app, workbook, pdf_text):
    """The Förvaltning page's scorecard heading ("Resultatkort för Kulturförvaltningen") is the
    pack's table title, in the XLSX and the PDF (it was "Styrkort")."""
    app.switch_page("screens/department.py").run()
    assert problems(app) == []
    headings = [m.value.strip("*") for m in app.markdown
                if m.value.startswith("**") and "Resultatkort" in m.value]
    assert headings == [scorecard_title(DEPT)] == ["Resultatkort för Kulturförvaltningen"]
    header, rows = sheet_table(workbook[SCORECARD_SHEET], headings[0])
    assert header[0] == "Mått" and rows
    assert headings[0] in [line.strip() for line in pdf_text.splitlines()]
    assert "Styrkort" not in pdf_text and "Samarbetsprocess" not in pdf_text


def test_hidden_rows_come_last_in_the_channel_table_and_chart(sample_con, pack, workbook,
                                                             pdf_text):
    """"Per kanal" and its chart "Kontakter per kanal" rank by contacts as the dashboard's ranked
    charts do (dashboard.ranking.ranked_rows): largest first, the rows whose contacts are hidden
    ("<5", "Dolt") last, in the XLSX table, the PDF table and the PDF chart alike."""
    from dashboard import privacy
    from dashboard.domain import label_for
    from dashboard.export.pack_sections import CHANNEL_IDS
    from dashboard.metrics import Filters
    from dashboard.ranking import ranked_rows
    from pack_support import END, START

    _, rows = sheet_table(workbook["Tillgänglighet"], "Per kanal")
    contacts = [cells[1].value for cells in rows.values()]
    hidden = [isinstance(v, str) for v in contacts]
    assert any(hidden) and hidden == sorted(hidden), contacts  # shown first, then hidden
    shown = [v for v in contacts if not isinstance(v, str)]
    assert shown == sorted(shown, reverse=True)
    frame = privacy.fetch(privacy.METRICS, sample_con,
                          Filters(start=START, end=END, departments=(DEPT,)), Settings(),
                          metric_ids=CHANNEL_IDS, by=("channel",)).result
    expected = [label_for("channel", c) for c in ranked_rows(frame, "contacts")["channel"]]
    assert list(rows) == expected
    lines = pdf_text.splitlines()
    for title in ("Kontakter per kanal", "Per kanal"):   # the chart, then the table
        start = next(i for i, line in enumerate(lines) if line.strip() == title)
        found = {}
        for i in range(start + 1, len(lines)):
            stripped = lines[i].strip()
            if stripped in ("Per kanal", "Kontakter") or i - start > 40:
                break
            name = next((n for n in expected if stripped.startswith(n + " ")), None)
            if name and name not in found:
                found[name] = i
        assert sorted(found, key=found.get) == expected, (title, found)


# Every page's key figures and the pack's key-figure table they belong to (sheet name).
# Datakvalitet's cards (missing-field shares over all sources, with their change) are in no
# "Nyckeltal" table of the pack: its data sheet has them per source system only, which
# tests/test_pack_tables_match_dashboard.py compares with the page's table.
KEY_FIGURE_PAGES = {"screens/overview.py": ("Tillgänglighet", "Serviceglapp",
                                            "Onödig efterfrågan"),
                    "screens/accessibility.py": ("Tillgänglighet",),
                    "screens/service_gaps.py": ("Serviceglapp", "Onödig efterfrågan"),
                    "screens/failure_demand.py": ("Onödig efterfrågan",)}


@pytest.mark.parametrize("page", list(KEY_FIGURE_PAGES))
def test_key_figures_equal_the_pack(app, pack, workbook, pdf_text, page):
    """Value, change and better/worse word of every card equal the pack's cells, exactly: both
    are rows of one protected scorecard (a change the pack hides is no change on the card). In
    the PDF the row has the card's value, then (past the comparison's value) its change and word
    ("–" for a figure without a direction)."""
    deltas = _compare_cards(app, pack, workbook, pdf_text, page)
    assert len(deltas) == len(app.metric) >= 4


def _compare_cards(at, pack, workbook, pdf_text, page: str) -> list[str]:
    """The page's cards against the pack's key-figure rows, XLSX and PDF; the cards' changes."""
    at.switch_page(page).run()
    assert problems(at) == []
    rows = {}
    for sheet in KEY_FIGURE_PAGES[page]:
        rows.update(sheet_table(workbook[sheet], "Nyckeltal")[1])
    titles = {s.sheet_name: s.title for s in pack.sections}
    pdf_rows = "\n".join(pdf_key_figures(pdf_text, titles[sheet])
                          for sheet in KEY_FIGURE_PAGES[page])
    ids = labels_to_ids()
    deltas = []
    for metric in at.metric:
        assert metric.label in rows, (page, metric.label)
        cells = rows[metric.label]
        unit = registry.get(ids[metric.label]).unit
        assert metric.value == read(cells[1], unit), metric.label
        if isinstance(cells[3].value, (int, float)):
            change, word = read(cells[3], DELTA_UNITS.get(unit, "relative")), cells[4].value
            assert metric.proto.delta == (f"{change} ({word})" if word else change), metric.label
            delta, word = re.fullmatch(r"(.+?)(?: \((.+)\))?", metric.proto.delta).groups()
            pdf_row(pdf_rows, metric.label, [metric.value], [delta, word or "–"])
        else:  # hidden or none: the card shows no change
            assert metric.proto.delta == "", metric.label
            pdf_row(pdf_rows, metric.label, [metric.value])
        deltas.append(metric.proto.delta)
    return deltas


# its share via e-tjänst is shown the same in the month and in February (a difference of
# "0,0 procentenheter" as shown); a relative change is worked out from the values themselves and
# is "oförändrat" only when they are equal (tests/test_formatting.py)
UNCHANGED = "Funktionsstödsförvaltningen"


def test_an_unchanged_figure_reads_oförändrat_in_both(sample_con, sample_db, monkeypatch,
                                                     tmp_path):
    """A figure shown the same in both periods (a difference of zero as shown) is "oförändrat"
    on the card and in the pack; Översikt's cards and the scorecard for a förvaltning that has
    one, compared whole."""
    office = pack_of(sample_con, UNCHANGED)
    book, text = workbook_of(office), pdf_text_of(office, tmp_path / "office.pdf")
    at = open_page(sample_db, monkeypatch, "overview.py", {**QUERY, "department": UNCHANGED})
    deltas = _compare_cards(at, office, book, text, "screens/overview.py")
    assert any(d.endswith("(oförändrat)") for d in deltas), deltas
    _compare_scorecard(at, book, text, UNCHANGED)


def test_service_points_on_screen_equal_the_pack(app, workbook, pdf_text):
    app.switch_page("screens/local_service.py").run()
    app.toggle(key="tbl_ls_points").set_value(True).run()
    assert problems(app) == []
    frames = [d.value for d in [*app.dataframe, *app.table] if "Servicepunkt" in d.value.columns
              and "Kontakter" in d.value.columns and len(d.value.columns) == 2]
    assert frames, "no service-point table on the Lokal service page"
    screen = {r["Servicepunkt"]: r["Kontakter"] for r in frames[0].to_dict("records")}
    _, rows = sheet_table(workbook["Lokal service"],
                           "Besök och uppsökande verksamhet per servicepunkt")
    pack = {point: read(cells[1], "count") for point, cells in rows.items()}
    assert pack == screen
    for point, text in pack.items():
        pdf_row(pdf_text, point, [text])


def test_residents_table_on_screen_equals_the_pack(app, workbook, pdf_text):
    """Contacts and contacts per 1 000 residents per stadsområde: the same rows (stadsområden
    with residents; contacts without a known stadsområde have no rate in either) and cells."""
    app.switch_page("screens/service_gaps.py").run()
    app.toggle(key="tbl_sg_per_1000").set_value(True).run()
    assert problems(app) == []
    frames = [d.value for d in [*app.dataframe, *app.table] if "Invånare" in d.value.columns]
    assert frames, "no residents table on the Serviceglapp page"
    rate = registry.get("contacts_per_1000_residents").label_for(Settings())
    screen = {r["Stadsområde"]: (r["Kontakter"], r[rate]) for r in frames[0].to_dict("records")}
    _, rows = sheet_table(workbook["Serviceglapp"],
                           "Kontakter per 1 000 invånare per stadsområde")
    pack = {area: (read(cells[1], "count"), read(cells[2], "per_1000"))
            for area, cells in rows.items()}
    assert pack == screen
    assert "Uppgift saknas" not in pack
    for area, cells in pack.items():
        pdf_row(pdf_text, area, list(cells))

"""The förvaltning pack and the dashboard show one set of numbers for the same filter: every
figure of the pack's key-figure tables, scorecard and service-point table, read back from the
XLSX cells and from the PDF's text (pdftotext), equals what the dashboard draws (AppTest) for a
small department in one month (so hidden cells occur): the same value, unit, hidden text, change
and better/worse word."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from apptest_support import problems
from dashboard.config import Settings
from dashboard.export.cells import display_text
from dashboard.export.pack import build_pack, render
from dashboard.metrics import Filters, registry

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
DEPT = "Kulturförvaltningen"
START, END = date(2025, 3, 1), date(2025, 3, 31)
QUERY = {"period": "custom", "from": START.isoformat(), "to": END.isoformat(),
         "department": DEPT}
# the unit a change is written in, per registry unit (the screen's rule, formatting.format_delta)
DELTA_UNITS = {"share": "points", "seconds": "seconds_delta", "index": "index_delta",
               "score": "score_delta"}
NUMBER_FORMAT_UNITS = {"#,##0": "count"}


@pytest.fixture(scope="module")
def pack(sample_con):
    return build_pack(sample_con, Filters(start=START, end=END, departments=(DEPT,)),
                      settings=Settings())


@pytest.fixture(scope="module")
def workbook(pack):
    return openpyxl.load_workbook(io.BytesIO(render(pack, "xlsx")))


@pytest.fixture(scope="module")
def pdf_text(pack, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("pdf") / "pack.pdf"
    path.write_bytes(render(pack, "pdf"))
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout


@pytest.fixture(scope="module")
def app(sample_db):
    mp = pytest.MonkeyPatch()
    mp.setenv("KONTAKTCENTER_DB", str(sample_db))
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in QUERY.items():
        at.query_params[k] = v
    at.run()
    yield at
    mp.undo()


def _sheet_table(ws, title: str) -> tuple[list[str], dict[str, list]]:
    """Header and rows (first cell -> cells) of the table under the heading `title`."""
    cells = list(ws.iter_rows())
    start = next(i for i, r in enumerate(cells) if r[0].value == title)
    header = [c.value for c in cells[start + 1] if c.value is not None]
    rows = {}
    for row in cells[start + 2:]:
        if row[0].value is None:
            break
        rows[row[0].value] = list(row[:len(header)])
    return header, rows


def _read(cell, unit: str | None) -> str:
    """An XLSX cell as the screen would print it: numbers in the given unit, text as it is."""
    if cell.value is None:
        return "–"
    if isinstance(cell.value, str):
        return cell.value
    return display_text(cell.value, unit)


def _labels_to_ids() -> dict[str, str]:
    settings = Settings()
    return {m.label_for(settings): m.id for m in registry.REGISTRY.values()}


def _pdf_row(text: str, label: str, cells: list[str], *later: list[str]) -> None:
    """The PDF has a line that starts with the label's first word and carries the row's cells
    in order (a wrapped label puts its other words on the next lines, the cells on the first);
    each run of `later` cells follows on that line, past cells the screen does not show.
    Spaces are left out of the comparison: pdftotext drops or widens the no-break spaces."""
    first = re.sub(r"\s", "", label.split()[0])
    wanted = ".*".join(re.escape("".join(re.sub(r"\s", "", c) for c in run))
                       for run in (cells, *later))
    lines = [re.sub(r"\s", "", line) for line in text.splitlines()]
    assert any(line.startswith(first) and re.search(wanted, line) for line in lines), \
        f"PDF row {label!r}: {[cells, *later]} not found"


def _pdf_key_figures(text: str, section_title: str) -> str:
    """The lines of a PDF chapter's "Nyckeltal" table: a figure's label is in the scorecard too,
    whose protected set may hide other cells."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == section_title)
    start = next(i for i in range(start, len(lines)) if lines[i].strip() == "Nyckeltal")
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return "\n".join(lines[start + 2:end])


def _scorecard_screen(at) -> dict[str, dict[str, str]]:
    at.switch_page("screens/department.py").run()
    assert problems(at) == []
    frames = [d.value for d in [*at.dataframe, *at.table] if "Bedömning" in d.value.columns]
    assert frames, "the Förvaltning page shows no scorecard"
    frame = frames[0]
    return {r["Mått"]: dict(r) for r in frame.to_dict("records")}


def test_scorecard_on_screen_equals_the_pack_xlsx_and_pdf(app, workbook, pdf_text):
    screen = _scorecard_screen(app)
    header, rows = _sheet_table(workbook["Samarbetsprocess"], "Styrkort")
    assert header == ["Mått", "Perioden", "Jämförelseperioden", "Förändring", "Bedömning",
                      "Hela staden"]
    assert set(rows) == set(screen), "the pack and the screen list different figures"
    ids = _labels_to_ids()
    # the scorecard carries kronor and årsarbetare
    assert {"failure_demand_cost_sek", "failure_demand_fte"} <= {ids[label] for label in rows}
    hidden = 0
    for label, cells in rows.items():
        unit = registry.get(ids[label]).unit
        pack_texts = [_read(cells[1], unit), _read(cells[2], unit),
                      _read(cells[3], DELTA_UNITS.get(unit, "relative")), _read(cells[4], None),
                      _read(cells[5], unit)]
        on_screen = [screen[label][h] for h in header[1:]]
        assert pack_texts == on_screen, label
        hidden += sum(t in ("<5", "Dolt") for t in on_screen)
        _pdf_row(pdf_text, label, on_screen)
    assert hidden, "the fixture should exercise hidden cells"


def test_index_changes_in_index_units_in_both(app, workbook):
    screen = _scorecard_screen(app)
    label = registry.get("satisfaction_index").label_for(Settings())
    _, rows = _sheet_table(workbook["Samarbetsprocess"], "Styrkort")
    change = screen[label]["Förändring"]
    assert change.endswith("indexenheter") or change in ("Dolt", "–"), change
    assert rows[label][3].value is None or isinstance(rows[label][3].value, (int, float))
    assert "indexenheter" in rows[label][3].number_format or rows[label][3].value is None


# Every page's key figures and the pack's key-figure table they belong to (sheet name).
KEY_FIGURE_PAGES = {"screens/overview.py": ("Tillgänglighet", "Rättighetsbaserad service",
                                            "Digitalisering"),
                    "screens/accessibility.py": ("Tillgänglighet",),
                    "screens/service_gaps.py": ("Rättighetsbaserad service", "Digitalisering"),
                    "screens/failure_demand.py": ("Digitalisering",)}


@pytest.mark.parametrize("page", list(KEY_FIGURE_PAGES))
def test_key_figures_equal_the_pack(app, pack, workbook, pdf_text, page):
    """Value, change and better/worse word of every card equal the pack's cells, exactly: both
    are rows of one protected scorecard (a change the pack hides is no change on the card). In
    the PDF the row has the card's value, then (past the comparison's value) its change and word
    ("–" for a figure without a direction)."""
    app.switch_page(page).run()
    assert problems(app) == []
    rows = {}
    for sheet in KEY_FIGURE_PAGES[page]:
        rows.update(_sheet_table(workbook[sheet], "Nyckeltal")[1])
    titles = {s.sheet_name: s.title for s in pack.sections}
    pdf_rows = "\n".join(_pdf_key_figures(pdf_text, titles[sheet])
                          for sheet in KEY_FIGURE_PAGES[page])
    ids = _labels_to_ids()
    compared = 0
    for metric in app.metric:
        assert metric.label in rows, (page, metric.label)
        cells = rows[metric.label]
        unit = registry.get(ids[metric.label]).unit
        assert metric.value == _read(cells[1], unit), metric.label
        if isinstance(cells[3].value, (int, float)):
            change, word = _read(cells[3], DELTA_UNITS.get(unit, "relative")), cells[4].value
            assert metric.proto.delta == (f"{change} ({word})" if word else change), metric.label
            delta, word = re.fullmatch(r"(.+?)(?: \((.+)\))?", metric.proto.delta).groups()
            _pdf_row(pdf_rows, metric.label, [metric.value], [delta, word or "–"])
        else:  # hidden or none: the card shows no change
            assert metric.proto.delta == "", metric.label
            _pdf_row(pdf_rows, metric.label, [metric.value])
        compared += 1
    assert compared == len(app.metric) >= 4


def test_service_points_on_screen_equal_the_pack(app, workbook, pdf_text):
    app.switch_page("screens/local_service.py").run()
    app.toggle(key="tbl_ls_points").set_value(True).run()
    assert problems(app) == []
    frames = [d.value for d in [*app.dataframe, *app.table] if "Servicepunkt" in d.value.columns
              and "Kontakter" in d.value.columns and len(d.value.columns) == 2]
    assert frames, "no service-point table on the Lokal service page"
    screen = {r["Servicepunkt"]: r["Kontakter"] for r in frames[0].to_dict("records")}
    _, rows = _sheet_table(workbook["Lokal service"],
                           "Besök och uppsökande verksamhet per servicepunkt")
    pack = {point: _read(cells[1], "count") for point, cells in rows.items()}
    assert pack == screen
    for point, text in pack.items():
        _pdf_row(pdf_text, point, [text])


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
    _, rows = _sheet_table(workbook["Rättighetsbaserad service"],
                           "Kontakter per 1 000 invånare per stadsområde")
    pack = {area: (_read(cells[1], "count"), _read(cells[2], "per_1000"))
            for area, cells in rows.items()}
    assert pack == screen
    assert "Uppgift saknas" not in pack
    for area, cells in pack.items():
        _pdf_row(pdf_text, area, list(cells))

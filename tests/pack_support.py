"""The förvaltning pack and the dashboard for one filter, and how to read each back: the module
fixtures (`pack`, `workbook`, `pdf_text`, `app`) and the readers the pack-against-screen tests
share (tests/test_pack_matches_dashboard.py, tests/test_pack_tables_match_dashboard.py).

The filter is a small department in one month, so hidden cells occur."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from apptest_support import problems
from dashboard.config import Settings
from dashboard.export.cells import display_text
from dashboard.export.pack import build_pack, render
from dashboard.metrics import Filters, registry
from dashboard.privacy.cells import UNCERTAIN_MARK, Uncertain

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
DEPT = "Kulturförvaltningen"
START, END = date(2025, 3, 1), date(2025, 3, 31)
QUERY = {"period": "custom", "from": START.isoformat(), "to": END.isoformat(),
         "department": DEPT}
# the unit a change is written in, per registry unit (the screen's rule, formatting.format_delta)
DELTA_UNITS = {"share": "points", "seconds": "seconds_delta", "index": "index_delta",
               "score": "score_delta"}
HIDDEN_TEXTS = ("<5", "Dolt")
UNCERTAIN = Uncertain.mark("")  # " (osäker)": how the screen and the pack mark an uncertain value


def pack_of(con, department: str = DEPT, start: date = START, end: date = END):
    """The pack for a department in the month (or from `start` to `end`)."""
    return build_pack(con, Filters(start=start, end=end, departments=(department,)),
                      settings=Settings())


def workbook_of(pack):
    return openpyxl.load_workbook(io.BytesIO(render(pack, "xlsx")))


def pdf_text_of(pack, path: Path) -> str:
    """The PDF's text as pdftotext lays it out (the PDF written to `path`)."""
    path.write_bytes(render(pack, "pdf"))
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout


@pytest.fixture(scope="module")
def pack(sample_con):
    return pack_of(sample_con)


@pytest.fixture(scope="module")
def workbook(pack):
    return workbook_of(pack)


@pytest.fixture(scope="module")
def pdf_text(pack, tmp_path_factory) -> str:
    return pdf_text_of(pack, tmp_path_factory.mktemp("pdf") / "pack.pdf")


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


def front_rows(ws) -> dict:
    """The front sheet's context rows (label -> value), above its "Innehåll" list of sheets
    (whose links may repeat a label: the sheet "Förvaltning" under the filter "Förvaltning")."""
    rows = {}
    for label, value in ws.iter_rows(min_row=3, max_col=2, values_only=True):
        if label == "Innehåll":
            break
        if label:
            rows[label] = value
    return rows


def sheet_table(ws, title: str) -> tuple[list[str], dict[str, list]]:
    """Header and rows (first cell -> cells) of the table under the heading `title`, up to an
    empty line or the table's note (italic)."""
    cells = list(ws.iter_rows())
    start = next(i for i, r in enumerate(cells) if r[0].value == title)
    header = [c.value for c in cells[start + 1] if c.value is not None]
    rows = {}
    for row in cells[start + 2:]:
        if row[0].value is None or row[0].font.i:
            break
        rows[row[0].value] = list(row[:len(header)])
    return header, rows


def read(cell, unit: str | None) -> str:
    """An XLSX cell as the screen would print it: numbers in the given unit, text as it is; a
    number whose format carries the uncertain mark (a number still) with the screen's mark,
    "100,0 % (osäker)"."""
    if cell.value is None:
        return "–"
    if isinstance(cell.value, str):
        return cell.value
    assert isinstance(cell.value, (int, float)), cell.value
    text = display_text(cell.value, unit)
    return Uncertain.mark(text) if is_uncertain(cell) else text


def is_uncertain(cell) -> bool:
    """A number cell marked uncertain: its number format writes "(osäker)" after the number."""
    return isinstance(cell.value, (int, float)) and f"({UNCERTAIN_MARK})" in cell.number_format


def labels_to_ids() -> dict[str, str]:
    settings = Settings()
    return {m.label_for(settings): m.id for m in registry.REGISTRY.values()}


def pdf_row(text: str, label: str, cells: list[str], *later: list[str]) -> None:
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


# The running header of a pack's PDF page (pdf_pack): the pack's name, then the filters.
PAGE_HEADS = ("Förvaltningspaket för budgetdialogen", "Kanal: ")


def pdf_section(text: str, section_title: str | None, table_title: str,
                first_column: str = "Mått") -> str:
    """The rows of the PDF table `table_title` (its heading followed by a header line that starts
    with `first_column` at the margin, so not a chart of the same title and its axis) in the
    chapter `section_title` (None: from the start), up to the first empty line, on over a page
    break where the table goes on under its repeated header: a row's label may also be in
    another table, whose protected set hides other cells."""
    lines = text.splitlines()
    start = 0 if section_title is None else \
        next(i for i, line in enumerate(lines) if line.strip() == section_title)
    # pdftotext indents a header a few spaces when a wide line (the table's note) shares the
    # page; a chart's category labels stand much further in
    start = next(i for i in range(start, len(lines) - 1) if lines[i].strip() == table_title
                 and re.match(rf" {{0,6}}{re.escape(first_column)}", lines[i + 1]))
    header = lines[start + 1].split()
    rows, i = [], start + 2
    while True:
        end = next((j for j in range(i, len(lines)) if not lines[j].strip()), len(lines))
        rows += lines[i:end]
        # a table that runs onto the next page repeats its header there, after the page's
        # running header (two lines): read on from it
        again = next((j for j in range(end, min(end + 12, len(lines))) if lines[j].split() == header), None)
        if again is None or any(lines[j].strip() and not lines[j].startswith(PAGE_HEADS)
                                for j in range(end, again)):
            return "\n".join(rows)
        i = again + 1


def pdf_key_figures(text: str, section_title: str) -> str:
    """The lines of a PDF chapter's "Nyckeltal" table."""
    return pdf_section(text, section_title, "Nyckeltal")


def screen_frames(at: AppTest, page: str, columns: list[str], *toggles: str) -> list[pd.DataFrame]:
    """The page's tables with exactly these columns, in page order, the charts `toggles`
    ("tbl_…") shown as tables; the toggles are switched off again afterwards."""
    at.switch_page(page).run()
    for key in toggles:
        at.toggle(key=key).set_value(True).run()
    assert problems(at) == []
    frames = [d.value for d in [*at.dataframe, *at.table] if list(d.value.columns) == columns]
    for key in toggles:
        at.toggle(key=key).set_value(False).run()
    return frames


def screen_frame(at: AppTest, page: str, columns: list[str], *toggles: str) -> pd.DataFrame:
    """The one table on the page with exactly these columns."""
    frames = screen_frames(at, page, columns, *toggles)
    assert len(frames) == 1, (page, columns, len(frames))
    return frames[0]

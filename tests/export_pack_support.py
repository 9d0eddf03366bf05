"""The förvaltning pack on the sample store, shared by its tests (tests/test_export_pack_writer.py,
tests/test_export_pack_cli.py, tests/test_export_pack_audit.py): the filter (a small department
in one month, so small cells occur), the module fixtures (`con`, `pack`, `workbook`,
`pdf_pages`) and the readers of the workbook, the audit log and the CLI command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import openpyxl
import pytest

from dashboard.export.pack import render
from dashboard.metrics import Filters
from pack_support import DEPT, END, START, pack  # noqa: F401  (the pack for FILTERS)

FILTERS = Filters(start=START, end=END, departments=(DEPT,))
AREA_SHEETS = ("Tillgänglighet", "Serviceglapp", "Onödig efterfrågan", "Lokal service",
               "Förvaltning")
COUNT_FORMAT = "#,##0"


@pytest.fixture(scope="module")
def con(sample_con):
    return sample_con


@pytest.fixture(scope="module")
def workbook(pack):
    content = render(pack, "xlsx")
    return content, openpyxl.load_workbook(io.BytesIO(content))


@pytest.fixture(scope="module")
def pdf_pages(pack, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "pack.pdf"
    path.write_bytes(render(pack, "pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout
    return text.split("\f")[:-1]


def table_rows(ws, title: str) -> dict[str, list]:
    """The table under a heading cell in column A: first cell -> the row's cells."""
    cells = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(cells) if r[0] == title)
    out = {}
    for row in cells[start + 2:]:
        if row[0] is None:
            break
        out[row[0]] = list(row)
    return out


def read_log(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def export_command(db, out: str) -> list[str]:
    return [sys.executable, "-m", "dashboard", "--db", str(db), "export", "--department", DEPT,
            "--from", START.isoformat(), "--to", END.isoformat(), "--format", "pdf", "--out", out]

"""Data downloads of one table: CSV (Swedish Excel or international) and XLSX.

CSV: UTF-8 with BOM (so Excel detects the encoding), `;` and decimal comma by default (what
Swedish Excel reads as numbers), or `,` and decimal point on request. Numbers carry full
precision, no thousands separator (Excel would read one as text). Hidden cells read exactly as
on screen ("<5", "Dolt") and a note column explains them on the rows that have one.

XLSX: one sheet with the table (number formats, frozen header, filter buttons, fitted widths)
and one sheet with the view's context: filters, data version, time of generation, threshold.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from dashboard import formatting as f
from dashboard.export.cells import (Figure, is_missing, is_number, plain_number, sheet_text,
                                    unmarked, xlsx_text)
from dashboard.privacy.cells import Hidden
from dashboard.export.model import Context, Table
from dashboard.export import xlsx_common as xc

SWEDISH = "sv"  # ; and decimal comma
INTERNATIONAL = "intl"  # , and decimal point
NOTE_HEADER = "Anmärkning"


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str
    decimal: str


DIALECTS = {SWEDISH: CsvDialect(";", ","), INTERNATIONAL: CsvDialect(",", ".")}


def suppression_note(threshold: int) -> str:
    return (f"Värden markerade <{threshold} bygger på färre än {threshold} kontakter och är dolda "
            "för att skydda enskilda; ”Dolt” är en andel eller ett medelvärde över för få "
            "kontakter, eller ett värde som dolts för att en summa annars skulle avslöja det.")


def table_csv(table: Table, threshold: int, style: str = SWEDISH) -> bytes:
    """The table as CSV bytes (UTF-8 with BOM)."""
    dialect = DIALECTS[style]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=dialect.delimiter, lineterminator="\r\n",
                        quoting=csv.QUOTE_MINIMAL)
    note = table.has_suppressed
    header = [sheet_text(c.label) for c in table.columns] + ([NOTE_HEADER] if note else [])
    writer.writerow(header)
    for row in table.rows:
        cells = [_csv_cell(v, dialect) for v in row]
        if note:
            cells.append(suppression_note(threshold)
                         if any(isinstance(v, Hidden) for v in row) else "")
        writer.writerow(cells)
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(value, dialect: CsvDialect) -> str:
    if isinstance(value, Figure):
        value = value.value
    value = unmarked(value)  # an uncertain value's number: a CSV cell stays a bare number
    if is_missing(value):
        return ""
    if is_number(value):
        return plain_number(value, dialect.decimal)
    return sheet_text(value)


def table_xlsx(table: Table, context: Context) -> bytes:
    """The table as an XLSX workbook with a context sheet."""
    wb, buf = xc.new_workbook()
    styles = xc.Styles(wb)
    ws = wb.add_worksheet("Data")
    widths: dict[int, float] = {}
    placed = xc.write_table(ws, "Data", table, 0, 0, styles, widths, title=False)
    if table.has_suppressed:
        ws.write_string(placed.last_row + 2, 0, suppression_note(context.threshold), styles.note)
    ws.freeze_panes(1, 0)
    if table.columns:
        ws.autofilter(0, 0, max(placed.last_row, 0), len(table.columns) - 1)
    xc.apply_widths(ws, widths)
    write_context_sheet(wb, styles, context, table.title)
    wb.close()
    return buf.getvalue()


def context_rows(context: Context, what: str | None = None) -> list[tuple[str, str]]:
    """Label/value pairs describing an export: the same on every front sheet and PDF cover.
    `what` (a data download's table) is named first as "Innehåll"; the pack's front sheet and
    cover carry its title as their heading and list the contents under "Innehåll" themselves."""
    rows = [("Innehåll", what)] if what else []
    rows += [("Förvaltning", context.scope), ("Period", f.format_period(*context.period))]
    rows.append(("Jämförelseperiod",
                 f.format_period(*context.comparison) if context.comparison else "Ingen"))
    rows.extend(context.filters)
    rows.append(("Dataversion", str(context.data_version)))
    rows.append(("Skapad", context.generated_at.strftime("%Y-%m-%d %H:%M")))
    rows.append(("Gräns för små tal",
                 f"Antal under {context.threshold} visas som <{context.threshold}"))
    return rows


def write_context_sheet(wb, styles: xc.Styles, context: Context, what: str) -> None:
    ws = wb.add_worksheet("Urval")
    ws.write_string(0, 0, "Urval och sammanhang", styles.title)
    for i, (label, value) in enumerate(context_rows(context, what or context.title), start=2):
        ws.write_string(i, 0, xlsx_text(label), styles.label)
        ws.write_string(i, 1, xlsx_text(value), styles.text)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 70)

"""XLSX building blocks shared by the data download and the förvaltning pack (xlsxwriter).

Numbers are written as numbers with Excel number formats, so Swedish Excel shows a space between
thousands and a decimal comma and the figures stay usable in formulas. Text is written with
`write_string` as it is: a string cell never becomes a formula (cells.py).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date, datetime

import xlsxwriter

from dashboard import formatting as f
from dashboard.export.cells import Figure, display_text, is_missing, is_number, xlsx_text
from dashboard.privacy.cells import Hidden, Uncertain
from dashboard.export.model import Table

WORKBOOK_OPTIONS = {
    # Never turn strings into formulas, links or numbers behind our back.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": False,
    "in_memory": True,
}

# Excel number-format codes are stored in en-US syntax; Excel shows them in the reader's locale.
# Decimals and unit words are the screen's (formatting.DECIMALS, format_value), so a cell reads
# as the dashboard prints the figure ("0,4 årsarbetare").


def _fixed(unit: str, word: str = "", *, grouped: bool = True) -> str:
    """A unit's figure with the screen's decimals, and a unit word after a no-break space."""
    decimals = f.decimals_of(unit)
    code = ("#,##0" if grouped else "0") + ("." + "0" * decimals if decimals else "")
    return code + (f'"\u00a0{word}"' if word else "")


def _signed(code: str) -> str:
    """Positive with "+", negative with the minus sign U+2212, zero bare."""
    return f'+{code};"\u2212"{code};{code}'


_PERCENT = _fixed("share", grouped=False) + '"\u00a0"%'  # an unquoted % multiplies by 100
NUMBER_FORMATS = {
    "count": _fixed("count"),
    "antal": _fixed("antal"),
    "share": _PERCENT,
    "percent": _PERCENT,
    "seconds": _fixed("seconds", "s"),
    "s": _fixed("s", "s"),
    "sek": _fixed("sek", "kr"),
    "kr": _fixed("kr", "kr"),
    "fte": _fixed("fte", "årsarbetare"),
    "index": _fixed("index", grouped=False),
    "score": _fixed("score", grouped=False),
    "per_1000": _fixed("per_1000"),
    "contacts": "#,##0.00",
    "hours": _fixed("hours", "h"),
    "ratio": _fixed("ratio", grouped=False),
    "rank": "0",
    # metadata, not contacts: rows of files, number of ingests (no small-cell rule applies)
    "rows": '[=1]0"\u00a0rad";#,##0"\u00a0rader"',   # "1 rad", "2 rader"
    "number": "0",
    # Changes against the comparison period (formatting.format_delta): always signed.
    "points": _signed(_fixed("share", "procentenheter", grouped=False)),
    "relative": _signed(_PERCENT),
    "seconds_delta": _signed(_fixed("seconds", "s", grouped=False)),
    "index_delta": _signed(_fixed("index", "indexenheter", grouped=False)),
    "score_delta": _signed(_fixed("score", grouped=False)),
}
DEFAULT_NUMBER_FORMAT = "#,##0.0##"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_WIDTH = 60
WRAP_WIDTH = 60  # columns of long text wrap at this width
ROW_HEIGHT = 15  # points per line of 11-point text
BRAND = "#1F4E79"  # dark blue: white text on it passes WCAG AA


def new_workbook() -> tuple[xlsxwriter.Workbook, io.BytesIO]:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, WORKBOOK_OPTIONS)
    wb.set_calc_mode("auto")
    return wb, buf


class Styles:
    """Formats are workbook objects; create each once and reuse it."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self._wb = wb
        self._cache: dict[str, object] = {}
        base = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
        self.base = base
        self.title = wb.add_format({**base, "bold": True, "font_size": 16, "font_color": BRAND})
        self.heading = wb.add_format({**base, "bold": True, "font_size": 12, "font_color": BRAND})
        self.header = wb.add_format({**base, "bold": True, "bg_color": BRAND,
                                     "font_color": "#FFFFFF", "text_wrap": True, "border": 1})
        self.header_num = wb.add_format({**base, "bold": True, "bg_color": BRAND, "align": "right",
                                         "font_color": "#FFFFFF", "text_wrap": True, "border": 1})
        self.label = wb.add_format({**base, "bold": True})
        self.text = wb.add_format({**base, "text_wrap": False})
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.note = wb.add_format({**base, "italic": True, "font_color": "#404040",
                                   "text_wrap": False})
        self.suppressed = wb.add_format({**base, "align": "right", "font_color": "#404040"})
        self.date = wb.add_format({**base, "num_format": DATE_FORMAT, "align": "left"})
        self.datetime = wb.add_format({**base, "num_format": DATETIME_FORMAT, "align": "left"})

    def number(self, unit: str | None, uncertain: bool = False):
        """A unit's number format; `uncertain` adds the screen's mark ("100,0 % (osäker)")."""
        code = NUMBER_FORMATS.get((unit or "").lower(), DEFAULT_NUMBER_FORMAT)
        if uncertain:
            code = marked_format(code)
        if code not in self._cache:
            self._cache[code] = self._wb.add_format({**self.base, "num_format": code})
        return self._cache[code]


def marked_format(code: str) -> str:
    """A number format that writes the uncertain mark after the number in each of its sections
    (positive;negative;zero), so the cell stays a number and reads as the screen's "100,0 %
    (osäker)"."""
    sections, current, quoted = [], "", False
    for ch in code:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            sections.append(current)
            current = ""
        else:
            current += ch
    sections.append(current)
    mark = Uncertain.mark("")   # ' (osäker)'
    # into a section's closing literal ('" s"' -> '" s (osäker)"'), else a literal of its own
    return ";".join(s[:-1] + mark + '"' if s.endswith('"') else f'{s}"{mark}"' for s in sections)


@dataclass(frozen=True)
class Placed:
    """Where a table landed on its sheet (0-based, header row included)."""

    sheet: str
    header_row: int
    first_col: int
    last_row: int  # last data row (== header_row when the table is empty)

    def column_range(self, col_offset: int) -> list:
        c = self.first_col + col_offset
        return [self.sheet, self.header_row + 1, c, max(self.last_row, self.header_row + 1), c]


def write_cell(ws, row: int, col: int, value, unit: str | None, styles: Styles,
               wrap: bool = False) -> None:
    if isinstance(value, Figure):
        value, unit = value.value, value.unit
    if isinstance(value, Hidden):
        ws.write_string(row, col, value.text, styles.suppressed)
    elif isinstance(value, Uncertain) and is_number(value.value):
        ws.write_number(row, col, float(value.value), styles.number(unit, uncertain=True))
    elif is_missing(value):
        ws.write_blank(row, col, None, styles.text)
    elif is_number(value):
        ws.write_number(row, col, float(value), styles.number(unit))
    elif isinstance(value, datetime):
        ws.write_datetime(row, col, value.replace(tzinfo=None), styles.datetime)
    elif isinstance(value, date):
        ws.write_datetime(row, col, datetime(value.year, value.month, value.day), styles.date)
    else:
        ws.write_string(row, col, xlsx_text(value), styles.wrap if wrap else styles.text)


def width_text(value, unit: str | None) -> str:
    """How wide a cell reads, for column widths: dates as Excel shows them, the rest as on screen."""
    if isinstance(value, date):
        return "2025-01-01 00:00" if isinstance(value, datetime) else "2025-01-01"
    if is_missing(value):
        return ""
    return display_text(value, unit)


def write_table(ws, sheet: str, table: Table, row: int, col: int, styles: Styles,
                widths: dict[int, float], *, title: bool = True) -> Placed:
    """Title line, header row, rows, note. Records the widths the columns need in `widths`."""
    if title:
        ws.write_string(row, col, table.title, styles.heading)
        row += 1
    header_row = row
    for j, column in enumerate(table.columns):
        ws.write_string(header_row, col + j, xlsx_text(column.label),
                        styles.header_num if column.unit else styles.header)
        _need(widths, col + j, min(len(column.label), 28) + 2)
    for i, values in enumerate(table.rows, start=1):
        lines = max([_wrapped_lines(values[j]) for j, c in enumerate(table.columns) if c.wrap],
                    default=1)
        if lines > 1:  # an explicit height: not every reader grows wrapped rows by itself
            ws.set_row(header_row + i, ROW_HEIGHT * lines)
        for j, column in enumerate(table.columns):
            value = values[j]
            write_cell(ws, header_row + i, col + j, value, column.unit, styles, column.wrap)
            _need(widths, col + j, WRAP_WIDTH if column.wrap
                  else len(width_text(value, column.unit)) + 2)
    last = header_row + len(table.rows)
    if table.full_note:
        ws.write_string(last + 1, col, xlsx_text(table.full_note), styles.note)
    return Placed(sheet, header_row, col, last)


def _wrapped_lines(value) -> int:
    text = value if isinstance(value, str) else ""
    return max(1, math.ceil(len(text) / (WRAP_WIDTH * 1.05)))


def _need(widths: dict[int, float], col: int, width: float) -> None:
    widths[col] = min(MAX_WIDTH, max(widths.get(col, 8), width))


def apply_widths(ws, widths: dict[int, float]) -> None:
    for col, width in widths.items():
        ws.set_column(col, col, width)

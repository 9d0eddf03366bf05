"""Cell values shared by every export writer: formula neutralising, and how a hidden cell
(dashboard.privacy.cells.Hidden, made by the privacy package) and an uncertain one
(dashboard.privacy.cells.Uncertain: "100,0 % (osäker)"; XLSX keeps it a number, the mark in its
number format, xlsx_common.marked_format) are drawn.

A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
formula (CSV/DDE injection, OWASP). How each format is kept safe:
- XLSX stores a cell's type: text is written as a string cell (`xlsx_text`, xlsxwriter's
  `write_string`), which Excel never evaluates, so it is written as it is, with no prefix.
- CSV has no types. Text from data that starts with a trigger gets OWASP's leading apostrophe
  (`sheet_text`); the export's own cells never start with one: numbers, signed changes included,
  are written as bare numbers (a negative number is a number, not a formula), and Swedish text
  uses "−" (U+2212) for minus. So the apostrophe only ever appears on hostile or odd data text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from dashboard import formatting as f
from dashboard.privacy.cells import Hidden, Uncertain

# ASCII triggers plus the full-width forms some spreadsheets fold onto them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
NEUTRALISING_PREFIX = "'"


FIGURE = "figure"  # column unit meaning "each cell is a Figure with its own unit"


@dataclass(frozen=True)
class Figure:
    """A number that carries its own unit, for tables whose rows mix units (a summary)."""

    value: float | int | None
    unit: str | None


def neutralise(text: str) -> str:
    """Prefix text that a spreadsheet would run as a formula; leave everything else alone."""
    if text and text.startswith(FORMULA_TRIGGERS):
        return NEUTRALISING_PREFIX + text
    return text


def unmarked(value):
    """A cell's value without its "(osäker)" mark: an Uncertain cell's number, else the cell."""
    return value.value if isinstance(value, Uncertain) else value


def is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def is_missing(value) -> bool:
    if value is None:
        return True
    return isinstance(value, float) and math.isnan(value)


def every_value_hidden(cells) -> bool:
    """No number among `cells` (a chart's values, Figure or plain) and at least one hidden: a
    chart of them would be axes with only hidden labels (pdf_charts, xlsx_charts say so in
    words instead)."""
    values = [unmarked(c.value if isinstance(c, Figure) else c) for c in cells]   # uncertain: a number
    return not any(is_number(v) for v in values) and any(isinstance(v, Hidden) for v in values)


def all_hidden_words(kind: str) -> tuple[str, str]:
    """The dashboard's sentences for a chart of `kind` ("bar", "column", "line") whose every
    value is hidden: "Alla staplar är dolda …", "Alla punkter …" for a line."""
    return f.all_hidden_lines(*(("staplar", "stapel") if kind in ("bar", "column") else ("punkter", "punkt")))


def plain_number(value, decimal_sep: str) -> str:
    """A number as plain positional text (no exponent, no grouping) with the given decimal mark.

    Floats keep their shortest round-trip digits, so parsing the text back gives the same float.
    """
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isinf(value):
        return ""
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(".", decimal_sep)


def text_of(value) -> str:
    """Non-numeric values as text: dates in ISO form, booleans in Swedish."""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Hidden):
        return value.text
    if isinstance(value, Uncertain):
        return Uncertain.mark(text_of(value.value))
    return str(value)


def sheet_text(value) -> str:
    """Text for a CSV cell: neutralised so it can never run."""
    return neutralise(text_of(value))


def xlsx_text(value) -> str:
    """Text for an XLSX string cell: as it is (a string cell is never a formula)."""
    return text_of(value)


def display_text(value, unit: str | None = None) -> str:
    """A cell as the dashboard shows it: Swedish formats, hidden cells as on screen."""
    if isinstance(value, Figure):
        value, unit = value.value, value.unit
    if isinstance(value, Hidden):
        return value.text
    if isinstance(value, Uncertain):   # "100,0 % (osäker)", as the screen's tables
        return Uncertain.mark(display_text(value.value, unit))
    if is_missing(value):
        return f.MISSING
    if is_number(value):
        if unit == "points":
            return f.format_points(value / 100)
        if unit == "relative":
            return f.format_percent(value, 1, sign=True)
        if unit == "seconds_delta":
            return ("+" if value > 0 else "") + f.format_duration(value)
        if unit == "index_delta":
            return f.format_number(value, f.DECIMALS["index"], sign=True) + "\u00a0indexenheter"
        if unit == "score_delta":
            return f.format_number(value, f.DECIMALS["score"], sign=True)
        if unit in ("rank", "number") or (unit is None and isinstance(value, int)):
            return f.format_int(value)
        if unit == "rows":   # "1 rad", "0 rader", "2 rader" (as the sheet's number format)
            return f.format_int(value) + ("\u00a0rad" if value == 1 else "\u00a0rader")
        return f.format_value(value, unit)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return f.format_date_short(value)
    return text_of(value)

"""Tables as shown and downloaded: Swedish headers, Swedish formats, hidden cells as "<5"/"Dolt"
("<5" only for a count hidden for being small; formatting.hidden_text).

Pure (no streamlit): the figure block, the downloads and the tests use it.

A `Col` names one column of an engine frame. A cell is hidden when the suppression step marked it:
a boolean column `{key}__suppressed` is true (small-cell suppression, with the reason in `{key}__reason`),
or the metric's basis count `{key}__n` is below the minimum the metric needs while no suppression
step ran.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboard.domain import dimension_text
from dashboard.formatting import SMALL_COUNT, format_value
from dashboard.formatting import hidden_text as hidden_cell_text
from dashboard.metrics.suppression import COMPLEMENTARY, SMALL_DENOMINATOR, explain

DATE_DIMENSIONS = ("day", "week", "month", "date")


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    unit: str | None = None  # registry unit; None = a dimension (text, date, weekday)
    dimension: str | None = None  # how a dimension's values are labelled (channel, weekday, ...)
    min_n: int | None = None  # hide the value when `{key}__n` is below this (and unmarked)


@dataclass(frozen=True)
class TableData:
    """A frame with the columns to show, in order; what the table view and the download read."""

    title: str
    frame: pl.DataFrame
    columns: tuple[Col, ...]
    threshold: int = 5
    note: str | None = None


def hidden_reasons(frame: pl.DataFrame, col: Col) -> list[str | None]:
    """Per cell why it is hidden (dashboard.metrics.suppression's reasons), None where shown.
    A flag without a reason column gives "" (hidden, reason unknown: reads "Dolt")."""
    flag, why = f"{col.key}__suppressed", f"{col.key}__reason"
    if flag in frame.columns:
        reasons = frame[why].to_list() if why in frame.columns else [None] * frame.height
        return [(r or "") if h else None
                for h, r in zip(frame[flag].fill_null(False).to_list(), reasons)]
    basis = f"{col.key}__n"
    if col.min_n is not None and basis in frame.columns:
        low = 1 if col.unit == "count" else 0  # a true zero count reveals nobody
        small = SMALL_COUNT if col.unit == "count" else "small_denominator"
        return [small if n is not None and low <= n < col.min_n else None
                for n in frame[basis].to_list()]
    return [None] * frame.height


def hidden_mask(frame: pl.DataFrame, col: Col) -> list[bool]:
    return [r is not None for r in hidden_reasons(frame, col)]


def _dimension_text(value, dimension: str | None) -> str:
    return dimension_text(dimension, value, short_dates=True)


def hidden_text(col: Col, threshold: int, reason: str | None = None) -> str:
    return hidden_cell_text(col.unit, reason, threshold)


def cell_texts(table: TableData, col: Col) -> list[str]:
    """The Swedish display text of one column, hidden cells replaced."""
    values = table.frame[col.key].to_list()
    if col.unit is None:
        return [_dimension_text(v, col.dimension) for v in values]
    reasons = hidden_reasons(table.frame, col)
    return [format_value(v, col.unit) if r is None else hidden_text(col, table.threshold, r)
            for v, r in zip(values, reasons)]


def display_frame(table: TableData) -> pl.DataFrame:
    """All columns as Swedish text under Swedish headers (for st.dataframe)."""
    return pl.DataFrame({c.label: cell_texts(table, c) for c in table.columns},
                        schema={c.label: pl.String for c in table.columns})


def export_rows(table: TableData) -> list[list]:
    """Raw values for downloads: numbers and dates stay themselves, coded dimension values get their
    Swedish label, hidden cells become their screen text."""
    out_cols = []
    for col in table.columns:
        values = table.frame[col.key].to_list()
        if col.unit is None:
            coded = col.dimension and col.dimension not in DATE_DIMENSIONS
            out_cols.append([_dimension_text(v, col.dimension) if coded else v for v in values])
            continue
        reasons = hidden_reasons(table.frame, col)
        out_cols.append([v if r is None else hidden_text(col, table.threshold, r)
                         for v, r in zip(values, reasons)])
    return [list(row) for row in zip(*out_cols)]


def hidden_notes(table: TableData) -> list[str]:
    """One Swedish sentence per way a cell of the table is hidden (suppression.explain), each
    after the text such cells read, e.g. '”Dolt”: Dold så att en annan dold siffra inte kan
    räknas fram ur summan.'"""
    seen: dict[tuple[str, str], str] = {}
    for col in (c for c in table.columns if c.unit):
        present = set(hidden_reasons(table.frame, col))
        # a flag without a reason ("") is left to the generic caption
        for reason in (r for r in (SMALL_COUNT, SMALL_DENOMINATOR, COMPLEMENTARY) if r in present):
            minimum = max(col.min_n or 0, table.threshold) if reason == SMALL_DENOMINATOR \
                else table.threshold
            text = hidden_text(col, table.threshold, reason)
            seen.setdefault((text, reason), f"”{text}”: {explain(reason, minimum)}")
    return list(seen.values())

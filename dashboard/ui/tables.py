"""Tables as shown and downloaded: Swedish headers, Swedish formats, hidden cells as "<5"/"Dolt"
("<5" only for a count hidden for being small; formatting.hidden_text).

Pure (no streamlit): the figure block, the downloads and the tests use it.

A `Col` names one column of a published frame (dashboard.privacy). This module keeps no rule of
its own: a cell is hidden exactly when privacy flagged it (`{key}__suppressed`, the reason in
`{key}__reason`), and a value is marked "osäker" exactly when privacy flagged it uncertain
(`{key}__uncertain`). For downloads hidden cells stay `privacy.Hidden` objects; only the screen
text is made here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import polars as pl

from dashboard.domain import dimension_text
from dashboard.formatting import MISSING, SMALL_COUNT, format_period, format_value
from dashboard.formatting import hidden_text as hidden_cell_text
from dashboard.privacy import COMPLEMENTARY, SMALL_DENOMINATOR, Hidden, Uncertain
from dashboard.privacy.cells import hidden_note
from dashboard.privacy.cells import uncertain_note as privacy_uncertain_note

DATE_DIMENSIONS = ("day", "week", "month", "date")


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    unit: str | None = None  # registry unit; None = a dimension (text, date, weekday)
    dimension: str | None = None  # how a dimension's values are labelled (channel, weekday, ...)
    min_n: int | None = None  # the statistical minimum, for the "osäker" note
    # a dimension's text where it has no value; None: the dimension's own ("Uppgift saknas")
    missing: str | None = None


@dataclass(frozen=True)
class TableData:
    """A frame with the columns to show, in order; what the table view and the download read."""

    title: str
    frame: pl.DataFrame
    columns: tuple[Col, ...]
    threshold: int = 5
    note: str | None = None
    # a two-way table's known sums, named for the note on complementary cells ("per veckodag
    # (rad) och per tid på dagen (kolumn)"); None: the general sentence
    totals: str | None = None


COMPARED = "compared_"  # key prefix of the comparison period's columns in a table (with_comparison)
FLAG_SUFFIXES = ("__suppressed", "__reason", "__uncertain", "__n")  # privacy's flags of a value


def period_label(label: str, name: str, period: tuple[date, date]) -> str:
    """The header of a value in a named period, the period in words and dates:
    ('Kontakter', 'Föregående period', …) -> 'Kontakter, föregående period (3–9 mars 2025)'."""
    return f"{label}, {_lower_first(name)} ({format_period(*period)})"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def with_comparison(table: TableData, comparison: pl.DataFrame | None, *, on: str, actual: str,
                    name: str, period: tuple[date, date]) -> TableData:
    """The table with the comparison period beside the period, row by row as a chart draws it:
    `comparison` holds the comparison's published points laid on the period's `on` values (the
    real dates in `actual`), and each value column gets its comparison column, with privacy's
    flags, under a header naming the period in words ('Kontakter, föregående period (3–9 mars
    2025)'), after a column with the comparison's own dates ('Dag i föregående period'). Nothing
    is computed from the two periods, so each keeps exactly the hidden cells privacy gave it;
    a point of either period without the other leaves the other's cells empty."""
    if comparison is None or comparison.is_empty():
        return table
    values = [c for c in table.columns if c.unit is not None]
    kept = {actual: f"{COMPARED}{on}"} | {
        f"{c.key}{suffix}": f"{COMPARED}{c.key}{suffix}" for c in values
        for suffix in ("", *FLAG_SUFFIXES) if f"{c.key}{suffix}" in comparison.columns}
    beside = comparison.select(on, *kept).rename(kept)
    frame = table.frame.join(beside, on=on, how="full", coalesce=True, nulls_equal=True).sort(on)
    dimension = next(c for c in table.columns if c.key == on)
    columns = (*table.columns,
               # a row without a comparison point has no date there (not "Uppgift saknas")
               Col(f"{COMPARED}{on}", f"{dimension.label} i {_lower_first(name)}", None,
                   dimension=dimension.dimension, missing=MISSING),
               *(replace(c, key=f"{COMPARED}{c.key}", label=period_label(c.label, name, period))
                 for c in values))
    return replace(table, frame=frame, columns=columns)


def hidden_reasons(frame: pl.DataFrame, col: Col) -> list[str | None]:
    """Per cell why privacy hid it (dashboard.privacy's reasons), None where shown.
    A flag without a reason column gives "" (hidden, reason unknown: reads "Dolt")."""
    flag, why = f"{col.key}__suppressed", f"{col.key}__reason"
    if flag in frame.columns:
        reasons = frame[why].to_list() if why in frame.columns else [None] * frame.height
        return [(r or "") if h else None
                for h, r in zip(frame[flag].fill_null(False).to_list(), reasons)]
    return [None] * frame.height


def uncertain_mask(frame: pl.DataFrame, col: Col) -> list[bool]:
    """Per cell whether privacy marked the value uncertain (basis under the statistical minimum)."""
    flag = f"{col.key}__uncertain"
    if flag not in frame.columns:
        return [False] * frame.height
    return frame[flag].fill_null(False).to_list()


def hidden_mask(frame: pl.DataFrame, col: Col) -> list[bool]:
    return [r is not None for r in hidden_reasons(frame, col)]


HIDDEN_FLAG = "_hidden"  # the column a chart reads its hidden values from (charts' `hidden=`)


def with_hidden_flag(frame: pl.DataFrame, col: Col) -> pl.DataFrame:
    """The frame as a chart draws it: the column's hidden cells null, and HIDDEN_FLAG marking
    them, so that a null without the flag reads as no data ("–"), not as hidden."""
    mask = pl.Series(HIDDEN_FLAG, hidden_mask(frame, col), dtype=pl.Boolean)
    return frame.with_columns(mask).with_columns(
        pl.when(pl.col(HIDDEN_FLAG)).then(None).otherwise(pl.col(col.key)).alias(col.key))


def cells_hidden(frame: pl.DataFrame, col: Col) -> list[bool]:
    """The hidden flags of a heatmap's cells with contacts: hidden, or a value other than 0 and
    None (the zeros other channels bring at night, and rates over nothing, are not cells shown);
    what the hour-bin rule (dashboard.periods.choose_hour_bin) weighs."""
    return [h for v, h in zip(frame[col.key].to_list(), hidden_mask(frame, col))
            if h or v not in (None, 0)]


def _dimension_text(value, dimension: str | None) -> str:
    return dimension_text(dimension, value, short_dates=True)


def hidden_text(col: Col, threshold: int, reason: str | None = None) -> str:
    return hidden_cell_text(col.unit, reason, threshold)


def cell_texts(table: TableData, col: Col) -> list[str]:
    """The Swedish display text of one column, hidden cells replaced."""
    values = table.frame[col.key].to_list()
    if col.unit is None:
        return [col.missing if v is None and col.missing is not None
                else _dimension_text(v, col.dimension) for v in values]
    reasons = hidden_reasons(table.frame, col)
    unsure = uncertain_mask(table.frame, col)
    return [hidden_text(col, table.threshold, r) if r is not None
            else Uncertain.mark(format_value(v, col.unit)) if u else format_value(v, col.unit)
            for v, r, u in zip(values, reasons, unsure)]


def display_frame(table: TableData) -> pl.DataFrame:
    """All columns as Swedish text under Swedish headers (for st.dataframe)."""
    return pl.DataFrame({c.label: cell_texts(table, c) for c in table.columns},
                        schema={c.label: pl.String for c in table.columns})


def export_rows(table: TableData) -> list[list]:
    """Raw values for downloads: numbers and dates stay themselves, coded dimension values get their
    Swedish label, hidden cells are `privacy.Hidden` (drawn by the writer as on screen)."""
    out_cols = []
    for col in table.columns:
        values = table.frame[col.key].to_list()
        if col.unit is None:
            coded = col.dimension and col.dimension not in DATE_DIMENSIONS
            out_cols.append([_dimension_text(v, col.dimension) if coded else v for v in values])
            continue
        reasons = hidden_reasons(table.frame, col)
        out_cols.append([v if r is None else Hidden(r or None, col.unit, table.threshold)
                         for v, r in zip(values, reasons)])
    return [list(row) for row in zip(*out_cols)]


def hidden_notes(table: TableData, shown_as: str | None = None) -> list[str]:
    """One Swedish note per text hidden cells read, its reasons after it (suppression.explain),
    e.g. '”Dolt”: Dold så att en annan dold siffra inte kan räknas fram ur summan.' `shown_as`:
    the one word a chart writes on every hidden value (formatting.CHART_HIDDEN), quoted instead
    of the table's "<5" and "Dolt"."""
    seen: dict[str, list[str] | str] = {}   # the text hidden cells read -> its reasons; or a note
    for col in (c for c in table.columns if c.unit):
        present = set(hidden_reasons(table.frame, col))
        # a flag without a reason ("") is left to the generic caption
        for reason in (r for r in (SMALL_COUNT, SMALL_DENOMINATOR, COMPLEMENTARY) if r in present):
            reasons = seen.setdefault(shown_as or hidden_text(col, table.threshold, reason), [])
            if reason not in reasons:
                reasons.append(reason)
        # a chart draws no "(osäker)" mark (its table view does): under a chart, no note on it
        if shown_as is None and any(uncertain_mask(table.frame, col)):
            seen.setdefault(f"osäker {col.key}", uncertain_note(col))
    return [entry if isinstance(entry, str) else
            hidden_note(text, entry, table.threshold, totals=table.totals)
            for text, entry in seen.items()]


UNEXPLAINED_NOTE = ("”Dolt”: värdet bygger på för få kontakter eller döljs så att ett annat dolt "
                    "värde inte kan räknas fram ur en summa.")


def suppression_notes(table: TableData, shown_as: str | None = None) -> list[str]:
    """The notes under a chart or table: why its hidden cells are hidden and which values are
    uncertain; none when no shown column has a hidden cell (a note under every chart would say
    nothing). A hidden flag without a reason gets the general sentence. `shown_as`: as in
    hidden_notes, for a note under a chart."""
    if not any(any(hidden_mask(table.frame, c)) for c in table.columns if c.unit):
        return []
    return hidden_notes(table, shown_as) or [UNEXPLAINED_NOTE]


def download_note(table: TableData) -> str | None:
    """The table's note plus a sentence per column with uncertain values (a spreadsheet keeps
    the number itself, so the marker goes into the note)."""
    notes = [table.note] if table.note else []
    notes += [uncertain_note(c) for c in table.columns if c.unit and any(uncertain_mask(table.frame, c))]
    return " ".join(notes) or None


def uncertain_note(col: Col) -> str:
    """The note on a column's "(osäker)" values (privacy.cells.uncertain_note: the pack's too)."""
    return privacy_uncertain_note(col.label, col.min_n)

"""Every chart and table is drawn through here: the definition one click away, "Visa som tabell",
the data download, the suppression explanation, and a text alternative for the chart."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard.charts import alt_text
from dashboard.formatting import CHART_HIDDEN
from dashboard.metrics.metric import UNITS
from dashboard.metrics.registry import REGISTRY
from dashboard.privacy import as_markdown
from dashboard.ui import chrome, data, drill
from dashboard.ui.download import download, download_export
from dashboard.ui.tables import TableData, display_frame, suppression_notes

PLOTLY_CONFIG = {"displaylogo": False, "locale": "sv", "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def definition_lines(metric_ids: Sequence[str]) -> list[str]:
    """Markdown for each metric: label, definition, unit, source, suppression limit."""
    s = data.settings()
    lines = []
    for mid in metric_ids:
        m = REGISTRY.get(mid)
        if m is None:
            continue
        lines.append(
            f"**{m.label_for(s)}** – {m.definition_for(s)}  \n"
            f"Enhet: {UNITS.get(m.unit, m.unit)}. Källa: {m.source}. "
            + (f"Märks som osäker när underlaget är färre än {m.min_n_for(s)}; döljs"
               if m.kind != "count" else "Döljs")
            + f" när det skulle avslöja färre än {s.small_cell_threshold} kontakter."
            + (" Härlett med regler, inte taggat i källdata." if m.inferred else "")
        )
    return lines


def definitions(metric_ids: Sequence[str], *, label: str = "Definition") -> None:
    lines = definition_lines(metric_ids)
    if not lines:
        return
    with st.popover(label, icon=":material/info:"):
        st.markdown("\n\n".join(lines))


def _suppression_note(table: TableData, shown_as: str | None = None) -> None:
    notes = suppression_notes(table, shown_as)
    if notes:
        st.caption(" ".join(notes))


STATIC_ROWS = 25  # up to this many rows a table is drawn as text, in full


ROW_HINT = "Klicka på en rad för att filtrera på den."
# The room a grid's columns have at 1280 px: the main column (786 px in a bordered container) less
# a drillable grid's row-selection column; a grid in half the page (Översikt's two columns).
GRID_FIT_PX, HALF_FIT_PX = 740, 330
MIN_PX = 56  # a column's least width
PX_PER_CHAR, CELL_PAD_PX = 6.5, 16  # the grid's 14 px font, measured in Chromium; cell padding
HEADER_PAD_PX = 8  # a header's text has less room than a cell's (the grid's header menu)


def text_px(chars: int) -> int:
    return int(PX_PER_CHAR * chars) + CELL_PAD_PX


def whole_widths(headers: dict[str, list[str]], fit: int) -> dict[str, int] | None:
    """Column widths (px) at which every header and every cell reads whole on one line within
    `fit`, the spare room spread evenly over the columns (the odd pixels to the first); None
    when they cannot fit: the canvas grid neither wraps a header nor a cell, so such a table is
    drawn as text, which wraps. `headers`: header -> the cells' texts."""
    need = {h: max(MIN_PX, text_px(len(h)) + HEADER_PAD_PX, text_px(max(map(len, cells), default=0)))
            for h, cells in headers.items()}
    spare = fit - sum(need.values())
    if spare < 0 or not need:
        return None
    first = next(iter(need))
    return {h: w + spare // len(need) + (spare % len(need) if h == first else 0)
            for h, w in need.items()}


def grid_columns(table: TableData, texts: pl.DataFrame, fit: int) -> dict | None:
    """Column settings of a grid in which no header and no value is cut (`whole_widths`), label
    columns pinned at the left; None when the table cannot be drawn so within `fit`. `texts`:
    the table as shown (display_frame)."""
    widths = whole_widths({c.label: [str(t) for t in texts[c.label].to_list()] for c in table.columns},
                          fit)
    if widths is None:
        return None
    return {c.label: st.column_config.Column(c.label, width=widths[c.label], pinned=c.unit is None)
            for c in table.columns}


def _dataframe(table: TableData, key: str, static: bool = False, rows_drill: bool = False,
               fit: int = GRID_FIT_PX) -> None:
    # Short tables are static text, whose headers and cells wrap to the page's width, so none is
    # cut. A long table, or one whose rows drill down (a förvaltning, an ärendekategori, ...), is
    # the grid (it scrolls, and reports a row click) when every header and cell fits its columns
    # on one line; otherwise it is text too, and a drillable one offers its rows as a choice.
    keys = drill.row_keys(table.columns) if rows_drill and not static else []
    shown = display_frame(table)
    if keys:
        widget = f"df_{key}_{st.session_state.get(drill.ROUND, 0)}"
        columns = grid_columns(table, shown, GRID_FIT_PX)
        if columns is None:
            text_table(shown, _figure_labels(table.columns), widget)
            drill.row_choice(widget, table.frame, keys, row_labels(table, shown, keys))
            return
        st.dataframe(shown, hide_index=True, key=widget, height="auto", column_config=columns,
                     on_select=drill.on_row(widget, table.frame, keys), selection_mode="single-row")
        st.caption(ROW_HINT)
        return
    long = not static and table.frame.height > STATIC_ROWS
    columns = grid_columns(table, shown, fit) if long else None
    if columns is None:
        text_table(shown, _figure_labels(table.columns), f"df_{key}")
        return
    st.dataframe(shown, hide_index=True, key=f"df_{key}", height="auto", column_config=columns)


def _figure_labels(columns) -> list[str]:
    """The headers of a table's figure columns (a unit; dimensions and text have none)."""
    return [c.label for c in columns if c.unit is not None]


def text_table(shown: pl.DataFrame, figures: Sequence[str], key: str) -> None:
    """A table as static text, which wraps (no cell cut), with the figure columns and their
    headers right-aligned so that digits line up, as in the grid and the pack. (Streamlit's
    table drops a Styler's cell styles; the container's key names the columns for the CSS in
    ui/chrome.py.)"""
    with st.container(key=chrome.figure_columns_key(
            [shown.columns.index(label) for label in figures], key)):
        st.table(shown, hide_index=True)


def row_labels(table: TableData, texts: pl.DataFrame, keys: list[tuple[str, str]]) -> list[str]:
    """Each row as the choice names it: its drillable columns' texts as shown (`texts`:
    display_frame), 'Fastighets- och gatukontoret – Snöröjning och halkbekämpning'."""
    by_key = {c.key: c.label for c in table.columns}
    return [" – ".join(row) for row in zip(*(texts[by_key[k]].to_list() for k, _ in keys))]


TABLE_KEY = "table"  # URL key: the charts shown as tables, by chart key (repeated)
_DRAWN = "_charts_drawn"  # chart keys drawn in this run, for the page's notice on unknown ones


def _write_table(key: str) -> None:
    """on_change of a "Visa som tabell" toggle: the chart's key into (or out of) the URL."""
    shown = [k for k in st.query_params.get_all(TABLE_KEY) if k != key]
    if st.session_state.get(f"tbl_{key}"):
        shown.append(key)
    if shown:
        st.query_params[TABLE_KEY] = shown
    elif TABLE_KEY in st.query_params:
        del st.query_params[TABLE_KEY]


def _table_toggle(key: str) -> bool:
    """The toggle's value comes from the URL on every run (a copied link opens the same tables)."""
    widget = f"tbl_{key}"
    wanted = key in st.query_params.get_all(TABLE_KEY)
    if st.session_state.get(widget) != wanted:
        st.session_state[widget] = wanted
    st.session_state.setdefault(_DRAWN, set()).add(key)
    return st.toggle("Visa som tabell", key=widget, on_change=_write_table, args=(key,))


def start_run() -> None:
    """Called by the page frame before the body: no chart drawn yet in this run."""
    st.session_state[_DRAWN] = set()


def unknown_tables() -> list[str]:
    """Chart keys in the URL's `table` that no chart on the page has (a link from another page
    or an old link): the page removes them with one notice."""
    drawn = st.session_state.get(_DRAWN, set())
    return [k for k in st.query_params.get_all(TABLE_KEY) if k not in drawn]


def _toolbar(table: TableData, key: str, metric_ids: Sequence[str], with_toggle: bool) -> bool:
    show_table = False
    with st.container(horizontal=True, vertical_alignment="center"):
        definitions(metric_ids)
        with st.popover("Ladda ner", icon=":material/download:"):
            download(table, key=key)
        if with_toggle:
            show_table = _table_toggle(key)
    return show_table


def chart_block(fig: go.Figure, table: TableData, *, key: str, metric_ids: Sequence[str] = (),
                caption: str | None = None, on_select: Callable[[], None] | None = None,
                click_hint: str = "Klicka på en stapel för att filtrera på den.",
                drawn: pl.DataFrame | None = None, fit: int = GRID_FIT_PX) -> None:
    """A chart with its toolbar; the table replaces the chart when the user asks for it.

    `drawn`: the rows the chart draws when it draws fewer than the table holds (a ranked
    chart's largest, dashboard.charts.bars.ranked_rows): the note on hidden values under the
    chart speaks of those, the table's of all its rows.

    `on_select` (dashboard.ui.drill) runs when the user clicks a bar: the chart's key is
    `fig_<key>`, where the callback finds the clicked point. `fit`: the width (px) the table
    has at 1280 px (HALF_FIT_PX in half the page)."""
    noted, shown_as = table, None
    with st.container(border=True):
        if _toolbar(table, key, metric_ids, with_toggle=True):
            st.markdown(f"**{as_markdown(table.title)}**")
            _dataframe(table, key, fit=fit)
        else:
            if drawn is not None:
                noted = replace(table, frame=drawn)
            shown_as = CHART_HIDDEN   # the chart writes one word on every hidden value
            select = {"on_select": on_select, "selection_mode": "points"} if on_select else {}
            st.plotly_chart(fig, key=f"fig_{key}", config=PLOTLY_CONFIG, alt=alt_text(fig), theme=None,
                            **select)
            if on_select and fig.data:   # a chart said in words has nothing to click
                st.caption(click_hint)
        if caption:
            st.caption(caption)
        if table.note:
            st.caption(table.note)
        _suppression_note(noted, shown_as)


def export_block(table, *, key: str, metric_ids: Sequence[str] = (),
                 caption: str | None = None) -> None:
    """A table of the export model (dashboard.export.model.Table: numbers with units, hidden
    cells) drawn as the pack prints it, with definition and a download of the same cells."""
    from dashboard.export.cells import display_text

    with st.container(border=True):
        st.markdown(f"**{as_markdown(table.title)}**")
        shown = {c.label: [display_text(row[j], c.unit) for row in table.rows]
                 for j, c in enumerate(table.columns)}
        frame = pl.DataFrame(shown, schema={c.label: pl.String for c in table.columns})
        if frame.height <= STATIC_ROWS:   # text that wraps: no cell cut (as _dataframe)
            text_table(frame, _figure_labels(table.columns), f"df_{key}")
        else:
            st.dataframe(frame, hide_index=True, key=f"df_{key}", height="content")
        with st.container(horizontal=True, vertical_alignment="center"):
            definitions(metric_ids)
            with st.popover("Ladda ner", icon=":material/download:"):
                download_export(table, key=key)
        if caption:
            st.caption(caption)
        if note := table.full_note:   # its own note, then why cells are uncertain or hidden
            st.caption(note)


def table_block(table: TableData, *, key: str, metric_ids: Sequence[str] = (),
                caption: str | None = None, static: bool = False) -> None:
    """A table on its own, with definition and download; a click on a row filters to it when
    the table has a column to filter on (dashboard.ui.drill.row_keys)."""
    with st.container(border=True):
        st.markdown(f"**{as_markdown(table.title)}**")
        if table.frame.is_empty():
            st.info("Inga rader för de valda filtren.")
        else:
            _dataframe(table, key, static, rows_drill=True)
        _toolbar(table, key, metric_ids, with_toggle=False)
        if caption:
            st.caption(caption)
        if table.note:
            st.caption(table.note)
        _suppression_note(table)

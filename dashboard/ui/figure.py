"""Every chart and table is drawn through here: the definition one click away, "Visa som tabell",
the data download, the suppression explanation, and a text alternative for the chart."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard.charts import alt_text
from dashboard.metrics.metric import UNITS
from dashboard.metrics.registry import REGISTRY
from dashboard.privacy import as_markdown
from dashboard.ui import data
from dashboard.ui.download import download, download_export
from dashboard.ui.tables import TableData, display_frame, hidden_mask, hidden_notes

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


def _suppression_note(table: TableData) -> None:
    if any(any(hidden_mask(table.frame, c)) for c in table.columns if c.unit):
        notes = hidden_notes(table) or [
            "”Dolt”: värdet bygger på för få kontakter eller döljs så att ett annat dolt värde "
            "inte kan räknas fram ur en summa."]
        st.caption(" ".join(notes))


STATIC_ROWS = 25  # up to this many rows a table is drawn as text, in full


def _dataframe(table: TableData, key: str, static: bool = False) -> None:
    # A short table is static text: its columns wrap to the page's width, so none is cut at the
    # right (Streamlit's canvas grid sizes columns to their content and scrolls sideways).
    if static or table.frame.height <= STATIC_ROWS:
        st.table(display_frame(table), hide_index=True)
        return
    st.dataframe(display_frame(table), hide_index=True, key=f"df_{key}", height="auto")


def _toolbar(table: TableData, key: str, metric_ids: Sequence[str], with_toggle: bool) -> bool:
    show_table = False
    with st.container(horizontal=True, vertical_alignment="center"):
        definitions(metric_ids)
        with st.popover("Ladda ner", icon=":material/download:"):
            download(table, key=key)
        if with_toggle:
            show_table = st.toggle("Visa som tabell", key=f"tbl_{key}")
    return show_table


def chart_block(fig: go.Figure, table: TableData, *, key: str, metric_ids: Sequence[str] = (),
                caption: str | None = None, on_select: Callable[[], None] | None = None) -> None:
    """A chart with its toolbar; the table replaces the chart when the user asks for it.

    `on_select` (dashboard.ui.drill) runs when the user clicks a bar: the chart's key is
    `fig_<key>`, where the callback finds the clicked point."""
    with st.container(border=True):
        if _toolbar(table, key, metric_ids, with_toggle=True):
            st.markdown(f"**{as_markdown(table.title)}**")
            _dataframe(table, key)
        else:
            select = {"on_select": on_select, "selection_mode": "points"} if on_select else {}
            st.plotly_chart(fig, key=f"fig_{key}", config=PLOTLY_CONFIG, alt=alt_text(fig), theme=None,
                            **select)
            if on_select:
                st.caption("Klicka på en stapel för att filtrera på den.")
        if caption:
            st.caption(caption)
        if table.note:
            st.caption(table.note)
        _suppression_note(table)


def export_block(table, *, key: str, metric_ids: Sequence[str] = (),
                 caption: str | None = None) -> None:
    """A table of the export model (dashboard.export.model.Table: numbers with units, hidden
    cells) drawn as the pack prints it, with definition and a download of the same cells."""
    from dashboard.export.cells import display_text

    with st.container(border=True):
        st.markdown(f"**{as_markdown(table.title)}**")
        shown = {c.label: [display_text(row[j], c.unit) for row in table.rows]
                 for j, c in enumerate(table.columns)}
        st.dataframe(pl.DataFrame(shown, schema={c.label: pl.String for c in table.columns}),
                     hide_index=True, key=f"df_{key}", height="content")
        with st.container(horizontal=True, vertical_alignment="center"):
            definitions(metric_ids)
            with st.popover("Ladda ner", icon=":material/download:"):
                download_export(table, key=key)
        if caption:
            st.caption(caption)
        if table.note:
            st.caption(table.note)


def table_block(table: TableData, *, key: str, metric_ids: Sequence[str] = (),
                caption: str | None = None, static: bool = False) -> None:
    """A table on its own, with definition and download."""
    with st.container(border=True):
        st.markdown(f"**{as_markdown(table.title)}**")
        if table.frame.is_empty():
            st.info("Inga rader för de valda filtren.")
        else:
            _dataframe(table, key, static)
        _toolbar(table, key, metric_ids, with_toggle=False)
        if caption:
            st.caption(caption)
        if table.note:
            st.caption(table.note)
        _suppression_note(table)

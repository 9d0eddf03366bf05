"""Lokal service: one service point's hours, topics and visitors' home areas."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import privacy
from dashboard.charts import ranked_bars, ranked_rows, weekday_hour_heatmap
from dashboard.ui import blocks, choices, data, drill
from dashboard.ui.engine import for_view
from dashboard.ui.figure import chart_block
from dashboard.domain import dimension_label
from dashboard.periods import HOUR_BIN_NAMES, HOUR_BINS, choose_hour_bin
from dashboard.ui.tables import HIDDEN_FLAG, Col, TableData, cells_hidden, with_hidden_flag


def per_point(view, *, key: str) -> None:
    """The chosen point's weekday × hour heatmap over the whole week (a click on a cell filters
    the view to it, dashboard.ui.drill.on_cell), and its topics and visitors' areas for the view."""
    week = for_view(privacy.LOCAL_SERVICE, view.whole_week())
    result = for_view(privacy.LOCAL_SERVICE, view) if view.cells else week
    channels = view.state.channels
    points = sorted(p for p in week.totals["service_point"].unique().to_list() if p)
    if not points:
        st.info("Inga besök eller uppsökande kontakter för de valda filtren.")
        return
    widget, write = choices.bind("point", points, points[0])
    point = st.selectbox("Servicepunkt", points, key=widget, on_change=write)
    col = blocks.metric_col("contacts")
    frames = {}

    def hidden_at(span: int) -> list[bool]:  # the point's cells at `span` (periods' hour-bin rule)
        by_span = week if span == 1 else for_view(privacy.LOCAL_SERVICE, view.whole_week(), hour_span=span)
        frames[span] = by_span.by_hour.filter(pl.col("service_point") == point)
        return cells_hidden(frames[span], col)

    span = choose_hour_bin(hidden_at)
    hours = frames[span]
    shown = with_hidden_flag(hours, col)
    title = f"{point}: kontakter per veckodag och {HOUR_BIN_NAMES[span]}"
    fig = weekday_hour_heatmap(shown, value="contacts", title=title, unit="count", value_label="Kontakter",
                               hidden=HIDDEN_FLAG, opening_hours=data.opening_hours(channels),
                               clickable=True, selected=view.cells, span=span)
    cols = (blocks.dim_col("weekday"), Col("hour", dimension_label(HOUR_BINS[span]), dimension=HOUR_BINS[span]),
            col)
    chart_block(fig, TableData(title, hours, cols, blocks.threshold(), totals=blocks.HEATMAP_TOTALS),
                key=f"{key}_hours",
                metric_ids=["contacts"], on_select=drill.on_cell(f"fig_{key}_hours"),
                click_hint=blocks.CELL_HINT)
    left, right = st.columns(2)
    with left:
        _shares(result.topics.filter(pl.col("service_point") == point), "topic",
                f"{point}: vanligaste ärendekategorier", key=f"{key}_topics")
    with right:
        _shares(result.areas.filter(pl.col("service_point") == point), "city_area",
                f"{point}: besökarnas stadsdelar", key=f"{key}_areas")


TOP = 10  # topics and home areas drawn per service point


def _shares(frame: pl.DataFrame, dimension: str, title: str, *, key: str) -> None:
    count_col = blocks.metric_col("contacts")
    cols = (blocks.dim_col(dimension), count_col, Col("share", "Andel", "share"))
    fig = ranked_bars(with_hidden_flag(frame, cols[-1]), label=dimension, value="share", title=title,
                      unit="share", value_title="Andel av servicepunktens kontakter", top=TOP,
                      hidden=HIDDEN_FLAG)
    chart_block(fig, TableData(title, frame, cols, blocks.threshold()), key=key, metric_ids=["contacts"],
                on_select=drill.on_bar(f"fig_{key}", dimension), drawn=ranked_rows(frame, "share", TOP))

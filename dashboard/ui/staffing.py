"""Bemanning: the engine's Erlang C plan per half hour of an average week, and the what-if on
avoidable demand (dashboard.metrics.staffing_plan / staffing_what_if)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import privacy
from dashboard.privacy import as_markdown
from dashboard.charts import category_bars
from dashboard.formatting import NBSP, format_fte, format_number, format_percent, format_weekday
from dashboard.ui import blocks, choices
from dashboard.ui.engine import for_view
from dashboard.ui.figure import chart_block
from dashboard.view import View
from dashboard.ui.tables import Col, TableData

PLAN_COLUMNS = (
    Col("halfhour", "Halvtimme"), Col("offered", "Inkomna per halvtimme (medel)", "ratio"),
    Col("aht_s", "Hanteringstid (AHT)", "seconds"), Col("agents", "Agenter i telefon", "count"),
    Col("agents_scheduled", "Att schemalägga", "count"), Col("service_level", "Uppnådd servicenivå", "share"),
    Col("asa_s", "Väntetid (ASA)", "seconds"), Col("occupancy", "Beläggning", "share"),
)


def targets() -> dict:
    """The service-level target and planning assumptions (widgets of this page only)."""
    c1, c2, c3, c4 = st.columns(4)

    def slider(column, label, url_key, low, high, default, **kw):
        widget, write = choices.bind(url_key, range(low, high + 1, 5), default)
        return column.slider(label, low, high, step=5, key=widget, on_change=write, **kw)

    return {
        "target_sl": slider(c1, "Mål för servicenivå", "sl", 50, 95, 80, format="%d %%") / 100,
        "target_answer_s": slider(c2, "Svar inom (sekunder)", "answer", 10, 120, 20),
        "shrinkage": slider(c3, "Frånvaro och annan tid (shrinkage)", "shrinkage", 0, 50, 30,
                            format="%d %%") / 100,
        "max_occupancy": slider(c4, "Högsta beläggning", "occupancy", 70, 100, 85, format="%d %%") / 100,
    }


def plan(view: View, t: dict) -> None:
    result = for_view(privacy.STAFFING_PLAN, view.within_channels(("phone",)), **t)
    intervals = result.intervals
    if intervals.is_empty():
        st.info("Inga samtal i perioden för de valda filtren.")
        return
    days = sorted(intervals["weekday"].unique().to_list())
    day_key, day_write = choices.bind("weekday", days, days[0])
    day = st.segmented_control("Veckodag", days, format_func=format_weekday, key=day_key,
                               on_change=day_write, required=True)
    rows = intervals.filter(pl.col("weekday") == day)
    title = f"Agenter som behövs per halvtimme, {format_weekday(day)}"
    fig = category_bars(rows, x="halfhour", y=["agents", "agents_scheduled"], title=title, unit="count",
                        x_title="Halvtimme (start)", y_title="Antal agenter",
                        names={"agents": "I telefon", "agents_scheduled": "Att schemalägga"})
    note = (f"Medel per halvtimme över perioden ({result.period_days} dagar), telefon. {result.note}")
    chart_block(fig, TableData(title, rows, PLAN_COLUMNS, blocks.threshold(), note=note), key="st_plan",
                metric_ids=["offered", "aht_s"])


def what_if(view: View, t: dict) -> None:
    st.subheader("Om onödig efterfrågan minskar")
    widget, write = choices.bind("reduction", range(0, 101, 5), 20)
    share = st.slider("Minskning av onödig efterfrågan", 0, 100, step=5, format="%d %%",
                      key=widget, on_change=write) / 100
    result = for_view(privacy.STAFFING_WHAT_IF, view, reduction_share=share, **t)
    left, right = st.columns(2)
    with left:
        st.metric("Frigjord hanterad tid under perioden",
                  format_number(result.workload.handled_hours_freed, 0) + NBSP + "h", border=True)
        st.metric("Motsvarar i årstakt (hanterad tid)", format_fte(result.workload.positions_freed),
                  border=True)
        st.caption(result.workload.note)
    with right:
        st.metric("Frigjorda tjänster i årstakt enligt Erlang C (telefon)",
                  format_fte(result.erlang.positions_freed), border=True)
        st.caption(result.erlang.note)
    st.caption(f"En minskning med {format_percent(share, 0)} av den taggade onödiga efterfrågan för "
               f"{view.who.lower() if view.department is None else as_markdown(view.department)} under perioden; "
               "övrig efterfrågan och hanteringstid antas oförändrade.")

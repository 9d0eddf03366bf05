"""Bemanning: Erlang C per half hour for an average day in the period, and the what-if on
avoidable demand. Inputs come from the engine (offered, AHT, failure-demand share per half hour);
Erlang C is dashboard.metrics.staffing."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.charts import category_bars
from dashboard.formatting import format_fte, format_number, format_percent
from dashboard.metrics import staffing
from dashboard.ui import blocks, data
from dashboard.ui.engine import for_view, metrics
from dashboard.ui.figure import chart_block
from dashboard.ui.filters import View
from dashboard.ui.tables import Col, TableData

INPUT_IDS = ("offered", "aht_s", "failure_demand_share")


def targets() -> dict:
    """The user's service-level target and planning assumptions (widgets on this page only)."""
    c1, c2, c3, c4 = st.columns(4)
    return {
        "target_sl": c1.slider("Mål för servicenivå", 50, 95, 80, step=5, format="%d %%", key="st_sl") / 100,
        "target_answer_s": c2.slider("Svar inom (sekunder)", 10, 120, 20, step=5, key="st_ans"),
        "shrinkage": c3.slider("Frånvaro och annan tid (shrinkage)", 0, 50, 30, step=5, format="%d %%",
                               key="st_shrink") / 100,
        "max_occupancy": c4.slider("Högsta beläggning", 70, 100, 85, step=5, format="%d %%",
                                   key="st_occ") / 100,
    }


def average_day(view: View) -> tuple[pl.DataFrame, int]:
    """Offered per half hour on an average day with queue traffic, AHT and failure share per slot."""
    per_slot = metrics(view, INPUT_IDS, by=["halfhour"])
    days = metrics(view, ["offered"], by=["day"]).filter(pl.col("offered") > 0).height
    frame = per_slot.with_columns(
        (pl.col("offered") / max(days, 1)).alias("offered_per_day"),
        pl.col("failure_demand_share").fill_null(0.0).alias("failure_share"),
    ).filter(pl.col("offered") > 0)
    return frame, days


def plan(view: View, t: dict) -> None:
    engine_plan = for_view("staffing_plan", view, **t)
    frame, days = average_day(view)
    if frame.is_empty():
        st.info("Inga samtal eller chattar i perioden för de valda filtren.")
        return
    planned = staffing.staffing_plan(frame, offered_col="offered_per_day", **t)
    title = "Agenter som behövs per halvtimme en genomsnittlig dag"
    fig = category_bars(planned, x="halfhour", y=["agents", "agents_scheduled"], title=title,
                        unit="count", x_title="Halvtimme (start)", y_title="Antal agenter",
                        names={"agents": "I telefon", "agents_scheduled": "Att schemalägga"})
    cols = (Col("halfhour", "Halvtimme"), Col("offered_per_day", "Inkomna per dag", "ratio"),
            Col("aht_s", "Hanteringstid (AHT)", "seconds"), Col("agents", "Agenter i telefon", "count"),
            Col("agents_scheduled", "Att schemalägga", "count"),
            Col("service_level", "Uppnådd servicenivå", "share"), Col("asa_s", "Väntetid (ASA)", "seconds"),
            Col("occupancy", "Beläggning", "share"))
    note = (f"Genomsnitt över {days} dagar med samtal eller chattar. {staffing.ABANDONMENT_NOTE}")
    chart_block(fig, TableData(title, planned, cols, blocks.threshold(), note=note), key="st_plan",
                metric_ids=["offered", "aht_s"])
    if engine_plan is not None:
        st.caption("Metrikmotorns bemanningsplan finns; se tabellen ovan för genomsnittsdagen.")


def what_if(view: View, t: dict) -> None:
    st.subheader("Om onödig efterfrågan minskar")
    share = st.slider("Minskning av onödig efterfrågan", 0, 100, 20, step=5, format="%d %%",
                      key="st_whatif") / 100
    frame, days = average_day(view)
    totals = metrics(view, ["failure_demand_hours"])
    settings = data.settings()
    hours = totals["failure_demand_hours"][0] if totals is not None and not totals.is_empty() else None
    left, right = st.columns(2)
    with left:
        if hours is None:
            st.info("Ingen taggad onödig efterfrågan i perioden.")
        else:
            freed = staffing.freed_positions(hours * 3600, share, settings.working_hours_per_fte,
                                             period_days=view.period.days)
            st.metric("Frigjord tid (hanterad tid)", format_number(freed.handled_hours_freed, 0) + "\u00a0h",
                      help=freed.note, border=True)
            st.metric("Motsvarar", format_fte(freed.positions_freed), border=True)
            st.caption(freed.note)
    with right:
        if not frame.is_empty():
            result = staffing.freed_positions_erlang(
                frame.rename({"offered": "offered_total"}).rename({"offered_per_day": "offered"}),
                # the average day stands for each of `days` traffic days in the period
                reduction_share=share, period_days=view.period.days / max(days, 1),
                working_hours_per_fte=settings.working_hours_per_fte, **t)
            st.metric("Frigjorda tjänster enligt Erlang C",
                      format_fte(result.positions_freed), border=True)
            st.caption(result.note)
    st.caption(f"Minskning {format_percent(share, 0)} av den onödiga efterfrågan i vald förvaltning "
               "och period; övrig efterfrågan och hanteringstid antas oförändrade.")

"""Översikt: one screen. How are we doing, what changed, where to look."""

import streamlit as st

from dashboard.navigation import title_of
from dashboard.ui import blocks, insights
from dashboard.ui.page import page

KEY_FIGURES = ("contacts", "answer_rate", "service_level", "asa_s",
               "resolved_rate", "failure_demand_share", "digital_share", "satisfaction_index")


def body(view) -> None:
    st.subheader("Hur går det?")
    # The key figures are drawn in their place above the trend, but after it: the first chart
    # is sent while the cards' engine calls (the heaviest of the page) are still running.
    cards = st.container()
    st.subheader("Vad har förändrats?")
    left, right = st.columns(2)
    with left:
        blocks.trend(view, "contacts", key="ov_trend", incidents=insights.incident_periods(view),
                     half_page=True)
    with cards:
        blocks.kpis(view, KEY_FIGURES)
    with right:
        insights.biggest_changes(view, "contacts", "topic", key="ov_changes")
    st.subheader("Var ska vi titta?")
    gaps, flags = st.columns(2)
    with gaps:
        insights.top_service_gaps(view, key="ov_gaps", top=5)
    with flags:
        insights.incident_list(view, key="ov_incidents")
        insights.equity_flags(view, key="ov_equity")


page(title_of(__file__), body)

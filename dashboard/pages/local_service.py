"""Lokal service: visits and outreach per service point; local incidents as spikes."""

import streamlit as st

from dashboard import domain
from dashboard.ui import blocks, insights
from dashboard.ui.engine import for_view
from dashboard.ui.page import page
from dashboard.ui.structured import show_frame


def body(view) -> None:
    view = view.within_channels(domain.LOCAL_CHANNELS)
    blocks.ranked(view, "contacts", "service_point", key="ls_points",
                  title="Besök och uppsökande verksamhet per servicepunkt", with_city=False)
    local = for_view("local_service", view)
    if local is not None:
        show_frame(local, "Lokal service per servicepunkt", key="ls_local")
    left, right = st.columns(2)
    with left:
        blocks.heatmap(view, "contacts", key="ls_heat", title="Kontakter per veckodag och timme")
    with right:
        blocks.ranked(view, "contacts", "topic", key="ls_topics", with_city=False, top=10,
                      title="Vanligaste ärendekategorier")
    st.subheader("Oönskade händelser")
    blocks.trend(view, "contacts", key="ls_incident_trend", grain="day",
                 incidents=insights.incident_periods(view),
                 title="Kontakter per dag, med flaggade perioder markerade")
    insights.incident_list(view, key="ls_incidents")


page("Lokal service", body,
     intro="Besök och uppsökande verksamhet per servicepunkt, och lokala händelser som syns som "
           "toppar i antalet kontakter. Sidan visar kanalerna Besök och Uppsökande verksamhet.")

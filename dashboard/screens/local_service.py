"""Lokal service: visits and outreach per service point; local incidents as spikes."""

import streamlit as st

from dashboard import domain
from dashboard.navigation import title_of
from dashboard.ui import blocks, insights, local
from dashboard.ui.page import page


def body(all_channels) -> None:
    view = all_channels.within_channels(domain.LOCAL_CHANNELS)
    blocks.ranked(view, "contacts", "service_point", key="ls_points", with_city=False,
                  title="Besök och uppsökande verksamhet per servicepunkt", choice="point")
    local.per_point(view, key="ls_point")
    st.subheader("Oönskade händelser")
    blocks.trend(all_channels, "contacts", key="ls_incident_trend",
                 incidents=insights.incident_periods(all_channels),
                 title="Kontakter {per} i alla kanaler, flaggade perioder markerade")
    insights.incident_list(all_channels, key="ls_incidents")


page(title_of(__file__), body,
     intro="Besök och uppsökande verksamhet per servicepunkt (kanalerna Besök och Uppsökande "
           "verksamhet), och lokala händelser som syns som toppar i antalet kontakter.")

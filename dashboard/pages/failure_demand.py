"""Onödig efterfrågan: demand caused by a failure to do something, or to do it right."""

import streamlit as st

from dashboard.ui import blocks
from dashboard.ui.engine import for_view
from dashboard.ui.page import page
from dashboard.ui.structured import show_frame

KEY_FIGURES = ("failure_demand_share", "repeat_rate", "contacts_per_resolved_matter",
               "failure_demand_cost_sek", "failure_demand_fte", "failure_demand_hours",
               "failure_demand_share_inferred", "digital_share")


def body(view) -> None:
    blocks.kpis(view, KEY_FIGURES)
    blocks.trend(view, "failure_demand_share", key="fd_trend")
    left, right = st.columns(2)
    with left:
        blocks.ranked(view, "failure_demand_share", "topic", key="fd_topic",
                      title="Onödig efterfrågan per ärendekategori")
    with right:
        blocks.ranked(view, "failure_demand_share", "department", key="fd_department",
                      title="Onödig efterfrågan per förvaltning")
    breakdown = for_view("failure_demand_breakdown", view)
    if breakdown is not None:
        show_frame(breakdown, "Orsaker till onödig efterfrågan", key="fd_reasons")
    st.subheader("Självservice som inte används")
    potential = for_view("self_service_potential", view)
    if potential is not None:
        show_frame(potential, "Ärenden med e-tjänst som ändå kommer via telefon", key="fd_self_service")
    else:
        blocks.ranked(view, "digital_share", "topic", key="fd_digital",
                      title="Andel via e-tjänst per ärendekategori")


page("Onödig efterfrågan", body,
     intro="Kontakter som uppstår för att något inte blev gjort, eller inte blev rätt, första "
           "gången: vad de kostar i tid, kronor och årsarbetare, och var de kommer ifrån.")

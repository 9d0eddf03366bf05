"""Onödig efterfrågan: demand caused by a failure to do something, or to do it right."""

import streamlit as st

from dashboard import privacy
from dashboard.navigation import title_of
from dashboard.ui import blocks, demand
from dashboard.ui.engine import for_view
from dashboard.ui.page import page

KEY_FIGURES = ("failure_demand_share", "repeat_rate", "contacts_per_resolved_matter",
               "failure_demand_cost_sek", "failure_demand_fte", "failure_demand_hours",
               "failure_demand_share_inferred", "failure_demand_cost_sek_inferred")


def body(view) -> None:
    blocks.kpis(view, KEY_FIGURES)
    st.caption("Härledda siffror (kontakter utan taggning som reglerna bedömer som onödiga: "
               "upprepade kontakter inom fönstret och ärendekategorier som i sig är statusfrågor) "
               "redovisas för sig och blandas aldrig med de taggade.")
    blocks.trend(view, "failure_demand_share", key="fd_trend")
    demand.reasons(for_view(privacy.FAILURE_DEMAND_BREAKDOWN, view, by="reason"), key="fd_reasons")
    if view.department is None:   # for one förvaltning it would be one bar on its own line
        blocks.ranked(view, "failure_demand_share", "department", key="fd_department",
                      title="Onödig efterfrågan per förvaltning")
    blocks.ranked(view, "failure_demand_share", "topic", key="fd_topic",
                  title="Onödig efterfrågan per ärendekategori")
    st.subheader("Självservice som inte används")
    demand.self_service(for_view(privacy.SELF_SERVICE_POTENTIAL, view), key="fd_self_service")


page(title_of(__file__), body,
     intro="Kontakter som uppstår för att något inte blev gjort, eller inte blev rätt, första "
           "gången: vad de kostar i tid, kronor och årsarbetare, och var de kommer ifrån.")

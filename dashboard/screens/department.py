"""Förvaltning: the scorecard for one department against the previous period and the city."""

import streamlit as st

from dashboard import privacy
from dashboard.navigation import title_of
from dashboard.ui import blocks, pack, scorecard
from dashboard.ui.engine import for_view
from dashboard.ui.page import page

COMPARISON = ("contacts", "handled_time_share", "answer_rate", "resolved_rate", "forwarded_rate",
              "failure_demand_share")


def body(view) -> None:
    if view.department is None:
        st.info("Välj din förvaltning under **Förvaltning** i filterpanelen för att se dess "
                "resultatkort. Nedan jämförs alla förvaltningar.")
        scorecard.all_departments(view, COMPARISON, key="dep_all")
        return
    card = for_view(privacy.SCORECARD, view, comparison=view.compared_with)
    scorecard.card(card, view, key="dep_card")
    scorecard.drivers(card, key="dep_drivers")
    blocks.trend(view, "contacts", key="dep_trend")
    pack.offer(view)


page(title_of(__file__), body,
     intro="Resultatkortet för samordnaren och budgetdialogen: volym, andel av kontaktcenters "
           "tid, tillgänglighet, lösta och överlämnade ärenden och onödig efterfrågan, mot "
           "jämförelseperioden och mot hela staden.")

"""Förvaltning: the scorecard for one department against the previous period and the city."""

import streamlit as st

from dashboard.ui import blocks, pack
from dashboard.ui.engine import for_view
from dashboard.ui.page import page
from dashboard.ui.scorecard import city_comparison_table, scorecard_table
from dashboard.ui.structured import show_frame

SCORECARD = ("contacts", "handled_hours", "handled_time_share", "answer_rate", "service_level",
             "asa_s", "abandon_rate_excl_short", "resolved_rate", "forwarded_rate",
             "failure_demand_share", "failure_demand_cost_sek", "satisfaction_index")
COMPARISON = ("contacts", "handled_time_share", "answer_rate", "resolved_rate", "forwarded_rate",
              "failure_demand_share")


def body(view) -> None:
    if view.department is None:
        st.info("Välj din förvaltning under **Förvaltning** i filterpanelen för att se dess "
                "resultatkort. Nedan jämförs alla förvaltningar.")
        city_comparison_table(view, COMPARISON, key="dep_all")
        return
    engine_card = for_view("scorecard", view)
    if engine_card is not None:
        show_frame(engine_card, f"Resultatkort för {view.department}", key="dep_card")
    else:
        scorecard_table(view, SCORECARD, key="dep_card")
    left, right = st.columns(2)
    with left:
        blocks.ranked(view, "failure_demand_hours", "topic", key="dep_drivers", top=5, with_city=False,
                      title="De fem största källorna till onödig efterfrågan (timmar)")
    with right:
        blocks.trend(view, "contacts", key="dep_trend")
    pack.offer(view)


page("Förvaltning", body,
     intro="Resultatkortet för samordnaren och budgetdialogen: volym, andel av kontaktcenters "
           "tid, tillgänglighet, lösta och överlämnade ärenden och onödig efterfrågan, mot "
           "föregående period och mot hela staden.")

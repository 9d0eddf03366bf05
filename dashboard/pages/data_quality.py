"""Datakvalitet: how complete the data is, per source system."""

import streamlit as st

from dashboard.ui import blocks
from dashboard.ui.engine import for_view
from dashboard.ui.page import page
from dashboard.ui.structured import show_frame

SHARES = ("missing_topic_share", "missing_department_share", "missing_outcome_share",
          "missing_demand_type_share")


def body(view) -> None:
    blocks.kpis(view, SHARES)
    show_frame(for_view("data_quality", view), "Saknade uppgifter per källsystem", key="dq_sources")
    blocks.trend(view, "missing_topic_share", key="dq_trend")
    st.caption("Kontakter utan förvaltning räknas inte in när sidorna filtreras på förvaltning; "
               "en hög andel här betyder att förvaltningens siffror är för låga.")


page("Datakvalitet", body,
     intro="Hur komplett är underlaget? Andel kontakter utan ärendekategori, förvaltning, utfall "
           "eller typ av efterfrågan, per källsystem.")

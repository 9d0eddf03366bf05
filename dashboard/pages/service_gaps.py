"""Serviceglapp: what kontaktcenter cannot resolve and forwards, and who gets worse service."""

import streamlit as st

from dashboard.ui import blocks, insights
from dashboard.ui.engine import for_view
from dashboard.ui.page import page

KEY_FIGURES = ("resolved_rate", "forwarded_rate", "referred_rate", "repeat_rate")
EQUITY_DIMENSIONS = {"stadsomrade": "Stadsområde", "language": "Språk", "interpreter": "Tolk",
                     "customer_type": "Kundtyp"}


def body(view) -> None:
    blocks.kpis(view, KEY_FIGURES)
    st.subheader("Vad överlämnas?")
    ledger = for_view("service_gap_ledger", view)
    if ledger is not None:
        insights.show_ledger(ledger, key="sg_ledger")
    left, right = st.columns(2)
    with left:
        blocks.ranked(view, "forwarded_rate", "topic", key="sg_topic",
                      title="Andel överlämnade per ärendekategori")
    with right:
        blocks.trend(view, "forwarded_rate", key="sg_trend")
    st.subheader("Får alla samma service?")
    dimension = st.segmented_control("Jämför grupper efter", list(EQUITY_DIMENSIONS),
                                     format_func=EQUITY_DIMENSIONS.get, default="stadsomrade",
                                     key="sg_equity_dim", required=True)
    equity = for_view("equity", view, dimension=dimension)
    if equity is not None:
        insights.show_equity(equity, dimension, key="sg_equity")
    left, right = st.columns(2)
    with left:
        blocks.ranked(view, "resolved_rate", dimension, key="sg_resolved_by",
                      title=f"Löst av kontaktcenter per {EQUITY_DIMENSIONS[dimension].lower()}")
    with right:
        blocks.ranked(view, "contacts_per_1000_residents", "stadsomrade", key="sg_per_1000",
                      title="Kontakter per 1 000 invånare per stadsområde")


page("Serviceglapp", body,
     intro="Vad kan kontaktcenter inte lösa själv, och får några grupper sämre service än andra?")

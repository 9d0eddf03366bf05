"""Serviceglapp: what kontaktcenter cannot resolve and forwards, and who gets worse service."""

import streamlit as st

from dashboard import privacy
from dashboard.domain import dimension_label
from dashboard.metrics import EQUITY_METRICS
from dashboard.navigation import title_of
from dashboard.ui import blocks, choices, insights
from dashboard.ui.engine import for_view
from dashboard.ui.page import page

KEY_FIGURES = ("resolved_rate", "forwarded_rate", "referred_rate", "repeat_rate")
EQUITY_DIMENSIONS = ("stadsomrade", "language", "interpreter", "customer_type")


def body(view) -> None:
    blocks.kpis(view, KEY_FIGURES)
    st.subheader("Vad överlämnas?")
    insights.show_ledger(for_view(privacy.SERVICE_GAP_LEDGER, view, top=15), key="sg_ledger",
                         one_department=view.department is not None)
    blocks.ranked(view, "forwarded_rate", "topic", key="sg_topic",
                  title="Andel överlämnade per ärendekategori")
    blocks.trend(view, "forwarded_rate", key="sg_trend")
    st.subheader("Får alla samma service?")
    left, right = st.columns(2)
    dim_key, dim_write = choices.bind("equity", EQUITY_DIMENSIONS, "stadsomrade")
    dimension = left.segmented_control("Jämför grupper efter", EQUITY_DIMENSIONS,
                                       format_func=dimension_label, key=dim_key, on_change=dim_write,
                                       required=True)
    metric_key, metric_write = choices.bind("measure", EQUITY_METRICS, EQUITY_METRICS[0])
    metric_id = right.selectbox("Mått", EQUITY_METRICS, format_func=blocks.label, key=metric_key,
                                on_change=metric_write)
    equity = for_view(privacy.EQUITY, view, dimension=dimension)
    city = blocks.single_value(view, metric_id)
    insights.show_equity(equity, dimension, metric_id, key="sg_equity", city=city,
                         department=view.department)
    blocks.intervals(for_view(privacy.CONTACTS_PER_RESIDENTS, view), label="stadsomrade", value="per_1000",
                     low="per_1000_lo", high="per_1000_hi", unit="per_1000", key="sg_per_1000",
                     title="Kontakter per 1 000 invånare per stadsområde", metric_id="contacts_per_1000_residents",
                     extra=(("contacts", "Kontakter", "count"), ("population", "Invånare", "integer")))


page(title_of(__file__), body,
     intro="Vad kan kontaktcenter inte lösa själv, och får några grupper sämre service än andra?")

"""Tillgänglighet: can people reach us? Answer rate, service level, waiting, abandonment, channels."""

import streamlit as st

from dashboard.domain import QUEUED_CHANNELS
from dashboard.navigation import title_of
from dashboard.ui import blocks
from dashboard.ui.page import page

KEY_FIGURES = ("offered", "answer_rate", "service_level", "service_level_alt", "asa_s",
               "wait_p90_s", "abandon_rate_excl_short", "reply_within_1_workday")


def body(view) -> None:
    blocks.kpis(view, KEY_FIGURES)
    blocks.trend(view, "answer_rate", key="acc_trend_answer")
    blocks.heatmap(view, "offered", key="acc_heat_offered",
                   title="Inkomna samtal och chattar per veckodag och {bin}",
                   channels=QUEUED_CHANNELS)
    blocks.heatmap(view, "answered", key="acc_heat_answered", title="Besvarade per veckodag och {bin}",
                   channels=QUEUED_CHANNELS)
    left, right = st.columns(2)
    with left:
        blocks.ranked(view, "channel_share", "channel", key="acc_channels", with_city=False,
                      title="Kanalfördelning")
    with right:
        blocks.ranked(view, "satisfaction_index", "channel", key="acc_satisfaction",
                      title="Nöjdhet (index 0–100) per kanal")


page(title_of(__file__), body,
     intro="Kan invånarna nå oss? Svarsandel, servicenivå, väntetid, avbrott och skriftliga svar.")

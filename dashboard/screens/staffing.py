"""Bemanning: Erlang C staffing per half hour and the what-if on avoidable demand."""

import streamlit as st

from dashboard.metrics.staffing import ABANDONMENT_NOTE
from dashboard.navigation import title_of
from dashboard.ui import staffing
from dashboard.ui.page import page


def body(view) -> None:
    st.warning(ABANDONMENT_NOTE, icon=":material/info:")
    t = staffing.targets()
    staffing.plan(view, t)
    staffing.what_if(view, t)


page(title_of(__file__), body,
     intro="Hur många agenter behövs per halvtimme för att nå servicenivåmålet, med inkommande "
           "samtal och chattar och hanteringstid från perioden (Erlang C)?")

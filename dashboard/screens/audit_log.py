"""Granskningslogg: who signed in and out, and what left the dashboard and the CLI (förvaltare)."""

import streamlit as st

from dashboard.export import audit
from dashboard.ui import auth, data
from dashboard.ui.page import page


# Columns that fit the main column at 1280 px (the grid scrolls sideways otherwise); a wider
# page spreads the spare room over them. A long cell is shortened by the grid; a click shows it.
WIDTHS = {"Tid (UTC)": 140, "Händelse": 90, "Person": 130, "Roll": 80, "Vad": 140, "Filter": 120,
          "Status": 80}


def body(view) -> None:
    if not auth.current().administers:  # not in this person's navigation either
        st.error("Granskningsloggen visas bara för förvaltare.")
        return
    settings = data.settings()
    rows = audit.display_rows(audit.read(settings.audit_log))
    st.caption(f"{len(rows)} poster i {settings.audit_log}; poster äldre än "
               f"{settings.audit_retention_days} dagar gallras (0: inga).")
    if rows:
        st.dataframe(rows, hide_index=True, key="audit_rows", column_config={
            name: st.column_config.Column(name, width=width, help=name)
            for name, width in WIDTHS.items()})
    else:
        st.info("Loggen är tom.")


page("Granskningslogg", body, needs_contacts=False,
     intro="Varje inloggning, utloggning, nedladdning och export med person, roll, filter och vad "
           "som lämnade systemet. Loggen skrivs bara till; den nyaste posten står först.")

"""Granskningslogg: who signed in and out, and what left the dashboard and the CLI (förvaltare)."""

import streamlit as st

from dashboard.export import audit
from dashboard.ui import auth, data
from dashboard.ui.page import page


def body(view) -> None:
    if not auth.current().administers:  # not in this person's navigation either
        st.error("Granskningsloggen visas bara för förvaltare.")
        return
    settings = data.settings()
    rows = audit.display_rows(audit.read(settings.audit_log))
    st.caption(f"{len(rows)} poster i {settings.audit_log}; poster äldre än "
               f"{settings.audit_retention_days} dagar gallras (0: inga).")
    if rows:
        st.dataframe(rows, hide_index=True, key="audit_rows")
    else:
        st.info("Loggen är tom.")


page("Granskningslogg", body, needs_contacts=False,
     intro="Varje inloggning, utloggning, nedladdning och export med person, roll, filter och vad "
           "som lämnade systemet. Loggen skrivs bara till; den nyaste posten står först.")

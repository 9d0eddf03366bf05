"""Granskningslogg: who signed in and out, and what left the dashboard and the CLI (förvaltare)."""

import streamlit as st

from dashboard.export import audit
from dashboard.navigation import title_of
from dashboard.ui import auth, data
from dashboard.ui.page import page

SHOWN_ROWS = 2000  # the newest; the file itself holds everything within the retention


def body(view) -> None:
    if not auth.current().administers:  # not in this person's navigation either
        st.error("Granskningsloggen visas bara för förvaltare.")
        return
    settings = data.settings()
    everything = audit.read(settings.audit_log)
    count = len(everything)
    entries = everything[::-1][:SHOWN_ROWS]  # newest first
    shown = "" if count <= SHOWN_ROWS else f" (de {SHOWN_ROWS} nyaste visas)"
    st.caption(f"{count} {'post' if count == 1 else 'poster'} i {settings.audit_log}{shown}; "
               f"poster äldre än {settings.audit_retention_days} dagar gallras (0: inga). "
               f"Tider i {settings.reporting_timezone}.")
    if not entries:
        st.info("Loggen är tom.")
        return
    rows = audit.display_rows(entries, newest_first=False, timezone_name=settings.reporting_timezone)
    event = st.dataframe(rows, hide_index=True, key="audit_rows", on_select="rerun",
                         selection_mode="single-row", width="stretch",
                         # widths that fit the page at 1280 px; the whole entry opens below
                         column_config={"Tid": st.column_config.TextColumn(width=140),
                                        "Händelse": st.column_config.TextColumn(width=115),
                                        "Person": st.column_config.TextColumn(width=130),
                                        "Roll": st.column_config.TextColumn(width=80),
                                        "Vad": st.column_config.TextColumn(width=130),
                                        "Status": st.column_config.TextColumn(width=80),
                                        "Skrevs till": st.column_config.TextColumn(width=100)})
    chosen = event.selection.rows if event else []
    if chosen:
        st.markdown("**Hela posten**")
        st.code(audit.entry_text(entries[chosen[0]]), language="json", wrap_lines=True)
    else:
        st.caption("Välj en rad för att se hela posten: filter, fil, storlek och kontrollsumma. "
                   "En export från kommandoraden står på två rader: påbörjad, och sedan lämnad "
                   "ut eller misslyckad.")


page(title_of(__file__), body, needs_contacts=False, uses_filters=False,
     intro="Varje inloggning, utloggning, nedladdning och export med person, roll, filter och vad "
           "som lämnade systemet. Loggen skrivs bara till; den nyaste posten står först.")

"""The förvaltning pack (XLSX and PDF, dashboard.export.pack) as a download, for the current view.
The pack is built only when the user clicks."""

from __future__ import annotations

import streamlit as st

from dashboard.export.pack import pack_download
from dashboard.ui import auth, data
from dashboard.ui.engine import filters_for
from dashboard.view import View

def offer(view: View) -> None:
    st.subheader("Förvaltningspaketet")
    access = auth.current()
    if not access.packs:
        st.caption("Förvaltningspaketet kan laddas ner av förvaltningens chef och av analytiker.")
        return
    st.caption("Hela underlaget för budgetdialogen för de filter som är valda: sammanfattning, ett "
               "avsnitt per planområde med diagram och tabeller, definitioner och datakvalitet. "
               "Att skapa paketet tar några sekunder.")
    with st.container(horizontal=True):
        for fmt, label in (("xlsx", "Ladda ner paketet (Excel)"), ("pdf", "Ladda ner paketet (PDF)")):
            dl = pack_download(data.snapshot().path, filters_for(view), fmt,
                               comparison=view.compared_with, settings=data.settings(),
                               user=access.who, role=access.role)
            st.download_button(label, data=dl.data, file_name=dl.file_name, mime=dl.mime,
                               key=f"pack_{fmt}", icon=":material/download:", on_click="ignore")

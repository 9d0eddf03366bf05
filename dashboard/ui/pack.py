"""The förvaltning pack (XLSX and PDF) as a download on the Förvaltning page, when the export
layer offers a pack builder for the dashboard."""

from __future__ import annotations

import importlib

import streamlit as st

from dashboard.ui import data
from dashboard.ui.engine import filters_for
from dashboard.ui.filters import View


def _pack_downloads():
    try:
        module = importlib.import_module("dashboard.export.downloads")
    except ImportError:
        return None
    return getattr(module, "pack_download", None)


def offer(view: View) -> None:
    pack_download = _pack_downloads()
    st.subheader("Förvaltningspaketet")
    if pack_download is None:
        st.caption("Paketet för budgetdialogen (Excel och PDF) kan skapas med "
                   "`kontaktcenter export --department ...`.")
        return
    compare = (view.compare.start, view.compare.end) if view.compare else None
    with st.container(horizontal=True):
        for fmt, label in (("xlsx", "Ladda ner paketet (Excel)"), ("pdf", "Ladda ner paketet (PDF)")):
            dl = pack_download(data.store().path, filters_for(view), fmt, comparison=compare,
                               settings=data.settings())
            st.download_button(label, data=dl.data, file_name=dl.file_name, mime=dl.mime,
                               key=f"pack_{fmt}", icon=":material/download:", on_click="ignore")

"""Datakvalitet: how complete the data is, per source system."""

import streamlit as st

from dashboard import privacy
from dashboard.metrics.registry import applicable, left_out_note
from dashboard.navigation import title_of
from dashboard.ui import blocks
from dashboard.ui import data
from dashboard.ui.engine import filters_for, for_view
from dashboard.ui.page import page
from dashboard.ui.structured import show_frame

FINDING_TITLES = {"source_system": ("Källsystem", None), "field": ("Fält", None),
                  "source_column": ("Kolumn i källan", None), "kind": ("Avvikelse", None),
                  "rows": ("Rader", "integer")}
SHARES = ("missing_topic_share", "missing_department_share", "missing_outcome_share",
          "missing_demand_type_share")


def body(view) -> None:
    filters = filters_for(view)
    shown = applicable(SHARES, filters)
    blocks.kpis(view, shown)
    if note := left_out_note(SHARES, filters, data.settings()):
        st.caption(note)
    show_frame(for_view(privacy.DATA_QUALITY, view), "Saknade uppgifter per källsystem", key="dq_sources")
    findings = for_view(privacy.INGEST_FINDINGS, view)
    if findings is not None and findings.height:
        show_frame(findings, "Rättat vid inläsning (alla inläsningar)", key="dq_findings", titles=FINDING_TITLES)
    else:
        st.caption("Inga inläsningar har haft okända vokabulärvärden eller felplacerade identifierare.")
    blocks.trend(view, shown[0], key="dq_trend")
    st.caption("Kontakter utan förvaltning räknas inte in när sidorna filtreras på förvaltning; "
               "en hög andel för hela staden betyder att förvaltningarnas siffror är för låga.")


page(title_of(__file__), body,
     intro="Hur komplett är underlaget? Andel kontakter utan ärendekategori, förvaltning, utfall "
           "eller typ av efterfrågan, per källsystem.")

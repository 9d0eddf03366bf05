"""Om data och definitioner: the metric registry, the data contract and the ingest log."""

import streamlit as st

from dashboard.ui import about
from dashboard.ui.page import page


def body(view) -> None:
    registry, contract, log = st.tabs(["Måtten och deras definitioner", "Datakontraktet", "Inläsningar"])
    with registry:
        about.registry_table()
    with contract:
        about.data_contract()
    with log:
        about.ingest_log()


page("Om data och definitioner", body, needs_contacts=False,
     intro="Varje tal i dashboarden kommer från ett mått i registret nedan, med definition, enhet "
           "och källa. Små tal döljs för att skydda enskilda.")

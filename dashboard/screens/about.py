"""Om data och definitioner: the metric registry, the data contract and the ingest log."""

import streamlit as st

from dashboard.navigation import title_of
from dashboard.ui import about, choices
from dashboard.ui.page import page


TABS = {"matt": "Måtten och deras definitioner", "kontrakt": "Datakontraktet",
        "inlasningar": "Inläsningar"}  # URL value -> tab


def body(view) -> None:
    first = choices.choose_tab("tab", TABS, "matt")
    registry, contract, log = st.tabs(list(TABS.values()), default=first, key=choices.TAB_PREFIX + "tab",
                                      on_change=choices.tab_written("tab", TABS, "matt"))
    with registry:
        about.registry_table()
    with contract:
        about.data_contract()
    with log:
        about.ingest_log()


page(title_of(__file__), body, needs_contacts=False,
     intro="Varje tal i dashboarden kommer från ett mått i registret nedan, med definition, enhet "
           "och källa. Små tal döljs för att skydda enskilda.")

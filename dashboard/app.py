"""Streamlit entrypoint: page config, navigation and the shared filter frame. Nothing else.

Run with `kontaktcenter serve` (or `streamlit run dashboard/app.py` with KONTAKTCENTER_DB set).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.ui import data
from dashboard.ui.errors import guarded
from dashboard.ui.filters import filter_frame
from dashboard.ui.page import set_view
from dashboard.ui.warmup import preload_charts

PAGES = Path(__file__).resolve().parent / "pages"
# A local SVG (sent inline as a data: URL): an emoji or :material/…: icon makes the browser fetch
# the favicon from an outside host.
FAVICON = Path(__file__).resolve().parent / "assets" / "favicon.svg"

# (section, file, title, url path, icon)
NAVIGATION = (
    ("Översikt", "overview.py", "Översikt", "oversikt", ":material/dashboard:"),
    ("Planområden", "accessibility.py", "Tillgänglighet", "tillganglighet", ":material/call:"),
    ("Planområden", "service_gaps.py", "Serviceglapp", "serviceglapp", ":material/alt_route:"),
    ("Planområden", "failure_demand.py", "Onödig efterfrågan", "onodig-efterfragan", ":material/replay:"),
    ("Planområden", "local_service.py", "Lokal service", "lokal-service", ":material/storefront:"),
    ("Förvaltning och resurser", "department.py", "Förvaltning", "forvaltning", ":material/account_balance:"),
    ("Förvaltning och resurser", "staffing.py", "Bemanning", "bemanning", ":material/groups:"),
    ("Om data", "data_quality.py", "Datakvalitet", "datakvalitet", ":material/fact_check:"),
    ("Om data", "about.py", "Om data och definitioner", "om-data", ":material/menu_book:"),
)


def navigation() -> dict[str, list]:
    sections: dict[str, list] = {}
    for i, (section, file, title, url, icon) in enumerate(NAVIGATION):
        sections.setdefault(section, []).append(
            st.Page(PAGES / file, title=title, url_path=url, icon=icon, default=i == 0))
    return sections


st.set_page_config(page_title="Kontaktcenter – Malmö stad", page_icon=str(FAVICON), layout="wide")
current = st.navigation(navigation())
preload_charts()
st.session_state["_current_page"] = current.url_path
ok = False
with guarded("databasen"):
    data.pin()   # the snapshot every figure of this rerun comes from
    ok = True
if not ok:  # the store cannot be read: the message names the fix
    st.stop()
ok = False
with guarded("filterramen"):
    set_view(filter_frame())
    ok = True
if not ok:  # the error is shown; without filters no page can draw
    st.stop()
current.run()

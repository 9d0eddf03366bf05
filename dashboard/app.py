"""Streamlit entrypoint: page config, navigation and the shared filter frame. Nothing else.

Run with `kontaktcenter serve` (or `streamlit run dashboard/app.py` with KONTAKTCENTER_DB set).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.ui import prewarm

prewarm.wait()   # the server's warm-up imports the dashboard: nothing imported twice at once

from dashboard.auth import Access  # noqa: E402
from dashboard.navigation import NAVIGATION  # noqa: E402  (the pages; tests read it here too)
from dashboard.ui import auth, data  # noqa: E402
from dashboard.ui.chrome import swedish_chrome  # noqa: E402
from dashboard.ui.errors import guarded  # noqa: E402
from dashboard.ui.filters import filter_frame  # noqa: E402
from dashboard.ui.page import set_view  # noqa: E402
from dashboard.ui.warmup import preload_charts  # noqa: E402

# Not "pages/": Streamlit treats a pages/ folder next to the entrypoint as file-named pages on a
# server's first run, so a first deep link to a Swedish url path showed "Page not found".
PAGES = Path(__file__).resolve().parent / "screens"
# A local SVG (sent inline as a data: URL): an emoji or :material/…: icon makes the browser fetch
# the favicon from an outside host.
FAVICON = Path(__file__).resolve().parent / "assets" / "favicon.svg"

# Which access property opens a page (dashboard.auth.Access); a page not listed is for everyone.
PAGE_RIGHTS = {"data_quality.py": "sees_quality", "audit_log.py": "administers"}


def allowed(access: Access, file: str) -> bool:
    return bool(getattr(access, PAGE_RIGHTS.get(file, "analyses"))) or file == "about.py"


START_PATH = "start"   # what Streamlit reserves for the start page, served at /


def navigation(access: Access) -> dict[str, list]:
    """The pages this person may open; any other page's URL is not served to them."""
    sections: dict[str, list] = {}
    first = True
    for section, file, title, url, icon in NAVIGATION:
        if not allowed(access, file):
            continue
        # The start page is served at /, and Streamlit reserves its url_path without serving
        # it (/oversikt gave "Sidan finns inte"): that path goes to an unlisted twin instead.
        sections.setdefault(section, []).append(
            st.Page(PAGES / file, title=title, url_path=START_PATH if first else url, icon=icon,
                    default=first))
        if first:
            sections[section].append(st.Page(PAGES / file, title=title, url_path=url, icon=icon,
                                             visibility="hidden"))
        first = False
    return sections


st.set_page_config(page_title="Kontaktcenter – Malmö stad", page_icon=str(FAVICON), layout="wide")
access = auth.gate()  # stops here with the sign-in or no-role page
auth.pruned_once()
current = st.navigation(navigation(access))
swedish_chrome()
auth.banner(access)
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

"""The dashboard's pages: section, file, Swedish title, URL path and icon, one row each.

The one place a page's title lives: app.py builds the navigation from it, every page heads itself
with it (`title_of`), and the förvaltning pack names its sheet or chapter for a page by it, so the
pack and the screen call a page the same. Pure data (no Streamlit), so exports can read it.
"""

from __future__ import annotations

from pathlib import Path

# (section, file, title, url path, icon); who sees which page is app.PAGE_RIGHTS.
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
    ("Om data", "audit_log.py", "Granskningslogg", "granskningslogg", ":material/history:"),
)
TITLES = {file: title for _, file, title, _, _ in NAVIGATION}


def title_of(page: str) -> str:
    """A page's title by its file name or path (`__file__` of a screen works)."""
    return TITLES[Path(page).name]

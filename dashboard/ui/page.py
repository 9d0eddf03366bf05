"""The frame every page runs in: title, the view's description, URL notices, errors caught."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.privacy import as_markdown
from dashboard.ui import auth, data, drill, figure
from dashboard.ui.errors import guarded
from dashboard.ui.filters import filter_frame, show_notices
from dashboard.view import MAX_EXAMPLES, View, data_age_notice, shown

_VIEW = "_view"  # set by app.py on every run (a hand-over within one run, not cross-page state)


def set_view(view: View) -> None:
    st.session_state[_VIEW] = view


def current_view() -> View:
    view = st.session_state.get(_VIEW)
    if view is None:  # page run on its own (not through app.py)
        view = filter_frame()
        set_view(view)
    return view


def page(title: str, body: Callable[[View], None], *, intro: str | None = None,
         needs_contacts: bool = True, uses_filters: bool = True) -> None:
    """Draw a page: heading, what the view shows, notices, then `body(view)` with errors caught.
    A page that `uses_filters=False` (the audit log) does not describe or offer the filters."""
    st.title(title)
    with guarded(f"sidan {title}"):
        if data.holds_sample():   # every page says when its figures are made up
            st.warning(data.SAMPLE_BANNER, icon=":material/science:")
        view = current_view()
        if uses_filters:
            st.caption(as_markdown(view.description))
            stale = data_age_notice(view.options.latest, data.local_today())
            if stale and data.has_contacts():
                st.info(stale, icon=":material/schedule:")
            show_notices(view)
            drill.active_filters(view, department_removable=auth.scope() is None)
        if intro:
            st.markdown(intro)
        if needs_contacts and not data.has_contacts():
            st.info("Databasen innehåller inga kontakter ännu. Läs in data med `kontaktcenter ingest` "
                    "eller bygg exempeldata med `kontaktcenter sample`.")
            return
        figure.start_run()
        body(view)
        _drop_unknown_tables()


def _drop_unknown_tables() -> None:
    """A `table` value in the URL that names no chart on this page: one notice, and removed."""
    unknown = figure.unknown_tables()
    if not unknown:
        return
    st.warning(f"{len(unknown)} värden för tabellvisningen i adressen finns inte på sidan och "
               f"ignorerades: {', '.join(shown(k) for k in unknown[:MAX_EXAMPLES])}.",
               icon=":material/link_off:")
    rest = [k for k in st.query_params.get_all(figure.TABLE_KEY) if k not in unknown]
    if rest:
        st.query_params[figure.TABLE_KEY] = rest
    else:
        del st.query_params[figure.TABLE_KEY]

"""The shared filter frame in the sidebar. The URL (st.query_params) is the single source of truth:

every run parses the URL (pure: dashboard.view.parse_query), puts the parsed values into the widgets,
and a widget change writes the canonical URL back. So a copied link reproduces the view, the
browser's back button restores the previous filters (Streamlit pushes a history entry when the
query string changes), and nothing depends on widget state surviving a page switch.
"""

from __future__ import annotations

import streamlit as st

from dashboard.auth.scope import lock_state, scope_view
from dashboard.ui import auth, data
from dashboard.periods import (
    COMPARISON_LABELS,
    DEFAULT_COMPARISON,
    DEFAULT_PRESET,
    PRESETS,
    Period,
    resolve_period,
)
from dashboard.view import (
    CITY,
    MULTI_KEYS,
    MULTI_NAMES,
    PAGE_CHOICES,
    FilterOptions,
    FilterState,
    View,
    build_view,
    clamp,
    filter_value_label,
    parse_query,
    to_query,
)

_KEY = "flt_"  # widget keys; their values are always re-derived from the URL
_LAST_QUERY = "_last_filter_query"


def _url_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params.keys()}


def _restore_after_page_switch(params: dict) -> dict:
    """Streamlit may drop the query string on a page switch; carry the last filters over then."""
    page = st.session_state.get("_current_page")
    last = st.session_state.get(_LAST_QUERY)
    if not params and last and page != st.session_state.get("_filters_page"):
        st.query_params.from_dict(last)
        return {k: (v if isinstance(v, list) else [v]) for k, v in last.items()}
    return params


def _widget_values(state: FilterState, options: FilterOptions, period: Period) -> dict:
    within = clamp(period, options)
    values = {
        "preset": state.preset,
        # within the date input's min/max, or Streamlit refuses to draw it
        "range": (within.start, within.end),
        "compare": state.comparison,
        "department": state.department or CITY,
    }
    for key, (attr, _) in MULTI_KEYS.items():
        values[key] = list(getattr(state, attr))
    return values


def _state_from_widgets(options: FilterOptions) -> FilterState:
    ss = st.session_state
    preset = ss.get(_KEY + "preset", DEFAULT_PRESET)
    start = end = None
    if preset == "custom":
        chosen = ss.get(_KEY + "range") or ()
        if len(chosen) == 2:
            start, end = chosen
        else:  # half-chosen range: keep the preset's own period until both ends are picked
            period = resolve_period(FilterState(), options.latest)
            start, end = period.start, period.end
    department = ss.get(_KEY + "department")
    multi = {attr: tuple(ss.get(_KEY + key) or ()) for key, (attr, _) in MULTI_KEYS.items()}
    return FilterState(
        preset=preset, start=start, end=end, comparison=ss.get(_KEY + "compare", DEFAULT_COMPARISON),
        department=None if department in (None, CITY) else department, **multi,
    )


def _write_url(options: FilterOptions) -> None:
    query = to_query(_state_from_widgets(options))
    st.session_state[_LAST_QUERY] = query
    # the page's own choices (dashboard.view.PAGE_CHOICES) stay when a shared filter changes
    keep = {k: st.query_params.get_all(k) for k in PAGE_CHOICES if k in st.query_params}
    st.query_params.from_dict({**query, **keep})


def _draw(options: FilterOptions, locked: bool = False) -> None:
    kw = {"on_change": _write_url, "args": (options,)}
    sb = st.sidebar
    sb.header("Filter")
    if locked:  # a scoped role: its own förvaltningar only (dashboard.auth.scope)
        sb.selectbox("Förvaltning", list(options.departments), key=_KEY + "department",
                     disabled=len(options.departments) < 2, **kw,
                     help="Din behörighet gäller bara dina förvaltningar; hela staden visas som jämförelse.")
    else:
        sb.selectbox("Förvaltning", [CITY, *options.departments], key=_KEY + "department",
                     help="Välj din förvaltning en gång: alla sidor visar den, med hela staden som jämförelse.",
                     **kw)
    sb.selectbox("Period", list(PRESETS), format_func=PRESETS.get, key=_KEY + "preset", **kw)
    if st.session_state.get(_KEY + "preset") == "custom":
        sb.date_input("Från och med – till och med", key=_KEY + "range", min_value=options.earliest,
                      max_value=options.latest, format="YYYY-MM-DD", **kw)
    sb.radio("Jämför med", list(COMPARISON_LABELS), format_func=COMPARISON_LABELS.get, key=_KEY + "compare",
             **kw)
    with sb.expander("Fler filter", expanded=any(st.session_state.get(_KEY + k) for k in MULTI_KEYS)):
        for key, (attr, _) in MULTI_KEYS.items():
            st.multiselect(MULTI_NAMES[key], list(getattr(options, attr)), key=_KEY + key,
                           format_func=lambda v, key=key: filter_value_label(key, v),
                           placeholder="Alla", **kw)


def filter_frame() -> View:
    """Parse the URL, draw the sidebar filters from it, and return the view for the page."""
    scoped = scope_view(_restore_after_page_switch(_url_params()), data.filter_options(),
                        auth.scope())
    options = scoped.options
    result = parse_query(scoped.params, options)
    result.notices[:0] = scoped.notices
    state = lock_state(result.state, auth.scope())
    period = resolve_period(state, options.latest)
    for key, value in _widget_values(state, options, period).items():
        if st.session_state.get(_KEY + key) != value:
            st.session_state[_KEY + key] = value
    st.session_state[_LAST_QUERY] = to_query(state)
    st.session_state["_filters_page"] = st.session_state.get("_current_page")
    _draw(options, scoped.locked)
    return build_view(state, options, result.notices)


def show_notices(view: View) -> None:
    for notice in view.notices:
        st.warning(notice, icon=":material/link_off:")

"""Drill-down: a click on a bar filters the view to it, and the active filters can be removed.

A chart's bars carry their category's own value (dashboard.charts.ranked_bars customdata); when a
user clicks one, `on_bar` writes that value into the URL as the view's filter (a förvaltning, an
ärendekategori, a kanal, ...), so the drill-down is a link like any other view, and the browser's
back button undoes it. A click on a weekday × hour heatmap cell (`on_cell`) filters to that weekday
and hour; a click on a table row (`on_row`), or the choice of a row under a table drawn as text
(`row_choice`), filters to the row's förvaltning, ärendekategori, ...
`active_filters` draws the way back: one button per active filter.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.view import MULTI_KEYS, MULTI_NAMES, View, filter_value_label

# Breakdown dimension -> URL filter key it drills into.
DRILL_KEYS = {"department": "department", "topic": "topic", "channel": "channel",
              "stadsomrade": "area", "city_area": "area", "language": "language",
              "customer_type": "customer_type"}


def drill_key(dimension: str) -> str | None:
    return DRILL_KEYS.get(dimension)


def _clicked_value(chart_key: str) -> str | None:
    event = st.session_state.get(chart_key)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, (list, tuple)) and len(data) > 1 and data[1] is not None:
            return str(data[1])
    if points:   # a bar without a value ("Uppgift saknas"): no filter, and say why
        st.session_state[_NOTICE] = UNFILTERABLE
    return None


_NOTICE = "_drill_notice"
UNFILTERABLE = ("”Uppgift saknas” går inte att filtrera på: de kontakterna saknar uppgiften i "
                "källsystemet. Välj en annan stapel.")


def set_filter(url_key: str, value: str) -> None:
    """The view narrowed to `value` for `url_key` (a drill-down replaces that filter's values)."""
    st.query_params[url_key] = value if url_key == "department" else [value]


def on_bar(chart_key: str, dimension: str) -> Callable[[], None] | None:
    """on_select callback for a bar chart of `dimension`, or None when it cannot drill."""
    url_key = drill_key(dimension)
    if url_key is None:
        return None

    def drill() -> None:
        value = _clicked_value(chart_key)
        if value is not None:
            set_filter(url_key, value)

    return drill


def on_choice(chart_key: str, choice_key: str) -> Callable[[], None]:
    """on_select callback that puts the clicked bar's value into a page choice (e.g. the point)."""
    def choose() -> None:
        value = _clicked_value(chart_key)
        if value is not None:
            st.query_params[choice_key] = value
            st.session_state.pop("pc_" + choice_key, None)

    return choose


def on_cell(chart_key: str) -> Callable[[], None]:
    """on_select callback for a weekday × hour heatmap (charts.weekday_hour_heatmap with
    `clickable`): the clicked cell's weekday and hour (every hour of a block) become the view's
    filter."""
    def drill() -> None:
        event = st.session_state.get(chart_key) or {}
        for point in (event.get("selection") or {}).get("points", []):
            data = point.get("customdata")
            if isinstance(data, (list, tuple)) and len(data) > 2 and data[1] is not None:
                span = int(data[3]) if len(data) > 3 and data[3] else 1  # a block: its every hour
                st.query_params["day_of_week"] = [str(int(data[1]))]
                st.query_params["hour"] = [str(h) for h in range(int(data[2]), int(data[2]) + span)]
                return

    return drill


ROUND = "_row_drills"  # counts row drill-downs; part of a drillable table's widget key


def row_keys(columns) -> list[tuple[str, str]]:
    """(frame column, URL filter key) of a table's columns that a row click can filter on."""
    return [(c.key, DRILL_KEYS[c.dimension]) for c in columns
            if c.unit is None and c.dimension in DRILL_KEYS]


def on_row(table_key: str, frame, keys: list[tuple[str, str]]) -> Callable[[], None]:
    """on_select callback for a table (st.dataframe, single-row): the clicked row's values of the
    drillable columns (a förvaltning, an ärendekategori, ...) become the view's filters. The
    values come from the published frame, not the displayed text."""
    def drill() -> None:
        event = st.session_state.get(table_key) or {}
        rows = (event.get("selection") or {}).get("rows", [])
        if not rows or rows[0] >= frame.height:
            return
        row = frame.row(rows[0], named=True)
        for column, url_key in keys:
            if row.get(column) is not None:
                set_filter(url_key, str(row[column]))
        # a new key for the table next run: the filtered table opens with no row ticked
        st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1

    return drill


ROW_CHOICE = "Filtrera sidan på en rad"


def row_choice(widget: str, frame, keys: list[tuple[str, str]], labels: list[str]) -> None:
    """The rows of a table drawn as text (it has no row to click) as a choice under it: the
    chosen row filters the view as a click on it would (`on_row`). `labels`: each row's text."""
    rows = [i for i in range(frame.height) if any(frame[c][i] is not None for c, _ in keys)]
    st.selectbox(ROW_CHOICE, rows, index=None, format_func=lambda i: labels[i], key=widget,
                 placeholder="Välj en rad …", on_change=_choose_row, args=(widget, frame, keys))


def _choose_row(widget: str, frame, keys: list[tuple[str, str]]) -> None:
    chosen = st.session_state.get(widget)
    if chosen is None:
        return
    row = frame.row(chosen, named=True)
    for column, url_key in keys:
        if row.get(column) is not None:
            set_filter(url_key, str(row[column]))
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1   # the choice opens empty again


def _remove(url_key: str, value: str) -> None:
    if url_key == "department":
        if "department" in st.query_params:
            del st.query_params["department"]
        return
    rest = [v for v in st.query_params.get_all(url_key) if v != value]
    if rest:
        st.query_params[url_key] = rest
    elif url_key in st.query_params:
        del st.query_params[url_key]


def active_filters(view: View, department_removable: bool = True) -> None:
    """One button per active filter ('✕ Ärendekategori: Bygglov'): the way back from a drill-down.
    A förvaltning the person's scope locks them to is no filter they can remove: no button."""
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.info(notice, icon=":material/info:")
    chosen: list[tuple[str, str, str]] = []
    if view.department and department_removable:
        chosen.append(("department", view.department, f"Förvaltning: {view.department}"))
    for key, (attr, _) in MULTI_KEYS.items():
        for value in getattr(view.state, attr):
            chosen.append((key, value, f"{MULTI_NAMES[key]}: {filter_value_label(key, value)}"))
    if not chosen:
        return
    with st.container(horizontal=True, vertical_alignment="center", key="active_filters"):
        st.caption("Filtrerat på (klicka för att ta bort, tillbaka till allt):")
        for key, value, text in chosen:
            st.button(text, key=f"rm_{key}_{value}", icon=":material/close:", type="tertiary",
                      on_click=_remove, args=(key, value), help="Ta bort filtret")

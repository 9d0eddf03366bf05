"""A page's own choices in the URL (dashboard.view.PAGE_CHOICES): a copied link reproduces them.

`bind(key, options, default)` reads the URL value (validated by dashboard.view.page_choice),
puts it into the widget's state, and returns the widget key and an on_change callback that writes
the new value back (the default is left out of the URL). The widget is then drawn without its own
default: its value comes from the URL on every run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from dashboard.view import page_choice

_PREFIX = "pc_"


def bind(key: str, options: Sequence, default) -> tuple[str, Callable[[], None]]:
    widget_key = _PREFIX + key
    value, notice = page_choice(st.query_params.get_all(key), options, default, key)
    if notice:
        st.warning(notice, icon=":material/link_off:")
        del st.query_params[key]
    if st.session_state.get(widget_key) != value:
        st.session_state[widget_key] = value

    def write() -> None:
        chosen = st.session_state.get(widget_key)
        if chosen is None or chosen == default:
            if key in st.query_params:
                del st.query_params[key]
        else:
            st.query_params[key] = str(chosen)

    return widget_key, write


def choose_tab(key: str, labels: dict[str, str], default: str) -> str:
    """The tab to open first: `labels` maps URL value -> tab label; returns the label."""
    value, notice = page_choice(st.query_params.get_all(key), list(labels), default, key)
    if notice:
        st.warning(notice, icon=":material/link_off:")
        del st.query_params[key]
    return labels[value]


def tab_written(key: str, labels: dict[str, str], default: str) -> Callable[[], None]:
    """on_change for st.tabs(key=_PREFIX + key): the open tab's URL value into the address."""
    by_label = {label: value for value, label in labels.items()}

    def write() -> None:
        value = by_label.get(st.session_state.get(_PREFIX + key), default)
        if value == default:
            if key in st.query_params:
                del st.query_params[key]
        else:
            st.query_params[key] = value

    return write


TAB_PREFIX = _PREFIX

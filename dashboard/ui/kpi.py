"""Key figures: value, change against the comparison period (arrow, colour AND words), city value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from dashboard.formatting import format_delta, format_value
from dashboard.metrics.registry import REGISTRY
from dashboard.ui import data
from dashboard.ui.figure import definition_lines


@dataclass(frozen=True)
class KeyFigure:
    metric_id: str
    value: float | None
    previous: float | None = None
    city: float | None = None
    hidden: bool = False  # suppressed: too few contacts
    previous_hidden: bool = False
    reason: str | None = None  # why it is hidden (dashboard.privacy)
    uncertain: bool = False  # shown, basis under the statistical minimum (rate_min_n)


def shows_no_change(delta: str | None) -> bool:
    """True when the change as displayed is zero ('+0,0 procentenheter', '0 s', '−0,0 %'): a
    reader cannot see a difference, so none is claimed."""
    return delta is not None and not any(ch in "123456789" for ch in delta)


def judgement(metric_id: str, value, previous, delta: str | None = None) -> str | None:
    """'bättre' / 'sämre' / 'oförändrat' given the metric's direction, None when it has none.

    `delta` is the change as displayed (formatting.format_delta): when it rounds to zero the
    verdict is 'oförändrat', never 'bättre' or 'sämre' for a difference nobody can see."""
    m = REGISTRY.get(metric_id)
    if m is None or m.higher_is_better is None or value is None or previous is None:
        return None
    if value == previous or shows_no_change(delta):
        return "oförändrat"
    up = value > previous
    return "bättre" if up == m.higher_is_better else "sämre"


def key_figures(items: Sequence[KeyFigure], *, compare_label: str | None, city_label: str | None,
                columns: int = 4) -> None:
    threshold = data.settings().small_cell_threshold
    cols = st.columns(columns)
    for i, item in enumerate(items):
        m = REGISTRY[item.metric_id]
        label = m.label_for(data.settings())
        value = format_value(item.value, m.unit, suppressed=item.hidden, threshold=threshold,
                             reason=item.reason)
        delta = None
        if compare_label and not item.hidden and not item.previous_hidden:
            delta = format_delta(item.value, item.previous, m.unit)
        with cols[i % columns]:
            verdict = judgement(item.metric_id, item.value, item.previous, delta) if delta else None
            arrow = "off"
            if delta and not shows_no_change(delta) and item.value != item.previous:
                arrow = "up" if item.value > item.previous else "down"
            st.metric(
                label, value,
                delta=f"{delta} ({verdict})" if delta and verdict else delta,
                delta_color={"bättre": "green", "sämre": "red"}.get(verdict, "gray"),
                delta_arrow=arrow,
                delta_description=compare_label if delta else None,
                help="\n\n".join(definition_lines([item.metric_id])),
                border=True,
            )
            if item.hidden:
                st.caption("Dolt: för få kontakter, eller dolt för att skydda en annan liten uppgift.")
            elif item.uncertain:
                st.caption(f"Osäker: bygger på färre än {m.min_n_for(data.settings())} observationer.")
            if city_label and item.city is not None:
                st.caption(f"{city_label}: {format_value(item.city, m.unit)}")

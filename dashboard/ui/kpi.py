"""Key figures: value, change against the comparison period (arrow, colour AND words), city value.

The cards are drawn from the pack's key-figure table (export.pack_tables.key_figures_table) of
the one published scorecard: `figures_of` reads its cells, so the value, the change, the
better/worse word and the hidden cells are the pack's by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
import streamlit as st

from dashboard.export.cells import Figure, display_text
from dashboard.export.pack_tables import verdict
from dashboard.metrics.registry import REGISTRY
from dashboard.privacy.cells import Hidden
from dashboard.ui import data
from dashboard.ui.chrome import value_fit_key
from dashboard.ui.figure import definition_lines


@dataclass(frozen=True)
class KeyFigure:
    metric_id: str
    value: str  # as displayed ("65,7 %", "<5", "Dolt")
    change: str | None = None  # "−0,6 procentenheter", None without a comparison or when hidden
    verdict: str | None = None  # bättre / sämre / oförändrat, None for a metric without direction
    arrow: str = "off"  # up / down / off (no visible change)
    city: str | None = None  # the whole city's value, None when hidden or not asked for
    hidden: bool = False  # suppressed: too few contacts
    uncertain: bool = False  # shown, basis under the statistical minimum (rate_min_n)


def shows_no_change(delta: str | None) -> bool:
    """True when the change as displayed is zero ('+0,0 procentenheter', '0 s', '−0,0 %'): a
    reader cannot see a difference, so none is claimed."""
    return delta is not None and not any(ch in "123456789" for ch in delta)


def judgement(metric_id: str, value, previous, delta: str | None = None) -> str | None:
    """'bättre' / 'sämre' / 'oförändrat' given the metric's direction, None when it has none: the
    pack's rule (export.pack_tables.verdict, a change that rounds to zero as displayed is
    'oförändrat'), so `delta`, the change as displayed, then reads as no change too."""
    m = REGISTRY.get(metric_id)
    return None if m is None else verdict(metric_id, value, previous, m.unit)


def figures_of(table, card: pl.DataFrame) -> list[KeyFigure]:
    """The cards of a key-figure table (its rows in the card's order): the table's own cells as
    text; the arrow from the change cell's sign."""
    names = [c.key for c in table.columns]
    out = []
    for row, r in zip(table.rows, card.iter_rows(named=True)):
        cells = dict(zip(names, row))
        change = cells.get("change")
        shown = isinstance(change, Figure) and change.value is not None
        arrow = "off"
        if shown and change.value != 0:
            arrow = "up" if change.value > 0 else "down"
        city = cells.get("city")
        out.append(KeyFigure(
            r["metric"], display_text(cells["value"]),
            display_text(change) if shown else None, cells.get("verdict") if shown else None,
            arrow, None if city is None or isinstance(city, Hidden) else display_text(city),
            bool(r["value_suppressed"]), bool(r.get("value_uncertain"))))
    return out


def key_figures(items: Sequence[KeyFigure], *, compare_label: str | None, city_label: str | None,
                columns: int = 4) -> None:
    cols = st.columns(columns)
    for i, item in enumerate(items):
        m = REGISTRY[item.metric_id]
        label = m.label_for(data.settings())
        delta = item.change if compare_label else None
        with cols[i % columns], st.container(key=value_fit_key(item.value, i)):
            st.metric(
                label, item.value,
                delta=f"{delta} ({item.verdict})" if delta and item.verdict else delta,
                delta_color={"bättre": "green", "sämre": "red"}.get(item.verdict, "gray"),
                delta_arrow=item.arrow,
                delta_description=compare_label if delta else None,
                help="\n\n".join(definition_lines([item.metric_id])),
                border=True,
            )
            if item.hidden:
                st.caption("Dolt: för få kontakter, eller dolt för att skydda en annan liten uppgift.")
            elif item.uncertain:
                st.caption(f"Osäker: bygger på färre än {m.min_n_for(data.settings())} observationer.")
            if city_label and item.city is not None:
                st.caption(f"{city_label}: {item.city}")

"""The one ranking rule of a ranked breakdown, on screen and in the pack: largest first, rows
whose value is hidden or missing (null in a published frame) last, ties in the frame's order.

The dashboard's ranked charts (dashboard.charts.bars.ranked_bars) and the förvaltning pack's
ranked tables and their charts (dashboard.export.pack_sections) both call `ranked_rows`, so a
hidden row ("<5", "Dolt") sits at the bottom in both. Pure polars: exports can read it.
"""

from __future__ import annotations

import polars as pl


def ranked_rows(frame: pl.DataFrame, value: str, top: int | None = None) -> pl.DataFrame:
    """The rows by `value`, largest first, nulls (hidden or missing) last, ties kept in the
    frame's order; the first `top` of them (all for None)."""
    ranked = frame.sort(value, descending=True, nulls_last=True, maintain_order=True)
    return ranked if top is None else ranked.head(top)

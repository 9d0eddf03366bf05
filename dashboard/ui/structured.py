"""Show a structured engine frame (ledger, scorecard, breakdown) as a table with the right formats.

Columns named like registry metrics take the metric's label and unit; known dimensions take their
Swedish label; other numeric columns are shown as plain numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from dashboard.domain import DIMENSION_LABELS
from dashboard.metrics.registry import REGISTRY
from dashboard.ui import blocks
from dashboard.ui.figure import table_block
from dashboard.ui.tables import Col, TableData


def guess_columns(frame: pl.DataFrame, titles: Mapping[str, tuple[str, str | None]] | None = None) -> tuple[Col, ...]:
    titles = titles or {}
    cols = []
    for name in frame.columns:
        if name.endswith(("__n", "__suppressed", "__reason", "__uncertain")):  # flags the table model reads
            continue
        if name in titles:
            title, unit = titles[name]
            cols.append(Col(name, title, unit, dimension=None if unit else name))
        elif name in REGISTRY:
            cols.append(blocks.metric_col(name))
        elif name in DIMENSION_LABELS:
            cols.append(blocks.dim_col(name))
        elif name.endswith("_uncertain") and name.removesuffix("_uncertain") in REGISTRY:
            # the engine's flag that a share rests on too few observations: Ja/Nej, not True/False
            cols.append(Col(name, f"{blocks.label(name.removesuffix('_uncertain'))}: osäker", None,
                            dimension="flag"))
        elif frame[name].dtype == pl.Boolean:
            cols.append(Col(name, name.replace("_", " ").capitalize(), None, dimension="flag"))
        elif frame[name].dtype.is_numeric():
            cols.append(Col(name, name.replace("_", " ").capitalize(), "number"))
        else:
            cols.append(Col(name, name.replace("_", " ").capitalize()))
    return tuple(cols)


def show_frame(frame: pl.DataFrame, title: str, *, key: str, metric_ids: Sequence[str] = (),
               titles: Mapping[str, tuple[str, str | None]] | None = None, caption: str | None = None) -> None:
    ids = list(metric_ids) or [c for c in frame.columns if c in REGISTRY]
    table_block(TableData(title, frame, guess_columns(frame, titles), blocks.threshold()),
                key=key, metric_ids=ids, caption=caption)

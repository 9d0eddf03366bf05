"""The department scorecard (until the engine's own scorecard lands) and the all-departments table.

Each row is one registry metric: this period, the comparison period, the change in words, the city.
All figures come from the engine's `compute`; hidden values stay hidden in every column.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dashboard.formatting import MISSING, format_delta, format_value
from dashboard.ui import blocks
from dashboard.ui.engine import CITY, COMPARE, metrics
from dashboard.ui.figure import table_block
from dashboard.ui.filters import View
from dashboard.ui.kpi import judgement
from dashboard.ui.tables import Col, TableData, hidden_mask, hidden_text


def _cell(frame: pl.DataFrame | None, metric_id: str) -> tuple[float | None, bool]:
    if frame is None or frame.is_empty():
        return None, False
    return frame[metric_id][0], hidden_mask(frame, blocks.metric_col(metric_id))[0]


def scorecard_rows(view: View, metric_ids: Sequence[str]) -> pl.DataFrame:
    now, before = metrics(view, metric_ids), metrics(view, metric_ids, scope=COMPARE)
    city = metrics(view, metric_ids, scope=CITY)
    threshold = blocks.threshold()
    rows = []
    for mid in metric_ids:
        col = blocks.metric_col(mid)
        texts, raw = [], []
        for frame in (now, before, city):
            value, hidden = _cell(frame, mid)
            raw.append(None if hidden else value)
            texts.append(hidden_text(col, threshold) if hidden else format_value(value, col.unit))
        change = format_delta(raw[0], raw[1], col.unit) if before is not None else None
        verdict = judgement(mid, raw[0], raw[1]) if change else None
        rows.append({"metric": col.label, "current": texts[0], "previous": texts[1] if before is not None else MISSING,
                     "change": f"{change} ({verdict})" if change and verdict else (change or MISSING),
                     "city": texts[2]})
    return pl.DataFrame(rows, schema={k: pl.String for k in ("metric", "current", "previous", "change", "city")})


def scorecard_table(view: View, metric_ids: Sequence[str], *, key: str) -> None:
    frame = scorecard_rows(view, metric_ids)
    cols = (Col("metric", "Mått"), Col("current", "Perioden"), Col("previous", "Jämförelseperioden"),
            Col("change", "Förändring"), Col("city", "Hela staden"))
    table_block(TableData(f"Resultatkort för {view.who}", frame, cols, blocks.threshold()),
                key=key, metric_ids=metric_ids)


def city_comparison_table(view: View, metric_ids: Sequence[str], *, key: str) -> None:
    frame = metrics(view, metric_ids, by=["department"], scope=CITY)
    cols = (blocks.dim_col("department"), *(blocks.metric_col(m) for m in metric_ids))
    table_block(TableData("Alla förvaltningar", frame, cols, blocks.threshold()), key=key,
                metric_ids=metric_ids)

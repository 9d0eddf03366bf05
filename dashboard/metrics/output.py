"""Where figures leave the engine: registry metrics through the small-cell suppression.

`suppress_metrics` maps an engine frame (from `compute`) onto dashboard.metrics.suppression.
Every count a reader can see or work out is protected as a count (hidden from 1 to threshold − 1,
plus complementary cells so no hidden count can be recomputed from a published total):
- a count metric's value;
- every metric's basis `{id}__n` (it is printed next to the value);
- a proportion's numerator, which is value × n (shown or not, a reader can multiply).
Counts that are the same expression of the marts (forwarded and forwarded_rate's numerator,
contacts and digital_share's basis) are one column, so they are hidden in exactly the same cells.
Every other metric is a `Rate` over its basis and numerator: hidden when the basis is below the
metric's minimum (docs/metrics.md, column "min. antal") or when either count is hidden.
Counts equal by definition but not by expression (contacts and offered on a phone row) are caught
by value: a shown count equal to a hidden count of the same row is hidden too, and protected in
turn, until no shown count in a row repeats a hidden one.
The CLI, the dashboard and the exports call this one helper (via dashboard.metrics.hiding).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dashboard.config import Settings
from dashboard.metrics import registry
from dashboard.metrics.metric import Metric
from dashboard.metrics.suppression import Rate, suppress

# The complementary suppression (dashboard.metrics.suppression) handles tables of up to two dimensions; a frame broken down by
# more is protected as one list with a published total (hides at least as much).
MAX_TABLE_DIMS = 2
_ROW = "__row"


class _Counts:
    """The distinct published counts of a frame: one hidden working column per expression."""

    def __init__(self) -> None:
        self.exprs: list[pl.Expr] = []
        self.columns: list[pl.Series] = []

    def column(self, expr: pl.Expr, values: pl.Series) -> str:
        for i, known in enumerate(self.exprs):
            if known.meta.eq(expr):
                return f"__count{i}"
        self.exprs.append(expr)
        self.columns.append(values.cast(pl.Int64).alias(f"__count{len(self.exprs) - 1}"))
        return self.columns[-1].name


def published_counts(frame: pl.DataFrame, metrics: Sequence[Metric]):
    """(working frame, metric id -> (basis column, numerator column or None)). A count metric's
    own value is its basis; a proportion's numerator is recovered as round(value × n), exactly
    what a reader can do."""
    counts = _Counts()
    columns: dict[str, tuple[str, str | None]] = {}
    for m in metrics:  # count metrics first: their own column is the most exact source
        if m.kind == "count":
            columns[m.id] = (counts.column(m.n, frame.get_column(m.id)), None)
    for m in metrics:
        if m.kind == "count":
            continue
        n = frame.get_column(f"{m.id}__n")
        basis = counts.column(m.n, n)
        num = None
        if m.num is not None:
            num = counts.column(m.num, (frame.get_column(m.id) * n).round(0))
        columns[m.id] = (basis, num)
    return frame.with_columns(counts.columns), columns


def suppress_metrics(frame: pl.DataFrame, metric_ids: Sequence[str], by: Sequence[str] = (),
                     settings: Settings | None = None) -> pl.DataFrame:
    """The frame with hidden values (and their `{id}__n`) set to null, plus `{id}__suppressed`
    (bool) and `{id}__reason` (small_count, small_denominator, complementary or null)."""
    settings = settings or Settings()
    metrics = registry.resolve(metric_ids)
    work, columns = published_counts(frame, metrics)
    dims = list(by)
    if len(dims) > MAX_TABLE_DIMS:  # one list with a published total
        work, dims = work.with_row_index(_ROW), [_ROW]
    count_columns = sorted({c for basis, num in columns.values() for c in (basis, num) if c})
    rates = {m.id: Rate(columns[m.id][0], columns[m.id][1], min_count=m.min_n_for(settings))
             for m in metrics if m.kind != "count"}
    result = suppress(work, counts=count_columns, rates=rates, tie_equal_counts=True,
                      threshold=settings.small_cell_threshold, by=dims)
    reasons = {m.id: result.reasons.get_column(columns[m.id][0] if m.kind == "count" else m.id)
               for m in metrics}
    out = frame
    for m in metrics:
        # a value the engine could not compute (no basis at all) is missing, not hidden
        reason = pl.Series(f"{m.id}__reason", reasons[m.id]).zip_with(
            frame.get_column(m.id).is_not_null(), pl.Series([None] * frame.height, dtype=pl.String))
        hidden = reason.is_not_null()
        out = out.with_columns(
            pl.when(hidden).then(None).otherwise(pl.col(m.id)).alias(m.id),
            pl.when(hidden).then(None).otherwise(pl.col(f"{m.id}__n")).alias(f"{m.id}__n"),
            hidden.alias(f"{m.id}__suppressed"), reason.alias(f"{m.id}__reason"),
        )
    return out

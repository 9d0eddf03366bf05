"""Where figures leave the engine: registry metrics through H3's small-cell suppression.

`suppress_metrics` maps an engine frame (from `compute`) onto dashboard.metrics.suppression:
count metrics are counts (hidden from 1 to threshold − 1, plus complementary cells so no hidden
count can be recomputed from a published total); every other metric is a rate over its `__n`,
hidden when that basis is below the metric's minimum (docs/metrics.md, column "min. antal").
The CLI, the dashboard and the exports call this one helper, so they hide the same cells.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dashboard.config import Settings
from dashboard.metrics import registry
from dashboard.metrics.suppression import Rate, suppress

# H3's complementary suppression handles tables of up to two dimensions; a frame broken down by
# more is protected as one list with a published total (hides at least as much).
MAX_TABLE_DIMS = 2


def suppress_metrics(frame: pl.DataFrame, metric_ids: Sequence[str], by: Sequence[str] = (),
                     settings: Settings | None = None) -> pl.DataFrame:
    """The frame with hidden values (and their `{id}__n`) set to null, plus `{id}__suppressed`
    (bool) and `{id}__reason` (small_count, small_denominator, complementary or null)."""
    settings = settings or Settings()
    metrics = registry.resolve(metric_ids)
    counts = [m.id for m in metrics if m.kind == "count"]
    rates = {m.id: Rate(f"{m.id}__n", min_count=m.min_n_for(settings))
             for m in metrics if m.kind != "count"}
    dims = list(by) if len(by) <= MAX_TABLE_DIMS else []
    result = suppress(frame, counts=counts, rates=rates,
                      threshold=settings.small_cell_threshold, by=dims)
    flagged = result.with_flags()
    # a value the engine could not compute (no basis at all) is missing, not hidden
    missing = {m.id: frame.get_column(m.id).is_null() for m in metrics}
    flagged = flagged.with_columns(
        pl.when(missing[m.id]).then(False).otherwise(pl.col(f"{m.id}__suppressed"))
        .alias(f"{m.id}__suppressed")
        for m in metrics
    ).with_columns(
        pl.when(missing[m.id]).then(None).otherwise(pl.col(f"{m.id}__reason")).alias(f"{m.id}__reason")
        for m in metrics
    )
    return flagged.with_columns(
        pl.when(pl.col(f"{m.id}__suppressed")).then(None).otherwise(pl.col(f"{m.id}__n"))
        .alias(f"{m.id}__n")
        for m in metrics
    )

"""Period changes (value − previous) published beside both periods' values.

A change next to a hidden value would give it back (value − change = previous), so it is
hidden when either side is. Both frames must already be published (flags `{id}__suppressed`).
"""

from __future__ import annotations

import polars as pl


def period_changes(now: pl.DataFrame, before: pl.DataFrame, metric_id: str,
                   by: str) -> pl.DataFrame:
    """One row per group of either period: `{metric_id}`, `{metric_id}_before`, `change` with
    their `__suppressed` flags. A group missing on one side had no contacts there (0)."""
    flag, prev = f"{metric_id}__suppressed", f"{metric_id}_before"
    joined = now.join(before, on=by, how="full", coalesce=True, suffix="_before", nulls_equal=True)
    hidden = pl.col(flag).fill_null(False) | pl.col(f"{flag}_before").fill_null(False)
    return joined.with_columns(
        pl.when(pl.col(flag).is_null()).then(0).otherwise(pl.col(metric_id)).alias(metric_id),
        pl.when(pl.col(f"{flag}_before").is_null()).then(0).otherwise(pl.col(prev)).alias(prev),
    ).with_columns(
        change=pl.when(hidden).then(None).otherwise(pl.col(metric_id) - pl.col(prev)),
        change__suppressed=hidden,
        **{f"{prev}__suppressed": pl.col(f"{flag}_before").fill_null(False)},
    )

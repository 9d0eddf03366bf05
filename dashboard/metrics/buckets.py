"""Wait-time buckets of the distribution marts, and percentiles read from them.

The marts keep waits in buckets (queries/marts/contact_dist.sql; this module mirrors it and a
test checks that the two agree): every second below 300 s, 10 s below 1 800 s, 60 s below
7 200 s, one open bucket from 7 200 s. Queue times are whole seconds, so:
- a threshold T ("answered within T s") is exact when T < 300, or when T + 1 is a bucket edge;
  otherwise only buckets that lie wholly within T count (a conservative count);
- a percentile is exact below 300 s and otherwise the lowest value of the bucket it falls in
  (at most 9 s too low below 1 800 s, 59 s below 7 200 s).
Repeat gaps are kept in whole days (rounded up), so any window of whole days up to 90 is exact.
"""

from __future__ import annotations

import math

import polars as pl

FINE_LIMIT_S = 300
MEDIUM_LIMIT_S = 1800
COARSE_LIMIT_S = 7200
MAX_WINDOW_DAYS = 90
OPEN_END = 2147483647


def wait_bucket(seconds: int) -> tuple[int, int]:
    """(lowest, highest) whole second of the bucket holding `seconds`."""
    if seconds < FINE_LIMIT_S:
        return seconds, seconds
    if seconds < MEDIUM_LIMIT_S:
        low = FINE_LIMIT_S + (seconds - FINE_LIMIT_S) // 10 * 10
        return low, low + 9
    if seconds < COARSE_LIMIT_S:
        low = MEDIUM_LIMIT_S + (seconds - MEDIUM_LIMIT_S) // 60 * 60
        return low, low + 59
    return COARSE_LIMIT_S, OPEN_END


def threshold_is_exact(max_seconds: int) -> bool:
    """Whether "wait <= max_seconds" can be counted exactly from the buckets."""
    return wait_bucket(max_seconds)[1] == max_seconds


def nearest_rank(q: float, n: int) -> int:
    """1-based rank of the q-percentile by the nearest-rank method: ceil(q * n), at least 1."""
    return max(1, math.ceil(q * n - 1e-9))


def percentiles_from_histogram(hist: pl.DataFrame, keys: list[str], q: float, name: str) -> pl.DataFrame:
    """Nearest-rank percentile per group of a histogram (columns keys + bucket + n).

    Returns keys + `name` (the bucket's lowest value) + `{name}__n` (observations in the group).
    """
    ordered = hist.sort([*keys, "bucket"], nulls_last=True)
    over = keys or None
    cum = pl.col("n").cum_sum()
    total = pl.col("n").sum()
    if over:
        cum, total = cum.over(over), total.over(over)
    ranked = ordered.with_columns(cum.alias("_cum"), total.alias("_total"))
    ranked = ranked.with_columns(
        (pl.col("_total").cast(pl.Float64) * q - 1e-9).ceil().clip(lower_bound=1).alias("_rank")
    )
    hit = ranked.filter(pl.col("_cum") >= pl.col("_rank"))
    if keys:
        hit = hit.group_by(keys, maintain_order=True).first()
    else:
        hit = hit.head(1)
    return hit.select(
        *keys,
        pl.col("bucket").cast(pl.Float64).alias(name),
        pl.col("_total").cast(pl.Int64).alias(f"{name}__n"),
    )

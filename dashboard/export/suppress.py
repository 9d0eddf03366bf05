"""The one place the exports ask which cells to hide, so they hide exactly what the screen hides.

`hide` marks `{metric}__suppressed` on an engine frame. The rule is the dashboard's: a metric's
value is hidden when its basis count `{metric}__n` is below the metric's minimum (never below the
small-cell threshold); complementary cells come from dashboard.metrics.suppression when present.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import polars as pl

from dashboard.config import Settings
from dashboard.metrics import registry
from dashboard.metrics.metric import RATE_MIN_N


def _suppression_module():
    try:
        return importlib.import_module("dashboard.metrics.suppression")
    except ModuleNotFoundError:
        return None


def hide(frame: pl.DataFrame, metric_ids: Sequence[str], by: tuple[str, ...],
         settings: Settings) -> pl.DataFrame:
    """The frame with a boolean `{id}__suppressed` for every metric id."""
    module = _suppression_module()
    if module is not None and hasattr(module, "suppress"):
        frame = module.suppress(frame, list(metric_ids), by=by, settings=settings)
    flags = []
    for mid in metric_ids:
        flag = f"{mid}__suppressed"
        primary = _below_minimum(mid, settings)
        flags.append((pl.col(flag).fill_null(False) | primary) if flag in frame.columns
                     else primary.alias(flag))
    return frame.with_columns([e.alias(f"{m}__suppressed") for e, m in zip(flags, metric_ids)])


def _below_minimum(metric_id: str, settings: Settings) -> pl.Expr:
    """0 < n < minimum: a zero basis has nothing to hide (a count of 0, a rate with no data)."""
    n = pl.col(f"{metric_id}__n")
    return ((n > 0) & (n < registry.get(metric_id).min_n_for(settings))).fill_null(False)


def hidden_value(metric_id: str, n, settings: Settings) -> bool:
    """One value with its basis count (a scorecard cell): hidden under the same rule."""
    return n is not None and 0 < n < registry.get(metric_id).min_n_for(settings)


def hide_scorecard(metrics: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """The scorecard's long frame with value/previous/city `_suppressed` flags."""
    flags = {f"{side}_suppressed": [] for side in ("value", "previous", "city")}
    for r in metrics.iter_rows(named=True):
        for side, n in (("value", "n"), ("previous", "previous_n"), ("city", "city_n")):
            flags[f"{side}_suppressed"].append(hidden_value(r["metric"], r[n], settings))
    return metrics.with_columns(pl.Series(k, v, dtype=pl.Boolean) for k, v in flags.items())


def hide_counts(frame: pl.DataFrame, settings: Settings, *, counts: Sequence[str] = (),
                rates: dict[str, str] | None = None,
                follow: dict[str, str] | None = None) -> pl.DataFrame:
    """Flags for a structured engine frame that is not registry metrics.

    counts: count columns, hidden under the small-cell threshold; rates: rate column ->
    its denominator count, hidden when that is under the rate minimum; follow: column -> the
    count it would reveal, hidden whenever that count is."""
    t = settings.small_cell_threshold
    rate_min = max(RATE_MIN_N, t)
    out = frame.with_columns(
        ((pl.col(c) > 0) & (pl.col(c) < t)).fill_null(False).alias(f"{c}__suppressed")
        for c in counts)
    out = out.with_columns(
        ((pl.col(den) > 0) & (pl.col(den) < rate_min)).fill_null(False)
        .alias(f"{c}__suppressed") for c, den in (rates or {}).items())
    return out.with_columns(
        pl.col(f"{count}__suppressed").alias(f"{c}__suppressed")
        for c, count in (follow or {}).items())

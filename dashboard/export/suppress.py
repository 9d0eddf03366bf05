"""The one place the exports ask which cells to hide: dashboard.metrics.suppression (H3's rules,
complementary cells included), fed from the metric registry.

- `hide`: an engine frame of registry metrics (`{id}` and `{id}__n`), through the engine's
  `suppress_metrics` (dashboard/metrics/output.py), the helper the CLI and the dashboard share.
- `hide_counts`: a structured engine frame (ledger rows, failure reasons, local service, ...).
- `hide_scorecard`: the scorecard's one-row-per-metric frame (no breakdown, so no complement).
Every function returns the frame with `{col}__suppressed` flags and hidden values nulled, so no
hidden number travels further than this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from dashboard.config import Settings
from dashboard.metrics import registry
from dashboard.metrics.metric import RATE_MIN_N
from dashboard.metrics.output import suppress_metrics
from dashboard.metrics.suppression import Rate, suppress


def hide(frame: pl.DataFrame, metric_ids: Sequence[str], by: tuple[str, ...],
         settings: Settings) -> pl.DataFrame:
    """Registry metrics broken down by `by`: the engine's own helper, the one the CLI and the
    dashboard call, so exports hide exactly the cells the screen hides."""
    return suppress_metrics(frame, list(metric_ids), by=list(by), settings=settings)


def hide_counts(frame: pl.DataFrame, settings: Settings, *, counts: Sequence[str] = (),
                rates: Mapping[str, str] | None = None, follow: Mapping[str, str] | None = None,
                by: Sequence[str] = ()) -> pl.DataFrame:
    """A structured frame. counts: count columns; rates: rate column -> its denominator count
    (hidden under the rate minimum or when that count is hidden); follow: column -> the count
    it would reveal (hidden exactly when that count is)."""
    minimum = max(RATE_MIN_N, settings.small_cell_threshold)
    specs = {col: Rate(denominator=den, min_count=minimum) for col, den in (rates or {}).items()}
    # min_count 0: hidden only when the count it follows is hidden
    specs |= {col: Rate(denominator=count, min_count=0) for col, count in (follow or {}).items()}
    result = suppress(frame, counts=list(counts), rates=specs,
                      threshold=settings.small_cell_threshold, by=list(by), margins_known=True)
    return result.with_flags()


def hidden_value(metric_id: str, n, settings: Settings, value=0) -> bool:
    """One registry value with its basis count, under the same rules as `hide` (a value the
    engine could not compute is missing, not hidden)."""
    m = registry.get(metric_id)
    if n is None or value is None:
        return False
    if m.kind == "count":
        return 0 < n < settings.small_cell_threshold
    return n < m.min_n_for(settings)


def hide_scorecard(metrics: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """The scorecard's long frame with value/previous/city `_suppressed` flags."""
    flags = {f"{side}_suppressed": [] for side in ("value", "previous", "city")}
    for r in metrics.iter_rows(named=True):
        for side, n in (("value", "n"), ("previous", "previous_n"), ("city", "city_n")):
            flags[f"{side}_suppressed"].append(
                hidden_value(r["metric"], r[n], settings, r[side]))
    return metrics.with_columns(pl.Series(k, v, dtype=pl.Boolean) for k, v in flags.items())

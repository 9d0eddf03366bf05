"""How each result of the engine is hidden before it leaves: the one place the dashboard
(dashboard/ui), the exports (dashboard/export) and the CLI ask which cells to hide.

Everything runs through dashboard.metrics.suppression, fed from the metric registry:
- `metrics_frame`: an engine frame of registry metrics (`{id}` and `{id}__n`), through
  `suppress_metrics` (dashboard/metrics/output.py);
- `hide_result(name, result, settings)`: a structured result (ledger, equity, drivers, local
  service, incidents, scorecard, ...) by the rule `RULES[name]`;
- `hide_counts`: the building block of those rules for frames that are not registry metrics.
Every function returns the frame with `{col}__suppressed` flags (and `{col}__reason` where a
table has a reason to tell) and hidden values nulled, so no hidden number travels further.
Pure: no streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import polars as pl

from dashboard.config import Settings
from dashboard.metrics.metric import RATE_MIN_N
from dashboard.metrics.output import suppress_metrics
from dashboard.metrics.registry import REGISTRY
from dashboard.metrics.suppression import Rate, suppress

SIDES = (("value", "n"), ("previous", "previous_n"), ("city", "city_n"))


def registry_ids(frame: pl.DataFrame) -> list[str]:
    """Registry metrics in a frame (a value with its `__n`)."""
    return [c for c in frame.columns if c in REGISTRY and f"{c}__n" in frame.columns]


def metrics_frame(frame: pl.DataFrame, metric_ids: Sequence[str], by: Sequence[str],
                  settings: Settings) -> pl.DataFrame:
    """Registry metrics broken down by `by`, as every output hides them."""
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


def hidden_values(metric_id: str, values: Sequence, ns: Sequence, settings: Settings) -> list[bool]:
    """Single registry values with their basis counts, each on its own (no breakdown, so no
    complement: `suppress_metrics` without `by` judges each row alone). A value the engine
    could not compute is missing, not hidden."""
    frame = pl.DataFrame({metric_id: pl.Series(list(values), dtype=pl.Float64),
                          f"{metric_id}__n": pl.Series(list(ns), dtype=pl.Int64)})
    shown = suppress_metrics(frame, [metric_id], settings=settings)
    return [bool(v) for v in shown[f"{metric_id}__suppressed"].to_list()]


def hide_scorecard(metrics: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """The scorecard's long frame (one row per metric) with `{side}_suppressed` and
    `{side}_reason` for the period, the comparison period and the city: each side is one
    engine row of all the card's metrics, hidden as `suppress_metrics` hides it."""
    ids = metrics["metric"].to_list()
    out = metrics
    for side, n in SIDES:
        wide = pl.DataFrame({k: [v] for i, mid in enumerate(ids)
                             for k, v in ((mid, metrics[side][i]), (f"{mid}__n", metrics[n][i]))})
        wide = wide.with_columns(pl.col(m).cast(pl.Float64) for m in ids)
        shown = suppress_metrics(wide, ids, settings=settings) if ids else wide
        out = out.with_columns(
            pl.Series(f"{side}_suppressed", [bool(shown[f"{m}__suppressed"][0]) for m in ids],
                      dtype=pl.Boolean),
            pl.Series(f"{side}_reason", [shown[f"{m}__reason"][0] for m in ids], dtype=pl.String))
    return out


# ------------------------------------------------------------------ rules per structured result

def _ledger(frame, settings, **_):
    return metrics_frame(frame, registry_ids(frame), ("department", "topic"), settings)


def _equity(frame, settings, **_):
    """A group too small to show is not listed at all (its rate × trials is a count)."""
    rates = frame["rate"] if "rate" in frame.columns else pl.Series([0.0] * frame.height)
    metric_of = frame["metric"].to_list()
    hidden = [False] * frame.height
    for metric_id in dict.fromkeys(metric_of):
        rows = [i for i, m in enumerate(metric_of) if m == metric_id]
        flags = hidden_values(metric_id, [rates[i] for i in rows], [frame["trials"][i] for i in rows],
                              settings)
        for i, flag in zip(rows, flags):
            hidden[i] = flag
    return frame.filter(~pl.Series(hidden, dtype=pl.Boolean))


def _residents(frame, settings, level="stadsomrade", **_):
    return hide_counts(frame, settings, counts=("contacts",), by=(level,),
                       follow={"per_1000": "contacts", "per_1000_lo": "contacts", "per_1000_hi": "contacts"})


def _reasons(frame, settings, by="reason", **_):
    if by != "reason":
        return metrics_frame(frame, registry_ids(frame), (by,), settings)
    parts = [hide_counts(frame.filter(pl.col("inferred") == flag), settings, counts=("failures",),
                         rates={"share": "basis"}, follow={"share_of_failure": "failures"}, by=("reason",))
             for flag in (False, True)]
    return pl.concat(parts, how="vertical_relaxed")


def _self_service(frame, settings, **_):
    return hide_counts(frame, settings, counts=("contacts", "phone", "e_service"),
                       rates={"phone_share": "contacts", "e_service_share": "contacts"},
                       follow={"phone_handled_hours": "phone"}, by=("topic",))


def _local(result, settings, **_):
    return replace(
        result,
        totals=hide_counts(result.totals, settings, counts=("contacts",), by=("service_point", "channel")),
        topics=hide_counts(result.topics, settings, counts=("contacts",), follow={"share": "contacts"},
                           by=("service_point", "topic")),
        areas=hide_counts(result.areas, settings, counts=("contacts",), follow={"share": "contacts"},
                          by=("service_point", "city_area")),
    )


def hours_of_point(frame: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """One service point's weekday × hour table (a two-way table with known margins)."""
    return hide_counts(frame, settings, counts=("contacts",), by=("weekday", "hour"))


def _incidents(frame, settings, **_):
    return hide_counts(frame, settings, counts=("contacts", "peak_count"), follow={"excess": "contacts"})


def hide_drivers(drivers: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    return hide_counts(drivers, settings, counts=("failures", "previous_failures"),
                       follow={"share_of_failure": "failures"})


def _scorecard(card, settings, **_):
    return replace(card, metrics=hide_scorecard(card.metrics, settings),
                   drivers=hide_drivers(card.drivers, settings))


def _quality(frame, settings, **_):
    return metrics_frame(frame, registry_ids(frame), ("source_system",), settings)


RULES = {
    "service_gap_ledger": _ledger,
    "equity": _equity,
    "contacts_per_residents": _residents,
    "failure_demand_breakdown": _reasons,
    "self_service_potential": _self_service,
    "local_service": _local,
    "incidents": _incidents,
    "scorecard": _scorecard,
    "data_quality": _quality,
    # Counts of file rows an ingest repaired (unknown values, misfiled identifiers), per source
    # system and column: about files, not residents, and not filtered by anything: nothing to hide.
    "ingest_findings": lambda frame, settings, **_: frame,
}


def hide_result(name: str, result, settings: Settings, **kwargs):
    """The engine's `name` result with small cells hidden (flags `{col}__suppressed`)."""
    rule = RULES.get(name)
    return result if rule is None else rule(result, settings, **kwargs)

"""Staffing from the store (bemanning): Erlang C per half hour of an average week, and the
what-if on avoidable demand. The queueing maths lives in dashboard/metrics/staffing.py.

Offered per interval is the period's offered contacts in that weekday and half hour divided by
the number of such weekdays in the period (holidays included, so they pull the average down).
AHT per interval is the interval's own when it has at least MIN_AHT_CONTACTS handled contacts,
otherwise the whole period's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import duckdb
import polars as pl

from dashboard.config import Settings
from dashboard.metrics import query, staffing
from dashboard.metrics.engine import compute, compute_inputs
from dashboard.metrics.filters import Filters
from dashboard.metrics.scorecards import department_of

INTERVAL_S = 1800
MIN_AHT_CONTACTS = 20
TARGET_SL = 0.8


@dataclass(frozen=True)
class StaffingPlan:
    """intervals: weekday (ISO), halfhour ('08:30'), offered (mean per interval), aht_s,
    offered_count (the period's offered calls in that interval; dropped when published), then
    staffing.PLAN_COLUMNS (traffic_erlangs, agents, agents_scheduled, prob_wait, service_level,
    asa_s, occupancy)."""

    intervals: pl.DataFrame
    target_answer_s: float
    target_sl: float
    shrinkage: float
    max_occupancy: float
    period_days: int
    note: str = staffing.ABANDONMENT_NOTE


@dataclass(frozen=True)
class WhatIf:
    """Positions freed if a department's failure demand falls by `reduction_share`: by handled
    time (`workload`) and by Erlang C per interval (`erlang`, phone only)."""

    department: str | None
    reduction_share: float
    workload: staffing.FreedWorkload
    erlang: staffing.StaffingWhatIf


def _period(con, filters: Filters) -> tuple[date, date]:
    first, last = query.data_range(con)
    start = filters.start or first or date.today()
    return start, filters.end or last or start


def _intervals(con, filters: Filters, settings: Settings) -> tuple[pl.DataFrame, int]:
    start, end = _period(con, filters)
    frame = compute(con, filters, ["offered", "aht_s"], by=("weekday", "halfhour"), settings=settings)
    overall = compute(con, filters, ["aht_s"], settings=settings)["aht_s"][0]
    frame = frame.with_columns(pl.col("weekday").cast(pl.Int32)).join(
        _weekdays(start, end), on="weekday", how="left")
    frame = frame.with_columns(
        pl.col("offered").alias("offered_count"),  # the count privacy protects
        (pl.col("offered") / pl.col("days")).alias("offered"),
        pl.when(pl.col("aht_s__n") >= MIN_AHT_CONTACTS).then(pl.col("aht_s"))
        .otherwise(pl.lit(overall, dtype=pl.Float64)).alias("aht_s"),
    )
    return (frame.select("weekday", "halfhour", "offered", "aht_s", "offered_count"),
            (end - start).days + 1)


def _phone(filters: Filters | None) -> Filters:
    return replace(filters or Filters(), channels=("phone",))


def staffing_plan(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
                  settings: Settings | None = None, target_answer_s: float | None = None,
                  target_sl: float = TARGET_SL, shrinkage: float = 0.0,
                  max_occupancy: float = 1.0) -> StaffingPlan:
    """Agents per half hour of an average week for the phone line (target answer time defaults
    to the settings' second service-level threshold, 20 s)."""
    settings = settings or Settings()
    answer_s = settings.service_level_alt_s if target_answer_s is None else target_answer_s
    intervals, days = _intervals(con, _phone(filters), settings)
    plan = staffing.plan_intervals(
        intervals, interval_s=INTERVAL_S, target_answer_s=answer_s, target_sl=target_sl,
        shrinkage=shrinkage, max_occupancy=max_occupancy,
    )
    return StaffingPlan(plan, answer_s, target_sl, shrinkage, max_occupancy, days)


def staffing_what_if(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
                     reduction_share: float = 0.2, settings: Settings | None = None,
                     target_answer_s: float | None = None, target_sl: float = TARGET_SL,
                     shrinkage: float = 0.0, max_occupancy: float = 1.0) -> WhatIf:
    """How many positions a `reduction_share` fall in failure demand frees, for the department in
    `filters` (or the whole city), against the whole phone line's load."""
    settings = settings or Settings()
    filters = filters or Filters()
    department = department_of(filters)
    base = filters.without("departments")
    own = filters
    start, end = _period(con, own)
    days = (end - start).days + 1
    seconds = compute_inputs(con, own, (), ["failure_handle_sum"], settings)["failure_handle_sum"][0]
    workload = staffing.freed_positions(float(seconds or 0), reduction_share,
                                        settings.working_hours_per_fte, period_days=days)
    # Erlang: the whole phone line, with the department's failure share of each interval's load
    intervals, _ = _intervals(con, _phone(base), settings)
    failures = compute_inputs(con, _phone(own), ("weekday", "halfhour"), ["failure_n"], settings)
    intervals = intervals.join(
        failures.select(pl.col("weekday").cast(pl.Int32), "halfhour", "failure_n"),
        on=["weekday", "halfhour"], how="left",
    )
    counts = _weekdays(start, end)
    intervals = intervals.join(counts, on="weekday", how="left").with_columns(
        pl.when(pl.col("offered") > 0).then(
            (pl.col("failure_n").fill_null(0) / pl.col("days") / pl.col("offered")).clip(0.0, 1.0)
        ).otherwise(0.0).alias("failure_share")
    ).drop("failure_n", "days")
    erlang = staffing.freed_positions_erlang(
        intervals, reduction_share=reduction_share, period_days=days, interval_s=INTERVAL_S,
        target_answer_s=settings.service_level_alt_s if target_answer_s is None else target_answer_s,
        target_sl=target_sl, shrinkage=shrinkage, max_occupancy=max_occupancy,
        working_hours_per_fte=settings.working_hours_per_fte,
    )
    return WhatIf(department, reduction_share, workload, erlang)


def _weekdays(start: date, end: date) -> pl.DataFrame:
    """Number of each ISO weekday in [start, end]."""
    days = pl.DataFrame({"day": pl.date_range(start, end, interval="1d", eager=True)})
    return days.group_by(pl.col("day").dt.weekday().cast(pl.Int32).alias("weekday")).agg(
        pl.len().alias("days"))

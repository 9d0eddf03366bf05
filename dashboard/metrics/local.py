"""Local service (lokal service): visits and outreach per service point, and local incidents.

Incidents are days when one city area's volume on one topic rises far above a robust expected
level (dashboard/metrics/incidents.py states the rule). The expected level needs neighbours, so
the daily series is read from `half_window_days` before the period to as many days after it;
only periods that overlap the chosen period are returned.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import duckdb
import polars as pl

from dashboard.config import Settings
from dashboard.domain import LOCAL_CHANNELS
from dashboard.metrics.engine import compute
from dashboard.metrics.filters import Filters
from dashboard.metrics.incidents import IncidentRule, detect_incidents
from dashboard.periods import HOUR_BINS


@dataclass(frozen=True)
class LocalService:
    """Visits and outreach (channels in `channels`) per service point.

    by_hour: service_point, weekday (ISO 1–7), hour, contacts (with `contacts__n`); with
    `hour_span` 2 or 4 each row is a block of hours, `hour` its first hour (periods.HOUR_BINS).
    topics: service_point, topic, contacts, share (of the point's contacts).
    areas: service_point, stadsomrade, city_area, contacts, share (visitors' home areas).
    totals: service_point, channel, contacts.
    """

    channels: tuple[str, ...]
    by_hour: pl.DataFrame
    topics: pl.DataFrame
    areas: pl.DataFrame
    totals: pl.DataFrame


def _with_share(frame: pl.DataFrame) -> pl.DataFrame:
    total = pl.col("contacts").sum().over("service_point")
    return frame.with_columns(pl.when(total > 0).then(pl.col("contacts") / total).alias("share"))


def local_service(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
                  settings: Settings | None = None, hour_span: int = 1) -> LocalService:
    filters = filters or Filters()
    chosen = tuple(c for c in filters.channels if c in LOCAL_CHANNELS) if filters.channels else LOCAL_CHANNELS
    # a filter naming only non-local channels selects nothing (no channel is called "-")
    local = replace(filters, channels=chosen or ("-",))

    def per(*dims):
        frame = compute(con, local, ["contacts"], by=("service_point", *dims), settings=settings)
        return frame.filter(pl.col("service_point").is_not_null())

    return LocalService(
        channels=chosen,
        by_hour=per("weekday", HOUR_BINS[hour_span]).rename({HOUR_BINS[hour_span]: "hour"}, strict=False),
        topics=_with_share(per("topic")),
        areas=_with_share(per("stadsomrade", "city_area")),
        totals=per("channel"),
    )


def incidents(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
              settings: Settings | None = None, groups: tuple[str, ...] = ("city_area", "topic"),
              rule: IncidentRule = IncidentRule()) -> pl.DataFrame:
    """Flagged periods per group (default city area x topic), largest excess first.

    Columns: the group columns, start, end, days, flagged_days, peak_date, peak_count, contacts,
    expected, excess, ratio (dashboard/metrics/incidents.py::detect_incidents).
    """
    filters = filters or Filters()
    pad = timedelta(days=rule.half_window_days)
    wide = filters.with_period(filters.start and filters.start - pad, filters.end and filters.end + pad)
    daily = compute(con, wide, ["contacts"], by=("day", *groups), settings=settings)
    daily = daily.drop_nulls(list(groups))
    found = detect_incidents(daily, date_col="day", group_cols=groups, count_col="contacts", rule=rule)
    if filters.start:
        found = found.filter(pl.col("end") >= filters.start)
    if filters.end:
        found = found.filter(pl.col("start") <= filters.end)
    return found

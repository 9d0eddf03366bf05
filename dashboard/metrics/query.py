"""Compose and run the engine's aggregate queries over the marts.

Every query is queries/metrics/aggregate.sql with trusted pieces filled in: the mart name, the
breakdown expressions (dashboard/metrics/filters.py), `sum(...)` over mart columns, and filter
conditions that name bound parameters. Filter values never enter the SQL text.
"""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.store import marts, sql
from dashboard.store.readers import snapshot_fact
from dashboard.metrics.filters import DIMENSIONS, FILTER_CONDITIONS, Filters


def needed_columns(filters: Filters, by: tuple[str, ...]) -> set[str]:
    cols: set[str] = set()
    for name in filters.active():
        cols.update(FILTER_CONDITIONS[name][0])
    for dim in by:
        cols.update(DIMENSIONS[dim][0])
    return cols


def choose_mart(filters: Filters, by: tuple[str, ...]) -> marts.Mart:
    return marts.choose(needed_columns(filters, by), filters.channels)


def _where(filters: Filters, extra: tuple[str, ...]) -> tuple[str, dict]:
    conditions, params = [], {}
    for name, value in filters.active().items():
        conditions.append(FILTER_CONDITIONS[name][1])
        params[name] = value
    conditions.extend(extra)
    return " and ".join(conditions) or "true", params


def aggregate(con: duckdb.DuckDBPyConnection, source: str, filters: Filters, by: tuple[str, ...],
              aggregates: list[str], extra_where: tuple[str, ...] = (),
              extra_params: dict | None = None) -> pl.DataFrame:
    """One row per group of `by`: the breakdown columns, then the given aggregate expressions.

    `source` and `aggregates` must be trusted text from the engine (mart names, `sum(col) as col`).
    """
    where, params = _where(filters, extra_where)
    params.update(extra_params or {})
    columns = [f"{DIMENSIONS[d][1]} as {d}" for d in by] + aggregates
    query = sql.text("metrics/aggregate").format(
        source=source, columns=",\n        ".join(columns), where=where
    )
    return con.sql(query, params=params).pl()


def sums(columns) -> list[str]:
    return [f"cast(coalesce(sum({c}), 0) as bigint) as {c}" for c in columns]


def population(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Population per city area (read once per published snapshot)."""
    return snapshot_fact(con, "population", lambda c: sql.run(c, "metrics/population"))


def data_range(con: duckdb.DuckDBPyConnection) -> tuple:
    """First and last local date with contacts (None, None for an empty store; read once per
    published snapshot)."""
    return snapshot_fact(con, "data_range", lambda c: c.execute(
        "select min(local_date), max(local_date) from mart_day_channel").fetchall()[0])

"""Data quality: per source system, the share of contacts without topic, department, outcome
(of handled contacts) or demand type."""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.config import Settings
from dashboard.metrics.engine import compute
from dashboard.metrics.filters import Filters

QUALITY_METRICS = (
    "contacts", "missing_topic_share", "missing_department_share", "missing_outcome_share",
    "missing_demand_type_share",
)


def data_quality(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
                 settings: Settings | None = None) -> pl.DataFrame:
    """One row per source system: contacts and the four missing-value shares (with `__n`)."""
    return compute(con, filters, QUALITY_METRICS, by=("source_system",), settings=settings)

"""Data quality: per source system, the share of contacts without topic, department, outcome
(of handled contacts) or demand type."""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.config import Settings
from dashboard.metrics.engine import compute
from dashboard.metrics.filters import Filters
from dashboard.metrics.registry import applicable

QUALITY_METRICS = (
    "contacts", "missing_topic_share", "missing_department_share", "missing_outcome_share",
    "missing_demand_type_share",
)


def data_quality(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
                 settings: Settings | None = None) -> pl.DataFrame:
    """One row per source system: contacts and the missing-value shares (with `__n`), without
    those the filters fix by construction (`registry.applicable`)."""
    return compute(con, filters, applicable(QUALITY_METRICS, filters), by=("source_system",),
                   settings=settings)


FINDING_KINDS_SV = {
    "unknown_value": "Okänt värde, inläst som okänt",
    "misfiled_identifier": "Identifierare av annat slag än kolumnen anger (pseudonymiserad ändå)",
}
FINDING_FIELDS_SV = {"caller_key": "identifierare", "department": "förvaltning", "topic": "ärendekategori",
                     "city_area": "stadsdel/stadsområde", "service_point": "servicepunkt", "language": "språk",
                     "channel": "kanal", "customer_type": "kundtyp", "outcome": "utfall",
                     "demand_type": "typ av efterfrågan", "failure_reason": "orsak till onödig efterfrågan"}


def ingest_findings(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
                    settings: Settings | None = None) -> pl.DataFrame:
    """What ingests repaired rather than landed as given, over all ingests (not filtered: a
    finding belongs to a file, not to a period): one row per source system, field, source column
    and kind, with `rows`. Counts of file rows, never values."""
    frame = con.sql(
        "select l.source_system, f.field, f.source_column, f.kind, sum(f.rows)::bigint as rows "
        "from ingest_findings as f join ingest_log as l using (ingest_id) "
        "group by all order by all").pl()
    return frame.with_columns(
        pl.col("field").replace(FINDING_FIELDS_SV),
        pl.col("kind").replace(FINDING_KINDS_SV),
    )

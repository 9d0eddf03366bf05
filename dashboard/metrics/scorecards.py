"""The per-förvaltning scorecard (samarbetsprocess): one department's figures against the
comparison period and against the city as a whole, and its top failure-demand drivers."""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import polars as pl

from dashboard.config import Settings
from dashboard.metrics import registry
from dashboard.metrics.demand import INFERRED_REASONS, REASON_COLUMNS
from dashboard.metrics.engine import compute, compute_inputs
from dashboard.metrics.filters import Filters

SCORECARD_METRICS = (
    "contacts", "handled_hours", "handled_time_share", "offered", "answer_rate", "service_level",
    "service_level_alt", "asa_s", "abandon_rate", "aht_s", "reply_within_1_workday",
    "resolved_rate", "forwarded_rate", "failure_demand_share", "failure_demand_share_inferred",
    "failure_demand_cost_sek", "failure_demand_fte", "repeat_rate", "satisfaction_index",
)
FROM_FILTERS = object()  # scorecard(department=...) default: the department in the filters
TOP_DRIVERS = 5


@dataclass(frozen=True)
class Scorecard:
    """metrics: metric, label, unit, higher_is_better, value, n, previous, previous_n, change,
    city, city_n, vs_city (value − city). drivers: inferred, rank, topic, reason, failures,
    share_of_failure, previous_failures; the top five tagged drivers, then the top five inferred.
    """

    department: str | None
    filters: Filters
    comparison: Filters | None
    metrics: pl.DataFrame
    drivers: pl.DataFrame


def comparison_filters(filters: Filters, comparison: str | None) -> Filters | None:
    """The comparison's filters (dashboard.periods' vocabulary), None without a whole period."""
    return None if filters.days is None else filters.compared(comparison)


def _one_row(con, filters: Filters | None, settings, ids) -> dict:
    if filters is None:
        return {}
    return compute(con, filters, ids, settings=settings).row(0, named=True)


def department_of(filters: Filters) -> str | None:
    """The one department a filter selects (None: the whole city)."""
    if len(filters.departments) > 1:
        raise ValueError("Resultatkortet gäller en förvaltning åt gången; välj en.")
    return filters.departments[0] if filters.departments else None


def scorecard(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
              settings: Settings | None = None, comparison: str | None = "previous",
              metric_ids=SCORECARD_METRICS, department: str | None | object = FROM_FILTERS,
              drivers: bool = True) -> Scorecard:
    """The scorecard of the department in `filters` (or `department`, which overrides it; None
    gives the whole city, whose city comparison is itself). `drivers=False` leaves the
    failure-demand drivers empty (key-figure cards read only the metrics; the metrics are the
    same either way)."""
    settings = settings or Settings()
    filters = filters or Filters()
    if department is FROM_FILTERS:
        department = department_of(filters)
    base = filters.without("departments")
    own = replace(base, departments=(department,)) if department else base
    previous = comparison_filters(own, comparison)
    # a metric the selection fixes (the city's share of its own time) has no row
    ids = [i for i in metric_ids if registry.get(i).applies_to(own)]
    now, before, city = (_one_row(con, f, settings, ids) for f in (own, previous, base))
    rows = []
    for m in registry.resolve(ids):
        value, prev, whole = now.get(m.id), before.get(m.id), city.get(m.id)
        city_n = city.get(f"{m.id}__n")
        if not m.applies_to(base):   # the city's own value is fixed (100 % of itself)
            whole = city_n = None
        rows.append({
            "metric": m.id, "label": m.label_for(settings), "unit": m.unit,
            "higher_is_better": m.higher_is_better,
            "value": _float(value), "n": now.get(f"{m.id}__n"),
            "previous": _float(prev), "previous_n": before.get(f"{m.id}__n"),
            "change": _diff(value, prev),
            "city": _float(whole), "city_n": city_n,
            "vs_city": _diff(value, whole),
        })
    schema = {"metric": pl.String, "label": pl.String, "unit": pl.String,
              "higher_is_better": pl.Boolean, "value": pl.Float64, "n": pl.Int64,
              "previous": pl.Float64, "previous_n": pl.Int64, "change": pl.Float64,
              "city": pl.Float64, "city_n": pl.Int64, "vs_city": pl.Float64}
    return Scorecard(department, own, previous, pl.DataFrame(rows, schema=schema),
                     failure_drivers(con, own, previous, settings) if drivers else NO_DRIVERS)


def _float(x):
    return None if x is None else float(x)


def _diff(a, b):
    return None if a is None or b is None else float(a) - float(b)


NO_DRIVERS = pl.DataFrame(schema={"inferred": pl.Boolean, "rank": pl.Int64, "topic": pl.String,
                                  "reason": pl.String, "failures": pl.Int64,
                                  "share_of_failure": pl.Float64, "previous_failures": pl.Int64})


def _driver_counts(con, filters: Filters, settings) -> pl.DataFrame:
    names = [*REASON_COLUMNS, *INFERRED_REASONS]
    inputs = compute_inputs(con, filters, ("topic",), names, settings)
    labels = {**{c: (r, False) for c, r in REASON_COLUMNS.items()},
              **{c: (r, True) for c, r in INFERRED_REASONS.items()}}
    long = inputs.unpivot(index="topic", on=names, variable_name="_col", value_name="failures")
    return long.with_columns(
        pl.col("_col").replace_strict({c: r for c, (r, _) in labels.items()},
                                      return_dtype=pl.String).alias("reason"),
        pl.col("_col").replace_strict({c: i for c, (_, i) in labels.items()},
                                      return_dtype=pl.Boolean).alias("inferred"),
        pl.col("failures").cast(pl.Int64),
    ).drop("_col").filter(pl.col("failures") > 0)


def failure_drivers(con: duckdb.DuckDBPyConnection, filters: Filters, previous: Filters | None = None,
                    settings: Settings | None = None, top: int = TOP_DRIVERS) -> pl.DataFrame:
    """The (topic, reason) pairs with the most failure demand, tagged and inferred apart."""
    now = _driver_counts(con, filters, settings)
    total = pl.col("failures").sum().over("inferred")
    now = now.with_columns((pl.col("failures") / total).alias("share_of_failure"))
    if previous is not None:
        before = _driver_counts(con, previous, settings).rename({"failures": "previous_failures"})
        now = now.join(before, on=["topic", "reason", "inferred"], how="left", nulls_equal=True)
    else:
        now = now.with_columns(pl.lit(None, dtype=pl.Int64).alias("previous_failures"))
    ranked = now.sort(["inferred", "failures", "topic"], descending=[False, True, False], nulls_last=True)
    ranked = ranked.with_columns(pl.int_range(1, pl.len() + 1).over("inferred").alias("rank"))
    return ranked.filter(pl.col("rank") <= top).select(
        "inferred", pl.col("rank").cast(pl.Int64), "topic", "reason", "failures",
        "share_of_failure", "previous_failures",
    )

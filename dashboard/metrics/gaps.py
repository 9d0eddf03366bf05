"""Service gaps (rättighetsbaserad service): the service-gap ledger, equity, contacts per residents.

Equity compares each group (city area, language, interpreter, customer type) with the rest of
the city on a proportion metric, with Wilson intervals for each rate and Newcombe's interval for
the difference (dashboard/metrics/statistics.py). A group is flagged only when the difference is
1. statistically clear: its interval, Bonferroni-adjusted for every comparison made in the
   same call (confidence 1 − 0.05 / (metrics × groups)), excludes 0, and
2. large enough to matter: at least MIN_DIFFERENCE (5 percentage points), and
3. worse for the group (by the metric's direction).
Whether an interpreter was needed is only known once a contact is answered, so queue metrics are
not compared by interpreter.
"""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.config import Settings
from dashboard.metrics import registry, statistics
from dashboard.metrics.engine import compute, compute_inputs
from dashboard.metrics.filters import Filters

EQUITY_DIMENSIONS = ("city_area", "stadsomrade", "language", "interpreter", "customer_type")
EQUITY_METRICS = (
    "answer_rate", "service_level", "abandon_rate", "resolved_rate", "forwarded_rate",
    "repeat_rate", "reply_within_1_workday", "failure_demand_share",
)
QUEUE_METRICS = ("answer_rate", "service_level", "service_level_alt", "abandon_rate",
                 "abandon_rate_excl_short")
MIN_DIFFERENCE = 0.05  # five percentage points
FAMILY_ALPHA = 0.05  # Bonferroni: 0.05 shared over all comparisons of one call

LEDGER_METRICS = ("contacts", "forwarded", "forwarded_rate", "repeat_rate", "resolved_rate")


def service_gap_ledger(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
                       settings: Settings | None = None, top: int | None = None) -> pl.DataFrame:
    """Topics per department ranked by forwarded volume, then by repeat rate.

    Columns: rank, department, topic, then for each of LEDGER_METRICS its value and `__n`.
    """
    frame = compute(con, filters, LEDGER_METRICS, by=("department", "topic"), settings=settings)
    ranked = frame.sort(["forwarded", "repeat_rate", "department", "topic"],
                        descending=[True, True, False, False], nulls_last=True)
    ranked = ranked.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))
    return ranked.head(top) if top else ranked


def _bonferroni_z(comparisons: int) -> float:
    return statistics.z_for(1 - FAMILY_ALPHA / max(comparisons, 1))


def equity(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
           dimension: str | None = None, metric_ids=EQUITY_METRICS,
           settings: Settings | None = None, min_difference: float = MIN_DIFFERENCE) -> pl.DataFrame:
    """Each group of a dimension against the rest of the city, for each proportion metric.

    Columns: metric, label, [the dimension's own column, with one `dimension`], dimension, group
    (the value as text), successes, trials, rate, rate_lo, rate_hi, rest_rate, difference,
    difference_lo, difference_hi, clear, material, worse, flagged. Without `dimension`, every
    dimension in EQUITY_DIMENSIONS is compared (one Bonferroni family per dimension). Contacts
    whose group is unknown count in the rest of the city but get no row.
    """
    dims = EQUITY_DIMENSIONS if dimension is None else (dimension,)
    unknown = [d for d in dims if d not in EQUITY_DIMENSIONS]
    if unknown:
        raise ValueError(f"Jämlikhet jämförs per {', '.join(EQUITY_DIMENSIONS)}, inte {unknown[0]}.")
    settings = settings or Settings()
    metrics = registry.resolve(metric_ids)
    not_rates = [m.id for m in metrics if not m.is_proportion]
    if not_rates:
        raise ValueError(f"Jämlikhet jämför andelar; {', '.join(not_rates)} är inga andelar.")
    parts = [_equity_one(con, filters or Filters(), d, metrics, settings, min_difference)
             for d in dims]
    if dimension is not None:
        return parts[0]
    return pl.concat([p.drop(p.columns[2]) for p in parts], how="vertical_relaxed")


def _equity_one(con, filters: Filters, dimension: str, metrics, settings: Settings,
                min_difference: float) -> pl.DataFrame:
    """One dimension's groups against the rest, for every metric in one Polars pipeline: the
    metrics' (x, n) columns are stacked long and compared `within` the metric, so the work is
    one group-by for the dimension rather than one small pipeline per metric (the results are
    the same row for row; tests/test_equity_fast.py holds the per-metric version to prove it)."""
    if dimension == "interpreter":
        metrics = [m for m in metrics if m.id not in QUEUE_METRICS]
    names = list(dict.fromkeys(i for m in metrics for i in m.inputs))
    inputs = compute_inputs(con, filters, (dimension,), names, settings)
    known = inputs.filter(pl.col(dimension).is_not_null())
    comparisons = sum(known.filter(m.n > 0).height for m in metrics)
    z = _bonferroni_z(comparisons)
    # x and n of every metric side by side, then stacked: one row per (metric, group)
    wide = inputs.select(
        pl.col(dimension),
        *(m.num.cast(pl.Float64).alias(f"x{i}") for i, m in enumerate(metrics)),
        *(m.n.cast(pl.Float64).alias(f"n{i}") for i, m in enumerate(metrics)),
    )
    stacked = pl.concat(
        [wide.select(pl.lit(i, dtype=pl.Int32).alias("_metric"), pl.col(dimension),
                     pl.col(f"x{i}").alias("x"), pl.col(f"n{i}").alias("n"))
         for i in range(len(metrics))], how="vertical")
    compared = statistics.compare_to_rest(
        stacked, dimension, "x", "n", within=("_metric",), z=z, min_difference=min_difference
    ).filter(pl.col(dimension).is_not_null())
    order = list(range(len(metrics)))
    index = pl.col("_metric")

    def per_metric(values, dtype) -> pl.Expr:
        return index.replace_strict(order, values, return_dtype=dtype)

    # direction: 1 higher is better, -1 lower is better, 0 neither (never worse)
    sign = per_metric([0 if m.higher_is_better is None else 1 if m.higher_is_better else -1
                       for m in metrics], pl.Int8)
    worse = (pl.when(sign == 1).then(pl.col("difference") < 0)
             .when(sign == -1).then(pl.col("difference") > 0)
             .otherwise(pl.lit(False))).fill_null(False)
    out = compared.with_columns(
        per_metric([m.id for m in metrics], pl.String).alias("metric"),
        per_metric([m.label_for(settings) for m in metrics], pl.String).alias("label"),
        worse.alias("worse"),
    ).with_columns((pl.col("flagged") & pl.col("worse")).alias("flagged"))
    return out.select(
        "metric", "label", pl.col(dimension), pl.lit(dimension).alias("dimension"),
        pl.col(dimension).cast(pl.String).alias("group"),
        pl.col("successes", "trials").cast(pl.Int64), "rate", "rate_lo", "rate_hi", "rest_rate",
        "difference", "difference_lo", "difference_hi", "clear", "material", "worse", "flagged",
    )


def contacts_per_residents(con: duckdb.DuckDBPyConnection, filters: Filters | None = None,
                           level: str = "stadsomrade", settings: Settings | None = None) -> pl.DataFrame:
    """Contacts per 1 000 residents per stadsområde (or city area) with 95 % Poisson intervals.

    Columns: `level`, contacts, population, per_1000, per_1000_lo, per_1000_hi.
    """
    if level not in ("stadsomrade", "city_area"):
        raise ValueError("Nivån är stadsomrade eller city_area.")
    frame = compute_inputs(con, filters or Filters(), (level,), ["population"], settings)
    frame = frame.filter(pl.col(level).is_not_null() & pl.col("population").is_not_null())
    rate, lo, hi = statistics.poisson_rate_interval("contacts_n", "population")
    return frame.select(
        level, pl.col("contacts_n").alias("contacts"), "population",
        rate.alias("per_1000"), lo.alias("per_1000_lo"), hi.alias("per_1000_hi"),
    )

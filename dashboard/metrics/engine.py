"""`compute`: registry metrics for one filter state, one row per group of a breakdown.

Inputs come from the smallest mart that covers the filters and breakdown (dashboard/metrics/
marts.py): additive columns in one query, threshold counts and percentiles from the twin
distribution mart, totals over a dimension (for shares) from a second aggregate, population from
`city_areas`. Metric formulas (dashboard/metrics/catalog_*.py) then run in Polars.
"""

from __future__ import annotations

import weakref
from datetime import date

import duckdb
import polars as pl

from dashboard.config import Settings
from dashboard.metrics import inputs as inp
from dashboard.metrics import query, registry
from dashboard.metrics.buckets import percentiles_from_histogram
from dashboard.metrics.filters import CALENDAR_GRAINS, Filters, check_dimensions
from dashboard.store.marts import check_marts
from dashboard.store.readers import on_snapshot
from dashboard.metrics.metric import Metric

# Breakdown dimension -> the filter field on the same thing (for totals over a dimension).
DIM_FILTER = {
    "department": "departments", "channel": "channels", "city_area": "city_areas",
    "stadsomrade": "city_areas", "topic": "topics", "language": "languages",
    "customer_type": "customer_types",
}
_KEY = "__all__"
# Cursors on published snapshots whose marts passed check_marts (a snapshot never changes).
_MARTS_OK: weakref.WeakSet = weakref.WeakSet()


def _check_marts(con) -> None:
    if con in _MARTS_OK:
        return
    check_marts(con)
    if on_snapshot(con):
        _MARTS_OK.add(con)


def compute(con: duckdb.DuckDBPyConnection, filters: Filters | None = None, metric_ids=(),
            by=(), settings: Settings | None = None) -> pl.DataFrame:
    """Metrics for one filter state.

    Returns one row per group of `by` (all groups with at least one contact): the breakdown
    columns, then for each metric id its value and `{id}__n`, the count its suppression looks at.
    Counts are integers, everything else floats; rates are fractions (0–1), times seconds. Sorted by the breakdown, unknown values last.
    """
    filters = filters or Filters()
    settings = settings or Settings()
    metrics = registry.resolve(metric_ids)
    by = check_dimensions(by)
    inp.check_settings(settings)
    _check_marts(con)
    frame = inputs_frame(con, filters, by, _inputs_of(metrics), settings)
    return evaluate(frame, metrics, by)


def compute_inputs(con: duckdb.DuckDBPyConnection, filters: Filters, by, names,
                   settings: Settings | None = None) -> pl.DataFrame:
    """Raw inputs (mart columns and derived inputs, dashboard/metrics/inputs.py) per group.

    For analyses that need counts behind the registry's metrics (e.g. failures per reason).
    """
    settings = settings or Settings()
    by = check_dimensions(by)
    inp.check_settings(settings)
    _check_marts(con)
    frame = inputs_frame(con, filters, by, list(dict.fromkeys(["contacts_n", *names])), settings)
    return frame.sort(list(by), nulls_last=True) if by else frame


def evaluate(frame: pl.DataFrame, metrics: list[Metric], by: tuple[str, ...]) -> pl.DataFrame:
    columns = []
    for m in metrics:
        value = m.value.cast(pl.Int64) if m.kind == "count" else m.value.cast(pl.Float64).fill_nan(None)
        columns.append(value.alias(m.id))
        columns.append(m.n.cast(pl.Int64).alias(f"{m.id}__n"))
    out = frame.select(*by, *columns)
    return out.sort(list(by), nulls_last=True) if by else out


def _inputs_of(metrics: list[Metric]) -> list[str]:
    names = ["contacts_n"]  # always: it defines which groups exist
    for m in metrics:
        names.extend(inp.percentile_base(i) for i in m.inputs)
    return list(dict.fromkeys(names))


def inputs_frame(con, filters: Filters, by: tuple[str, ...], names: list[str],
                 settings: Settings) -> pl.DataFrame:
    """One row per group: the breakdown columns and every named input."""
    plain = [n for n in names if _is_plain(n)]
    mart = query.choose_mart(filters, by)
    frame = query.aggregate(con, mart.name, filters, by, query.sums(plain))
    dist_names = [n for n in names if n in inp.THRESHOLDS or n in inp.PERCENTILES]
    if dist_names:
        frame = _join(frame, _dist_inputs(con, mart.dist, filters, by, dist_names, settings), by)
        # a group without rows in a distribution has none below any threshold
        frame = frame.with_columns(pl.col(n).fill_null(0) for n in dist_names if n in inp.THRESHOLDS)
    for name in (n for n in names if inp.is_total(n)):
        frame = _with_total(con, frame, filters, by, name)
    if "population" in names:
        frame = _with_population(con, frame, filters, by)
    if "period_days" in names:
        frame = _with_period_days(con, frame, filters, by)
    for name in (n for n in names if n.startswith("setting:")):
        frame = frame.with_columns(pl.lit(float(getattr(settings, name[8:]))).alias(name))
    return frame


def _is_plain(name: str) -> bool:
    return not (name in inp.THRESHOLDS or name in inp.PERCENTILES or name in inp.SPECIAL
                or inp.is_total(name) or name.startswith("setting:"))


def _join(left: pl.DataFrame, right: pl.DataFrame, by: tuple[str, ...]) -> pl.DataFrame:
    """Left join on the breakdown (nulls match nulls); without a breakdown, attach the one row."""
    new = [c for c in right.columns if c not in by]
    if not by:
        left, right = left.with_columns(pl.lit(1).alias(_KEY)), right.with_columns(pl.lit(1).alias(_KEY))
        keys = [_KEY]
    else:
        keys = list(by)
    joined = left.join(right.select(*keys, *new), on=keys, how="left", nulls_equal=True)
    return joined.drop(_KEY, strict=False)


def _dist_inputs(con, dist: str, filters: Filters, by, names, settings) -> pl.DataFrame:
    """Threshold counts and percentiles from one histogram query over the distribution mart."""
    measures = sorted({inp.THRESHOLDS[n].measure if n in inp.THRESHOLDS else inp.PERCENTILES[n][0]
                       for n in names})
    hist = query.aggregate(
        con, dist, filters, by,
        ["measure", "bucket", "max(bucket_max) as bucket_max", "cast(sum(n) as bigint) as n",
         "cast(sum(handle_sum) as bigint) as handle_sum"],
        extra_where=("list_contains($measures, measure)",), extra_params={"measures": measures},
    )
    keys = list(by)
    # every group with any distribution row; without a breakdown, the one row
    groups = hist.select(keys).unique() if keys else pl.DataFrame({_KEY: [1]})
    on = keys or [_KEY]
    for name in names:
        if name in inp.THRESHOLDS:
            part = _threshold(hist, keys, name, settings)
        else:
            measure, q = inp.PERCENTILES[name]
            part = percentiles_from_histogram(hist.filter(pl.col("measure") == measure), keys, q, name)
        if not keys:
            part = part.with_columns(pl.lit(1).alias(_KEY))
        groups = groups.join(part, on=on, how="left", nulls_equal=True)
    return groups.drop(_KEY, strict=False)


def _threshold(hist: pl.DataFrame, keys: list[str], name: str, settings: Settings) -> pl.DataFrame:
    spec = inp.THRESHOLDS[name]
    rows = hist.filter((pl.col("measure") == spec.measure) & (pl.col("bucket_max") <= spec.limit(settings)))
    total = pl.col(spec.value).sum().cast(pl.Int64).alias(name)
    return rows.group_by(keys).agg(total) if keys else rows.select(total)


def _with_total(con, frame, filters: Filters, by, name: str) -> pl.DataFrame:
    """`x@dim`: x summed over every value of dim, with the filter on dim dropped."""
    base, dim = inp.split_total(name)
    rest = tuple(d for d in by if d != dim)
    wider = filters.without(DIM_FILTER[dim]) if dim in DIM_FILTER else filters
    mart = query.choose_mart(wider, rest)
    totals = query.aggregate(con, mart.name, wider, rest, query.sums([base]))
    return _join(frame, totals.rename({base: name}), rest)


def _with_population(con, frame, filters: Filters, by) -> pl.DataFrame:
    leaves = query.population(con)
    if "city_area" in by:
        own = leaves.select("city_area", "population")
        parents = leaves.group_by("stadsomrade").agg(pl.col("population").sum()).rename(
            {"stadsomrade": "city_area"})
        table = pl.concat([own, parents.filter(~pl.col("city_area").is_in(own["city_area"].implode()))])
        return frame.join(table, on="city_area", how="left")
    if "stadsomrade" in by:
        table = leaves.group_by("stadsomrade").agg(pl.col("population").sum())
        return frame.join(table, on="stadsomrade", how="left")
    if filters.city_areas:
        chosen = list(filters.city_areas)
        leaves = leaves.filter(pl.col("city_area").is_in(chosen) | pl.col("stadsomrade").is_in(chosen))
    total = leaves["population"].sum() if leaves.height else None
    return frame.with_columns(pl.lit(total, dtype=pl.Int64).alias("population"))


def _grain_bounds(grain: str, start: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    if grain == "day":
        return start, start
    if grain == "week":
        return start, start.dt.offset_by("6d")
    if grain == "month":
        return start, start.dt.month_end()
    first = pl.date(start, 1, 1)  # year grain: the column is the year number
    return first, pl.date(start, 12, 31)


def _with_period_days(con, frame, filters: Filters, by) -> pl.DataFrame:
    first, last = query.data_range(con)
    lo = filters.start or first or date.today()
    hi = filters.end or last or lo
    grains = [g for g in CALENDAR_GRAINS if g in by]
    if not grains:
        return frame.with_columns(pl.lit((hi - lo).days + 1).alias("period_days"))
    grain = grains[0]  # the finest calendar grain in the breakdown
    g_start, g_end = _grain_bounds(grain, pl.col(grain))
    clipped_start = pl.max_horizontal(g_start, pl.lit(lo))
    clipped_end = pl.min_horizontal(g_end, pl.lit(hi))
    days = (clipped_end - clipped_start).dt.total_days() + 1
    return frame.with_columns(days.clip(lower_bound=0).alias("period_days"))

"""The equity comparison in one pipeline per dimension gives exactly what one pipeline per
metric gives (the straightforward version, kept here as the second implementation)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard.config import Settings
from dashboard.metrics import EQUITY_DIMENSIONS, EQUITY_METRICS, Filters, registry, statistics
from dashboard.metrics.engine import compute_inputs
from dashboard.metrics.gaps import QUEUE_METRICS, _bonferroni_z, _equity_one


def per_metric_equity(con, filters, dimension, metrics, settings, min_difference):
    """One compare_to_rest per metric, concatenated in the metrics' order."""
    if dimension == "interpreter":
        metrics = [m for m in metrics if m.id not in QUEUE_METRICS]
    names = list(dict.fromkeys(i for m in metrics for i in m.inputs))
    inputs = compute_inputs(con, filters, (dimension,), names, settings)
    known = inputs.filter(pl.col(dimension).is_not_null())
    z = _bonferroni_z(sum(known.filter(m.n > 0).height for m in metrics))
    parts = []
    for m in metrics:
        counts = inputs.select(pl.col(dimension), m.num.cast(pl.Float64).alias("x"),
                               m.n.cast(pl.Float64).alias("n"))
        compared = statistics.compare_to_rest(counts, dimension, "x", "n", z=z,
                                              min_difference=min_difference
                                              ).filter(pl.col(dimension).is_not_null())
        worse = pl.lit(False) if m.higher_is_better is None else (
            pl.col("difference") < 0 if m.higher_is_better else pl.col("difference") > 0)
        parts.append(compared.with_columns(
            pl.lit(m.id).alias("metric"), pl.lit(m.label_for(settings)).alias("label"),
            worse.fill_null(False).alias("worse"),
        ).with_columns((pl.col("flagged") & pl.col("worse")).alias("flagged")))
    out = pl.concat(parts, how="vertical_relaxed")
    return out.select(
        "metric", "label", pl.col(dimension), pl.lit(dimension).alias("dimension"),
        pl.col(dimension).cast(pl.String).alias("group"),
        pl.col("successes", "trials").cast(pl.Int64), "rate", "rate_lo", "rate_hi", "rest_rate",
        "difference", "difference_lo", "difference_hi", "clear", "material", "worse", "flagged")


FILTERS = [
    Filters(),
    Filters(start=date(2025, 3, 1), end=date(2025, 3, 31)),
    Filters(start=date(2025, 6, 2), end=date(2025, 6, 2)),  # one day: many tiny groups
    Filters(start=date(2030, 1, 1), end=date(2030, 1, 31)),  # no data at all
]


@pytest.mark.parametrize("dimension", EQUITY_DIMENSIONS)
@pytest.mark.parametrize("filters", FILTERS, ids=["all", "month", "day", "empty"])
def test_one_pipeline_per_dimension_is_identical_to_one_per_metric(sample_con, dimension,
                                                                    filters):
    settings = Settings()
    metrics = registry.resolve(EQUITY_METRICS)
    fast = _equity_one(sample_con, filters, dimension, metrics, settings, 0.05)
    slow = per_metric_equity(sample_con, filters, dimension, metrics, settings, 0.05)
    assert fast.height == slow.height
    assert_frame_equal(fast, slow, check_exact=True)
    if filters == Filters():
        assert fast.height > 0 and fast["flagged"].dtype == pl.Boolean


def test_department_filter_and_other_threshold_are_identical_too(sample_con):
    settings = Settings()
    (department,) = sample_con.execute(
        "select department from contacts where department is not null "
        "group by 1 order by count(*) limit 1").fetchone()
    filters = Filters(departments=(department,))
    metrics = registry.resolve(EQUITY_METRICS)
    for dimension in EQUITY_DIMENSIONS:
        assert_frame_equal(_equity_one(sample_con, filters, dimension, metrics, settings, 0.02),
                           per_metric_equity(sample_con, filters, dimension, metrics, settings,
                                             0.02), check_exact=True)

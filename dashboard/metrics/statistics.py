"""Intervals and comparisons for rates, as Polars expressions (vectorised over any frame).

- Wilson score interval for a proportion (good coverage also near 0 and 1 and for small n).
- Newcombe's hybrid score interval (his method 10) for the difference of two proportions, built
  from the two Wilson intervals.
- `compare_to_rest`: each group against the rest of the city, flagged only when the difference is
  both statistically clear (its interval excludes 0) and material (|difference| ≥ min_difference).
- Score interval for a Poisson count, for rates such as contacts per 1 000 residents.
docs/statistics.md states the formulas and the flag rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import polars as pl

Z95 = 1.96
DEFAULT_MIN_DIFFERENCE = 0.05  # five percentage points

IntoExpr = str | pl.Expr | int | float


def z_for(confidence: float = 0.95) -> float:
    """Two-sided standard normal quantile: 0.95 -> 1.959964."""
    if not 0 < confidence < 1:
        raise ValueError(f"Konfidensgraden anges som andel mellan 0 och 1, t.ex. 0,95 (fick {confidence}).")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _expr(x: IntoExpr) -> pl.Expr:
    if isinstance(x, pl.Expr):
        return x
    if isinstance(x, str):
        return pl.col(x)
    return pl.lit(x)


def wilson_interval(successes: IntoExpr, trials: IntoExpr, z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """(lo, hi) of the Wilson score interval; null where trials is 0 or null.

    centre = (p + z²/2n) / (1 + z²/n), half = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²).
    0 successes give lo = 0 exactly and n successes hi = 1 exactly.
    """
    s = _expr(successes).cast(pl.Float64)
    n = _expr(trials).cast(pl.Float64)
    z2 = z * z
    p = s / n
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt()
    valid = n > 0
    lo = pl.when(~valid).then(None).when(s <= 0).then(0.0).otherwise((centre - half).clip(0.0, 1.0))
    hi = pl.when(~valid).then(None).when(s >= n).then(1.0).otherwise((centre + half).clip(0.0, 1.0))
    return lo, hi


def wilson_bounds(successes: float, trials: float, z: float = Z95) -> tuple[float | None, float | None]:
    """Scalar convenience over `wilson_interval`."""
    lo, hi = wilson_interval(pl.lit(float(successes)), pl.lit(float(trials)), z)
    row = pl.select(lo.alias("lo"), hi.alias("hi")).row(0)
    return row[0], row[1]


def newcombe_difference(
    successes1: IntoExpr, trials1: IntoExpr, successes2: IntoExpr, trials2: IntoExpr, z: float = Z95,
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(difference, lo, hi) for p1 − p2 by Newcombe's hybrid score method (1998, method 10).

    lo = d − √((p1 − l1)² + (u2 − p2)²),  hi = d + √((u1 − p1)² + (p2 − l2)²),
    where (l, u) are the Wilson intervals of p1 and p2. Null when either group has no trials.
    """
    s1, n1 = _expr(successes1).cast(pl.Float64), _expr(trials1).cast(pl.Float64)
    s2, n2 = _expr(successes2).cast(pl.Float64), _expr(trials2).cast(pl.Float64)
    p1 = pl.when(n1 > 0).then(s1 / n1)
    p2 = pl.when(n2 > 0).then(s2 / n2)
    l1, u1 = wilson_interval(s1, n1, z)
    l2, u2 = wilson_interval(s2, n2, z)
    d = p1 - p2
    lo = d - ((p1 - l1) ** 2 + (u2 - p2) ** 2).sqrt()
    hi = d + ((u1 - p1) ** 2 + (p2 - l2) ** 2).sqrt()
    return d, lo, hi


def compare_to_rest(
    frame: pl.DataFrame,
    group_col: str,
    successes_col: str,
    trials_col: str,
    *,
    within: Sequence[str] = (),
    z: float = Z95,
    min_difference: float = DEFAULT_MIN_DIFFERENCE,
) -> pl.DataFrame:
    """Each group's rate against the rest of the city (all other groups in the same `within` cell).

    Rows are summed per (within..., group) first, so a frame at a finer grain is fine. Returns
    within..., group_col, successes, trials, rate, rate_lo, rate_hi, rest_successes, rest_trials,
    rest_rate, difference (group − rest), difference_lo, difference_hi, clear, material, flagged.
    `clear`: the difference interval excludes 0. `material`: |difference| ≥ min_difference.
    `flagged` = clear and material (false, never null, where nothing can be computed).
    """
    if not 0 <= min_difference < 1:
        raise ValueError(f"Minsta skillnad anges som andel, t.ex. 0,05 för 5 procentenheter (fick {min_difference}).")
    missing = [c for c in (group_col, successes_col, trials_col, *within) if c not in frame.columns]
    if missing:
        raise ValueError(f"Kolumnerna {', '.join(missing)} saknas i underlaget för jämförelsen.")
    keys = [*within, group_col]
    totals = frame.group_by(keys).agg(
        pl.col(successes_col).sum().cast(pl.Float64).alias("successes"),
        pl.col(trials_col).sum().cast(pl.Float64).alias("trials"),
    )
    over = list(within) or None
    city_s = pl.col("successes").sum() if over is None else pl.col("successes").sum().over(over)
    city_n = pl.col("trials").sum() if over is None else pl.col("trials").sum().over(over)
    totals = totals.with_columns(
        rest_successes=city_s - pl.col("successes"),
        rest_trials=city_n - pl.col("trials"),
    )
    rate_lo, rate_hi = wilson_interval("successes", "trials", z)
    d, d_lo, d_hi = newcombe_difference("successes", "trials", "rest_successes", "rest_trials", z)
    out = totals.with_columns(
        rate=pl.when(pl.col("trials") > 0).then(pl.col("successes") / pl.col("trials")),
        rate_lo=rate_lo,
        rate_hi=rate_hi,
        rest_rate=pl.when(pl.col("rest_trials") > 0).then(pl.col("rest_successes") / pl.col("rest_trials")),
        difference=d,
        difference_lo=d_lo,
        difference_hi=d_hi,
    ).with_columns(
        clear=((pl.col("difference_lo") > 0) | (pl.col("difference_hi") < 0)).fill_null(False),
        # a hair of tolerance so 0.05 exactly (e.g. 0.30 − 0.25 in floats) counts as 5 pp
        material=(pl.col("difference").abs() >= min_difference - 1e-12).fill_null(False),
    ).with_columns(flagged=pl.col("clear") & pl.col("material"))
    columns = [*keys, "successes", "trials", "rate", "rate_lo", "rate_hi", "rest_successes",
               "rest_trials", "rest_rate", "difference", "difference_lo", "difference_hi",
               "clear", "material", "flagged"]
    return out.select(columns).sort(keys, nulls_last=True)


def poisson_rate_interval(
    events: IntoExpr, exposure: IntoExpr, per: float = 1000.0, z: float = Z95,
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(rate, lo, hi) per `per` units of exposure (e.g. contacts per 1 000 residents).

    Score interval for a Poisson count x: x + z²/2 ± z·√(x + z²/4), divided by exposure.
    0 events give lo = 0. Null where exposure is 0 or null.
    """
    x = _expr(events).cast(pl.Float64)
    e = _expr(exposure).cast(pl.Float64)
    z2 = z * z
    scale = pl.when(e > 0).then(per / e)
    half = z * (x + z2 / 4).sqrt()
    lo = pl.when(x <= 0).then(0.0).otherwise((x + z2 / 2 - half).clip(0.0)) * scale
    return x * scale, lo, (x + z2 / 2 + half) * scale

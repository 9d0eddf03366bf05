"""Local incidents: days when a group's daily volume rises far above a robust expected level.

Per group (e.g. city area × topic), on a complete daily grid from the group's first to its last day
(days without rows count 0):
1. weekday factor f(w): the group's mean volume on weekday w relative to its mean over all
   weekdays, shrunk towards the factor pooled over all groups (sparse groups borrow the pattern);
   y = count / f is the weekday-adjusted volume;
2. first pass: level = centred rolling median of y over 2·half_window_days + 1 days;
   second pass, with the days the first pass flagged and holidays left out: level = mean of y
   over the same window without the day itself (the median of small Poisson counts sits below
   their mean and would flag too much);
3. expected = level × f × d, where d ≥ 1 is the city-wide day factor: the other groups' volume
   that day over their expected (leave-one-out, shrunk towards 1). It absorbs days when everything
   rises (the first day after a long weekend) so that only local rises stand out;
4. scale = 1.4826 × rolling median of |y − level| × f × d (a local MAD);
   threshold = max(expected + k·scale, the Poisson bound (√(expected + 3/8) + k/2)² − 3/8,
   expected + min_excess, min_count); a day is flagged when count ≥ threshold;
5. periods: runs of days above a lower bar (k_extend) with gaps of at most `max_gap_days`,
   kept when they hold a flagged day (hysteresis: a period covers the whole rise).
The window is centred because this is retrospective analysis: it follows any monotone trend and
misses smooth seasonal peaks only slightly, while a spike shorter than half the window cannot
move it. The first and last days of a series have a one-sided window. Run it over the whole
history and filter the periods afterwards: short series give poor weekday factors.
docs/statistics.md describes the rule and the false-positive rate measured on noise.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from dashboard.calendar_se import calendar_rows

MAD_TO_SIGMA = 1.4826  # MAD × 1.4826 estimates the standard deviation of normal data


@dataclass(frozen=True)
class IncidentRule:
    """Thresholds of the incident rule (defaults documented in docs/statistics.md)."""

    half_window_days: int = 7      # days on each side of a day that form its baseline
    min_days: int = 8              # fewer days with data in the window -> no expected level, no flag
    k: float = 4.5                 # robust standard deviations above expected
    min_excess: float = 8.0        # contacts above expected, at least
    min_count: float = 10.0        # contacts on the day, at least
    max_gap_days: int = 2          # flagged days this far apart join one period (bridges a weekend)
    k_extend: float = 3.0          # a period grows over neighbouring days above this lower bar
    weekday_prior: float = 50.0    # contacts per weekday below which a group leans on the pooled pattern
    day_prior: float = 50.0        # pseudo-contacts pulling the city-wide day factor towards 1
    citywide_day_factor: bool = True


# Columns of `incident_days` after the group columns and the date column.
DAY_COLUMNS = ("count", "expected", "scale", "threshold", "flagged")
# Columns of `detect_incidents` after the group columns.
PERIOD_COLUMNS = ("start", "end", "days", "flagged_days", "peak_date", "peak_count",
                  "contacts", "expected", "excess", "ratio")
_KEY = ["_gid"]  # the integer group key every window and join below runs on


def swedish_holidays(first: date, last: date) -> list[date]:
    """Public and de facto holidays (julafton, nyårsafton, midsommarafton) in [first, last]."""
    return [row[0] for row in calendar_rows(first, last) if row[2] is not None]


def _prepare(frame: pl.DataFrame, groups: list[str], date_col: str, count_col: str) -> pl.DataFrame:
    missing = [c for c in (*groups, date_col, count_col) if c not in frame.columns]
    if missing:
        raise ValueError(f"Kolumnerna {', '.join(missing)} saknas i underlaget för händelsedetektering.")
    if frame.schema[date_col] != pl.Date:  # timestamps: their calendar date (pass local time)
        frame = frame.with_columns(pl.col(date_col).cast(pl.Date))
    return frame.filter(pl.col(date_col).is_not_null()).with_columns(_all=pl.lit(0))


def _complete_days(frame: pl.DataFrame, groups: list[str], date_col: str, count_col: str) -> pl.DataFrame:
    """One row per group and day from the group's first to its last day, sorted by group and date,
    with an integer group key `_gid`; days without rows count 0. Built by index arithmetic, because
    exploding date ranges and joining on text keys costs several times as much."""
    summed = frame.group_by([*groups, date_col]).agg(pl.col(count_col).sum().cast(pl.Float64).alias("count"))
    spans = summed.group_by(groups).agg(
        pl.col(date_col).min().alias("_first"), pl.col(date_col).max().alias("_last"),
    ).sort(groups, nulls_last=True).with_row_index("_gid")
    lengths = ((spans["_last"] - spans["_first"]).dt.total_days() + 1).to_numpy()
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    gid = np.repeat(np.arange(spans.height), lengths)
    first_day = spans["_first"].to_physical().to_numpy().astype(np.int64)  # days since 1970-01-01
    day = first_day[gid] + (np.arange(lengths.sum()) - offsets[gid])
    located = summed.join(spans.select(*groups, "_gid", "_first"), on=groups, nulls_equal=True)
    position = offsets[located["_gid"].to_numpy()] + (
        (located[date_col] - located["_first"]).dt.total_days().to_numpy()
    )
    counts = np.zeros(len(gid))
    counts[position] = located["count"].to_numpy()
    return pl.concat([
        spans.select(groups)[gid],
        pl.DataFrame({"_gid": gid.astype(np.uint32), date_col: pl.Series(day).cast(pl.Int32).cast(pl.Date),
                      "count": counts}),
    ], how="horizontal")


def _weekday_factors(days: pl.DataFrame, prior: float) -> pl.DataFrame:
    """f(g, w) = (S_gw + prior·P_w) / (n_gw·m_g + prior), P_w the pooled factor.

    S_gw and n_gw are the group's volume and number of days on weekday w, m_gw = S_gw / n_gw and
    m_g the mean of m_gw over the seven weekdays (means, so spans of part weeks are not biased).
    `prior` is in contacts: a group with far more than that per weekday keeps its own pattern.
    `_c` is the count with holidays (and, in the second pass, flagged days) left out.
    """
    by_wd = days.group_by([*_KEY, "_wd"]).agg(pl.col("_c").sum().alias("_s_gw"), pl.col("_c").count().alias("_n_gw"))
    by_wd = by_wd.with_columns(_m_gw=pl.when(pl.col("_n_gw") > 0).then(pl.col("_s_gw") / pl.col("_n_gw")))
    pooled = by_wd.group_by("_wd").agg(pl.col("_m_gw").sum().alias("_m_w"))
    pooled = pooled.with_columns(_p_w=pl.col("_m_w") / pl.col("_m_w").mean())
    # every group gets all seven factors, weekdays it never had through the pooled pattern
    all_wd = days.select(_KEY).unique().join(pooled.select("_wd", "_p_w"), how="cross")
    by_wd = all_wd.join(by_wd, on=[*_KEY, "_wd"], how="left").with_columns(
        pl.col("_s_gw", "_n_gw", "_m_gw").fill_null(0)
    )
    m_g = pl.col("_m_gw").sum().over(_KEY) / 7
    return by_wd.with_columns(
        _f=(pl.col("_s_gw") + prior * pl.col("_p_w")) / (pl.col("_n_gw") * m_g + prior)
    ).select(*_KEY, "_wd", "_f")


def _baseline(days: pl.DataFrame, rule: IncidentRule, *, robust: bool) -> pl.DataFrame:
    """Add _f, _y, _level (y scale) and _mad (y scale) from `_c`."""
    days = days.drop("_f", strict=False).join(
        _weekday_factors(days, rule.weekday_prior), on=[*_KEY, "_wd"], how="left", maintain_order="left"
    )
    days = days.with_columns(_y=pl.when(pl.col("_f") > 0).then(pl.col("_c") / pl.col("_f")))
    window = 2 * rule.half_window_days + 1
    if robust:
        level = pl.col("_y").rolling_median(window, center=True, min_samples=rule.min_days)
    else:  # mean of the other days in the window
        roll = dict(window_size=window, center=True, min_samples=1)
        total = pl.col("_y").rolling_sum(**roll) - pl.col("_y").fill_null(0.0)
        n = pl.col("_y").is_not_null().cast(pl.Int32).rolling_sum(**roll) - pl.col("_y").is_not_null()
        level = pl.when(n >= rule.min_days).then(total / n)
    days = days.with_columns(_level=level.over(_KEY))
    # the median distance from the level ignores up to half the window: a spike cannot inflate it
    mad = (pl.col("_y") - pl.col("_level")).abs().rolling_median(window, center=True, min_samples=rule.min_days)
    return days.with_columns(_mad=mad.over(_KEY))


def _citywide_day_factor(days: pl.DataFrame, date_col: str, rule: IncidentRule) -> pl.Expr:
    """max(1, (C − c + m) / (E − e + m)): the other groups' volume that day over their expected.

    Each group counts with its volume capped at its first-pass threshold (`_cap`), so a local
    incident hardly moves the others' factor, while a rise everywhere still shows in full.
    """
    included = pl.col("_level").is_not_null()
    own_c = pl.when(included).then(pl.min_horizontal("count", "_cap")).otherwise(0.0)
    own_e = pl.when(included).then(pl.col("_level") * pl.col("_f")).otherwise(0.0)
    m = rule.day_prior
    ratio = (own_c.sum().over(date_col) - own_c + m) / (own_e.sum().over(date_col) - own_e + m)
    return pl.max_horizontal(ratio, pl.lit(1.0))


def _threshold(rule: IncidentRule, k: float, min_excess: float, min_count: float) -> pl.Expr:
    """The lowest count flagged, from the `expected` and `scale` columns."""
    # Poisson noise on the square-root scale (Anscombe): 2(√(x + 3/8) − √(λ + 3/8)) ≈ N(0, 1)
    poisson = (pl.col("expected") + 3 / 8).sqrt().add(k / 2).pow(2) - 3 / 8
    return pl.when(pl.col("expected").is_not_null()).then(pl.max_horizontal(
        pl.col("expected") + k * pl.col("scale"),
        poisson,
        pl.col("expected") + min_excess,
        pl.lit(float(min_count)),
    ))


def _flag(days: pl.DataFrame, rule: IncidentRule, day_factor: pl.Expr) -> pl.DataFrame:
    days = days.with_columns(_d=day_factor).with_columns(
        expected=pl.col("_level") * pl.col("_f") * pl.col("_d"),
        scale=MAD_TO_SIGMA * pl.col("_mad") * pl.col("_f") * pl.col("_d"),
    )
    return days.with_columns(
        threshold=_threshold(rule, rule.k, rule.min_excess, rule.min_count),
    ).with_columns(flagged=(pl.col("count") >= pl.col("threshold")).fill_null(False))


def incident_days(
    frame: pl.DataFrame,
    *,
    date_col: str = "date",
    group_cols: Sequence[str] = ("city_area", "topic"),
    count_col: str = "contacts",
    rule: IncidentRule = IncidentRule(),
    holidays: Collection[date] | None = None,
) -> pl.DataFrame:
    """Daily expected level and flag: group_cols..., date, count, expected, scale, threshold, flagged.

    Rows are summed per group and day first. `threshold` is the lowest count that is flagged.
    Days with fewer than `min_days` days of data around them get null expected and are never
    flagged. group_cols=() treats the frame as one series. `holidays` (default: Swedish public
    and de facto holidays) stay out of every baseline but are judged against the days around them.
    """
    prepared = _prepare(frame, list(group_cols), date_col, count_col)
    if prepared.is_empty():
        return pl.DataFrame(schema={**{g: frame.schema[g] for g in group_cols}, date_col: pl.Date,
                                    **dict.fromkeys(DAY_COLUMNS[:-1], pl.Float64), "flagged": pl.Boolean})
    days = _complete_days(prepared, [*group_cols, "_all"], date_col, count_col)
    if holidays is None:
        holidays = swedish_holidays(days[date_col].min(), days[date_col].max())
    days = days.with_columns(
        _wd=pl.col(date_col).dt.weekday(),
        _c=pl.when(pl.col(date_col).is_in(pl.Series(list(holidays), dtype=pl.Date).implode()))
        .then(None).otherwise(pl.col("count")),
    )
    first = _flag(_baseline(days, rule, robust=True), rule, pl.lit(1.0))
    # second pass without the days the first pass flagged: an incident lifts neither its own
    # baseline, nor its weekday's factor, nor the city-wide day factor of the others
    days = days.with_columns(
        _c=pl.when(first["flagged"]).then(None).otherwise(pl.col("_c")),
        _cap=first["threshold"].fill_null(first["count"]),
    )
    days = _baseline(days, rule, robust=False)
    factor = _citywide_day_factor(days, date_col, rule) if rule.citywide_day_factor else pl.lit(1.0)
    return _flag(days, rule, factor).select(*group_cols, date_col, *DAY_COLUMNS)


def _mark_periods(days: pl.DataFrame, groups: list[str], date_col: str, rule: IncidentRule) -> pl.DataFrame:
    """Add `_period` (an id per group; null outside periods).

    Hysteresis: candidate days are the flagged ones and those above the lower bar (k_extend, half
    of min_excess and min_count); candidates at most max_gap_days apart form a run, and a run is
    a period when it holds at least one flagged day. So a period starts and ends where the rise
    does, not only where it is strongest.
    """
    groups = groups + ["_all"]  # a constant key so that no groups still means one series
    days = days.with_columns(_all=pl.lit(0)).sort(groups[:-1] + [date_col], nulls_last=True)
    lower = _threshold(rule, rule.k_extend, rule.min_excess / 2, rule.min_count / 2)
    days = days.with_columns(_cand=pl.col("flagged") | (pl.col("count") >= lower).fill_null(False))
    cand_date = pl.when(pl.col("_cand")).then(pl.col(date_col))
    days = days.with_columns(
        _prev=cand_date.forward_fill().over(groups),
        _next=cand_date.backward_fill().over(groups),
    ).with_columns(
        _in=pl.col("_cand") | (
            ((pl.col("_next") - pl.col("_prev")).dt.total_days() <= rule.max_gap_days + 1).fill_null(False)
        ),
    )
    starts = pl.col("_in") & ~pl.col("_in").shift(1).over(groups).fill_null(False)
    days = days.with_columns(_run=pl.when(pl.col("_in")).then(starts.cast(pl.Int64).cum_sum().over(groups)))
    return days.with_columns(
        _period=pl.when(pl.col("flagged").any().over([*groups, "_run"])).then(pl.col("_run"))
    ).drop("_prev", "_next", "_in", "_cand", "_run", "_all")


def detect_incidents(
    frame: pl.DataFrame,
    *,
    date_col: str = "date",
    group_cols: Sequence[str] = ("city_area", "topic"),
    count_col: str = "contacts",
    rule: IncidentRule = IncidentRule(),
    holidays: Collection[date] | None = None,
    days: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Flagged periods, largest excess first.

    Columns: group_cols..., start, end, days (calendar days in the period), flagged_days,
    peak_date, peak_count, contacts (sum over the period), expected (sum), excess
    (contacts − expected) and ratio (contacts / expected; null when expected is 0).
    Pass `days` (the output of `incident_days` with the same arguments) to reuse it.
    """
    groups = list(group_cols)
    if days is None:
        days = incident_days(frame, date_col=date_col, group_cols=groups, count_col=count_col, rule=rule,
                             holidays=holidays)
    marked = _mark_periods(days, groups, date_col, rule).filter(pl.col("_period").is_not_null())
    periods = marked.group_by([*groups, "_period"]).agg(
        pl.col(date_col).min().alias("start"),
        pl.col(date_col).max().alias("end"),
        pl.col("flagged").sum().cast(pl.Int64).alias("flagged_days"),
        pl.col(date_col).sort_by("count", descending=True, maintain_order=True).first().alias("peak_date"),
        pl.col("count").max().alias("peak_count"),
        pl.col("count").sum().alias("contacts"),
        pl.col("expected").sum().alias("expected"),
    )
    periods = periods.with_columns(
        days=(pl.col("end") - pl.col("start")).dt.total_days().cast(pl.Int64) + 1,
        excess=pl.col("contacts") - pl.col("expected"),
        ratio=pl.when(pl.col("expected") > 0).then(pl.col("contacts") / pl.col("expected")),
    )
    return periods.select(*groups, *PERIOD_COLUMNS).sort(
        ["excess", *groups, "start"], descending=[True, *[False] * (len(groups) + 1)], nulls_last=True
    )

"""The declared rule of every result kind the engine hands out (dashboard.privacy.door).

Each rule takes the engine's result and the settings and returns the result as it may be
published: hidden values nulled, `{col}__suppressed` flags (and `{col}__reason` where a table
has a reason to tell). No hidden number travels further. `nothing_to_hide` is a rule too: it says
so explicitly, and why, for a result without counts of people. Pure: no streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import polars as pl

from dashboard.config import Settings
from dashboard.metrics.registry import REGISTRY
from dashboard.privacy.suppression import Rate, suppress
from dashboard.privacy.tables import MetricsResult, suppress_metrics

SIDES = (("value", "n"), ("previous", "previous_n"), ("city", "city_n"))


def registry_ids(frame: pl.DataFrame) -> list[str]:
    """Registry metrics in a frame (a value with its `__n`)."""
    return [c for c in frame.columns if c in REGISTRY and f"{c}__n" in frame.columns]


def hide_counts(frame: pl.DataFrame, settings: Settings, *, counts: Sequence[str] = (),
                rates: Mapping[str, str | tuple[str, str]] | None = None,
                follow: Mapping[str, str] | None = None, by: Sequence[str] = (),
                parts: Mapping[str, Sequence[str]] | None = None) -> pl.DataFrame:
    """A structured frame. counts: count columns; rates: rate column -> its denominator count,
    or (denominator, numerator) (hidden when either is hidden or the denominator is below the
    threshold); follow: column -> the count it would reveal (hidden exactly when that count
    is); parts: whole -> part count columns that, with a rest the reader is assumed to know, sum
    to it in every row. Hidden values are nulled."""
    threshold = settings.small_cell_threshold
    specs = {}
    for col, spec in (rates or {}).items():
        den, num = (spec, None) if isinstance(spec, str) else spec
        specs[col] = Rate(denominator=den, numerator=num, min_count=threshold)
    # min_count 0: hidden only when the count it follows is hidden
    specs |= {col: Rate(denominator=count, min_count=0) for col, count in (follow or {}).items()}
    work, sums, rests = frame, {}, []
    for whole, members in (parts or {}).items():
        rest = f"{whole}__rest"
        work = work.with_columns((pl.col(whole) - pl.sum_horizontal(list(members))).alias(rest))
        sums[whole], rests = [*members, rest], [*rests, rest]
    result = suppress(work, counts=[*counts, *rests], rates=specs, threshold=threshold,
                      by=list(by), margins_known=True, parts=sums, fixed=rests)
    flagged = result.with_flags()
    return flagged.drop([c for r in rests for c in (r, f"{r}__suppressed", f"{r}__reason")])


def hidden_values(metric_id: str, values: Sequence, ns: Sequence, settings: Settings) -> list[bool]:
    """Single registry values with their basis counts, each on its own (no breakdown, so no
    complement). A value the engine could not compute is missing, not hidden."""
    frame = pl.DataFrame({metric_id: pl.Series(list(values), dtype=pl.Float64),
                          f"{metric_id}__n": pl.Series(list(ns), dtype=pl.Int64)})
    shown = suppress_metrics(frame, [metric_id], settings=settings)
    return [bool(v) for v in shown[f"{metric_id}__suppressed"].to_list()]


def hide_scorecard(metrics: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """The scorecard's long frame (one row per metric) with `{side}_suppressed`,
    `{side}_reason` and `{side}_uncertain` for the period, the comparison period and the city:
    each side is one engine row of all the card's metrics, hidden as `suppress_metrics` hides
    it. Hidden values and their bases are nulled, and so are the change and the difference to
    the city next to a hidden value (value − change is the previous value)."""
    ids = metrics["metric"].to_list()
    out = metrics
    for side, n in SIDES:
        wide = pl.DataFrame({k: [v] for i, mid in enumerate(ids)
                             for k, v in ((mid, metrics[side][i]), (f"{mid}__n", metrics[n][i]))})
        wide = wide.with_columns(pl.col(m).cast(pl.Float64) for m in ids)
        shown = suppress_metrics(wide, ids, settings=settings) if ids else wide
        flags = pl.Series(f"{side}_suppressed", [bool(shown[f"{m}__suppressed"][0]) for m in ids],
                          dtype=pl.Boolean)
        out = out.with_columns(
            flags,
            pl.Series(f"{side}_reason", [shown[f"{m}__reason"][0] for m in ids], dtype=pl.String),
            pl.Series(f"{side}_uncertain", [bool(shown[f"{m}__uncertain"][0]) for m in ids],
                      dtype=pl.Boolean),
        ).with_columns(
            pl.when(flags).then(None).otherwise(pl.col(side)).alias(side),
            pl.when(flags).then(None).otherwise(pl.col(n)).alias(n),
        )
    derived = {"change": ("value_suppressed", "previous_suppressed"),
               "vs_city": ("value_suppressed", "city_suppressed")}
    for col, (a, b) in derived.items():
        if col in out.columns:
            out = out.with_columns(
                pl.when(pl.col(a) | pl.col(b)).then(None).otherwise(pl.col(col)).alias(col))
    return out


def metrics(result, settings, metric_ids=None, by=(), **_):
    """A `compute` frame (or a MetricsResult with its margins): every registry metric in it;
    only `metric_ids` are kept (the others were computed to protect a declared sum whole,
    dashboard.privacy.tables.completing_ids)."""
    frame = result.frame if isinstance(result, MetricsResult) else result
    ids = registry_ids(frame)
    shown = suppress_metrics(result, ids, by=list(by), settings=settings)
    if metric_ids is None:
        return shown
    keep = set(metric_ids)
    extra = [c for m in ids if m not in keep
             for c in (m, f"{m}__n", f"{m}__suppressed", f"{m}__reason", f"{m}__uncertain")]
    return shown.drop(extra)


def ledger(frame, settings, **_):
    return suppress_metrics(frame, registry_ids(frame), ("department", "topic"), settings)


def equity(frame, settings, **_):
    """A group too small to show is not listed at all (its rate × trials is a count); nor is a
    group under the statistical minimum, since the test for a difference needs it."""
    rates = frame["rate"] if "rate" in frame.columns else pl.Series([0.0] * frame.height)
    metric_of = frame["metric"].to_list()
    keep = [True] * frame.height
    for metric_id in dict.fromkeys(metric_of):
        rows = [i for i, m in enumerate(metric_of) if m == metric_id]
        flags = hidden_values(metric_id, [rates[i] for i in rows],
                              [frame["trials"][i] for i in rows], settings)
        minimum = REGISTRY[metric_id].min_n_for(settings)
        for i, flag in zip(rows, flags):
            keep[i] = not flag and frame["trials"][i] >= minimum
    return frame.filter(pl.Series(keep, dtype=pl.Boolean))


def residents(frame, settings, level="stadsomrade", **_):
    return hide_counts(frame, settings, counts=("contacts",), by=(level,),
                       follow={"per_1000": "contacts", "per_1000_lo": "contacts",
                               "per_1000_hi": "contacts"})


def failure_reasons(frame, settings, by="reason", **_):
    if by != "reason":
        return suppress_metrics(frame, registry_ids(frame), (by,), settings)
    parts = [hide_counts(frame.filter(pl.col("inferred") == flag), settings, counts=("failures",),
                         rates={"share": ("basis", "failures")},
                         follow={"share_of_failure": "failures"}, by=("reason",))
             for flag in (False, True)]
    return pl.concat(parts, how="vertical_relaxed")


def self_service(frame, settings, **_):
    return hide_counts(frame, settings, counts=("contacts", "phone", "e_service"),
                       rates={"phone_share": ("contacts", "phone"),
                              "e_service_share": ("contacts", "e_service")},
                       follow={"phone_handled_hours": "phone"}, by=("topic",),
                       parts={"contacts": ("phone", "e_service")})


def _hours_per_point(by_hour: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """Each service point's weekday × hour table (a two-way table with known margins)."""
    frame = by_hour.drop("contacts__n", strict=False)
    parts = [hide_counts(frame.filter(pl.col("service_point").eq_missing(p)), settings,
                         counts=("contacts",), by=("weekday", "hour"))
             for p in frame["service_point"].unique(maintain_order=True).to_list()]
    return pl.concat(parts, how="vertical_relaxed") if parts else frame


def local(result, settings, **_):
    return replace(
        result,
        by_hour=_hours_per_point(result.by_hour, settings),
        totals=hide_counts(result.totals, settings, counts=("contacts",),
                           by=("service_point", "channel")),
        topics=hide_counts(result.topics, settings, counts=("contacts",),
                           follow={"share": "contacts"}, by=("service_point", "topic")),
        areas=hide_counts(result.areas, settings, counts=("contacts",),
                          follow={"share": "contacts"}, by=("service_point", "city_area")),
    )


def incidents(frame, settings, **_):
    return hide_counts(frame, settings, counts=("contacts", "peak_count"),
                       follow={"excess": "contacts", "expected": "contacts"})


def drivers(frame: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    return hide_counts(frame, settings, counts=("failures", "previous_failures"),
                       follow={"share_of_failure": "failures"})


def scorecard(card, settings, **_):
    return replace(card, metrics=hide_scorecard(card.metrics, settings),
                   drivers=drivers(card.drivers, settings))


def quality(frame, settings, **_):
    return suppress_metrics(frame, registry_ids(frame), ("source_system",), settings)


PLAN_FOLLOWERS = ("offered", "traffic_erlangs", "agents", "agents_scheduled", "prob_wait",
                  "service_level", "asa_s", "occupancy")


def staffing_plan(plan, settings, **_):
    """A half hour's mean offered calls times the number of such weekdays is a count: each
    interval's count is protected over weekday × half hour, and every figure computed from it
    (traffic, agents, service level, ...) is hidden with it."""
    frame = plan.intervals
    if "offered_count" not in frame.columns:
        raise ValueError("Bemanningsplanen saknar antal inkomna per intervall (offered_count).")
    follow = {c: "offered_count" for c in PLAN_FOLLOWERS if c in frame.columns}
    shown = hide_counts(frame, settings, counts=("offered_count",), follow=follow,
                        by=("weekday", "halfhour"))
    return replace(plan, intervals=shown.drop("offered_count", "offered_count__suppressed",
                                              "offered_count__reason"))


def nothing_to_hide(result, settings, **_):
    """The declared rule of a result without counts of people: published as it is."""
    return result

"""Small-cell suppression for what the engine returns, applied before anything is cached or drawn.

The same helpers and the same rules as the exports (dashboard.export.suppress, built on the
engine's suppress_metrics and H3's suppression), so a download or a pack never shows a cell the
screen hides and the screen never shows one the pack hides. Pure: no streamlit.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from dashboard.config import Settings
from dashboard.export.suppress import hide, hide_counts, hide_scorecard, hidden_value
from dashboard.metrics.registry import REGISTRY


def registry_ids(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c in REGISTRY and f"{c}__n" in frame.columns]


def metrics_frame(frame: pl.DataFrame, metric_ids, by, settings: Settings) -> pl.DataFrame:
    return hide(frame, list(metric_ids), tuple(by), settings)


def _ledger(frame, settings, **_):
    return hide(frame, registry_ids(frame), ("department", "topic"), settings)


def _equity(frame, settings, **_):
    # a group too small to show is not listed at all (as in the pack)
    keep = [not hidden_value(m, n, settings) for m, n in zip(frame["metric"], frame["trials"])]
    return frame.filter(pl.Series(keep, dtype=pl.Boolean))


def _residents(frame, settings, level="stadsomrade", **_):
    return hide_counts(frame, settings, counts=("contacts",), by=(level,),
                       follow={"per_1000": "contacts", "per_1000_lo": "contacts", "per_1000_hi": "contacts"})


def _reasons(frame, settings, by="reason", **_):
    if by != "reason":
        return hide(frame, registry_ids(frame), (by,), settings)
    parts = [hide_counts(frame.filter(pl.col("inferred") == flag), settings, counts=("failures",),
                         rates={"share": "basis"}, follow={"share_of_failure": "failures"}, by=("reason",))
             for flag in (False, True)]
    return pl.concat(parts, how="vertical_relaxed")


def _self_service(frame, settings, **_):
    return hide_counts(frame, settings, counts=("contacts", "phone", "e_service"),
                       rates={"phone_share": "contacts", "e_service_share": "contacts"},
                       follow={"phone_handled_hours": "phone"}, by=("topic",))


def _local(result, settings, **_):
    return replace(
        result,
        totals=hide_counts(result.totals, settings, counts=("contacts",), by=("service_point", "channel")),
        topics=hide_counts(result.topics, settings, counts=("contacts",), follow={"share": "contacts"},
                           by=("service_point", "topic")),
        areas=hide_counts(result.areas, settings, counts=("contacts",), follow={"share": "contacts"},
                          by=("service_point", "city_area")),
    )


def hours_of_point(frame: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """One service point's weekday × hour table (a two-way table with known margins)."""
    return hide_counts(frame, settings, counts=("contacts",), by=("weekday", "hour"))


def _incidents(frame, settings, **_):
    return hide_counts(frame, settings, counts=("contacts", "peak_count"), follow={"excess": "contacts"})


def _scorecard(card, settings, **_):
    drivers = hide_counts(card.drivers, settings, counts=("failures", "previous_failures"),
                          follow={"share_of_failure": "failures"})
    return replace(card, metrics=hide_scorecard(card.metrics, settings), drivers=drivers)


def _quality(frame, settings, **_):
    return hide(frame, registry_ids(frame), ("source_system",), settings)


RULES = {
    "service_gap_ledger": _ledger,
    "equity": _equity,
    "contacts_per_residents": _residents,
    "failure_demand_breakdown": _reasons,
    "self_service_potential": _self_service,
    "local_service": _local,
    "incidents": _incidents,
    "scorecard": _scorecard,
    "data_quality": _quality,
}


def hide_result(name: str, result, settings: Settings, **kwargs):
    """The engine's `name` result with small cells hidden (flags `{col}__suppressed`)."""
    rule = RULES.get(name)
    return result if rule is None else rule(result, settings, **kwargs)

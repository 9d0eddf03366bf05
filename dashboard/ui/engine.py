"""The pages' door to the metric engine: the view's Filters, and engine calls through the cache.

No figures are computed here; this only builds the engine's Filters from the view and caches the
engine's answers on (function, Filters, arguments, settings, data version).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from dashboard.metrics.filters import Filters
from dashboard.ui import data
from dashboard.view import View
from dashboard.metrics.hiding import hide_result, metrics_frame

CURRENT, COMPARE, CITY, CITY_COMPARE = "current", "compare", "city", "city_compare"


def filters_for(view: View, scope: str = CURRENT) -> Filters | None:
    """The engine's Filters for a scope: the chosen view, its comparison period, or the whole city.

    None when the scope has no period (no comparison chosen).
    """
    s = view.state
    period = view.compare if scope in (COMPARE, CITY_COMPARE) else view.period
    if period is None:
        return None
    city = scope in (CITY, CITY_COMPARE)
    return Filters(
        start=period.start, end=period.end,
        departments=() if city or not s.department else (s.department,),
        channels=s.channels, city_areas=s.city_areas, topics=s.topics,
        languages=s.languages, customer_types=s.customer_types,
    )


def call(name: str, fn: Callable, filters: Filters, *args, **kwargs):
    """Call `fn(cursor, filters, *args, settings=..., **kwargs)` through the cache, small cells
    hidden (dashboard.metrics.hiding) before the result is cached."""
    settings = data.settings()

    def run(cur):
        return hide_result(name, fn(cur, filters, *args, settings=settings, **kwargs), settings, **kwargs)

    return data.cached(name, run, filters, args, tuple(sorted(kwargs.items())), settings)


def metrics(view: View, metric_ids: Sequence[str], by: Sequence[str] = (), scope: str = CURRENT) -> pl.DataFrame | None:
    """Registry metrics for the view (scope: current, compare, city, city_compare), cached, with
    small cells hidden by the engine's suppress_metrics (flags `{id}__suppressed`)."""
    from dashboard.metrics.engine import compute  # late: keeps app start light

    filters = filters_for(view, scope)
    if filters is None:
        return None
    settings = data.settings()
    ids, dims = tuple(metric_ids), tuple(by)
    return data.cached(
        "compute", lambda cur: metrics_frame(compute(cur, filters, ids, dims, settings), ids, dims, settings),
        filters, ids, dims, settings,
    )


def for_view(name: str, view: View, scope: str = CURRENT, **kwargs):
    """Call the engine's structured function `name` (service_gap_ledger, equity, incidents, ...)
    for the view, cached and with small cells hidden; None when the scope has no period."""
    import dashboard.metrics as engine

    filters = filters_for(view, scope)
    if filters is None:
        return None
    return call(name, getattr(engine, name), filters, **kwargs)

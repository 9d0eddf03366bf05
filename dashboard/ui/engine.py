"""The pages' door to figures: the view's Filters, and published results through the cache.

No figures are computed here, and none are hidden here: this builds the engine's Filters from the
view and asks dashboard.privacy for the published result (`fetch(kind, ...)`), cached on (kind,
Filters, arguments, settings, data version).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dashboard import privacy
from dashboard.metrics.filters import Filters
from dashboard.ui import auth, data
from dashboard.view import View

CURRENT, COMPARE, CITY, CITY_COMPARE = "current", "compare", "city", "city_compare"


def filters_for(view: View, scope: str = CURRENT) -> Filters | None:
    """The engine's Filters for a scope: the chosen view, its comparison period, or the whole city.

    None when the scope has no period (no comparison chosen). The person's scope (the
    förvaltningar they may see, dashboard.auth) rides along in `Filters.scope`, so the door
    refuses anything outside it and the cache keys on it.
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
        weekdays=tuple(int(d) for d in s.weekdays), hours=tuple(int(h) for h in s.hours),
        scope=auth.scope(),
    )


def call(kind: privacy.Kind, filters: Filters, **kwargs):
    """The published result of `kind` for the filters, through the cache (small cells hidden
    by the kind's declared rule before the result is cached)."""
    settings = data.settings()

    def run(cur):
        return privacy.fetch(kind, cur, filters, settings, **kwargs).result

    return data.cached(kind.name, run, filters, (), tuple(sorted(kwargs.items())), settings)


def metrics(view: View, metric_ids: Sequence[str], by: Sequence[str] = (), scope: str = CURRENT) -> pl.DataFrame | None:
    """Registry metrics for the view (scope: current, compare, city, city_compare), cached and
    published (flags `{id}__suppressed`, `{id}__uncertain`)."""
    filters = filters_for(view, scope)
    if filters is None:
        return None
    return call(privacy.METRICS, filters, metric_ids=tuple(metric_ids), by=tuple(by))


def for_view(kind: privacy.Kind, view: View, scope: str = CURRENT, **kwargs):
    """The published result of a structured kind (privacy.SERVICE_GAP_LEDGER, EQUITY, ...) for
    the view; None when the scope has no period."""
    filters = filters_for(view, scope)
    if filters is None:
        return None
    return call(kind, filters, **kwargs)

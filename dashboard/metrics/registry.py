"""The metric registry: every metric declared once (Rill-style) in the catalogs, read by the
engine, charts, tables, exports and docs/metrics.md (generated: `python -m dashboard.metrics.docs`).
"""

from __future__ import annotations

from dashboard.metrics import catalog_access, catalog_demand
from dashboard.metrics.metric import AREAS, UNITS, Metric, UnknownMetric

__all__ = ["AREAS", "UNITS", "Metric", "UnknownMetric", "REGISTRY", "get", "resolve", "by_area"]


def build_registry(*groups: tuple[Metric, ...]) -> dict[str, Metric]:
    registry: dict[str, Metric] = {}
    for group in groups:
        for metric in group:
            if metric.id in registry:
                raise ValueError(f"metric id {metric.id} declared twice")
            if metric.area not in AREAS or metric.unit not in UNITS:
                raise ValueError(f"metric {metric.id}: unknown area or unit")
            registry[metric.id] = metric
    return registry


REGISTRY: dict[str, Metric] = build_registry(catalog_access.METRICS, catalog_demand.METRICS)


def get(metric_id: str) -> Metric:
    try:
        return REGISTRY[metric_id]
    except KeyError:
        raise UnknownMetric(
            f"Okänt mått: {metric_id}. Giltiga: {', '.join(REGISTRY)}."
        ) from None


def resolve(metric_ids) -> list[Metric]:
    """Metrics for ids (a single id or an iterable), unknown ids reported together."""
    ids = [metric_ids] if isinstance(metric_ids, str) else list(metric_ids)
    unknown = [i for i in ids if i not in REGISTRY]
    if unknown:
        raise UnknownMetric(
            f"Okänt mått: {', '.join(unknown)}. Giltiga: {', '.join(REGISTRY)}."
        )
    return [REGISTRY[i] for i in dict.fromkeys(ids)]


def by_area(area: str) -> list[Metric]:
    return [m for m in REGISTRY.values() if m.area == area]

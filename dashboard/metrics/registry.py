"""The metric registry: every metric declared once (Rill-style) in the catalogs, read by the
engine, charts, tables, exports and docs/metrics.md (generated: `python -m dashboard.metrics.docs`).
"""

from __future__ import annotations

from dashboard.metrics import catalog_access, catalog_demand
from dashboard.metrics.filters import filter_name
from dashboard.metrics.metric import AREAS, UNITS, Metric, UnknownMetric

__all__ = ["AREAS", "UNITS", "Metric", "UnknownMetric", "REGISTRY", "get", "resolve", "by_area", "applicable", "left_out_note",
           "city_left_out_note"]


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


def applicable(metric_ids, filters) -> tuple[str, ...]:
    """The ids among `metric_ids` whose value the filters do not fix by construction
    (`Metric.fixed_under`): what a page, table or pack shows for that selection."""
    return tuple(i for i in metric_ids if REGISTRY[i].applies_to(filters))


# Why a value fixed by construction is not shown (Metric.fixed_under, fixed_without), in Swedish.

def left_out_note(metric_ids, filters, settings) -> str | None:
    """Why the metrics of `metric_ids` that the filters fix are not shown; None when every one
    is shown."""
    notes = []
    for m in resolve(metric_ids):
        fields = [f for f in m.fixed_under if getattr(filters, f, None)] if filters else []
        if fields:
            notes.append(f"{m.label_for(settings)} visas inte när urvalet är filtrerat på "
                         f"{' och '.join(filter_name(f) for f in fields)}: då är andelen 0 per "
                         "definition.")
    return " ".join(notes) or None


def city_left_out_note(metric_ids, settings) -> str | None:
    """Why the whole city's value of the metrics of `metric_ids` that need a förvaltning
    (`fixed_without` departments) is not shown beside a förvaltning's; None when none is."""
    fixed = [m.label_for(settings) for m in resolve(metric_ids) if "departments" in m.fixed_without]
    return (f"Hela staden visas inte för {', '.join(fixed)}: där är värdet 100 % per definition."
            if fixed else None)

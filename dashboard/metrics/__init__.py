"""The metric engine: pure functions from the store to figures (no Streamlit).

Public API (dashboard.privacy calls these; every function takes the
connection and the filters first, then keyword arguments, and `settings` (a
dashboard.config.Settings; defaults when None)):

    Filters(start, end, departments, channels, city_areas, topics, languages, customer_types)
        frozen, hashable; dates are inclusive local dates; .compared(kind) (dashboard.periods'
        comparison rule), .previous_period(), .same_period_last_year(), .without(*fields),
        .with_period(start, end)
    compute(con, filters, metric_ids, by=(), settings) -> pl.DataFrame
        one row per group: the `by` columns, then per metric `{id}` and `{id}__n`
    compute_inputs(con, filters, by, names, settings) -> pl.DataFrame
        the raw inputs behind metrics (mart columns such as `failure_progress_chasing_n`)
    REGISTRY / get(id) / resolve(ids): the Metric records (label_for, definition_for, unit,
        higher_is_better, source, area, min_n_for(settings), inferred)
    DIMENSIONS: the breakdowns `by` accepts (filter dimensions and time grains)

    service_gap_ledger(con, filters, settings, top=None) -> pl.DataFrame
    equity(con, filters, dimension=None, metric_ids=EQUITY_METRICS, settings) -> pl.DataFrame
    contacts_per_residents(con, filters, level="stadsomrade", settings) -> pl.DataFrame
    failure_demand_breakdown(con, filters, by="reason", grain=None, settings) -> pl.DataFrame
    self_service_potential(con, filters, settings) -> pl.DataFrame
    avoidable_cost(con, filters, by=(), settings) -> pl.DataFrame
    local_service(con, filters, settings) -> LocalService
    incidents(con, filters, settings, groups=("city_area", "topic")) -> pl.DataFrame
    scorecard(con, filters, settings, comparison="previous") -> Scorecard
    data_quality(con, filters, settings) -> pl.DataFrame
    ingest_findings(con, filters, settings) -> pl.DataFrame   (what ingests repaired; all ingests)
    staffing_plan(con, filters, settings, target_answer_s=None, target_sl=0.8, shrinkage=0.0,
                  max_occupancy=1.0) -> StaffingPlan
    staffing_what_if(con, filters, reduction_share=0.2, settings, ...) -> WhatIf

Nothing here is shown as it is: the dashboard, the CLI and the exports receive these results only
through dashboard.privacy (`fetch(kind, con, filters, settings)`), which applies each result's
declared disclosure rule.

Each function's docstring lists its columns. docs/metrics.md (generated) defines every metric.

Note: the package-level names `incidents` and `scorecard` are these functions. The incident detector
module is imported as `dashboard.metrics.incidents` by its full path (`from
dashboard.metrics.incidents import detect_incidents`); the scorecard module is `scorecards`.
"""

from dashboard.metrics.demand import avoidable_cost, failure_demand_breakdown, self_service_potential
from dashboard.metrics.engine import compute, compute_inputs
from dashboard.metrics.filters import DIMENSIONS, TIME_GRAINS, Filters
from dashboard.metrics.gaps import (
    EQUITY_DIMENSIONS, EQUITY_METRICS, contacts_per_residents, equity, service_gap_ledger,
)
from dashboard.metrics.local import LocalService, incidents, local_service
from dashboard.metrics.planning import StaffingPlan, WhatIf, staffing_plan, staffing_what_if
from dashboard.metrics.quality import QUALITY_METRICS, data_quality, ingest_findings
from dashboard.metrics.registry import REGISTRY, get, resolve
from dashboard.metrics.scorecards import SCORECARD_METRICS, Scorecard, scorecard

__all__ = [
    "DIMENSIONS", "EQUITY_DIMENSIONS", "EQUITY_METRICS", "QUALITY_METRICS", "REGISTRY",
    "SCORECARD_METRICS",
    "TIME_GRAINS", "Filters", "LocalService", "Scorecard", "StaffingPlan", "WhatIf",
    "avoidable_cost", "compute", "compute_inputs", "contacts_per_residents", "data_quality",
    "equity", "failure_demand_breakdown", "get", "incidents", "ingest_findings", "local_service",
    "resolve", "scorecard", "self_service_potential", "service_gap_ledger", "staffing_plan",
    "staffing_what_if",
]

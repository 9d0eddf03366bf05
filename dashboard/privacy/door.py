"""The one door out: every figure the engine computes leaves through `publish` (or `fetch`,
which computes and publishes in one step).

A result kind (`Kind`) binds one engine function to its declared rule (dashboard.privacy.rules).
`publish` fails closed: a kind that is not declared here raises `UndeclaredResult`, so a new
engine result cannot be shown before someone decides how it is protected; "nothing to hide" is a
rule of its own (`rules.nothing_to_hide`), never a default.

The dashboard (dashboard/ui/engine.py), the CLI, the downloads and the exports call these typed
kinds (`fetch(SCORECARD, con, filters, settings, comparison="previous")`), never engine
functions by name; tests/test_architecture.py enforces it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.config import Settings
from dashboard.metrics.demand import failure_demand_breakdown, self_service_potential
from dashboard.metrics.engine import compute
from dashboard.metrics.gaps import contacts_per_residents, equity, service_gap_ledger
from dashboard.metrics.local import incidents, local_service
from dashboard.metrics.planning import staffing_plan, staffing_what_if
from dashboard.metrics.quality import data_quality, ingest_findings
from dashboard.metrics.scorecards import scorecard
from dashboard.privacy import rules
from dashboard.privacy.scope import OutOfScope, check, within
from dashboard.privacy.tables import MetricsResult, completing_ids, margin_dims


class UndeclaredResult(LookupError):
    """A result kind without a declared disclosure rule: nothing may be published for it."""


@dataclass(frozen=True, eq=False)
class Kind:
    """One kind of engine result: its name (cache keys, audit), the engine function that
    computes it from (con, filters, ..., settings=), and its rule."""

    name: str
    compute: Callable[..., Any]
    rule: Callable[..., Any]

    def __repr__(self) -> str:
        return f"Kind({self.name})"


@dataclass(frozen=True)
class Published:
    """A result as it may be shown: `result` has hidden cells nulled and flagged."""

    kind: str
    result: Any
    threshold: int


def _metrics(con, filters, metric_ids: Sequence[str] = (), by: Sequence[str] = (),
             settings: Settings | None = None, **_) -> MetricsResult:
    """Registry metrics, with the members of every declared sum they touch (dropped again by
    the rule once the sum is protected), and the coarser tables the breakdown adds up to."""
    ids = list(metric_ids)
    ids += completing_ids(ids)
    frame = compute(con, filters, ids, by=tuple(by), settings=settings)
    margins = {dims: compute(con, filters, ids, by=dims, settings=settings)
               for dims in margin_dims(by)}
    return MetricsResult(frame, margins)


METRICS = Kind("metrics", _metrics, rules.metrics)
SERVICE_GAP_LEDGER = Kind("service_gap_ledger", service_gap_ledger, rules.ledger)
EQUITY = Kind("equity", equity, rules.equity)
CONTACTS_PER_RESIDENTS = Kind("contacts_per_residents", contacts_per_residents, rules.residents)
FAILURE_DEMAND_BREAKDOWN = Kind("failure_demand_breakdown", failure_demand_breakdown,
                                rules.failure_reasons)
SELF_SERVICE_POTENTIAL = Kind("self_service_potential", self_service_potential,
                              rules.self_service)
LOCAL_SERVICE = Kind("local_service", local_service, rules.local)
INCIDENTS = Kind("incidents", incidents, rules.incidents)
SCORECARD = Kind("scorecard", scorecard, rules.scorecard)
DATA_QUALITY = Kind("data_quality", data_quality, rules.quality)
STAFFING_PLAN = Kind("staffing_plan", staffing_plan, rules.staffing_plan)
# Counts of file rows an ingest repaired (unknown values, misfiled identifiers), per source system
# and column: about files, not residents, and not filtered by the view.
INGEST_FINDINGS = Kind("ingest_findings", ingest_findings, rules.nothing_to_hide)
# Positions and hours freed for the whole phone line: sums of handled time, no count of people.
STAFFING_WHAT_IF = Kind("staffing_what_if", staffing_what_if, rules.nothing_to_hide)

KINDS: tuple[Kind, ...] = (
    METRICS, SERVICE_GAP_LEDGER, EQUITY, CONTACTS_PER_RESIDENTS, FAILURE_DEMAND_BREAKDOWN,
    SELF_SERVICE_POTENTIAL, LOCAL_SERVICE, INCIDENTS, SCORECARD, DATA_QUALITY, INGEST_FINDINGS,
    STAFFING_PLAN, STAFFING_WHAT_IF,
)


def publish(kind: Kind, result, settings: Settings, *, scope: Sequence[str] | None = None,
            **options) -> Published:
    """The result with its kind's rule applied, narrowed to `scope` (the förvaltningar the
    person may see; None: no person's limit). Raises UndeclaredResult for any kind not declared
    in KINDS (whatever rule it carries), OutOfScope for a `department=` outside the scope."""
    if not any(kind is k for k in KINDS):
        raise UndeclaredResult(
            f"Resultattypen {getattr(kind, 'name', kind)!r} har ingen deklarerad regel för "
            "röjandekontroll och kan inte visas.")
    check(None, scope, options)
    return Published(kind.name, within(kind.rule(result, settings, **options), scope),
                     settings.small_cell_threshold)


def fetch(kind: Kind, con, filters, settings: Settings, **options) -> Published:
    """Compute `kind` for the filters and publish it: the usual way figures leave the engine.
    `options` go to the engine function and to the rule alike. The person's scope travels in
    the filters (`Filters.scope`): a department outside it is refused before anything is
    computed, and other departments' names are removed from the published result."""
    if not any(kind is k for k in KINDS):
        publish(kind, None, settings)  # raises
    scope = getattr(filters, "scope", None)
    check(filters, scope, options)
    return publish(kind, kind.compute(con, filters, settings=settings, **options), settings,
                   scope=scope, **options)

"""Disclosure control: the only way figures leave the metric engine.

- `publish(kind, result, settings, **options) -> Published` and `fetch(kind, con, filters,
  settings, **options)`: the one entry point (dashboard.privacy.door); a kind without a
  declared rule raises `UndeclaredResult`.
- the kinds (`METRICS`, `SCORECARD`, `SERVICE_GAP_LEDGER`, ...), each bound to its rule
  (dashboard.privacy.rules);
- the additive structure every table is protected along (dashboard.privacy.structure);
- the suppression algorithm (dashboard.privacy.suppression);
- hidden and uncertain cells as objects until drawn (dashboard.privacy.cells);
- period changes next to hidden values (dashboard.privacy.changes);
- text from data drawn as text, never as links or markup (dashboard.privacy.text);
- a person's scope: departments outside it refused, other departments' names removed
  (dashboard.privacy.scope).
docs/privacy.md describes the rules, docs/architecture.md the boundary.
"""

from dashboard.privacy.cells import UNCERTAIN_MARK, Hidden, Uncertain
from dashboard.privacy.changes import period_changes
from dashboard.privacy.door import (
    CONTACTS_PER_RESIDENTS, DATA_QUALITY, EQUITY, FAILURE_DEMAND_BREAKDOWN, INCIDENTS,
    INGEST_FINDINGS, KINDS,
    LOCAL_SERVICE, METRICS, SCORECARD, SELF_SERVICE_POTENTIAL, SERVICE_GAP_LEDGER, STAFFING_PLAN,
    STAFFING_WHAT_IF, Kind, Published, UndeclaredResult, fetch, publish,
)
from dashboard.privacy.scope import OutOfScope
from dashboard.privacy.suppression import COMPLEMENTARY, SMALL_COUNT, SMALL_DENOMINATOR, explain
from dashboard.privacy.text import as_markdown, as_plotly

__all__ = [
    "COMPLEMENTARY", "CONTACTS_PER_RESIDENTS", "DATA_QUALITY", "EQUITY", "FAILURE_DEMAND_BREAKDOWN",
    "INCIDENTS", "INGEST_FINDINGS", "KINDS", "LOCAL_SERVICE", "METRICS", "SCORECARD",
    "SELF_SERVICE_POTENTIAL",
    "SERVICE_GAP_LEDGER", "SMALL_COUNT", "SMALL_DENOMINATOR", "STAFFING_PLAN", "STAFFING_WHAT_IF",
    "UNCERTAIN_MARK", "Hidden", "Kind", "Published", "Uncertain", "UndeclaredResult", "as_markdown",
    "as_plotly", "explain",
    "fetch", "period_changes", "publish",
]

"""The DuckDB store: everything that opens, writes or reads the file, below the metric engine.

- `database`: open (read-only or writable), `writing` (lock, open, publish), migrate, data
  version, store identity, Swedish messages for a broken store, cursors per thread
- `lock`: the writer lock (flock on `<db>.lock`) every writing command holds
- `snapshot`: publishing the read snapshot the dashboard reads after every commit
- `sql`: named queries from queries/, run with bound parameters
- `marts`: the pre-aggregated tables, refreshed inside the writer's transaction
- `readers`: the dashboard's reader of published snapshots (`PublishedStore`)

Ingest and the sample builder depend on this package, never on `dashboard.metrics`; the metric
engine reads marts through it. The names below are the package's public interface.
"""

from dashboard.store.database import (
    MIGRATIONS_DIR,
    QUERIES_DIR,
    ThreadCursors,
    bump_data_version,
    data_version,
    migrate,
    migrations,
    open_store,
    store_id,
    writing,
)
from dashboard.store.errors import StoreError
from dashboard.store.lock import LOCK_WAIT_S

__all__ = [
    "LOCK_WAIT_S", "MIGRATIONS_DIR", "QUERIES_DIR", "StoreError", "ThreadCursors",
    "bump_data_version", "data_version", "migrate", "migrations", "open_store", "store_id", "writing",
]

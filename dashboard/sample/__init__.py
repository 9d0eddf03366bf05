"""The sample: a deterministic, realistic generator of Malmö contacts and the store built from it.

Public API (others depend on these names):
    generate_contacts(rows, seed=20250401, plants=True, chunk_rows=1_000_000) -> Iterator[pl.DataFrame]
    build_sample_store(db_path, rows, seed, plants=True, progress=None) -> None
    ensure_store(db_path) -> bool
    load_shipped_sample(con) -> int
Planted truths: dashboard.sample.planted (INCIDENT, EQUITY_GAP).
"""

from dashboard.sample.generator import DEFAULT_SEED, generate_contacts
from dashboard.store.contract import CONTACT_COLUMNS
from dashboard.sample.store_build import (
    SHIPPED_SAMPLE, build_sample_store, ensure_store, load_shipped_sample,
)

__all__ = [
    "CONTACT_COLUMNS", "DEFAULT_SEED", "SHIPPED_SAMPLE", "build_sample_store", "ensure_store",
    "generate_contacts", "load_shipped_sample",
]

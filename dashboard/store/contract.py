"""The contacts table's columns: the one Python definition of the data contract's row.

`queries/migrations/001_contract.sql` creates the table; `tests/test_store.py` checks that it
has exactly these columns, in this order, with these types. The ingest's field list, the sample
generator, the test fixtures and the contact-id hash (`queries/ingest/derive_contact_ids.sql`,
checked by a test) all derive from or are checked against it.
"""

from __future__ import annotations

# Column -> DuckDB type, in table order. ingest_id (which load wrote the row) comes last.
CONTACT_COLUMN_TYPES: dict[str, str] = {
    "source_system": "VARCHAR",
    "contact_id": "VARCHAR",
    "started_at": "TIMESTAMP",  # UTC
    "channel": "VARCHAR",
    "department": "VARCHAR",
    "topic": "VARCHAR",
    "city_area": "VARCHAR",
    "service_point": "VARCHAR",
    "customer_type": "VARCHAR",
    "language": "VARCHAR",
    "interpreter": "BOOLEAN",
    "queue_s": "INTEGER",
    "answered": "BOOLEAN",
    "abandoned": "BOOLEAN",
    "callback_requested": "BOOLEAN",
    "handle_s": "INTEGER",
    "first_response_s": "BIGINT",
    "outcome": "VARCHAR",
    "demand_type": "VARCHAR",
    "failure_reason": "VARCHAR",
    "caller_key": "VARCHAR",  # keyed pseudonym, never a raw identifier
    "satisfaction": "TINYINT",
    "note": "VARCHAR",  # free text after scrubbing
    "ingest_id": "INTEGER",
}
# The contract's columns, without ingest_id: what a source row (or a generated one) carries.
CONTACT_COLUMNS: tuple[str, ...] = tuple(c for c in CONTACT_COLUMN_TYPES if c != "ingest_id")

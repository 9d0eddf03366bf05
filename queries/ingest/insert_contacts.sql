-- Land one mapped ingest batch (registered as _ingest_batch by dashboard/ingest/pipeline.py).
-- The primary key (source_system, contact_id) makes this the anti-join: a contact already in the
-- store (earlier ingest, overlapping export, earlier batch of this ingest) is skipped, not doubled.
insert or ignore into contacts by name
select
    * exclude (__line),
    $source_system as source_system,
    $ingest_id as ingest_id,
from _ingest_batch

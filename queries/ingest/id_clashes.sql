-- Lines of the registered batch (_ingest_batch) whose contact id is already stored for this
-- source (earlier in the same file or before) with ANOTHER start time: a different contact
-- under a non-unique id, quarantined instead of merged (docs/ingest.md). The same id with the
-- same start time is a duplicate and not returned. Both start times (UTC) go into the reason.
select batch.__line, batch.started_at, contacts.started_at as other_started_at
from _ingest_batch as batch
join contacts
    on contacts.source_system = $source_system
    and contacts.contact_id = batch.contact_id
where contacts.started_at <> batch.started_at

-- Land one mapped ingest batch (registered as _ingest_batch by dashboard/ingest/pipeline.py, its
-- contact_ids already unique) as an anti-join: only contacts this source does not have yet. A
-- contact already in the store (earlier ingest, overlapping export, earlier batch of this ingest:
-- the transaction sees its own rows) is skipped, not doubled. This is what keeps
-- (source_system, contact_id) unique; contacts has no key index (migration 007 says why).
with existing as (
    select contact_id
    from contacts
    where source_system = $source_system
),

final as (
    select
        batch.* exclude (__line),
        $source_system as source_system,
        $ingest_id as ingest_id,
    from _ingest_batch as batch
    anti join existing using (contact_id)
)

insert into contacts by name
select * from final

-- Land one mapped ingest batch (registered as _ingest_batch, its contact_ids already unique) as an
-- anti-join: only contacts this source does not have yet. Same rows as insert_contacts.sql's
-- `insert or ignore`, about twice as fast while the source's rows in the store are few compared
-- with the batch (the join scans them); dashboard/ingest/pipeline.py picks which one runs.
-- The primary key still guards against duplicates: a plain insert of an existing key would fail.
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

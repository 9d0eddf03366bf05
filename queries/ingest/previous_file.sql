-- Has this exact file (sha256) already been ingested for this source with this exact profile
-- (name@digest)? Then reading it again can only produce duplicates.
with matches as (
    select
        ingest_id,
        rows_read,
        finished_at,
    from ingest_log
    where file_hash = $file_hash
      and profile = $profile
      and source_system = $source_system
),

final as (
    select * from matches
    order by ingest_id
    limit 1
)

select * from final

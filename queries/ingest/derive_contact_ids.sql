-- contact_id for sources without one: a hash of the row's mapped contract fields, so the same
-- contact in an overlapping export gets the same id. caller_key is already a keyed pseudonym and
-- note already scrubbed, so the hash holds no raw identifier (docs/ingest.md, "contact_id").
with final as (
    select
        * replace (
            'h:' || left(sha256(concat_ws('|',
                $source_system,
                strftime(started_at, '%Y-%m-%dT%H:%M:%S.%f'),
                channel,
                coalesce(department, ''),
                coalesce(topic, ''),
                coalesce(city_area, ''),
                coalesce(service_point, ''),
                coalesce(customer_type, ''),
                coalesce(language, ''),
                coalesce(interpreter::varchar, ''),
                coalesce(queue_s::varchar, ''),
                coalesce(answered::varchar, ''),
                coalesce(abandoned::varchar, ''),
                coalesce(callback_requested::varchar, ''),
                coalesce(handle_s::varchar, ''),
                coalesce(first_response_s::varchar, ''),
                coalesce(outcome, ''),
                coalesce(demand_type, ''),
                coalesce(failure_reason, ''),
                coalesce(caller_key, ''),
                coalesce(satisfaction::varchar, ''),
                coalesce(note, '')
            )), 32) as contact_id
        ),
    from _ingest_batch
)

select * from final

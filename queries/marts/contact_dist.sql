-- View: contact_dist. Grain: one row per contact and distribution it belongs to.
--
-- The distributions behind settings-dependent metrics, so thresholds can change without a rebuild:
--   wait_answered / wait_abandoned: queue_s in buckets of 1 s below 300 s, 10 s below 1 800 s,
--     60 s below 7 200 s, one open bucket from 7 200 s (dashboard/metrics/buckets.py mirrors this);
--   followup / followup_resolved: days (rounded up) to the same caller's next contact on the same
--     topic, for linkable contacts / resolved linkable contacts, up to 90 days;
--   prior_inferable: days since the same caller's previous contact on the same topic, for untagged
--     contacts on topics that are not progress chasing (inferred failure demand), up to 90 days.
-- A template: `verb` names the view, `facts` the contact_facts rows it reads (all of them for
-- the published view, the recomputed days' during a refresh: dashboard/store/marts.py).
-- `bucket` is the lowest value in the bucket, `bucket_max` the highest (inclusive).
-- Rolled up into *_dist marts by queries/marts/rollup_dist.sql.

{verb}

with

facts as (
    select * from {facts}
),

waits as (
    select
        *,
        case
            when queue_s < 300 then queue_s
            when queue_s < 1800 then 300 + (queue_s - 300) // 10 * 10
            when queue_s < 7200 then 1800 + (queue_s - 1800) // 60 * 60
            else 7200
        end as wait_bucket,
    from facts
    where queue_s is not null and (answered_n = 1 or abandoned_n = 1)
),

wait_rows as (
    select
        * exclude (wait_bucket),
        case when answered_n = 1 then 'wait_answered' else 'wait_abandoned' end as measure,
        wait_bucket as bucket,
        case
            when wait_bucket < 300 then wait_bucket
            when wait_bucket < 1800 then wait_bucket + 9
            when wait_bucket < 7200 then wait_bucket + 59
            else 2147483647
        end as bucket_max,
    from waits
),

followup_rows as (
    select *, 'followup' as measure, followup_days as bucket, followup_days as bucket_max,
    from facts
    where linked_n = 1 and followup_days is not null
),

followup_resolved_rows as (
    select *, 'followup_resolved' as measure, followup_days as bucket, followup_days as bucket_max,
    from facts
    where resolved_linked_n = 1 and followup_days is not null
),

prior_rows as (
    select *, 'prior_inferable' as measure, prior_days as bucket, prior_days as bucket_max,
    from facts
    where is_inferable and prior_days is not null
),

unioned as (
    select * from wait_rows
    union all by name
    select * from followup_rows
    union all by name
    select * from followup_resolved_rows
    union all by name
    select * from prior_rows
),

final as (
    select
        local_date, slot, department, topic, channel, city_area, stadsomrade, language,
        customer_type, interpreter, source_system, service_point,
        measure,
        bucket,
        bucket_max,
        cast(1 as utinyint) as n,
        coalesce(handled_s, 0) as handle_sum,
    from unioned
)

select * from final

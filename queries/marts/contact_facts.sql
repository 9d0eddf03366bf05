-- Mart: contact_facts. Grain: one row per contact (same key as contacts).
--
-- Every derived flag the metric engine needs, computed once at ingest: local (Europe/Stockholm)
-- date and half-hour, the stadsområde of the city area, 0/1 counters and sums that roll up by
-- addition, the wait bucket, the working-day reply flags, the opening-hours flag and the gaps to
-- the previous and next contact by the same caller on the same topic. The rollup marts
-- (queries/marts/rollup.sql) and the distribution marts (queries/marts/contact_dist.sql) are
-- built from this table. Definitions: docs/metrics.md.

create or replace table contact_facts as

with

contacts as (
    select * from contacts
),

city_areas as (
    select city_area, stadsomrade from city_areas
),

topics as (
    select topic, is_progress_chasing from topics
),

localised as (
    select
        contacts.*,
        timezone('Europe/Stockholm', timezone('UTC', started_at)) as local_ts,
        timezone(
            'Europe/Stockholm',
            timezone('UTC', started_at + to_seconds(first_response_s))
        ) as local_reply_ts,
    from contacts
),

-- The working-day calendar; days outside the seeded calendar fall back to Monday-Friday.
date_spine as (
    select cast(range as date) as date
    from range(
        (select coalesce(min(cast(local_ts as date)), current_date) - 1 from localised),
        (select coalesce(greatest(max(cast(local_reply_ts as date)), max(cast(local_ts as date))), current_date) + 14 from localised),
        interval 1 day
    )
),

working_days as (
    select
        date_spine.date,
        coalesce(calendar.is_working_day, isodow(date_spine.date) <= 5) as is_working_day,
        coalesce(calendar.is_holiday, false) as is_holiday,
    from date_spine
    left join calendar using (date)
),

numbered_days as (
    select
        *,
        sum(cast(is_working_day as integer)) over (order by date) as working_day_no,
    from working_days
),

working_day_dates as (
    select working_day_no, date from numbered_days where is_working_day
),

-- A written contact's clock starts at its arrival on a working day, or at 00:00 of the next
-- working day; the deadline is the same clock time one (two) working days later.
reply_deadlines as (
    select
        localised.source_system,
        localised.contact_id,
        localised.local_reply_ts,
        case when numbered_days.is_working_day
            then localised.local_ts - cast(cast(localised.local_ts as date) as timestamp)
            else interval 0 second end as clock_offset,
        start_day.working_day_no as start_no,
    from localised
    join numbered_days on numbered_days.date = cast(localised.local_ts as date)
    join working_day_dates as start_day
        on start_day.working_day_no = numbered_days.working_day_no
            + case when numbered_days.is_working_day then 0 else 1 end
    where localised.channel in ('email', 'social')
),

reply_flags as (
    select
        reply_deadlines.source_system,
        reply_deadlines.contact_id,
        coalesce(local_reply_ts <= cast(one.date as timestamp) + clock_offset, false) as within_1,
        coalesce(local_reply_ts <= cast(two.date as timestamp) + clock_offset, false) as within_2,
    from reply_deadlines
    left join working_day_dates as one on one.working_day_no = start_no + 1
    left join working_day_dates as two on two.working_day_no = start_no + 2
),

-- Channels without opening hours of their own are compared with the phone line's hours.
opening_channels as (
    select distinct channel from opening_hours
),

opening_flags as (
    select
        localised.source_system,
        localised.contact_id,
        not coalesce(
            not day.is_holiday
            and (isodow(cast(localised.local_ts as date)) > 5 or day.is_working_day)
            and cast(localised.local_ts as time) >= hours.opens
            and cast(localised.local_ts as time) < hours.closes,
            false
        ) as outside_hours,
    from localised
    left join working_days as day on day.date = cast(localised.local_ts as date)
    left join opening_hours as hours
        on hours.weekday = isodow(cast(localised.local_ts as date))
        and hours.channel = case
            when localised.channel in (select channel from opening_channels) then localised.channel
            else 'phone' end
),

-- Same caller, same topic: gaps (seconds) to the previous and the next contact.
chains as (
    select
        source_system,
        contact_id,
        epoch(started_at) - epoch(lag(started_at) over w) as prior_gap_s,
        epoch(lead(started_at) over w) - epoch(started_at) as next_gap_s,
    from localised
    where caller_key is not null and topic is not null
    window w as (partition by caller_key, topic order by started_at, source_system, contact_id)
),

flagged as (
    select
        localised.*,
        city_areas.stadsomrade,
        coalesce(topics.is_progress_chasing, false) as is_progress_chasing,
        coalesce(localised.abandoned, false) = false as is_handled,
        localised.caller_key is not null and localised.topic is not null as is_linked,
        localised.demand_type is null as is_untagged,
        reply_flags.within_1,
        reply_flags.within_2,
        opening_flags.outside_hours,
        -- day buckets: gap g seconds -> ceil(g / 86400); a window of W days keeps buckets <= W
        case when chains.prior_gap_s <= 90 * 86400 then cast(ceil(chains.prior_gap_s / 86400) as integer) end as prior_days,
        case when chains.next_gap_s <= 90 * 86400 then cast(ceil(chains.next_gap_s / 86400) as integer) end as followup_days,
    from localised
    left join city_areas using (city_area)
    left join topics using (topic)
    left join reply_flags using (source_system, contact_id)
    left join opening_flags using (source_system, contact_id)
    left join chains using (source_system, contact_id)
),

final as (
    select
        -- dimensions
        cast(local_ts as date) as local_date,
        cast(hour(local_ts) * 2 + (minute(local_ts) >= 30)::integer as utinyint) as slot,
        department,
        topic,
        channel,
        city_area,
        stadsomrade,
        language,
        customer_type,
        interpreter,
        source_system,
        service_point,
        -- additive counters (0/1; a comparison with a null is false) and sums
        cast(1 as utinyint) as contacts_n,
        cast(channel in ('phone', 'chat') as utinyint) as offered_n,
        cast(coalesce(answered, false) as utinyint) as answered_n,
        cast(coalesce(abandoned, false) as utinyint) as abandoned_n,
        cast(coalesce(callback_requested, false) as utinyint) as callback_n,
        cast(coalesce(answered, false) and queue_s is not null as utinyint) as answered_wait_n,
        case when answered then queue_s else 0 end as answered_wait_sum,
        cast(is_handled as utinyint) as handled_n,
        cast(is_handled and handle_s is not null as utinyint) as handle_n,
        case when is_handled then coalesce(handle_s, 0) else 0 end as handle_sum,
        cast(coalesce(is_handled and outcome in ('resolved', 'forwarded', 'referred', 'callback'), false) as utinyint) as outcome_known_n,
        cast(coalesce(is_handled and outcome = 'resolved', false) as utinyint) as resolved_n,
        cast(coalesce(is_handled and outcome = 'forwarded', false) as utinyint) as forwarded_n,
        cast(coalesce(is_handled and outcome = 'referred', false) as utinyint) as referred_n,
        cast(channel in ('email', 'social') as utinyint) as written_n,
        cast(coalesce(within_1, false) as utinyint) as reply_1wd_n,
        cast(coalesce(within_2, false) as utinyint) as reply_2wd_n,
        cast(channel = 'e_service' as utinyint) as e_service_n,
        cast(coalesce(outside_hours, false) as utinyint) as outside_hours_n,
        cast(satisfaction is not null as utinyint) as satisfaction_n,
        coalesce(cast(satisfaction as integer), 0) as satisfaction_sum,
        cast(demand_type is not null as utinyint) as tagged_n,
        cast(coalesce(demand_type = 'failure', false) as utinyint) as failure_n,
        case when demand_type = 'failure' and is_handled then coalesce(handle_s, 0) else 0 end as failure_handle_sum,
        cast(coalesce(demand_type = 'failure' and failure_reason = 'progress_chasing', false) as utinyint) as failure_progress_chasing_n,
        cast(coalesce(demand_type = 'failure' and failure_reason = 'not_understood', false) as utinyint) as failure_not_understood_n,
        cast(coalesce(demand_type = 'failure' and failure_reason = 'repeat', false) as utinyint) as failure_repeat_n,
        cast(coalesce(demand_type = 'failure' and failure_reason = 'wrong_channel', false) as utinyint) as failure_wrong_channel_n,
        cast(coalesce(demand_type = 'failure' and failure_reason = 'info_missing', false) as utinyint) as failure_info_missing_n,
        cast(coalesce(demand_type = 'failure' and failure_reason = 'not_done', false) as utinyint) as failure_not_done_n,
        cast(coalesce(demand_type = 'failure' and failure_reason is null, false) as utinyint) as failure_no_reason_n,
        cast(is_linked as utinyint) as linked_n,
        cast(coalesce(is_linked and is_handled and outcome = 'resolved', false) as utinyint) as resolved_linked_n,
        cast(is_untagged as utinyint) as untagged_n,
        cast(coalesce(is_untagged and is_progress_chasing, false) as utinyint) as untagged_pc_n,
        case when is_untagged and is_progress_chasing and is_handled then coalesce(handle_s, 0) else 0 end as untagged_pc_handle_sum,
        cast(topic is null as utinyint) as missing_topic_n,
        cast(department is null as utinyint) as missing_department_n,
        cast(coalesce(is_handled and coalesce(outcome, 'unknown') = 'unknown', false) as utinyint) as missing_outcome_n,
        cast(demand_type is null as utinyint) as missing_demand_type_n,
        -- inputs of the distribution mart (not summed)
        queue_s,
        case when is_handled then handle_s end as handled_s,
        prior_days,
        followup_days,
        is_linked and is_untagged and not is_progress_chasing as is_inferable,
    from flagged
)

select * from final
order by local_date

-- Mart: contact_facts. Grain: one row per contact (same key as contacts).
--
-- Every derived flag the metric engine needs, computed once at ingest: local date and half-hour
-- in the reporting time zone (meta 'reporting_timezone', written by the ingest from the setting
-- of that name; absent means Europe/Stockholm), the stadsområde of the city area, 0/1 counters and sums that roll up by
-- addition, the wait bucket, the working-day reply flags, the opening-hours flag and the gaps to
-- the previous and next contact by the same caller on the same topic. The rollup marts
-- (queries/marts/rollup.sql) and the distribution marts (queries/marts/contact_dist.sql) are
-- built from this table. Definitions: docs/metrics.md.
--
-- A template (dashboard/store/marts.py fills it): `verb` creates the table or appends to it,
-- `scope` is the contacts to compute (with their rowid as row_no), `chain_scope` the contacts
-- their repeat gaps are measured against, `where` a filter on the result. A full build passes
-- all of `contacts` for both; a refresh passes the contacts of the days the new rows change.
--
-- Built in one pass over `contacts`: every per-row lookup is a join to a small table (a year, a
-- day, a weekday × channel), never a self-join on the contact key, which held most of the time.

{verb}

with

city_areas as (
    select city_area, stadsomrade from city_areas
),

topics as (
    select topic, is_progress_chasing from topics
),

zone as (
    select coalesce(
        (select value from meta where key = 'reporting_timezone'), 'Europe/Stockholm'
    ) as name,
),

-- Europe/Stockholm is UTC+1, and UTC+2 from the last Sunday of March 01:00 UTC to the last Sunday
-- of October 01:00 UTC: exact since 1996 and ~10x cheaper per row than ICU's timezone(). Years
-- outside the table, and every other reporting zone, use ICU's timezone().
summer_time as (
    select
        y as year,
        make_timestamp(y, 3, 31, 1, 0, 0) - to_days(cast(isodow(make_date(y, 3, 31)) % 7 as integer)) as summer_from,
        make_timestamp(y, 10, 31, 1, 0, 0) - to_days(cast(isodow(make_date(y, 10, 31)) % 7 as integer)) as summer_to,
    from range(1996, 2100) as t(y)
),

replied as (
    select
        scope.*,
        started_at + to_seconds(first_response_s) as replied_at,
    from {scope} as scope
),

localised as (
    select
        replied.*,
        case
            when start_year.year is null then timezone(zone.name, timezone('UTC', started_at))
            when started_at >= start_year.summer_from and started_at < start_year.summer_to
                then started_at + interval 2 hour
            else started_at + interval 1 hour
        end as local_ts,
        case
            when replied_at is null then null
            when reply_year.year is null then timezone(zone.name, timezone('UTC', replied_at))
            when replied_at >= reply_year.summer_from and replied_at < reply_year.summer_to
                then replied_at + interval 2 hour
            else replied_at + interval 1 hour
        end as local_reply_ts,
    from replied
    cross join zone
    left join summer_time as start_year
        on start_year.year = year(replied.started_at) and zone.name = 'Europe/Stockholm'
    left join summer_time as reply_year
        on reply_year.year = year(replied.replied_at) and zone.name = 'Europe/Stockholm'

),

-- The working-day calendar; days outside the seeded calendar fall back to Monday-Friday. The
-- spine is taken from UTC dates (a local date is the UTC date or the day after) so `localised`
-- is read once, not materialised; its first day and length do not change any flag, so it spans
-- the contacts computed (`scope`), not the whole store: at 10 million contacts the store's two
-- scans cost half of a nightly refresh's contact_facts.
date_spine as (
    select cast(range as date) as date
    from range(
        (select coalesce(min(cast(started_at as date)), current_date) - 1 from {scope}),
        (select coalesce(max(cast(greatest(started_at, started_at + to_seconds(first_response_s)) as date)), current_date) + 15 from {scope}),
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

-- Per local day: a written contact's clock starts at its arrival on a working day, or at 00:00 of
-- the next working day; the deadline is the same clock time one (two) working days later.
days as (
    select
        numbered_days.date,
        numbered_days.is_working_day,
        numbered_days.is_holiday,
        one.date as deadline_1_date,
        two.date as deadline_2_date,
    from numbered_days
    left join working_day_dates as one
        on one.working_day_no = numbered_days.working_day_no
            + case when numbered_days.is_working_day then 1 else 2 end
    left join working_day_dates as two
        on two.working_day_no = numbered_days.working_day_no
            + case when numbered_days.is_working_day then 2 else 3 end
),

-- Channels without opening hours of their own are compared with the phone line's hours.
opening_channels as (
    select distinct channel from opening_hours
),

-- Same caller, same topic: gaps (seconds) to the previous and the next contact. Sorted on the
-- few columns it needs and joined back on the row number: a window over the whole row is slower.
-- The window partitions by a number per (caller, topic), not by the two strings: comparing the
-- 64-character caller keys inside the sort cost half the statement (4.1 s against 2.1 s for a
-- million contacts, docs/architecture.md); the same partitions, so the same gaps.
linked as (
    select row_no, caller_key, topic, started_at, source_system, contact_id,
    from {chain_scope} as chain_scope
    where caller_key is not null and topic is not null
),

chain_ids as (
    select caller_key, topic, row_number() over () as chain_id,
    from (select distinct caller_key, topic from linked)
),

chains as (
    select
        row_no,
        epoch(started_at) - epoch(lag(started_at) over w) as prior_gap_s,
        epoch(lead(started_at) over w) - epoch(started_at) as next_gap_s,
    from linked
    join chain_ids using (caller_key, topic)
    window w as (partition by chain_id order by started_at, source_system, contact_id)
),

dated as (
    select
        localised.*,
        cast(localised.local_ts as date) as local_day,
        case when localised.channel in (select channel from opening_channels)
            then localised.channel else 'phone' end as hours_channel,
    from localised
),

flagged as (
    select
        dated.*,
        city_areas.stadsomrade,
        coalesce(topics.is_progress_chasing, false) as is_progress_chasing,
        coalesce(dated.abandoned, false) = false as is_handled,
        dated.caller_key is not null and dated.topic is not null as is_linked,
        dated.demand_type is null as is_untagged,
        case when dated.channel in ('email', 'social') then
            coalesce(local_reply_ts <= cast(days.deadline_1_date as timestamp) + case when days.is_working_day
                then local_ts - cast(local_day as timestamp) else interval 0 second end, false)
        end as within_1,
        case when dated.channel in ('email', 'social') then
            coalesce(local_reply_ts <= cast(days.deadline_2_date as timestamp) + case when days.is_working_day
                then local_ts - cast(local_day as timestamp) else interval 0 second end, false)
        end as within_2,
        not coalesce(
            not days.is_holiday
            and (isodow(local_day) > 5 or days.is_working_day)
            and cast(local_ts as time) >= hours.opens
            and cast(local_ts as time) < hours.closes,
            false
        ) as outside_hours,
        chains.prior_gap_s,
        chains.next_gap_s,
    from dated
    left join days on days.date = dated.local_day
    left join opening_hours as hours
        on hours.weekday = isodow(dated.local_day) and hours.channel = dated.hours_channel
    left join city_areas using (city_area)
    left join topics using (topic)
    left join chains on chains.row_no = dated.row_no
),

chained as (
    select
        * exclude (row_no, prior_gap_s, next_gap_s),
        -- day buckets: gap g seconds -> ceil(g / 86400); a window of W days keeps buckets <= W
        case when prior_gap_s <= 90 * 86400 then cast(ceil(prior_gap_s / 86400) as integer) end as prior_days,
        case when next_gap_s <= 90 * 86400 then cast(ceil(next_gap_s / 86400) as integer) end as followup_days,
    from flagged
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
        cast(coalesce(is_handled and outcome in ('resolved', 'not_resolved', 'forwarded', 'referred', 'callback'), false) as utinyint) as outcome_known_n,
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
    from chained
)

select * from final
{where}
order by local_date

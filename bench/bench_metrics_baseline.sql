-- Baseline for bench/bench_metrics.py: ONE hand-written query over raw `contacts` that computes
-- the figures of the Tillgänglighet page for one filter state: key figures now / comparison /
-- city, weekly answer rate now / comparison, the weekday x hour heatmaps, per-channel shares and
-- satisfaction. Written as a DuckDB expert would: local time by the EU summer-time rule
-- (exact for Europe/Stockholm since 1996, and ~10x faster than ICU's timezone() per row), a UTC
-- pre-filter for zone maps, each aggregate only where the page needs it. The working-day reply
-- measure is left out (it needs the holiday calendar), so the baseline is slightly cheaper.

with

summer_time as (
    -- last Sunday of March and of October, 01:00 UTC
    select
        y as year,
        make_timestamp(y, 3, 31, 1, 0, 0) - to_days(cast(isodow(make_date(y, 3, 31)) % 7 as integer)) as summer_from,
        make_timestamp(y, 10, 31, 1, 0, 0) - to_days(cast(isodow(make_date(y, 10, 31)) % 7 as integer)) as summer_to,
    from range(1996, 2100) as t(y)
),

local as (
    select
        contacts.started_at + case
            when contacts.started_at >= summer_from and contacts.started_at < summer_to
            then interval 2 hour else interval 1 hour end as local_ts,
        channel,
        coalesce(department = $department or $department is null, false) as focus,
        queue_s,
        coalesce(answered, false) as is_answered,
        coalesce(abandoned, false) as is_abandoned,
        satisfaction,
    from contacts
    join summer_time on summer_time.year = year(contacts.started_at)
    -- a day of margin on each side: the local-date filter below is the exact one
    where contacts.started_at >= $utc_from and contacts.started_at < $utc_to
),

dated as materialized (
    select
        *,
        cast(local_ts as date) as day,
        case
            when cast(local_ts as date) between $start and $end then 'now'
            when cast(local_ts as date) between $prev_start and $prev_end then 'before'
        end as period,
    from local
),

key_figures as (
    select
        'key_figures' as part, period, focus,
        count(*) filter (where channel in ('phone', 'chat')) as offered,
        count(*) filter (where is_answered) as answered,
        count(*) filter (where is_abandoned) as abandoned,
        count(*) filter (where is_answered and queue_s <= 60) as within_60,
        count(*) filter (where is_answered and queue_s <= 20) as within_20,
        count(*) filter (where is_abandoned and queue_s < 5) as short_abandoned,
        avg(queue_s) filter (where is_answered) as asa_s,
    from dated
    where period is not null
    group by grouping sets ((period), (period, focus))
),

waits as (
    select 'waits' as part, period, focus, quantile_disc(queue_s, 0.9) as wait_p90_s,
    from dated
    where period is not null and is_answered
    group by grouping sets ((period), (period, focus))
),

weekly as (
    select
        'weekly' as part, period, focus, cast(date_trunc('week', day) as date) as week,
        count(*) filter (where channel in ('phone', 'chat')) as offered,
        count(*) filter (where is_answered) as answered,
    from dated
    where period is not null
    group by all
),

heatmap as (
    select
        'heatmap' as part, focus, isodow(day) as weekday, hour(local_ts) as hour,
        count(*) filter (where channel in ('phone', 'chat')) as offered,
        count(*) filter (where is_answered) as answered,
    from dated
    where period = 'now'
    group by all
),

channels as (
    select
        'channels' as part, focus, channel,
        count(*) as contacts,
        avg(satisfaction) as satisfaction_mean,
        count(satisfaction) as satisfaction_n,
    from dated
    where period = 'now'
    group by grouping sets ((focus, channel), (focus))
),

final as (
    select * from key_figures
    union all by name select * from waits
    union all by name select * from weekly
    union all by name select * from heatmap
    union all by name select * from channels
)

select * from final

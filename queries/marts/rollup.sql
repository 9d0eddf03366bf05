-- Rollup mart template, one chunk of local dates. Grain: one row per combination of the mart's
-- dimensions (each mart's stated grain is in dashboard/metrics/marts.py). Every measure of the
-- source is additive, so the rollup is a sum. Every mart has local_date as a dimension, so a
-- chunk of dates [$date_from, $date_to) rolls up on its own: dashboard/metrics/marts.py creates
-- the mart from the first chunk and appends the others, in date order. The placeholders (verb,
-- source, dims, sums, where) are trusted identifiers and constants from
-- dashboard/metrics/marts.py, never user input.

{verb}

with

facts as (
    select * from {source}
    where local_date >= $date_from and local_date < $date_to
    {where}
),

final as (
    select
        {dims},
        {sums},
    from facts
    group by all
)

select * from final
order by local_date

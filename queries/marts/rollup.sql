-- Rollup mart template, one chunk of local dates. Grain: one row per combination of the mart's
-- dimensions (each mart's stated grain is in dashboard/store/marts.py). Every measure of the
-- source is additive, so the rollup is a sum. Every mart has local_date as a dimension, so a
-- set of dates (`dates`: a chunk [$date_from, $date_to), or the days a refresh recomputes) rolls
-- up on its own: dashboard/store/marts.py creates the mart from the first chunk and appends the
-- others, in date order. The placeholders (verb,
-- source, dims, sums, where) are trusted identifiers and constants from
-- dashboard/store/marts.py, never user input.

{verb}

with

facts as (
    select * from {source}
    where {dates}
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

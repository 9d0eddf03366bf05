-- Rollup mart template. Grain: one row per combination of the mart's dimensions (each mart's
-- stated grain is in dashboard/metrics/marts.py). Every measure of the source is additive, so the
-- rollup is a sum. The placeholders (target, source, dims, sums, where) are trusted identifiers
-- and constants from dashboard/metrics/marts.py, never user input.

create or replace table {target} as

with

facts as (
    select * from {source}
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

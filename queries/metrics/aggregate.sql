-- Metric query template: additive mart columns (or distribution counts) summed for one filter
-- state, one row per group of the requested breakdown.
-- The placeholders (source, columns, where) are trusted identifiers and conditions composed by
-- dashboard/metrics/query.py from its own constants; every filter value is a bound parameter.

with

filtered as (
    select * from {source}
    where {where}
),

final as (
    select
        {columns},
    from filtered
    group by all
)

select * from final

-- Residents per "leaf" city area: every stadsdel, and every stadsområde that has no stadsdel rows
-- of its own (so no resident is counted twice). Used for contacts per 1 000 residents.

with

areas as (
    select * from city_areas
),

parents_with_children as (
    select distinct stadsomrade from areas where level = 'stadsdel'
),

final as (
    select
        city_area,
        stadsomrade,
        cast(population as bigint) as population,
    from areas
    where level = 'stadsdel'
        or stadsomrade not in (select stadsomrade from parents_with_children)
)

select * from final

-- Which local days each marts refresh rewrote, so publishing a snapshot copies only those days
-- of the marts (dashboard/store/snapshot.py). `generation` counts refreshes (meta
-- 'marts_generation'); a null local_date means the refresh rebuilt everything. Not published.
create table if not exists marts_changes (
    generation bigint not null,
    local_date date
);

-- 007: contacts without its primary-key index. DuckDB writes a table's whole index at every
-- checkpoint, so with the key on (source_system, contact_id) the checkpoint at each ingest's commit
-- grew with the store (0.16-0.5 s at 2 million contacts, about 1 s at 10 million, against 0.01-0.04 s
-- without it) and the index took memory on every write. The key stays unique: the one writer lands
-- every batch by an anti-join on it (queries/ingest/insert_new_contacts.sql), under the writer lock
-- (docs/architecture.md). Rebuilt as in 004, with the same columns, checks and rows.

create table contacts_007 (
    source_system varchar not null,
    contact_id varchar not null,
    started_at timestamp not null,        -- UTC
    channel varchar not null
        check (channel in ('phone', 'email', 'chat', 'e_service', 'visit', 'social', 'outreach')),
    department varchar,
    topic varchar,
    city_area varchar,
    service_point varchar,
    customer_type varchar
        check (customer_type in ('resident', 'business', 'association', 'visitor', 'other')),
    language varchar,
    interpreter boolean,
    queue_s integer check (queue_s >= 0),
    answered boolean,
    abandoned boolean,
    callback_requested boolean,
    handle_s integer check (handle_s >= 0),
    first_response_s bigint check (first_response_s >= 0),
    outcome varchar
        check (outcome in ('resolved', 'not_resolved', 'forwarded', 'referred', 'callback', 'unknown')),
    demand_type varchar check (demand_type in ('value', 'failure')),
    failure_reason varchar
        check (failure_reason in ('progress_chasing', 'not_understood', 'repeat', 'wrong_channel',
                                  'info_missing', 'not_done')),
    caller_key varchar,                   -- HMAC-SHA256 pseudonym, never a raw identifier
    satisfaction tinyint check (satisfaction between 1 and 5),
    note varchar,                         -- free text after scrubbing
    ingest_id integer not null,
);

insert into contacts_007 by name select * from contacts;

drop table contacts;

alter table contacts_007 rename to contacts;

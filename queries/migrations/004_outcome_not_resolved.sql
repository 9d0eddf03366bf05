-- 004: the outcome 'not_resolved' ("Ej löst av kontaktcenter": the contact was not resolved by
-- kontaktcenter and nothing more is known, e.g. a source's "Resolved: N"). It counts in the
-- resolution rate's denominator, unlike 'unknown' (docs/data-contract.md, docs/ingest.md).
-- DuckDB cannot alter a CHECK constraint, so the table is rebuilt with the same columns, key and
-- rows, inside the migration's transaction.

create table contacts_004 (
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
    primary key (source_system, contact_id),
);

insert into contacts_004 by name select * from contacts;

drop table contacts;

alter table contacts_004 rename to contacts;

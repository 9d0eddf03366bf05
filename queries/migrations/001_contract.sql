-- 001: the data contract (docs/data-contract.md), lookup tables, ingest log and quarantine.
-- Applied once when a writable store opens; recorded in schema_migrations.

create table if not exists departments (
    department varchar primary key,       -- full Swedish name, e.g. 'Förskoleförvaltningen'
    short_name varchar not null,          -- short label for charts
);

create table if not exists topics (
    topic varchar primary key,            -- ärendekategori (Swedish name)
    department varchar,                   -- owning förvaltning
    has_e_service boolean not null default false,
    is_progress_chasing boolean not null default false,  -- the topic itself is "var är mitt ärende?"
);

create table if not exists city_areas (
    city_area varchar primary key,        -- stadsdel or stadsområde name
    level varchar not null check (level in ('stadsomrade', 'stadsdel')),
    stadsomrade varchar not null,         -- the stadsområde it belongs to (itself for level = stadsomrade)
    population integer,
);

create table if not exists service_points (
    service_point varchar primary key,
    city_area varchar,
);

create table if not exists calendar (
    date date primary key,
    is_holiday boolean not null,
    holiday_name varchar,
    is_working_day boolean not null,      -- Monday-Friday and not a Swedish public holiday or de facto holiday
);

create table if not exists opening_hours (
    channel varchar not null,
    weekday integer not null check (weekday between 1 and 7),  -- ISO: 1 = Monday
    opens time not null,
    closes time not null,
    primary key (channel, weekday),
);

create sequence if not exists ingest_id_seq start 1;

create table if not exists ingest_log (
    ingest_id integer primary key,
    source_system varchar not null,
    file_name varchar not null,
    file_hash varchar not null,           -- sha256 of the file's bytes
    profile varchar not null,             -- profile name (or 'sample')
    rows_read bigint not null,
    rows_landed bigint not null,
    rows_quarantined bigint not null,
    rows_duplicate bigint not null,
    started_at timestamp not null,        -- UTC
    finished_at timestamp not null,       -- UTC
);

create table if not exists contacts (
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
        check (outcome in ('resolved', 'forwarded', 'referred', 'callback', 'unknown')),
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

create table if not exists quarantine (
    ingest_id integer not null,
    file_name varchar not null,
    line bigint,                          -- 1-based record number in the file (header = line 1)
    reason varchar not null,              -- Swedish, names the field and the problem
    row_json varchar,                     -- the row with identifiers removed and free text scrubbed
);

create table if not exists meta (
    key varchar primary key,
    value varchar not null,
);

insert into meta values ('data_version', '0') on conflict do nothing;

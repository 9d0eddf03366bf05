-- 003: every vocabulary column gets a lookup table (docs/data-contract.md, "Lookups"), aliases
-- for source spellings, and a table of ingest findings for the data-quality page.
-- The second half of this migration is not SQL: existing source contact ids become keyed
-- pseudonyms and stored file names are scrubbed (dashboard/ingest/door_migration.py). It runs
-- in the same transaction, and needs the pseudonymisation key when the store holds ingested
-- contacts (`kontaktcenter migrate` passes it).

create table if not exists languages (
    language varchar primary key,         -- ISO 639 code, e.g. 'sv'
    label varchar not null,               -- Swedish name
);

create table if not exists channels (
    channel varchar primary key,
    label varchar not null,
);

create table if not exists customer_types (
    customer_type varchar primary key,
    label varchar not null,
);

create table if not exists outcomes (
    outcome varchar primary key,
    label varchar not null,
);

create table if not exists demand_types (
    demand_type varchar primary key,
    label varchar not null,
);

create table if not exists failure_reasons (
    failure_reason varchar primary key,
    label varchar not null,
);

create table if not exists source_systems (
    source_system varchar primary key,    -- as written in a profile's source_system
);

-- Another spelling of a vocabulary value ("Bygglov" for 'Bygglov och anmälan'). alias_key is the
-- spelling lower-cased with whitespace collapsed: matching ignores case and spacing.
create table if not exists vocabulary_aliases (
    vocabulary varchar not null,          -- contract field, e.g. 'topic'
    alias_key varchar not null,
    value varchar not null,               -- the vocabulary value it stands for
    primary key (vocabulary, alias_key),
);

-- What an ingest had to repair rather than land as given: unknown vocabulary values stored as the
-- unknown value, identifiers that were not what their column claims. Counts only, never values.
create table if not exists ingest_findings (
    ingest_id integer not null,
    field varchar not null,               -- contract field ('topic', ..., 'caller_key')
    source_column varchar not null,       -- the profile's column name
    kind varchar not null check (kind in ('unknown_value', 'misfiled_identifier')),
    rows bigint not null,
    primary key (ingest_id, field, source_column, kind),
);

insert into source_systems select distinct source_system from ingest_log on conflict do nothing;

-- ingest_log details (docs/data-contract.md, "Bookkeeping"):
-- rows_skipped: rows the profile's [[skip]] rules dropped (counted in the summary, now logged);
-- key_fingerprint: dashboard.ingest.pii.key_fingerprint of the pseudonymisation key, so repeat
-- detection can see where the key was rotated. Older rows: 0 skipped, fingerprint unknown (null).
alter table ingest_log add column rows_skipped bigint not null default 0;
alter table ingest_log add column key_fingerprint varchar default null;

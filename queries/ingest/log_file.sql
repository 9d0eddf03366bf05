-- One ingest_log row per ingested file, written in the same transaction as its rows.
insert into ingest_log (
    ingest_id, source_system, file_name, file_hash, profile, rows_read, rows_landed,
    rows_quarantined, rows_duplicate, rows_skipped, key_fingerprint, started_at, finished_at
)
values (
    $ingest_id, $source_system, $file_name, $file_hash, $profile, $rows_read, $rows_landed,
    $rows_quarantined, $rows_duplicate, $rows_skipped, $key_fingerprint, $started_at, $finished_at
)

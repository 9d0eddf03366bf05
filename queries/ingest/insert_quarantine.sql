-- Quarantine rows of one batch (registered as _ingest_rejects): reason and scrubbed row JSON.
insert into quarantine (ingest_id, file_name, line, reason, row_json)
select
    $ingest_id,
    $file_name,
    __line,
    reason,
    row_json,
from _ingest_rejects

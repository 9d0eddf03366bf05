"""ingest_files: every file of one command in ONE DuckDB transaction, batch by batch.

Per file: hash it (a file already ingested with the same profile is skipped and counted as
duplicates), read it in bounded batches, map, land good rows (duplicates skipped by the primary
key), quarantine the rest, and log it. A file that fails as a whole (unreadable, wrong format,
a mapped column missing...) has its partial rows removed again and is reported; the other files
still land. A repeated id with another start time is quarantined as a non-unique id, with a
proposed composite. At the end: the reporting time zone recorded, data version bump and marts
update (only the days the new rows change; a full build when the marts are missing or stale),
then one commit. Anything that escapes (a bug, Ctrl-C, a kill) rolls back or never commits: the
store stays as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import duckdb
import polars as pl

from dashboard.domain import STOCKHOLM
from dashboard.ingest import uniqueness
from dashboard.ingest.batch import LINE
from dashboard.ingest.errors import FileLevelError
from dashboard.ingest import vocabulary
from dashboard.ingest.pii import scrub_file_name
from dashboard.ingest.pseudonym_key import key_fingerprint
from dashboard.ingest.mapping import Mapped, Plan, make_plan, map_batch, reader_rejects
from dashboard.ingest.prefetch import prefetch
from dashboard.ingest.profile import Profile
from dashboard.ingest.readers import open_reader
from dashboard.ingest.sources import open_source
from dashboard.ingest.textcodecs import Reread
from dashboard.ingest.summary import FileSummary, IngestSummary
from dashboard.ingest.timeparse import Window
from dashboard.ingest.uniqueness import toml_list
from dashboard.store import bump_data_version, data_version, sql
from dashboard.store.marts import MARTS_VERSION, update_marts
from dashboard.formatting import os_reason

BATCH_VIEW = "_ingest_batch"
REJECTS_VIEW = "_ingest_rejects"


@dataclass(frozen=True)
class Progress:
    """Reported after every batch (and once per finished file)."""
    file: Path
    file_index: int          # 1-based
    file_count: int
    rows_read: int           # rows of this file so far
    fraction: float | None   # share of the file's bytes read, when known
    batches: int
    done: bool = False


def ingest_files(con: duckdb.DuckDBPyConnection, files: list[Path], profile: Profile, key: bytes,
                 progress: Callable[[Progress], None] | None = None, settings=None) -> IngestSummary:
    """Ingest all files atomically; returns the summary (file-level failures are in it, not raised).

    `settings` (dashboard.config.Settings) gives the plausible date window and the reporting
    time zone; without it the defaults apply."""
    window = Window.from_settings(settings) if settings is not None else Window()
    zone = settings.reporting_timezone if settings is not None else STOCKHOLM
    con.execute("begin transaction")
    try:
        vocab = vocabulary.prepare(con, profile.source_system, profile.vocabulary)
        results = []
        for index, path in enumerate(files, start=1):
            results.append(_ingest_file(con, Path(path), profile, key, (index, len(files)), progress, vocab, window))
        changed = any(r.landed or r.quarantined for r in results)
        version = None
        zone_changed = _set_reporting_timezone(con, zone)
        if changed or zone_changed:   # quarantine rows alone change what the data-quality view shows
            version = bump_data_version(con)
        # The marts are updated (the days the new rows change) when rows landed, and built whole
        # (empty if need be) whenever they are missing, outdated or in another time zone: the
        # store is queryable after any ingest.
        if any(r.landed for r in results) or zone_changed or _marts_stale(con):
            update_marts(con)
            if version is None:   # new marts are new data to a cached reader
                version = bump_data_version(con)
            changed = True
        con.execute("commit")
    except BaseException:
        try:
            con.execute("rollback")
        except duckdb.TransactionException:
            pass   # a failed commit has already rolled back; keep the original error
        raise
    return IngestSummary(results, version if changed else data_version(con))


def _set_reporting_timezone(con, zone: str) -> bool:
    """Record the reporting time zone the marts are built in (queries/marts/contact_facts.sql
    reads it); True when it differs from the one recorded (absent means Europe/Stockholm)."""
    rows = con.execute("select value from meta where key = 'reporting_timezone'").fetchall()
    if (rows[0][0] if rows else STOCKHOLM) == zone:
        return False
    con.execute("insert into meta values ('reporting_timezone', $z) "
                "on conflict (key) do update set value = excluded.value", {"z": zone})
    return True


def _marts_stale(con) -> bool:
    rows = con.execute("select value from meta where key = 'marts_version'").fetchall()
    return not rows or rows[0][0] != MARTS_VERSION


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _ingest_file(con, path: Path, profile: Profile, key: bytes, position: tuple[int, int],
                 progress, vocab: vocabulary.Vocabularies, window: Window = Window()) -> FileSummary:
    summary = FileSummary(path)
    try:
        file_hash = file_sha256(path)
    except OSError as exc:
        summary.error = FileLevelError(path, f"Filen kan inte läsas ({os_reason(exc)}).",
                                       "Kontrollera sökvägen och att du har läsrättighet.")
        return summary
    previous = sql.run(con, "ingest/previous_file", {
        "file_hash": file_hash, "profile": scrub_file_name(profile.label), "source_system": profile.source_system})
    ingest_id = con.execute("select nextval('ingest_id_seq')").fetchall()[0][0]
    started = _utc_now()
    if previous.height:
        summary.already_ingested = previous["ingest_id"][0]
        summary.rows_read = summary.duplicates = int(previous["rows_read"][0])
        _log_file(con, ingest_id, path, file_hash, profile, key, summary, started)   # one row per file
        return summary
    try:
        _read_file(con, path, profile, key, ingest_id, summary, position, progress, vocab, window)
    except FileLevelError as exc:
        _forget(con, ingest_id)
        summary.error = exc.fresh()   # the message only, not the traceback and its frames
        summary.rows_read = summary.landed = summary.quarantined = summary.duplicates = summary.skipped = 0
        return summary
    _log_file(con, ingest_id, path, file_hash, profile, key, summary, started)
    summary.ingest_id = ingest_id
    if summary.quarantined:
        summary.top_reason = _top_reason(con, ingest_id)
    return summary


def _log_file(con, ingest_id, path, file_hash, profile, key, summary: FileSummary, started) -> None:
    sql.execute(con, "ingest/log_file", {
        "ingest_id": ingest_id, "source_system": profile.source_system, "file_name": scrub_file_name(path.name),
        "file_hash": file_hash, "profile": scrub_file_name(profile.label), "rows_read": summary.rows_read,
        "rows_landed": summary.landed, "rows_quarantined": summary.quarantined,
        "rows_duplicate": summary.duplicates, "rows_skipped": summary.skipped,
        "key_fingerprint": key_fingerprint(key), "started_at": started, "finished_at": _utc_now(),
    })
    for (fld, column, kind), rows in summary.findings.items():
        con.execute("insert into ingest_findings values ($i, $f, $c, $k, $n)",
                    {"i": ingest_id, "f": fld, "c": column, "k": kind, "n": rows})


def _top_reason(con, ingest_id: int) -> tuple[str, int]:
    """The commonest quarantine reason of a file, values in quotes replaced by …, with its count."""
    return tuple(con.execute(
        "select regexp_replace(reason, '\"[^\"]*\"', '\"…\"', 'g') as r, count(*) as n from quarantine "
        "where ingest_id = $id group by r order by n desc, r limit 1", {"id": ingest_id}).fetchall()[0])


def _read_file(con, path, profile, key, ingest_id, summary: FileSummary, position, progress, vocab, window) -> None:
    encoding = None
    while True:
        try:
            return _read_once(con, path, profile, key, ingest_id, summary, position, progress, encoding, vocab, window)
        except Reread as again:
            # The first MiB looked like UTF-8 but the file is not: start this file over.
            _forget(con, ingest_id)
            summary.rows_read = summary.landed = summary.quarantined = summary.duplicates = summary.skipped = 0
            summary.findings.clear()
            encoding = again.encoding


def _read_once(con, path, profile, key, ingest_id, summary: FileSummary, position, progress, encoding, vocab,
               window) -> None:
    source = open_source(path, profile.file)
    reader = open_reader(source, encoding)
    try:
        plan = make_plan(reader.columns, profile, path, vocab, window)
        summary.unknown_columns, summary.dropped_columns = plan.unknown, plan.dropped
        batches = 0
        # Three stages on their own threads: read batch k+2, map batch k+1, land batch k.
        mapped_batches = ((raw, map_batch(raw.frame, plan, key)) for raw in prefetch(reader.batches()))
        for raw, mapped in prefetch(mapped_batches):
            batches += 1
            summary.rows_read += raw.frame.height + len(raw.rejects)
            _land_batch(con, raw, mapped, plan, ingest_id, summary)
            if progress is not None:
                progress(Progress(path, *position, summary.rows_read, reader.progress(), batches))
        if progress is not None:
            progress(Progress(path, *position, summary.rows_read, 1.0, batches, done=True))
    finally:
        reader.close()


def _land_batch(con, raw, mapped: Mapped, plan: Plan, ingest_id: int, summary: FileSummary) -> None:
    """Land one batch and count it in `summary`."""
    summary.skipped += mapped.skipped
    for finding, rows in mapped.findings.items():
        summary.findings[finding] = summary.findings.get(finding, 0) + rows
    rejects = mapped.bad
    if raw.rejects:
        rejects = pl.concat([rejects, reader_rejects(raw.rejects)])
    good = mapped.good
    if good.height and not plan.profile.has_contact_id:
        good = _derive_ids(con, good, plan.profile.source_system)
    if plan.profile.has_contact_id:
        good, clashes = _id_clashes_in_batch(good)
        rejects = pl.concat([rejects, _clash_rows(clashes, plan, summary)])
    unique = good.unique(subset="contact_id", keep="first", maintain_order=True)
    within = good.height - unique.height
    inserted = 0
    if unique.height:
        # The anti-join skips contacts already stored and is what keeps (source_system,
        # contact_id) unique: the table has no key index (migration 007 says why).
        con.register(BATCH_VIEW, unique)
        try:
            inserted = con.execute(sql.text("ingest/insert_new_contacts"), {
                "source_system": plan.profile.source_system, "ingest_id": ingest_id}).fetchall()[0][0]
            if inserted < unique.height and plan.profile.has_contact_id:
                clashes = _id_clashes_in_store(con, plan.profile.source_system)
                rejects = pl.concat([rejects, _clash_rows(clashes, plan, summary)])
                summary.duplicates -= clashes.height   # counted below as not inserted; they are quarantined
        finally:
            con.unregister(BATCH_VIEW)
    if rejects.height:
        con.register(REJECTS_VIEW, rejects)
        try:
            sql.execute(con, "ingest/insert_quarantine", {"ingest_id": ingest_id, "file_name": scrub_file_name(plan.path.name)})
        finally:
            con.unregister(REJECTS_VIEW)
    summary.landed += inserted
    summary.duplicates += within + (unique.height - inserted)
    summary.quarantined += rejects.height


def _id_clashes_in_batch(good: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows to land, rows whose id an earlier row of the batch has with another start time).
    The same id with the same start time is a duplicate (an overlapping export); with another
    start time it is a different contact under a non-unique id, which must not merge silently."""
    if not good["contact_id"].is_duplicated().any():   # the common case: nothing to compare
        return good, good.clear().select(LINE, "started_at", other_started_at="started_at")
    first = pl.col("started_at").first().over("contact_id")
    clash = (pl.col("started_at") != first).fill_null(False)
    # the first row's start time is taken before filtering (over() sees only the rows it is given)
    clashes = good.select(LINE, "started_at", first.alias("other_started_at"), clash.alias("clash"))
    return good.filter(~clash), clashes.filter("clash").drop("clash")


def _id_clashes_in_store(con, source_system: str) -> pl.DataFrame:
    """Lines of the registered batch whose id is stored (earlier in this file or before) with
    another start time."""
    return sql.run(con, "ingest/id_clashes", {"source_system": source_system})


def _clash_rows(lines: pl.DataFrame, plan: Plan, summary: FileSummary) -> pl.DataFrame:
    """Quarantine rows for id clashes; the reason names the profile key and a proposal."""
    summary.id_conflicts += lines.height
    if lines.height and summary.id_proposal is None:
        summary.id_proposal = _proposal_from_file(plan)
    p = plan.profile
    names = list(p.contact_id_columns) or [p.field_sources()["contact_id"]]
    if summary.id_proposal:
        fix = f"Ange [contact_id] columns = {toml_list(summary.id_proposal)} i profilen (de gör id:t unikt i filen)."
    else:
        fix = ("Ange fler kolumner under [contact_id] columns (t.ex. id och starttid), eller kör "
               "`kontaktcenter profile suggest` på filen för ett förslag.")
    # Both start times on the source's clock, as the file writes them, so the two rows can be
    # found in it (these rows keep no row_json; a time is no one's free text).
    tz = p.started_at.timezone
    zone = "svensk tid" if tz == STOCKHOLM else tz

    def clock(column: str) -> pl.Expr:
        local = pl.col(column).dt.replace_time_zone("UTC").dt.convert_time_zone(tz)
        return pl.concat_str([pl.lit('"'), local.dt.strftime("%Y-%m-%d %H:%M:%S"), pl.lit('"')])

    why = pl.concat_str([
        pl.lit(f"Kontakt-id:t från {toml_list(names)} med starttid "), clock("started_at"),
        pl.lit(f" ({zone}) finns redan för en annan kontakt med starttid "), clock("other_started_at"),
        pl.lit(f": kolumnen identifierar inte kontakterna ensam. {fix}")])
    return lines.select(pl.col(LINE).cast(pl.Int64), why.alias("reason"),
                        pl.lit(None, dtype=pl.String).alias("row_json"))


PROPOSAL_ROWS = 50_000   # rows of the file's head tried when proposing a composite id


def _proposal_from_file(plan: Plan) -> list[str]:
    """Columns that make the id unique in the file's first PROPOSAL_ROWS rows ([] if none do):
    read again, once, only when a clash was found (the batches hold mapped values only)."""
    source = open_source(plan.path, replace(plan.profile.file, batch_rows=PROPOSAL_ROWS))
    reader = open_reader(source)
    try:
        head = next(iter(reader.batches()), None)
    finally:
        reader.close()
    if head is None:
        return []
    ids, candidates = uniqueness.id_columns(plan), uniqueness.candidate_columns(plan)
    frame = head.frame.select(list(dict.fromkeys(c for c in [*ids, *candidates] if c in head.frame.columns)))
    return uniqueness.propose_composite(frame, ids, candidates) or []


def _derive_ids(con, good: pl.DataFrame, source_system: str) -> pl.DataFrame:
    con.register(BATCH_VIEW, good)
    try:
        return sql.run(con, "ingest/derive_contact_ids", {"source_system": source_system}).select(good.columns)
    finally:
        con.unregister(BATCH_VIEW)


def _forget(con, ingest_id: int) -> None:
    """Remove what a failed file wrote earlier in this transaction."""
    con.execute("delete from contacts where ingest_id = $id", {"id": ingest_id})
    con.execute("delete from quarantine where ingest_id = $id", {"id": ingest_id})


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)

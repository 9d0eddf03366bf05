"""The Python half of migration 003: stores written before it kept the source's contact id and
the export's file name as given. Here contact ids become keyed pseudonyms (the same function
ingest uses, so later ingests of the same records are still recognised as duplicates) and file
names are scrubbed. Runs inside the migration's transaction (dashboard/store.py)."""

from __future__ import annotations

import duckdb
import polars as pl

from dashboard.ingest import pii

# Contacts of the generated sample carry synthetic ids; derived ids ("h:") and pseudonyms ("k:")
# are already safe. Everything else came from a source file.
_RAW_IDS = """
    from contacts
    where contact_id not like 'h:%' and contact_id not like 'k:%'
      and ingest_id not in (select ingest_id from ingest_log where profile = 'sample')
"""


def run(con: duckdb.DuckDBPyConnection, key: bytes | None) -> None:
    _scrub_file_names(con)
    raw = con.execute("select count(*) " + _RAW_IDS).fetchall()[0][0]
    if not raw:
        return
    if key is None:
        from dashboard.store import StoreError

        raise StoreError(
            f"Databasen innehåller {raw:,} kontakt-id i klartext från källsystemen; de ska ersättas "
            "med pseudonymer, och det kräver nyckeln för pseudonymisering. Åtgärd: kör "
            "`kontaktcenter migrate` med KONTAKTCENTER_KEY satt (eller nyckelfilen på plats), "
            "samma nyckel som vid inläsningarna.".replace(",", "\u00a0")
        )
    pairs = con.sql("select distinct source_system, contact_id " + _RAW_IDS).pl()
    mapped = []
    for (source,), part in pairs.group_by(["source_system"], maintain_order=True):
        mapped.append(part.with_columns(pii.contact_pseudonym(part["contact_id"], key, source).alias("new_id")))
    con.register("_door_ids", pl.concat(mapped))
    try:
        con.execute(
            "update contacts set contact_id = m.new_id from _door_ids as m "
            "where contacts.source_system = m.source_system and contacts.contact_id = m.contact_id"
        )
    finally:
        con.unregister("_door_ids")


def _scrub_file_names(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("ingest_log", "quarantine"):   # trusted identifiers from this module
        names = [r[0] for r in con.execute(f"select distinct file_name from {table}").fetchall()]
        for name in names:
            clean = pii.scrub_file_name(name)
            if clean != name:
                con.execute(f"update {table} set file_name = $new where file_name = $old",
                            {"new": clean, "old": name})

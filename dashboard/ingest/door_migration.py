"""The Python half of migration 003: stores written before it kept the source's contact id and
the export's file name as given. Here contact ids become keyed pseudonyms (the same function
ingest uses, so later ingests of the same records are still recognised as duplicates) and file
names are scrubbed, and vocabulary columns are brought to their lookup tables. Runs inside the
migration's transaction (dashboard/store/database.py)."""

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
    _vocabulary_values(con)
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


# Open vocabularies whose stored values may be adopted as lookup values when they look safe; a
# department or city area decides whose figures a contact counts in, so an unknown one is not.
_ADOPT = {"topic": "insert into topics (topic) values ($v)",
          "service_point": "insert into service_points (service_point) values ($v)",
          "language": "insert into languages values ($v, $v)"}
_OLD_COLUMN = "(lagrat före migrering 003)"


def _vocabulary_values(con: duckdb.DuckDBPyConnection) -> None:
    """Stored values outside their vocabulary: a topic, service point or language that passes the
    personal-data check joins its lookup table (it was in use); anything else becomes unknown
    (null) and is counted in ingest_findings, like an unknown value at ingest."""
    from dashboard.ingest import vocabulary as V
    from dashboard.reference import seed_reference

    seed_reference(con)   # the new lookup tables, so values are judged against full vocabularies
    vocab = V.load_vocabularies(con)
    changed = False
    for fld in ("department", "topic", "city_area", "service_point", "language"):   # trusted identifiers
        values = [r[0] for r in con.execute(f"select distinct {fld} from contacts where {fld} is not null").fetchall()]
        for value in values:
            canonical = vocab.match(fld, value)
            if canonical == value:
                continue
            changed = True
            if canonical is not None:     # another spelling of a known value
                con.execute(f"update contacts set {fld} = $c where {fld} = $v", {"c": canonical, "v": value})
                continue
            if fld in _ADOPT and pii.personal_data_problem(value) is None:
                con.execute(_ADOPT[fld], {"v": value})
                continue
            con.execute(
                "insert into ingest_findings select ingest_id, $f, $c, 'unknown_value', count(*) from contacts "
                f"where {fld} = $v group by ingest_id "
                "on conflict do update set rows = ingest_findings.rows + excluded.rows",
                {"f": fld, "c": _OLD_COLUMN, "v": value})
            con.execute(f"update contacts set {fld} = null where {fld} = $v", {"v": value})
    if changed and con.execute("select count(*) from meta where key = 'marts_version'").fetchall()[0][0]:
        from dashboard.store.marts import clear_marts   # marts hold these columns too

        # dropped here, with the changed contacts; `migrate` builds them after the commit and a
        # checkpoint, into the freed blocks (dashboard/store/marts.py rebuild_marts)
        clear_marts(con)


def _scrub_file_names(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("ingest_log", "quarantine"):   # trusted identifiers from this module
        names = [r[0] for r in con.execute(f"select distinct file_name from {table}").fetchall()]
        for name in names:
            clean = pii.scrub_file_name(name)
            if clean != name:
                con.execute(f"update {table} set file_name = $new where file_name = $old",
                            {"new": clean, "old": name})

"""`kontaktcenter migrate`: bring an existing store up to the current schema. Migrations that
convert stored values with the pseudonymisation key (source contact ids) get it here."""

from __future__ import annotations

from dashboard.cli import CliError
from dashboard.store import open_store


def register(sub) -> None:
    p = sub.add_parser("migrate", help="uppdatera databasens schema till aktuell version")
    p.set_defaults(handler=run)


def run(args) -> int:
    from dashboard.ingest.pii import InvalidKeyError, MissingKeyError, load_key

    try:
        key = load_key(args.settings)
    except InvalidKeyError as exc:
        raise CliError(str(exc)) from None
    except MissingKeyError:
        key = None   # a store without raw contact ids needs none; the migration says when it does
    con = open_store(args.settings.db, key=key)
    try:
        versions = [r[0] for r in con.execute(
            "select version from schema_migrations order by version").fetchall()]
    finally:
        con.close()
    print(f"{args.settings.db}: schemaversion {max(versions)} ({len(versions)} migreringar).")
    return 0

"""`kontaktcenter migrate`: bring an existing store up to the current schema."""

from __future__ import annotations

from dashboard.store import open_store


def register(sub) -> None:
    p = sub.add_parser("migrate", help="uppdatera databasens schema till aktuell version")
    p.set_defaults(handler=run)


def run(args) -> int:
    con = open_store(args.settings.db)
    try:
        versions = [r[0] for r in con.execute(
            "select version from schema_migrations order by version").fetchall()]
    finally:
        con.close()
    print(f"{args.settings.db}: schemaversion {max(versions)} ({len(versions)} migreringar).")
    return 0

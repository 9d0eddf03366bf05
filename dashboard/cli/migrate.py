"""`kontaktcenter migrate`: bring an existing store up to the current schema. Migrations that
convert stored values with the pseudonymisation key (source contact ids) get it here."""

from __future__ import annotations

from dashboard.store import writing


def register(sub) -> None:
    p = sub.add_parser("migrate", help="uppdatera databasens schema till aktuell version")
    p.set_defaults(handler=run)


def run(args) -> int:
    from dashboard.cli.keys import key_for

    # A store without raw contact ids needs no key; the migration says when it does.
    key = key_for(args.settings, required=False)
    with writing(args.settings.db, key=key, memory_limit=args.settings.write_memory_limit) as con:
        versions = [r[0] for r in con.execute(
            "select version from schema_migrations order by version").fetchall()]
    print(f"{args.settings.db}: schemaversion {max(versions)} ({len(versions)} migreringar).")
    return 0

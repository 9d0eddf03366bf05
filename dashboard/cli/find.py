"""`kontaktcenter find --source-system S --contact-id ID`: find a source record again for
data-quality follow-up. The store keeps only the keyed pseudonym of the source's id, so this
computes it with the key and shows the stored contact and any quarantine rows with that id."""

from __future__ import annotations

from dashboard.cli import CliError


def register(sub) -> None:
    p = sub.add_parser("find", help="hitta en källpost igen via källsystemets kontakt-id (kräver nyckeln)")
    p.add_argument("--source-system", required=True, metavar="SOURCE_SYSTEM",
                   help="källsystemets namn, som profilens source_system (t.ex. arendesystem)")
    p.add_argument("--contact-id", required=True, metavar="ID", help="id:t som det står i källsystemets export")
    p.set_defaults(handler=run)


def run(args) -> int:
    from dashboard.cli.keys import key_for
    from dashboard.ingest.pii import contact_pseudonym_one
    from dashboard.store import open_store

    key = key_for(args.settings)
    pseudonym = contact_pseudonym_one(args.contact_id, key, args.source_system.strip())
    if pseudonym is None:
        raise CliError("Ange ett kontakt-id som inte är tomt.")
    con = open_store(args.settings.db, read_only=True)
    try:
        contact = con.execute(
            "select * exclude (caller_key, note) from contacts where source_system = $s and contact_id = $c",
            {"s": args.source_system.strip(), "c": pseudonym})
        names = [d[0] for d in contact.description]
        rows = contact.fetchall()
        quarantined = con.execute(
            "select q.ingest_id, q.file_name, q.line, q.reason from quarantine as q "
            "join ingest_log as l using (ingest_id) "
            "where l.source_system = $s and q.row_json like '%' || $c || '%' order by q.ingest_id, q.line",
            {"s": args.source_system.strip(), "c": pseudonym}).fetchall()
    finally:
        con.close()
    print(f"Pseudonym för {args.source_system.strip()} / det angivna id:t: {pseudonym}")
    if rows:
        print("Inläst kontakt:")
        for name, value in zip(names, rows[0]):
            print(f"  {name}: {'' if value is None else value}")
    else:
        print("Ingen inläst kontakt med det id:t.")
    for ingest_id, file_name, line, reason in quarantined:
        print(f"I karantän: inläsning {ingest_id}, fil {file_name}, rad {line}: {reason}")
    if not rows and not quarantined:
        print("Inte heller i karantän. Kontrollera källsystemets namn (`kontaktcenter vocabulary list "
              "source_system`) och att nyckeln är samma som vid inläsningen.")
        return 1
    return 0

"""`kontaktcenter vocabulary add|list`: the one explicit step through which new vocabulary values
(and source spellings of existing ones) enter the store, after the personal-data check."""

from __future__ import annotations

from dashboard.cli import CliError


def register(sub) -> None:
    p = sub.add_parser("vocabulary", help="visa eller utöka vokabulären (förvaltningar, ärendekategorier, ...)")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    from dashboard.ingest.vocabulary import SPECS

    add = actions.add_parser("add", help="lägg till ett värde och/eller alias (kontrolleras mot personuppgifter)")
    add.add_argument("vocabulary", choices=list(SPECS), metavar="VOCABULARY", help=", ".join(SPECS))
    add.add_argument("value", metavar="VALUE", help="värdet (eller koden, för kanal, utfall, kundtyp ...)")
    add.add_argument("--alias", action="append", default=[], metavar="SPELLING",
                     help="en källas stavning av värdet (kan anges flera gånger)")
    add.add_argument("--department", metavar="DEPARTMENT", help="ägande förvaltning (ärendekategori)")
    add.add_argument("--stadsomrade", metavar="AREA", help="stadsområdet en ny stadsdel hör till")
    add.add_argument("--city-area", metavar="DISTRICT", help="stadsdelen en servicepunkt ligger i")
    add.add_argument("--short-name", metavar="SHORT_NAME", help="kort namn för diagram (förvaltning)")
    add.add_argument("--label", metavar="NAME", help="svenskt namn (språkkod)")
    add.set_defaults(handler=run_add)
    show = actions.add_parser("list", help="visa ett vokabulärs värden och alias")
    show.add_argument("vocabulary", choices=list(SPECS), metavar="VOCABULARY", help=", ".join(SPECS))
    show.set_defaults(handler=run_list)


def run_add(args) -> int:
    from dashboard.ingest.vocabulary import VocabularyError, add_value
    from dashboard.store import writing

    # a writer: the writer lock, then a new snapshot
    with writing(args.settings.db, memory_limit=args.settings.write_memory_limit) as con:
        con.execute("begin transaction")
        try:
            lines = add_value(con, args.vocabulary, args.value, tuple(args.alias), department=args.department,
                              stadsomrade=args.stadsomrade, city_area=args.city_area,
                              short_name=args.short_name, label=args.label)
            con.execute("commit")
        except VocabularyError as exc:
            con.execute("rollback")
            raise CliError(str(exc)) from None
        except BaseException:
            con.execute("rollback")
            raise
    for line in lines:
        print(line)
    return 0


def run_list(args) -> int:
    from dashboard.ingest.vocabulary import list_values
    from dashboard.store import open_store

    con = open_store(args.settings.db, read_only=True)
    try:
        frame = list_values(con, args.vocabulary)
    finally:
        con.close()
    for value, label, aliases in frame.iter_rows():
        extra = f" ({label})" if label and label != value else ""
        alias = f"  alias: {', '.join(aliases)}" if aliases else ""
        print(f"{value}{extra}{alias}")
    print(f"{len(frame)} värden.")
    return 0

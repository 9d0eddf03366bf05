"""`kontaktcenter sample`: build a store from the deterministic sample generator."""

from __future__ import annotations

import argparse
import sys
import time

from dashboard.cli import CliError
from dashboard.domain import CHANNELS
from dashboard.reference import LANGUAGES
from dashboard.formatting import format_int, format_number, format_percent, format_period
from dashboard.sample import DEFAULT_SEED, build_sample_store
from dashboard.sample.planted import EQUITY_GAP, INCIDENT
from dashboard.sample.store_build import SHIPPED_ROWS
from dashboard.store import open_store

_PROGRESS_FROM_ROWS = 500_000


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace(" ", "").replace("_", ""))
    except ValueError:
        value = -1
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' är inget positivt heltal; skriv till exempel 200000")
    return value


def register(sub) -> None:
    p = sub.add_parser(
        "sample",
        help="bygg en databas med realistiska exempeldata",
        description="Genererar deterministiska exempeldata för Malmö stads kontaktcenter "
                    "(2024–2025) och skriver dem till databasen (--db).",
    )
    p.add_argument("--rows", type=_positive_int, default=SHIPPED_ROWS, metavar="N",
                   help=f"antal kontakter (standard {SHIPPED_ROWS})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"slumpfrö (standard {DEFAULT_SEED})")
    p.add_argument("--no-plants", action="store_true",
                   help="utan den inplanterade lokala händelsen och det inplanterade serviceglappet")
    p.add_argument("--force", action="store_true", help="ersätt en befintlig databas med exempeldata")
    p.add_argument("--discard-ingested-data", action="store_true",
                   help="tillåt att --force ersätter en databas med inlästa verkliga data "
                        "(de går förlorade)")
    p.set_defaults(handler=run)


def run(args) -> int:
    db = args.settings.db
    if db.exists() and not args.force:
        raise CliError(
            f"Databasen {db} finns redan. Lägg till --force för att ersätta den, "
            "eller välj en annan fil med --db."
        )
    show = args.rows >= _PROGRESS_FROM_ROWS
    started = time.monotonic()

    def refuse_real_data(path) -> None:   # runs under the writer lock: no ingest can slip in
        if not path.exists() or args.discard_ingested_data:
            return
        ingested = ingested_files(path)
        if ingested:
            raise CliError(
                f"Databasen {path} innehåller inlästa data ({format_int(ingested)} filer från "
                "`kontaktcenter ingest`) som skulle gå förlorade. Välj en annan fil med --db, "
                "eller lägg till --discard-ingested-data om de verkligen ska ersättas med "
                "exempeldata.")

    build_sample_store(db, args.rows, seed=args.seed, plants=not args.no_plants,
                       progress=_print_progress if show else None, check=refuse_real_data,
                       memory_limit=args.settings.write_memory_limit)
    if show:
        print(file=sys.stderr)
    _print_summary(db, args, time.monotonic() - started)
    return 0


def ingested_files(path) -> int:
    """Files read into the store by `ingest` (not the sample builder)."""
    import duckdb

    try:   # not open_store: an outdated store holding real data must be counted too
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return 0   # not a readable store: nothing in it can be counted, --force replaces it
    try:
        return con.execute("select count(*) from ingest_log where profile <> 'sample'").fetchall()[0][0]
    except duckdb.Error:
        return 0
    finally:
        con.close()


def _print_progress(done: int, total: int) -> None:
    print(f"\rGenererar exempeldata: {format_int(done)} av {format_int(total)} kontakter "
          f"({format_percent(done / total, 0)})", end="", file=sys.stderr, flush=True)
    if done == total:
        print("\nBygger sammanställningar och skriver klart …", end="", file=sys.stderr, flush=True)


def _print_summary(db, args, seconds: float) -> None:
    con = open_store(db, read_only=True)
    try:
        first, last, total = con.execute(
            "with local as (select timezone('Europe/Stockholm', timezone('UTC', started_at))::date as day"
            " from contacts) select min(day), max(day), count(*) from local"
        ).fetchall()[0]
        by_channel = con.execute(
            "select channel, count(*) from contacts group by channel order by 2 desc"
        ).fetchall()
    finally:
        con.close()
    print(f"Skrev {format_int(total)} kontakter till {db} på {seconds:.1f} s "
          f"(frö {args.seed}, {format_period(first, last)}).")
    print("Kanaler: " + ", ".join(f"{CHANNELS[c].lower()} {format_percent(n / total, 0)}" for c, n in by_channel))
    if args.no_plants:
        print("Utan inplanterade sanningar.")
        return
    print(f"Inplanterad händelse: {INCIDENT.topic} i {INCIDENT.city_area} "
          f"{format_period(INCIDENT.first_day, INCIDENT.last_day)} "
          f"(ca {format_number(INCIDENT.multiplier)} gånger normal volym).")
    print(f"Inplanterat serviceglapp: {LANGUAGES[EQUITY_GAP.language].lower()} ({EQUITY_GAP.language}), "
          f"andel lösta ({EQUITY_GAP.rate}) "
          f"× {format_number(EQUITY_GAP.resolved_factor, 2)} (lösta kontakter överlämnas i stället).")

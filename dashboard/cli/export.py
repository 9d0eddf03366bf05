"""`kontaktcenter export`: the förvaltning pack for the budget dialogue, as XLSX or PDF.

Progress goes to stderr in Swedish; the file is written next to its target and renamed into
place, so an interrupted export never leaves half a file. Every export is recorded in the audit
log (settings.audit_log) with the operating-system user before the file is written.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from dashboard.cli import CliError
from dashboard.export.audit import AuditError, os_user
from dashboard.export.pack import FORMATS, pack_download
from dashboard.formatting import format_number, format_period
from dashboard.metrics import Filters
from dashboard.store import open_store
from dashboard.view import COMPARISONS, parse_comparison

# Every spelling of dashboard.view's comparisons (kind, URL form, Swedish alias).
COMPARE_CHOICES = sorted({s for c in COMPARISONS for s in (c.kind, c.url, *c.aliases)})


def register(sub) -> None:
    p = sub.add_parser(
        "export", help="förvaltningspaketet för budgetdialogen som Excel eller PDF",
        description="Skapar förvaltningspaketet (Excel eller PDF) för en förvaltning eller hela "
        "staden och en period, med jämförelseperiod. Varje export loggas i exportloggen.")
    p.add_argument("--department", metavar="FÖRVALTNING",
                   help="förvaltningens namn (utan: hela staden)")
    p.add_argument("--from", dest="start", required=True, type=_date, metavar="DATUM",
                   help="första dagen, ÅÅÅÅ-MM-DD")
    p.add_argument("--to", dest="end", required=True, type=_date, metavar="DATUM",
                   help="sista dagen (ingår), ÅÅÅÅ-MM-DD")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="xlsx eller pdf (annars från filändelsen i --out)")
    p.add_argument("--out", required=True, type=Path, metavar="FIL", help="filen som skapas")
    p.add_argument("--compare", choices=COMPARE_CHOICES, default="foregaende",
                   help="jämförelseperiod: föregående period (standard), samma period förra "
                   "året eller ingen")
    for flag, dest, what in (("--channel", "channels", "kanal (t.ex. phone)"),
                             ("--area", "city_areas", "stadsområde eller stadsdel"),
                             ("--topic", "topics", "ärendekategori"),
                             ("--language", "languages", "språk (t.ex. ar)"),
                             ("--customer-type", "customer_types", "kundtyp (t.ex. resident)")):
        p.add_argument(flag, dest=dest, action="append", default=[], metavar="VÄRDE",
                       help=f"begränsa till {what}; kan upprepas")
    p.add_argument("--force", action="store_true", help="skriv över en befintlig fil")
    p.set_defaults(handler=run)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} är inget datum. Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2025-03-31.") from None


def _format(args) -> str:
    if args.format:
        return args.format
    suffix = args.out.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise CliError(f"Ange --format xlsx eller pdf (filändelsen {args.out.suffix or 'saknas'} "
                   "säger inte vilket).")


def _check_department(db: Path, department: str | None) -> None:
    if department is None:
        return
    con = open_store(db, read_only=True)
    try:
        known = [r[0] for r in con.sql("select department from departments order by 1").fetchall()]
    finally:
        con.close()
    if department not in known:
        raise CliError(f"Okänd förvaltning {department!r}. Giltiga: {', '.join(known)}.")


def run(args) -> int:
    settings = args.settings
    fmt = _format(args)
    if args.start > args.end:
        raise CliError(f"Perioden börjar ({args.start}) efter att den slutar ({args.end}). "
                       "Byt plats på --from och --to.")
    if args.out.exists() and not args.force:
        raise CliError(f"{args.out} finns redan. Välj ett annat namn eller lägg till --force.")
    if not args.out.parent.is_dir():
        raise CliError(f"Katalogen {args.out.parent} finns inte. Skapa den först.")
    _check_department(settings.db, args.department)
    filters = Filters(start=args.start, end=args.end,
                      departments=(args.department,) if args.department else (),
                      channels=args.channels, city_areas=args.city_areas, topics=args.topics,
                      languages=args.languages, customer_types=args.customer_types)
    scope = args.department or "hela staden"
    began = time.perf_counter()

    def progress(message: str) -> None:
        print(f"  {message}", file=sys.stderr, flush=True)

    print(f"Skapar förvaltningspaketet ({fmt}) för {scope}, "
          f"{format_period(args.start, args.end)} …", file=sys.stderr, flush=True)
    download = pack_download(settings.db, filters, fmt, comparison=parse_comparison(args.compare),
                             settings=settings, user=os_user(), via="cli", progress=progress)
    try:
        content = download.data()
    except AuditError as exc:
        raise CliError(str(exc)) from None
    except ValueError as exc:
        raise CliError(str(exc)) from None
    _write_atomically(args.out, content)
    seconds = time.perf_counter() - began
    print(f"Klart: {args.out} ({format_number(len(content) / 1024)} kB) på "
          f"{format_number(seconds, 1)} s. Exporten är loggad i {settings.audit_log}.",
          file=sys.stderr)
    return 0


def _write_atomically(target: Path, content: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

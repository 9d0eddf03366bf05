"""`kontaktcenter export`: the förvaltning pack for the budget dialogue, as XLSX or PDF.

Without --from/--to the period is the last whole month of the data (dashboard.periods' "month"
preset, the dashboard's own rule). A period in which the filters find no contacts is refused with
a warning and exit status 1: a pack of zeros and −100 % would read as a collapse, not as "no
data". Progress goes to stderr in Swedish; the file is written next to its target and renamed into
place, so an interrupted export never leaves half a file. `--out -` writes it to standard output
(a pipe or a redirect; never a terminal), and a pipe or device given by name (`/dev/stdout`) is
written into, never replaced. Every export is recorded in the audit log (settings.audit_log)
with the operating-system user and `out` before it is written (`status: "started"`); a second
entry says how the writing ended: `"delivered"`, or `"failed"` when the file could not be written
or the reader of the pipe went away (`| head`, exit status 2 with a short message, no
traceback). So the log never calls an undelivered export delivered.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from dashboard import privacy
from dashboard.cli import CliError, detach_stdout, tell
from dashboard.cli.names import data_period, outside_the_data, resolve_departments, resolve_filters
from dashboard.export import audit
from dashboard.export.audit import AuditError, os_user

# The CLI runs on the server, for its administrator (README, "The command line").
CLI_ROLE = "administratör (server)"
from dashboard.export.pack import FORMATS, pack_download
from dashboard.formatting import format_number, format_period, os_reason
from dashboard.metrics import Filters
from dashboard.store import open_store
from dashboard.periods import (CLI_COMPARISONS, COMPARISONS, DEFAULT_COMPARISON, comparison,
                              parse_comparison, resolve_period)
from dashboard.view import FilterState

STDOUT = "-"  # --out -: the pack goes to standard output


def _compare_spelling(text: str) -> str:
    """The CLI's one spelling of a comparison; the code's and the URL's ("prev", "yoy") are
    still taken, so scripts written for them keep working, but only the CLI's are offered."""
    for c in COMPARISONS:
        if text in (c.kind, c.url, c.cli):
            return c.cli
    return text   # argparse refuses it, naming the three choices


def register(sub) -> None:
    p = sub.add_parser(
        "export", help="förvaltningspaketet för budgetdialogen som Excel eller PDF",
        description="Skapar förvaltningspaketet (Excel eller PDF) för en förvaltning eller hela "
        "staden och en period, med jämförelseperiod. Varje export loggas i exportloggen.")
    p.add_argument("--department", metavar="DEPARTMENT",
                   help="förvaltningens namn (utan: hela staden)")
    p.add_argument("--from", dest="start", type=_date, metavar="DATE",
                   help="första dagen, ÅÅÅÅ-MM-DD (utan --from och --to: senaste hela månaden "
                   "i data)")
    p.add_argument("--to", dest="end", type=_date, metavar="DATE",
                   help="sista dagen (ingår), ÅÅÅÅ-MM-DD")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="xlsx eller pdf (annars från filändelsen i --out)")
    p.add_argument("--out", required=True, type=Path, metavar="FILE",
                   help="filen som skapas; - skriver till standard ut (kräver --format)")
    # one spelling per comparison (dashboard.periods' CLI forms): choices, help and the usage
    # error all name the same three (the choices mixed in the URL's and the code's names)
    p.add_argument("--compare", choices=CLI_COMPARISONS, type=_compare_spelling,
                   default=comparison(DEFAULT_COMPARISON).cli,
                   help="jämförelseperiod: " + ", ".join(
                       f"{c.cli} ({c.label.lower()}{', standard' if c.kind == DEFAULT_COMPARISON else ''})"
                       for c in COMPARISONS))
    for flag, dest, what in (("--channel", "channels", "kanal (t.ex. phone)"),
                             ("--area", "city_areas", "stadsområde eller stadsdel"),
                             ("--topic", "topics", "ärendekategori"),
                             ("--language", "languages", "språk (t.ex. ar)"),
                             ("--customer-type", "customer_types", "kundtyp (t.ex. resident)")):
        p.add_argument(flag, dest=dest, action="append", default=[], metavar="VALUE",
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
    suffix = args.out.suffix.lower().lstrip(".")
    if args.format and suffix in FORMATS and suffix != args.format:
        raise CliError(f"--format {args.format} men filen {args.out.name} slutar på .{suffix}. "
                       f"Byt filändelse eller --format.")
    if args.format:
        return args.format
    if suffix in FORMATS:
        return suffix
    if _to_stdout(args.out):
        raise CliError("Ange --format xlsx eller pdf: med --out - finns ingen filändelse som "
                       "säger vilket.")
    raise CliError(f"Ange --format xlsx eller pdf (filändelsen {args.out.suffix or 'saknas'} "
                   "säger inte vilket).")


def _resolved(db: Path, filters: Filters) -> Filters:
    """The filters in the store's spelling; a misspelt value is refused (cli/names.py), so that
    the warning below about an empty period is never about a value that does not exist."""
    con = open_store(db, read_only=True)
    try:
        return resolve_filters(con, filters)
    finally:
        con.close()


def _store_facts(db: Path, department: str | None,
                 zone: str) -> tuple[str | None, date | None, date | None]:
    """The store's spelling of the förvaltning and the period its data covers (cli/names.py)."""
    con = open_store(db, read_only=True)
    try:
        (name,) = resolve_departments(con, [department]) if department is not None else (None,)
        first, last = data_period(con, zone)
    finally:
        con.close()
    return name, first, last


def _default_period(latest: date | None) -> tuple[date, date]:
    """The last whole month of the data, as the dashboard's "Senaste hela månaden"."""
    if latest is None:
        raise CliError("Databasen innehåller inga kontakter ännu; det finns inget att exportera. "
                       "Läs in data med kontaktcenter ingest först.")
    period = resolve_period(FilterState(preset="month"), latest)
    return period.start, period.end


def _has_contacts(db: Path, filters: Filters, settings) -> bool:
    """Whether the filters find any contact (the published count: hidden counts as some)."""
    con = open_store(db, read_only=True)
    try:
        frame = privacy.fetch(privacy.METRICS, con, filters, settings,
                              metric_ids=("contacts",)).result
    finally:
        con.close()
    if frame.is_empty():
        return False
    row = frame.row(0, named=True)
    return bool(row.get("contacts__suppressed")) or bool(row["contacts"])


def run(args) -> int:
    settings = args.settings
    fmt = _format(args)
    if (args.start is None) != (args.end is None):
        raise CliError("Ange både --from och --to, eller ingen av dem för senaste hela månaden.")
    if args.start is not None and args.start > args.end:
        raise CliError(f"Perioden börjar ({args.start}) efter att den slutar ({args.end}). "
                       "Byt plats på --from och --to.")
    if _to_stdout(args.out):
        if sys.stdout.isatty():
            raise CliError("--out - skriver paketet till standard ut, som här är terminalen. "
                           "Skicka det till en fil (> paket.pdf) eller ett program (| …).")
    elif args.out.is_dir():
        raise CliError(f"{args.out} är en katalog. Ange filens namn, t.ex. {args.out}/paket.{fmt}.")
    elif not _is_stream(args.out):  # a pipe or device is written into, never "overwritten"
        if args.out.exists() and not args.force:
            raise CliError(f"{args.out} finns redan. Välj ett annat namn eller lägg till --force.")
        if not args.out.parent.is_dir():
            raise CliError(f"Katalogen {args.out.parent} finns inte. Skapa den först.")
    args.department, first, last = _store_facts(settings.db, args.department,
                                                    settings.reporting_timezone)
    outside = outside_the_data(args.start, args.end, first, last)
    if outside:
        print(f"Varning: {outside}. Inget paket skapades; välj en period inom data.", file=sys.stderr)
        return 1
    if args.start is None:
        args.start, args.end = _default_period(last)
        print(f"Ingen period angiven: senaste hela månaden i data, "
              f"{format_period(args.start, args.end)}.", file=sys.stderr)
    elif first is not None and args.start <= last and args.end >= first and (
            args.start < first or args.end > last):
        # as the dashboard: a period reaching past the data is cut to it, with a notice (a pack
        # whose last weeks are empty would read as a collapse and compare with the wrong weeks)
        wanted = format_period(args.start, args.end)
        args.start, args.end = max(args.start, first), min(args.end, last)
        print(f"Obs: perioden {wanted} går utanför data ({format_period(first, last)}); "
              f"paketet gäller {format_period(args.start, args.end)}.", file=sys.stderr)
    filters = Filters(start=args.start, end=args.end,
                      departments=(args.department,) if args.department else (),
                      channels=args.channels, city_areas=args.city_areas, topics=args.topics,
                      languages=args.languages, customer_types=args.customer_types)
    filters = _resolved(settings.db, filters)
    scope = args.department or "hela staden"
    if not _has_contacts(settings.db, filters, settings):
        print(f"Varning: inga kontakter för {scope} {format_period(args.start, args.end)} med de "
              "valda filtren. Inget paket skapades; välj en period med data eller färre filter.", file=sys.stderr)
        return 1
    began = time.perf_counter()

    def progress(message: str) -> None:
        print(f"  {message}", file=sys.stderr, flush=True)

    print(f"Skapar förvaltningspaketet ({fmt}) för {scope}, "
          f"{format_period(args.start, args.end)} …", file=sys.stderr, flush=True)
    audit.prune(settings.audit_log, settings.audit_retention_days)
    out = "stdout" if _to_stdout(args.out) else str(args.out)  # the log's words for where
    download = pack_download(settings.db, filters, fmt, comparison=parse_comparison(args.compare),
                             settings=settings, user=os_user(), via="cli", progress=progress,
                             role=CLI_ROLE, status="started", out=out)
    try:
        content = download.data()
    except AuditError as exc:
        raise CliError(str(exc)) from None
    except ValueError as exc:
        raise CliError(str(exc)) from None
    _deliver(args.out, content, settings.audit_log, download.records[-1])
    seconds = time.perf_counter() - began
    shown = "standard ut" if out == "stdout" else out
    tell(f"Klart: {shown} ({format_number(len(content) / 1024)} kB) på "
         f"{format_number(seconds, 1)} s. Exporten är loggad i {settings.audit_log}.")
    return 0


def _to_stdout(out: Path) -> bool:
    return str(out) == STDOUT


def _is_stream(out: Path) -> bool:
    """A pipe, socket or device by name (/dev/stdout, a FIFO): written into, not replaced."""
    try:
        mode = out.stat().st_mode  # through symlinks: /dev/stdout -> /proc/self/fd/1 -> a pipe
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _deliver(target: Path, content: bytes, audit_log: Path, started: dict) -> None:
    """Write the pack and log how that ended. Built and recorded, but not delivered (a full disk,
    a reader that went away): the log says "failed" and the command fails quietly."""
    try:
        if _to_stdout(target):
            sys.stdout.flush()
            _write_all(sys.stdout.fileno(), content)
        elif _is_stream(target):
            fd = os.open(target, os.O_WRONLY)
            try:
                _write_all(fd, content)
            finally:
                os.close(fd)
        else:
            # next to the real file, so a symlink (or /dev/stdout to a redirect) stays itself
            _write_atomically(target.resolve(), content)
    except BaseException as exc:
        _outcome(audit_log, started, "failed")
        if isinstance(exc, BrokenPipeError):
            detach_stdout()
            raise CliError(f"Mottagaren av {started['out']} slutade läsa innan hela paketet var "
                           "skrivet. Exporten har inte lämnats ut; loggen säger det.") from None
        if isinstance(exc, OSError):
            raise CliError(f"{target} kunde inte skrivas ({os_reason(exc)}). Exporten har inte "
                           "lämnats ut; loggen säger det.") from None
        raise  # Ctrl-C: logged as failed, then the interrupt's own message and exit status
    _outcome(audit_log, started, "delivered")


def _outcome(audit_log: Path, started: dict, status: str) -> None:
    try:
        audit.outcome(audit_log, started, status)
    except AuditError as exc:  # the log keeps the export as "started": the truth it knows
        done = (f"Paketet är skrivet till {started['out']}" if status == "delivered"
                else "Exporten har inte lämnats ut")
        why = os_reason(exc.__cause__) if isinstance(exc.__cause__, OSError) else str(exc)
        raise CliError(f"{done}, men exportloggen {audit_log} kunde inte ta emot utfallet "
                       f"({why}); där står exporten som påbörjad.") from None


def _write_all(fd: int, content: bytes) -> None:
    """Every byte, unbuffered: nothing is left in a Python buffer to fail at exit."""
    view = memoryview(content)
    while view:
        view = view[os.write(fd, view):]


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

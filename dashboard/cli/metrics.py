"""`kontaktcenter metrics`: registry metrics for a filter, as a table, CSV or JSON.

The same door as the dashboard and the exports: figures come published from
`dashboard.privacy.fetch(METRICS, ...)`, small cells hidden along every additive identity of the
table, before anything is printed. Suppressed values print as "<5" (a small count) or "Dolt"
(table), an empty cell (CSV) or null with the metric id listed under "suppressed" (JSON). A value
under the statistical minimum prints with "(osäker)" (table) or is listed under "uncertain"
(JSON).

A period entirely outside the store's data prints nothing but a warning naming the period the data
covers, exit status 1: a table of zeros would read as "no contacts came", not as "no data".
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import date

import duckdb
import polars as pl

from dashboard.cli import CliError
from dashboard.cli.names import data_period, outside_the_data, resolve_filters
from dashboard.domain import CHANNELS, CUSTOMER_TYPES, dimension_label, dimension_text
from dashboard.formatting import MISSING, format_value
from dashboard.metrics.filters import DIMENSIONS, Filters, UnknownDimension
from dashboard.metrics.metric import UnknownMetric
from dashboard.privacy.cells import Uncertain
from dashboard.store import StoreError

DEFAULT_METRICS = (
    "contacts", "offered", "answered", "abandoned", "answer_rate", "service_level", "asa_s",
    "abandon_rate", "aht_s", "satisfaction_mean", "resolved_rate", "failure_demand_share",
)
FORMATS = ("table", "csv", "json")
# option -> Filters field
FILTER_OPTIONS = {
    "department": "departments", "channel": "channels", "city_area": "city_areas",
    "topic": "topics", "language": "languages", "customer_type": "customer_types",
}


def register(sub) -> None:
    p = sub.add_parser(
        "metrics", help="skriv ut mått för ett urval (tabell, CSV eller JSON)",
        description="Skriver ut mått ur måttregistret för ett urval. Filter och --by/--metric kan "
        "upprepas; små tal döljs på samma sätt som i dashboarden.",
    )
    p.add_argument("--from", dest="start", metavar="DATE", help="första dag (ÅÅÅÅ-MM-DD), inklusive")
    p.add_argument("--to", dest="end", metavar="DATE", help="sista dag (ÅÅÅÅ-MM-DD), inklusive")
    p.add_argument("--department", action="append", default=[], metavar="DEPARTMENT",
                   help="förvaltningens fullständiga namn")
    p.add_argument("--channel", action="append", default=[], metavar="CHANNEL",
                   help=f"kanal: {', '.join(CHANNELS)}")
    p.add_argument("--city-area", action="append", default=[], metavar="AREA",
                   help="stadsområde eller stadsdel")
    p.add_argument("--topic", action="append", default=[], metavar="TOPIC",
                   help="ärendekategori")
    p.add_argument("--language", action="append", default=[], metavar="LANGUAGE",
                   help="språkkod (ISO 639-1), t.ex. sv, ar, fi")
    p.add_argument("--customer-type", action="append", default=[], metavar="CUSTOMER_TYPE",
                   help=f"kundtyp: {', '.join(CUSTOMER_TYPES)}")
    p.add_argument("--by", action="append", default=[], metavar="DIMENSION",
                   help=f"dela upp på: {', '.join(DIMENSIONS)}")
    p.add_argument("--metric", action="append", default=[], metavar="ID",
                   help="måttets id (docs/metrics.md); standard: " + ", ".join(DEFAULT_METRICS))
    p.add_argument("--format", choices=FORMATS, default="table", help="utdata (standard table)")
    p.add_argument("--refresh-marts", action="store_true",
                   help="bygg om statistiktabellerna (marts) först; kräver skrivrätt")
    p.set_defaults(handler=run)


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"Datumet '{text}' för {option} kunde inte läsas. Skriv ÅÅÅÅ-MM-DD.") from None


def filters_from_args(args) -> Filters:
    start, end = _date(args.start, "--from"), _date(args.end, "--to")
    if start and end and start > end:
        raise CliError(f"--from ({start}) ligger efter --to ({end}). Byt plats på datumen.")
    return Filters(start=start, end=end,
                   **{field: tuple(getattr(args, opt)) for opt, field in FILTER_OPTIONS.items()})


# Said when a rebuild stops after its first transaction (Ctrl-C, an error): before "Avbrutet".
PENDING_NOTE = ("Statistiktabellerna (marts) hann tas bort men inte byggas om; kontakterna är "
                "orörda och dashboarden visar den senast publicerade ögonblicksbilden. Kör "
                "`kontaktcenter metrics --refresh-marts` igen (eller nästa `kontaktcenter ingest`).")


def _open(args):
    from dashboard.store.marts import rebuild_marts
    from dashboard.store import open_store, writing

    db = args.settings.db
    if args.refresh_marts:   # a writer: the writer lock, then a new snapshot for the dashboard
        with writing(db, memory_limit=args.settings.write_memory_limit) as con:
            # two transactions, so the file does not grow by the marts' size (docs/architecture.md)
            rebuild_marts(con, on_pending=lambda: print(PENDING_NOTE, file=sys.stderr, flush=True))
    return open_store(db, read_only=True)


def run(args) -> int:
    from dashboard import privacy

    settings = args.settings
    ids = tuple(args.metric) or DEFAULT_METRICS
    by = tuple(args.by)
    filters = filters_from_args(args)
    try:
        con = _open(args)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    if _no_contacts(con):
        con.close()
        print("Databasen har inga kontakter ännu. Läs in exportfiler med `kontaktcenter ingest FIL "
              "--profile PROFIL.toml` (docs/ingest.md).")
        return 0
    outside = _outside_the_data(con, filters, settings.reporting_timezone)
    if outside:
        con.close()
        print(outside, file=sys.stderr)
        return 1
    try:
        # the store's spelling, any case, codes or labels; a misspelt value is refused
        filters = resolve_filters(con, filters)
        shown = privacy.fetch(privacy.METRICS, con, filters, settings, metric_ids=ids,
                              by=by).result
    except (UnknownMetric, UnknownDimension, StoreError, ValueError) as exc:
        raise CliError(str(exc)) from None
    finally:
        con.close()
    writer = {"table": _print_table, "csv": _print_csv, "json": _print_json}[args.format]
    writer(shown, ids, by, settings)
    return 0


def _no_contacts(con) -> bool:
    """An empty store: say so instead of printing a table of empty figures."""
    try:
        return con.execute("select count(*) = 0 from contacts").fetchone()[0]
    except duckdb.Error:   # no contacts table at all: let the engine name the problem
        return False


def _outside_the_data(con, filters: Filters, zone: str) -> str | None:
    """The warning for a period that shares no day with the data, else None."""
    start, end = filters.start, filters.end
    if start is None and end is None:
        return None
    try:
        first, last = data_period(con, zone)
    except duckdb.Error:   # no contacts table at all: let the engine name the problem
        return None
    outside = outside_the_data(start, end, first, last)
    return f"Varning: {outside}. Inga mått skrevs ut; välj en period inom data." if outside else None


def _suppressed(row: dict, metric_id: str) -> bool:
    return bool(row.get(f"{metric_id}__suppressed"))


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def _print_json(frame: pl.DataFrame, ids, by, settings) -> None:
    out = []
    for row in frame.iter_rows(named=True):
        item = {d: _plain(row[d]) for d in by}
        hidden = [m for m in ids if _suppressed(row, m)]
        item.update({m: None if m in hidden else _plain(row[m]) for m in ids})
        if hidden:
            item["suppressed"] = hidden
        unsure = [m for m in ids if row.get(f"{m}__uncertain")]
        if unsure:
            item["uncertain"] = unsure
        out.append(item)
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _print_csv(frame: pl.DataFrame, ids, by, settings) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([*by, *ids])
    for row in frame.iter_rows(named=True):
        values = [_plain(row[d]) for d in by]
        values += ["" if _suppressed(row, m) or row[m] is None else _plain(row[m]) for m in ids]
        writer.writerow(values)


def _print_table(frame: pl.DataFrame, ids, by, settings) -> None:
    from dashboard.metrics.registry import get

    if frame.is_empty():
        print("Inga kontakter för det valda urvalet.")
        return
    metrics = [get(m) for m in ids]
    header = [dimension_label(d) for d in by] + [m.label_for(settings) for m in metrics]
    rows = []
    for row in frame.iter_rows(named=True):
        cells = [dimension_text(d, row[d]) for d in by]
        for m in metrics:
            value = row[m.id]
            text = (format_value(value, m.unit, suppressed=_suppressed(row, m.id),
                                 threshold=settings.small_cell_threshold,
                                 reason=row.get(f"{m.id}__reason"))
                    if value is not None or _suppressed(row, m.id) else MISSING)
            cells.append(Uncertain.mark(text) if row.get(f"{m.id}__uncertain") else text)
        rows.append(cells)
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    numeric = [False] * len(by) + [True] * len(metrics)
    for line in [header, *rows]:
        print("  ".join(c.rjust(w) if num else c.ljust(w)
                        for c, w, num in zip(line, widths, numeric)).rstrip())

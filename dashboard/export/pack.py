"""The förvaltning pack: engine outputs for one department (or the city) and one period, with the
comparison period, gathered into a Pack that the XLSX and PDF writers render.

`build_pack` is the only place the pack asks the engine for numbers; `pack_download` is what the
dashboard's Förvaltning page and the CLI call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from dashboard.formatting import format_number
from dashboard.config import Settings
from dashboard.export import pack_sections as ps
from dashboard.privacy.cells import Hidden
from dashboard.export.downloads import MIME, Download, file_name, record_export, view_context
from dashboard.export.model import Column, DataInfo, Definition, Mover, Pack, Summary, Table
from dashboard.export.pack_tables import change, frame_table, verdict
from dashboard import privacy
from dashboard.metrics import QUALITY_METRICS, Filters, registry
from dashboard.store import data_version, open_store
from dashboard.periods import COMPARISON_KINDS, parse_comparison

TITLE = "Förvaltningspaket för budgetdialogen"
FORMATS = ("xlsx", "pdf")
MOVERS = 6
TOP_GAPS = 5
Progress = Callable[[str], None]


def comparison_kind(filters: Filters, comparison) -> str | None:
    """The engine's comparison name from any spelling of dashboard.periods' vocabulary, None, or a
    (start, end) period."""
    if comparison is None or isinstance(comparison, str):
        return parse_comparison(comparison)
    start, end = comparison
    for kind in COMPARISON_KINDS:
        other = filters.compared(kind)
        if other is not None and (other.start, other.end) == (start, end):
            return kind
    raise ValueError("Jämförelseperioden måste vara föregående period eller samma period "
                     "förra året.")


def build_pack(con: duckdb.DuckDBPyConnection, filters: Filters, *, comparison="previous",
               settings: Settings | None = None, generated_at: datetime | None = None,
               progress: Progress | None = None) -> Pack:
    settings = settings or Settings()
    say = progress or (lambda _message: None)
    if len(filters.departments) > 1:
        raise ValueError("Ett förvaltningspaket gäller en förvaltning eller hela staden.")
    kind = comparison_kind(filters, comparison)
    department = filters.departments[0] if filters.departments else None
    inp = ps.Inputs(con, filters, kind, department, settings)
    say("Tillgänglighet …")
    access, access_card = ps.accessibility(inp)
    say(f"{ps.SERVICE_GAPS} …")
    rights, ledger = ps.rights(inp)
    say("Onödig efterfrågan …")
    demand, demand_card = ps.avoidable(inp)
    say("Lokal service …")
    local = ps.local_service(inp)
    say(f"{ps.DEPARTMENT} …")
    collab, collab_card = ps.collaboration(inp)
    sections = (access, rights, demand, local, collab)
    say("Sammanfattning, definitioner och datakällor …")
    compared = access_card.comparison
    context = view_context(filters, title=TITLE, data_version=_data_version(con),
                           threshold=settings.small_cell_threshold,
                           comparison=(compared.start, compared.end) if compared else None,
                           generated_at=generated_at)
    cards = [access_card, demand_card, collab_card]
    summary = _summary(cards, ledger, demand_card, inp)
    ids = [i for s in sections for i in s.metric_ids]
    return Pack(context, summary, sections, _definitions(ids, settings), _data_info(inp),
                _notes(inp))


MOVER_MIN_BASE = 50  # contacts behind a figure in each period before it can be a mover
MOVER_RULE = ("Rangordnat efter hur många kontakter förändringen gäller: för antal skillnaden "
              "i antal, för andelar skillnaden i procentenheter gånger periodens underlag. Tider, "
              "belopp, årsarbetare och index rangordnas inte (de följer av antalen och står i "
              "nyckeltalen). Tal med underlag under {base} kontakter i någon av perioderna och "
              "dolda värden ingår inte.")


def contacts_moved(r: dict) -> float | None:
    """How many contacts a scorecard row's change concerns, or None when it is no mover: counts
    by their difference, shares by the difference times the period's base; other units (times,
    money, positions, an index) are derived and not ranked; a base under MOVER_MIN_BASE in
    either period, or a hidden side, rules a row out."""
    if r["value_suppressed"] or r["previous_suppressed"] or r["value"] is None \
            or r["previous"] is None:
        return None
    if min(r.get("n") or 0, r.get("previous_n") or 0) < MOVER_MIN_BASE:
        return None
    if r["unit"] == "count":
        return abs(r["value"] - r["previous"])
    if r["unit"] == "share":
        return abs(r["value"] - r["previous"]) * r["n"]
    return None


def _summary(cards, ledger: pl.DataFrame, demand_card, inp: ps.Inputs) -> Summary:
    movers, seen = [], set()
    for card in cards:
        for r in card.metrics.iter_rows(named=True):
            if r["metric"] in seen:
                continue
            seen.add(r["metric"])
            size = contacts_moved(r)
            if not size:
                continue
            value, unit, text = change(r["value"], r["previous"], r["unit"])
            movers.append((size, Mover(r["label"], r["unit"], r["value"], r["previous"], value,
                                       unit, text, verdict(r["metric"], r["value"], r["previous"],
                                                           r["unit"]), size)))
    movers.sort(key=lambda pair: -pair[0])
    gaps = frame_table("Största serviceglappen", ledger.head(TOP_GAPS), ("topic",),
                       ("forwarded", "forwarded_rate", "repeat_rate"), inp.settings)
    cost = {r["metric"]: r for r in demand_card.metrics.iter_rows(named=True)}

    def shown(metric_id):
        r = cost[metric_id]
        return Hidden(r.get("value_reason"), None, inp.threshold) if r["value_suppressed"] \
            else r["value"]

    return Summary(tuple(m for _, m in movers[:MOVERS]), gaps,
                   shown("failure_demand_cost_sek"), shown("failure_demand_fte"),
                   shown("failure_demand_hours"), (MOVER_RULE.format(base=MOVER_MIN_BASE),))


def _data_version(con) -> int:
    """On a cursor of its own: store.data_version leaves its result open (fetchone), which
    DuckDB 2 refuses to run the next query past on the same connection."""
    cur = con.cursor()
    try:
        return data_version(cur)
    finally:
        cur.close()


def _definitions(ids, settings: Settings) -> tuple[Definition, ...]:
    out = []
    for m in registry.resolve(ids):
        out.append(Definition(m.id, m.label_for(settings), m.definition_for(settings),
                              registry.UNITS.get(m.unit, m.unit),
                              m.higher_is_better, m.source, m.min_n_for(settings)))
    return tuple(out)


def _data_info(inp: ps.Inputs) -> DataInfo:
    log = inp.con.sql(
        "select source_system, file_name, profile, rows_landed, rows_quarantined, finished_at "
        "from ingest_log order by finished_at desc limit 50").pl()
    ingests = Table("Inläsningar (senaste 50)", (
        Column("source", "Källsystem"), Column("file", "Fil"), Column("profile", "Profil"),
        Column("landed", "Inlästa", "rows"), Column("quarantined", "I karantän", "rows"),
        Column("at", "Inläst (UTC)")), tuple(log.iter_rows()))
    sources = inp.con.sql(
        "select source_system, count(*) as ingests, sum(rows_landed) as rows_landed, "
        "max(finished_at) as last_ingest from ingest_log group by all order by 1").pl()
    source_table = Table("Källsystem", (
        Column("source", "Källsystem"), Column("ingests", "Inläsningar", "number"),
        Column("rows", "Inlästa totalt", "rows"), Column("last", "Senaste inläsning (UTC)")),
        tuple(sources.iter_rows()))
    quality = frame_table("Datakvalitet per källsystem i urvalet",
                          inp.fetch(privacy.DATA_QUALITY), ("source_system",),
                          registry.applicable(QUALITY_METRICS, inp.filters), inp.settings,
                          note=" ".join(filter(None, (
                              "Andel kontakter utan ärendekategori, förvaltning, utfall (av "
                              "hanterade) eller efterfrågetyp.",
                              registry.left_out_note(QUALITY_METRICS, inp.filters, inp.settings)))))
    return DataInfo(source_table, ingests, quality)


def _notes(inp: ps.Inputs) -> tuple[str, ...]:
    s = inp.settings
    return (
        f"Servicenivå mäts inom {s.service_level_s} s och {s.service_level_alt_s} s; korta "
        f"avbrott är avbrott under {s.short_abandon_s} s. Återkommande kontakt: samma person och "
        f"ärende inom {s.repeat_window_days} dagar.",
        f"Kostnad: {format_number(s.cost_per_handled_minute_sek, 2)} kr per handlagd minut; en "
        f"årsarbetare är {format_number(s.working_hours_per_fte)} timmar.",
        "Taggad onödig efterfrågan och den som härletts ur regler (otaggade kontakter) redovisas "
        "var för sig.",
    )


def render(pack: Pack, fmt: str) -> bytes:
    if fmt == "xlsx":
        from dashboard.export.xlsx_pack import render_xlsx
        return render_xlsx(pack)
    if fmt == "pdf":
        from dashboard.export.pdf_pack import render_pdf
        return render_pdf(pack)
    raise ValueError(f"Okänt format {fmt!r}. Giltiga: {', '.join(FORMATS)}.")


def pack_file_name(filters: Filters, fmt: str) -> str:
    scope = filters.departments[0] if filters.departments else "Hela staden"
    return file_name("forvaltningspaket", scope, (filters.start, filters.end), fmt)


def pack_download(db: Path | str, filters: Filters, fmt: str, *, comparison="previous",
                  settings: Settings | None = None, user: str | None = None,
                  via: str = "dashboard", progress: Progress | None = None,
                  role: str | None = None, status: str = "delivered",
                  out: str | None = None) -> Download:
    """The pack as a download. The bytes are built when `data()` is called, on a read-only
    connection of its own (Streamlit calls it on another thread), and recorded in the audit log
    with `status` and `out` (the CLI: "started" and its --out; the record is kept in
    `records`)."""
    settings = settings or Settings()
    if fmt not in FORMATS:
        raise ValueError(f"Okänt format {fmt!r}. Giltiga: {', '.join(FORMATS)}.")
    name = pack_file_name(filters, fmt)

    def build() -> bytes:
        con = open_store(db, read_only=True)
        try:
            pack = build_pack(con, filters, comparison=comparison, settings=settings,
                              progress=progress)
        finally:
            con.close()
        if progress:
            progress("Skriver Excel …" if fmt == "xlsx" else "Skriver PDF …")
        content = render(pack, fmt)
        records.append(record_export(settings.audit_log, "forvaltningspaket", fmt, name,
                                     pack.context, via, user, content, role=role,
                                     status=status, out=out))
        return content

    records: list[dict] = []
    return Download(name, MIME[fmt], build, records)

"""One builder per plan area: engine calls in, a Section (tables and charts) out.

Builders only select, order and reshape published results (dashboard.privacy.fetch); every
number is the engine's, every hidden cell the privacy package's.
A department's pack reads with the department filter set, so no other department's rows enter;
the city comparison is one aggregate row, never a list of other departments.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import duckdb
import polars as pl

from dashboard.config import Settings
from dashboard.domain import LOCAL_CHANNELS, label_for, rest_of_selection
from dashboard.export.cells import Figure
from dashboard.export.model import Chart, Column, Section, Table
from dashboard.export.pack_tables import (dimension_column, dimension_value, frame_table,
                                          key_figures_table, scorecard_title, shown_or_hidden)
from dashboard import privacy
from dashboard.formatting import format_period
from dashboard.metrics import EQUITY_METRICS, QUALITY_METRICS, SCORECARD_METRICS, Filters, Scorecard
from dashboard.navigation import title_of
from dashboard.periods import WEEK, Period, week_shift, whole_period
from dashboard.ranking import ranked_rows

ACCESS_IDS = ("contacts", "offered", "answered", "abandoned", "answer_rate", "service_level",
              "service_level_alt", "asa_s", "wait_median_s", "wait_p90_s", "abandon_rate",
              "abandon_rate_excl_short", "aht_s", "reply_within_1_workday",
              "reply_within_2_workdays", "digital_share", "outside_opening_hours_share",
              "satisfaction_index")
CHANNEL_IDS = ("contacts", "channel_share", "answer_rate", "asa_s", "aht_s")
RIGHTS_IDS = ("resolved_rate", "forwarded_rate", "referred_rate", "contacts_per_1000_residents")
LEDGER_IDS = ("contacts", "forwarded", "forwarded_rate", "repeat_rate", "resolved_rate")
DEMAND_IDS = ("failure_demand_share", "failure_demand_share_inferred", "repeat_rate",
              "contacts_per_resolved_matter", "failure_demand_hours", "failure_demand_cost_sek",
              "failure_demand_fte", "failure_demand_cost_sek_inferred")
COMPARED_SHARES = ("answer_rate", "service_level", "resolved_rate", "forwarded_rate",
                   "failure_demand_share", "repeat_rate")
# The key-figure sets the pack protects as one table each (a section's "Nyckeltal", the
# scorecard). Which cells a protection rule hides depends on the set it protects together (a
# count equal to a hidden count of the same row is hidden too; complements follow), so a page's
# key figure is the row of the first set that holds it, fetched as the pack fetches that set: the
# card shows what the pack prints (`card_set`, `card_rows`).
CARD_SETS = (ACCESS_IDS, RIGHTS_IDS, DEMAND_IDS, SCORECARD_METRICS, QUALITY_METRICS)


def card_set(metric_id: str) -> tuple[str, ...]:
    """The pack's key-figure set a metric's key figure comes from (the first that holds it)."""
    for ids in CARD_SETS:
        if metric_id in ids:
            return ids
    return (metric_id,)


def card_rows(card: Scorecard, ids) -> pl.DataFrame:
    """The card's rows of `ids`, in that order."""
    order = {m: i for i, m in enumerate(ids)}
    return card.metrics.filter(pl.col("metric").is_in(list(ids))).sort(
        pl.col("metric").replace_strict(order, return_dtype=pl.Int64))


# The breakdowns the pack publishes as one table, by their dimension. As for key figures, the
# set protected together decides which cells are hidden (calls offered equal a phone row's
# contacts, so a small chat count hides the phone row's), so a chart of one of the table's metrics
# by that dimension is fetched as the pack fetches the table (`table_set`): its bars and its
# table view show the pack's cells.
TABLE_SETS = {"channel": CHANNEL_IDS}


def table_set(metric_ids, by: str) -> tuple[str, ...]:
    """The pack's table set that holds `metric_ids` by `by`, or the ids themselves."""
    ids = TABLE_SETS.get(by, ())
    return ids if set(metric_ids) <= set(ids) else tuple(metric_ids)


# The sheet (and the chapter) of a plan area with a dashboard page is called as the page is.
SERVICE_GAPS = title_of("service_gaps.py")
AVOIDABLE = title_of("failure_demand.py")
DEPARTMENT = title_of("department.py")  # the scorecard's page: its sheet and chapter
DEPARTMENT_IDS = ("contacts", "handled_hours", "handled_time_share", "forwarded_rate",
                  "failure_demand_share")
TOP = 15


@dataclass(frozen=True)
class Inputs:
    con: duckdb.DuckDBPyConnection
    filters: Filters  # the pack's filter, the department included
    comparison: str | None  # "previous", "last_year" or None (the engine's vocabulary)
    department: str | None
    settings: Settings

    @property
    def threshold(self) -> int:
        return self.settings.small_cell_threshold

    def fetch(self, kind: privacy.Kind, filters: Filters | None = None, **options):
        """The published result of `kind` for the pack's filters (or `filters`)."""
        return privacy.fetch(kind, self.con, filters or self.filters, self.settings,
                             **options).result

    def card(self, ids) -> Scorecard:
        """The published scorecard (flags `{side}_suppressed`); a CARD_SETS member for key
        figures, which the dashboard's cards fetch alike."""
        return self.fetch(privacy.SCORECARD, comparison=self.comparison, metric_ids=ids)

    @property
    def key_columns(self) -> dict:
        return {"with_city": self.department is not None,
                "with_comparison": self.comparison is not None}

    @property
    def series(self) -> tuple[str, ...]:
        """Chart series of a key-figure table: the period, the comparison, the city."""
        return ("value",) + (("previous",) if self.comparison else ()) + (
            ("city",) if self.department else ())

    @property
    def comparison_filters(self) -> Filters | None:
        return self.filters.compared(self.comparison)

    def compute(self, ids, by=(), filters: Filters | None = None) -> pl.DataFrame:
        """Published registry metrics (flags `{id}__suppressed`)."""
        return self.fetch(privacy.METRICS, filters, metric_ids=tuple(ids), by=tuple(by))


def _key_figures(inp: Inputs, card: Scorecard, title: str = "Nyckeltal") -> Table:
    return key_figures_table(title, card.metrics, inp.settings, **inp.key_columns)


def accessibility(inp: Inputs) -> tuple[Section, Scorecard]:
    card = inp.card(ACCESS_IDS)
    per_channel = ranked_rows(inp.compute(CHANNEL_IDS, ("channel",)), "contacts")
    channels = frame_table("Per kanal", per_channel, ("channel",), CHANNEL_IDS, inp.settings)
    weekly = _weekly(inp)
    section = Section(
        "tillganglighet", "Tillgänglighet och serviceinriktat bemötande",
        title_of("accessibility.py"),
        "Kan invånarna nå oss? Svarsandel, servicenivå, väntetid, avbrutna samtal, skriftliga "
        "svar inom arbetsdagar, nöjdhet och kanalval.",
        (_key_figures(inp, card), channels, weekly),
        (Chart("Kontakter per vecka", weekly, "week",
               ("value", "previous") if inp.comparison else ("value",), "line", ("previous",)),
         Chart("Kontakter per kanal", channels, "channel", ("contacts",), "bar")),
        ACCESS_IDS + CHANNEL_IDS,
    )
    return section, card


def _whole_weeks(filters: Filters | None) -> Filters | None:
    """The filters narrowed to the whole weeks of their period (dashboard.periods.whole_period)."""
    if filters is None or filters.start is None or filters.end is None:
        return None
    weeks = whole_period(Period(filters.start, filters.end), "week")
    return None if weeks is None else replace(filters, start=weeks.start, end=weeks.end)


def _per_week(inp: Inputs, filters: Filters) -> list[tuple[date, dict | None]]:
    """Each whole week of `filters` (its period is whole weeks) by its Monday, with the engine's
    contacts row or None for a week without contacts: the engine has no row for it, and pairing
    the two periods' rows by position would set a later week against the comparison's."""
    rows = {r["week"]: r for r in
            inp.compute(["contacts"], ("week",), filters).iter_rows(named=True)}
    mondays = (filters.start + timedelta(days=WEEK * i) for i in range(filters.days // WEEK))
    return [(monday, rows.get(monday)) for monday in mondays]


def _weekly(inp: Inputs) -> Table:
    """Contacts per whole week, beside each the comparison's whole week that the dashboard's
    dashed line lays on it: shifted by the whole weeks between the chosen periods
    (dashboard.periods.week_shift), so Monday meets Monday and a week meets the same week of
    the year before."""
    title = "Kontakter per vecka"
    columns = (Column("week", "Vecka från"), Column("value", "Perioden", "count"))
    now_filters = _whole_weeks(inp.filters)
    if now_filters is None:
        return Table(title, columns, (), "Perioden rymmer ingen hel vecka (måndag–söndag).")
    now = _per_week(inp, now_filters)
    previous_filters = _whole_weeks(inp.comparison_filters)

    def cell(row):
        return 0 if row is None else shown_or_hidden(row, "contacts", "count", inp.threshold)

    note = (f"Bara hela veckor (måndag–söndag): {format_period(now_filters.start, now_filters.end)}"
            ". Delvisa veckor i periodens början och slut är inte med.")
    if previous_filters is None:
        return Table(title, columns, tuple((monday, cell(row)) for monday, row in now), note)
    before = dict(_per_week(inp, previous_filters))
    c = inp.comparison_filters
    shift = week_shift(Period(inp.filters.start, inp.filters.end), Period(c.start, c.end))
    rows = tuple((monday, cell(row), cell(before[monday - shift]) if monday - shift in before else None)
                 for monday, row in now)
    weeks = shift.days // WEEK
    return Table(title, (*columns, Column("previous", "Jämförelseperioden", "count")), rows,
                 f"Bredvid varje vecka står jämförelseperiodens vecka {weeks} veckor tidigare, "
                 "som i instrumentpanelens streckade linje (måndag mot måndag). " + note)


def rights(inp: Inputs) -> tuple[Section, pl.DataFrame]:
    card = inp.card(RIGHTS_IDS)
    ledger = inp.fetch(privacy.SERVICE_GAP_LEDGER).head(TOP)
    dims = ("topic",) if inp.department else ("department", "topic")
    ledger_table = frame_table("Serviceglapp: ärenden som lämnas vidare", ledger, dims,
                               LEDGER_IDS, inp.settings,
                               note="Ärendekategorier rangordnade efter antal överlämnade, "
                               "därefter andel återkommande kontakter.")
    areas = frame_table("Kontakter per 1 000 invånare per stadsområde", _residents(inp),
                        ("stadsomrade",), ("contacts", "contacts_per_1000_residents"),
                        inp.settings)
    section = Section(
        "rattighetsbaserad", f"{SERVICE_GAPS} (rättighetsbaserad service)", SERVICE_GAPS,
        "Vem får sämre service? Det kontaktcenter inte kan lösa och lämnar vidare, och "
        "skillnader mellan stadsområden, språk och kundgrupper.",
        (_key_figures(inp, card), ledger_table, _equity(inp), areas),
        (Chart("Överlämnade ärenden per kategori", ledger_table, "topic", ("forwarded",), "bar"),
         Chart("Kontakter per 1 000 invånare", areas, "stadsomrade",
               ("contacts_per_1000_residents",), "bar")),
        RIGHTS_IDS + LEDGER_IDS + EQUITY_METRICS,
    )
    return section, ledger


def _residents(inp: Inputs) -> pl.DataFrame:
    """The dashboard's residents table (privacy.CONTACTS_PER_RESIDENTS, published as one table):
    stadsområden with residents only (contacts without a known stadsområde have no rate), the
    rate under its registry name."""
    frame = inp.fetch(privacy.CONTACTS_PER_RESIDENTS)
    rate = "contacts_per_1000_residents"
    return frame.rename({c: c.replace("per_1000", rate, 1) for c in frame.columns
                         if c == "per_1000" or c.startswith("per_1000__")})


def _equity(inp: Inputs) -> Table:
    """Flagged groups only: clearly and materially worse than the rest of the contacts in view
    (of the city, or of the förvaltning: domain.rest_of_selection)."""
    rest = rest_of_selection(inp.department)
    rows = []
    # a group too small to show is not listed at all (the equity rule drops it)
    frame = inp.fetch(privacy.EQUITY)
    for r in frame.filter(pl.col("flagged")).iter_rows(named=True):
        dim = r["dimension"]
        group = {"true": True, "false": False}.get(r["group"], r["group"]) \
            if dim == "interpreter" else r["group"]
        rows.append((f"{dimension_column(dim).label}: {dimension_value(dim, group)}",
                     r["label"], r["trials"], r["rate"], r["rest_rate"],
                     Figure(r["difference"] * 100, "points")))
    return Table(
        f"Grupper som får tydligt sämre service än {rest}",
        (Column("group", "Grupp"), Column("metric", "Mått"),
         Column("trials", "Underlag", "count"), Column("rate", "Gruppen", "share"),
         Column("rest", rest.capitalize(), "share"), Column("diff", "Skillnad", "figure")),
        tuple(rows),
        "Bara skillnader som är statistiskt tydliga (95 %, Bonferroni) och minst 5 "
        "procentenheter visas." + ("" if rows else " Inga sådana skillnader i urvalet."),
    )


def avoidable(inp: Inputs) -> tuple[Section, Scorecard]:
    card = inp.card(DEMAND_IDS)
    reasons = inp.fetch(privacy.FAILURE_DEMAND_BREAKDOWN, by="reason")
    tagged, inferred = _reason_tables(reasons, inp)
    potential = inp.fetch(privacy.SELF_SERVICE_POTENTIAL).head(TOP)
    potential_table = _plain_table(
        "Självservice: ärenden med e-tjänst, mest per telefon först", potential,
        (("topic", "Ärendekategori", None), ("contacts", "Kontakter", "count"),
         ("phone", "Telefon", "count"), ("e_service", "E-tjänst", "count"),
         ("phone_share", "Andel telefon", "share")), inp.threshold)
    section = Section(
        "digitalisering", f"{AVOIDABLE} (digitalisering)", AVOIDABLE,
        "Örat mot marken: onödig efterfrågan som bättre information eller processer skulle ta "
        "bort, vad den kostar och var självservice kan avlasta.",
        (_key_figures(inp, card), tagged, inferred, potential_table),
        (Chart("Onödig efterfrågan per orsak (taggad)", tagged, "reason", ("failures",), "bar"),
         Chart("Onödig efterfrågan per orsak (härledd)", inferred, "reason", ("failures",),
               "bar")),
        DEMAND_IDS,
    )
    return section, card


def _reason_tables(reasons: pl.DataFrame, inp: Inputs) -> tuple[Table, Table]:
    """Tagged and inferred failure demand in two tables: never mixed."""
    spec = (("reason", "Orsak", None), ("failures", "Kontakter", "count"),
            ("share", "Andel av underlaget", "share"),
            ("share_of_failure", "Andel av onödig efterfrågan", "share"))
    labelled = reasons.with_columns(pl.col("reason").map_elements(
        lambda r: label_for("failure_reason", r), return_dtype=pl.String, skip_nulls=False))

    def shown(inferred: bool) -> pl.DataFrame:
        return labelled.filter(pl.col("inferred") == inferred)

    tagged = _plain_table(
        "Onödig efterfrågan per orsak (taggad)", shown(False), spec, inp.threshold,
        note="Underlaget är kontakter med taggad efterfrågetyp.")
    inferred = _plain_table(
        "Onödig efterfrågan per orsak (härledd ur regler)", shown(True), spec, inp.threshold, note="Underlaget är otaggade kontakter; härledda siffror redovisas "
        "för sig och blandas aldrig med taggade.")
    return tagged, inferred


def _plain_table(title: str, frame: pl.DataFrame, spec, threshold: int,
                 note: str | None = None) -> Table:
    """A structured engine frame (not registry metrics) with `col__suppressed` flags."""
    rows = []
    for r in frame.iter_rows(named=True):
        rows.append(tuple(shown_or_hidden(r, key, unit, threshold) for key, _, unit in spec))
    return Table(title, tuple(Column(k, label, unit) for k, label, unit in spec), tuple(rows),
                 note)


def local_service(inp: Inputs) -> Section:
    service = inp.fetch(privacy.LOCAL_SERVICE)
    points = _per_point(inp)
    topics = ranked_rows(service.topics, "contacts", TOP)
    topic_table = _plain_table("Vanligaste ärenden på servicepunkterna", topics,
                               (("service_point", "Servicepunkt", None),
                                ("topic", "Ärendekategori", None),
                                ("contacts", "Kontakter", "count"),
                                ("share", "Andel av punktens kontakter", "share")), inp.threshold)
    found = inp.fetch(privacy.INCIDENTS).head(TOP)
    incident_table = _plain_table(
        "Oönskade händelser: toppar i ärenden per område", found,
        (("city_area", "Område", None), ("topic", "Ärendekategori", None),
         ("start", "Från", None), ("end", "Till", None), ("peak_count", "Toppdag", "count"),
         ("contacts", "Kontakter", "count"), ("excess", "Över förväntat", "count")),
        inp.threshold, note=None if found.height else "Inga toppar i urvalet.")
    return Section(
        "lokal", "Lokal service", title_of("local_service.py"),
        "Besök och uppsökande verksamhet per servicepunkt, deras ärenden och lokala händelser "
        "som syns som toppar.",
        (points, topic_table, incident_table),
        (Chart("Besök och uppsökande per servicepunkt", points, "service_point",
               ("contacts",), "bar"),),
        ("contacts",),
    )


def _per_point(inp: Inputs) -> Table:
    """Visits and outreach per service point, the Lokal service page's table: the local
    channels the filter names (all of them when it names none), one published count per point."""
    chosen = tuple(c for c in inp.filters.channels if c in LOCAL_CHANNELS) or LOCAL_CHANNELS
    frame = inp.compute(["contacts"], ("service_point",), replace(inp.filters, channels=chosen))
    frame = ranked_rows(frame.filter(pl.col("service_point").is_not_null()), "contacts")
    return frame_table("Besök och uppsökande verksamhet per servicepunkt", frame,
                       ("service_point",), ("contacts",), inp.settings)


def collaboration(inp: Inputs) -> tuple[Section, Scorecard]:
    card = inp.card(SCORECARD_METRICS)
    shown = card  # published: flags and hidden drivers already
    flagged = shown.metrics
    key = key_figures_table(scorecard_title(inp.department), flagged, inp.settings,
                            **inp.key_columns)
    shares = key_figures_table(
        "Andelar jämfört", flagged.filter(pl.col("metric").is_in(COMPARED_SHARES)),
        inp.settings, **inp.key_columns)
    drivers = shown.drivers.with_columns(
        pl.col("reason").map_elements(lambda r: label_for("failure_reason", r),
                                      return_dtype=pl.String, skip_nulls=False),
        pl.when(pl.col("inferred")).then(pl.lit("härledd")).otherwise(pl.lit("taggad"))
        .alias("kind"))
    driver_table = _plain_table(
        "De största drivarna av onödig efterfrågan", drivers,
        (("rank", "Plats", "rank"), ("topic", "Ärendekategori", None), ("reason", "Orsak", None),
         ("kind", "Underlag", None), ("failures", "Kontakter", "count"),
         ("share_of_failure", "Andel av onödig efterfrågan", "share"),
         ("previous_failures", "Jämförelseperioden", "count")), inp.threshold)
    tables = [key, shares, driver_table]
    named = {"value": "perioden", "previous": "jämförelseperioden", "city": "hela staden"}
    words = [named[k] for k in inp.series]
    title = "Andelar: " + (", ".join(words[:-1]) + " och " + words[-1] if len(words) > 1
                           else words[0])
    charts = [Chart(title, shares, "label", inp.series, "column", ("previous",))]
    if inp.department is None:
        per_department = frame_table(
            "Per förvaltning", inp.compute(DEPARTMENT_IDS, ("department",)), ("department",),
            DEPARTMENT_IDS, inp.settings)
        tables.append(per_department)
        charts.append(Chart("Andel av kontaktcenters handlagda tid", per_department,
                            "department", ("handled_time_share",), "bar"))
    section = Section(
        "samarbete", f"{DEPARTMENT} (samarbetsprocess)", DEPARTMENT,
        "Förvaltningens bild för budgetdialogen: volym, andel av kontaktcenters tid (en "
        "fördelningsnyckel), tillgänglighet, lösta och överlämnade ärenden och de största "
        "drivarna av onödig efterfrågan, mot jämförelseperioden och hela staden.",
        tuple(tables), tuple(charts), SCORECARD_METRICS + DEPARTMENT_IDS,
    )
    return section, card

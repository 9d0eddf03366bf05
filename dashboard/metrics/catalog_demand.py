"""Catalog: service gaps, avoidable demand, per-förvaltning resources and data quality."""

from __future__ import annotations

import polars as pl

from dashboard.metrics.filters import filter_name
from dashboard.metrics.metric import amount, count, rate

GAPS = "rattighetsbaserad"
DEMAND = "digitalisering"
COOP = "samarbete"
QUALITY = "datakvalitet"
SRC_INTERNAL = "Kontaktcenters egen definition (Vi svarar för Malmö)"
SRC_FCR = "Branschpraxis (First Contact Resolution har ingen enhetlig standard; nämnaren anges)"
SRC_SEDDON = "John Seddon/Vanguard (failure demand); brittiska NI 14 (avoidable contact)"

COST_PER_MINUTE = "setting:cost_per_handled_minute_sek"
HOURS_PER_FTE = "setting:working_hours_per_fte"


def _outcome_rate(id, outcome_col, label, better, what):
    return rate(
        id, num=outcome_col, den="outcome_known_n", label=label, unit="share",
        higher_is_better=better, area=GAPS, source=SRC_FCR,
        definition=f"{what} / hanterade kontakter med känt utfall (löst, ej löst, överlämnat, "
        "hänvisat eller återuppringning). Avbrutna kontakter och kontakter utan eller med okänt "
        "utfall ingår inte i nämnaren; deras andel visas under datakvalitet.",
    )


def _per_fte(hours: pl.Expr) -> pl.Expr:
    """Hours over the period -> full-time positions: hours / (yearly hours x period share of a year)."""
    capacity = pl.col(HOURS_PER_FTE) * pl.col("period_days") / 365.0  # as staffing.freed_positions
    return pl.when(capacity > 0).then(hours / capacity)


def _missing(id, col, den, label, what, fixed_under=None):
    """A missing-value share; `fixed_under` (a Filters field) is the filter that leaves only
    contacts with a value, under which the share is 0 by construction and not shown."""
    unless = (f" Visas inte när urvalet är filtrerat på {filter_name(fixed_under)}: då är "
              "andelen 0 per definition." if fixed_under else "")
    return rate(
        id, num=col, den=den, label=label, unit="share", higher_is_better=False, area=QUALITY,
        source="Kontaktcenters datakvalitetskontroll", min_n=0,
        definition=f"Andel {what}, per källsystem när källsystem är en dimension.{unless}",
        fixed_under=(fixed_under,) if fixed_under else (),
    )


_failure_hours = pl.col("failure_handle_sum") / 3600.0
_inferred_hours = (pl.col("untagged_pc_handle_sum") + pl.col("inferred_repeat_handle_sum")) / 3600.0

METRICS = (
    count(
        "forwarded", col="forwarded_n", label="Överlämnade till förvaltning", unit="count",
        higher_is_better=False, area=GAPS, source=SRC_INTERNAL,
        definition="Antal hanterade kontakter som kontaktcenter inte kunde lösa och överlämnade "
        "till förvaltningen som äger ärendet.",
    ),
    _outcome_rate("resolved_rate", "resolved_n", "Löst av kontaktcenter", True,
                  "Kontakter som kontaktcenter löste själv"),
    _outcome_rate("forwarded_rate", "forwarded_n", "Överlämnat till förvaltning", False,
                  "Kontakter som överlämnades till förvaltningen som äger ärendet"),
    _outcome_rate("referred_rate", "referred_n", "Hänvisat utanför staden", None,
                  "Kontakter som hänvisades till en aktör utanför staden"),
    amount(
        "contacts_per_1000_residents",
        value=pl.when(pl.col("population") > 0).then(
            pl.col("contacts_n").cast(pl.Float64) * 1000.0 / pl.col("population")),
        n="contacts_n", kind="rate", label="Kontakter per 1 000 invånare", unit="per_1000",
        higher_is_better=None, area=GAPS, source=SRC_INTERNAL + "; folkmängd i city_areas",
        definition="Kontakter / invånare × 1 000, per stadsdel eller stadsområde när det är en "
        "dimension, annars för de valda områdena eller hela staden. Kontakter utan känt område "
        "räknas bara i helstadssiffran.",
    ),
    rate(
        "failure_demand_share", num="failure_n", den="tagged_n", label="Onödig efterfrågan (taggad)",
        unit="share", higher_is_better=False, area=DEMAND, source=SRC_SEDDON,
        definition="Kontakter taggade som onödig efterfrågan / kontakter med taggad "
        "efterfrågetyp (onödig eller värdeskapande). Otaggade ingår inte; se den härledda "
        "andelen.",
    ),
    rate(
        "failure_demand_share_inferred",
        num=pl.col("untagged_pc_n") + pl.col("inferred_repeat_n"), den="untagged_n",
        label="Onödig efterfrågan (härledd, otaggade)", unit="share", higher_is_better=False,
        area=DEMAND, source=SRC_SEDDON + "; härledningsregler från kontaktcenter", inferred=True,
        definition="HÄRLEDD, blandas aldrig med taggade siffror. Bland kontakter utan "
        "efterfrågetagg: andelen som gäller en ärendekategori som i sig är statusfrågor (\"var "
        "är mitt ärende?\") eller som kom inom {repeat_window_days} dagar efter en tidigare "
        "kontakt från samma person om samma ärendekategori.",
    ),
    rate(
        "repeat_rate", num="followup_within", den="linked_n", label="Återkommande kontakter",
        unit="share", higher_is_better=False, area=DEMAND, source=SRC_FCR,
        definition="Kontakter som följdes av en ny kontakt från samma person (caller_key) om samma "
        "ärendekategori inom {repeat_window_days} dagar / kontakter med känd person och "
        "ärendekategori. Uppföljningen får ligga efter periodens slut; kontakter nära datans "
        "slut kan därför underskattas.",
    ),
    amount(
        "contacts_per_resolved_matter",
        value=pl.when(pl.col("resolved_linked_n") - pl.col("resolved_followup_within") > 0).then(
            pl.col("linked_n").cast(pl.Float64)
            / (pl.col("resolved_linked_n") - pl.col("resolved_followup_within"))),
        n=pl.col("resolved_linked_n") - pl.col("resolved_followup_within"), kind="ratio",
        label="Kontakter per löst ärende", unit="ratio", higher_is_better=False, area=DEMAND,
        source=SRC_FCR, statistical=True,  # uncertain below the setting rate_min_n
        definition="Kontakter med känd person och ärendekategori / lösta ärenden. Ett löst "
        "ärende är en kontakt som kontaktcenter löste och som inte följdes av en ny kontakt "
        "från samma person om samma ärendekategori inom {repeat_window_days} dagar.",
    ),
    amount(
        "failure_demand_hours", value=_failure_hours, n="failure_n", label="Tid för onödig efterfrågan",
        unit="hours", higher_is_better=False, area=DEMAND, source=SRC_SEDDON,
        definition="Handläggningstid för kontakter taggade som onödig efterfrågan, i timmar.",
    ),
    amount(
        "failure_demand_cost_sek", value=_failure_hours * 60.0 * pl.col(COST_PER_MINUTE),
        n="failure_n", label="Kostnad för onödig efterfrågan", unit="sek", higher_is_better=False,
        area=DEMAND, source=SRC_SEDDON + "; kostnad per minut från inställningarna",
        definition="Handlagda minuter för taggad onödig efterfrågan × {cost_per_handled_minute_sek} "
        "kr per minut.",
    ),
    amount(
        "failure_demand_fte", value=_per_fte(_failure_hours), n="failure_n",
        label="Onödig efterfrågan i årsarbetare", unit="fte", higher_is_better=False, area=DEMAND,
        source=SRC_SEDDON + "; årsarbetstid från inställningarna",
        definition="Timmar för taggad onödig efterfrågan / ({working_hours_per_fte} timmar × "
        "periodens andel av ett år): de heltidstjänster den tog i anspråk under perioden, i "
        "årstakt (så många årsarbetare om det håller i sig ett helt år).",
    ),
    amount(
        "failure_demand_cost_sek_inferred", value=_inferred_hours * 60.0 * pl.col(COST_PER_MINUTE),
        n=pl.col("untagged_pc_n") + pl.col("inferred_repeat_n"),
        label="Kostnad för onödig efterfrågan (härledd)", unit="sek", higher_is_better=False,
        area=DEMAND, source=SRC_SEDDON, inferred=True,
        definition="HÄRLEDD: handlagda minuter för otaggade kontakter som härleds som onödig "
        "efterfrågan (statusfrågor och upprepningar inom {repeat_window_days} dagar) × "
        "{cost_per_handled_minute_sek} kr per minut.",
    ),
    amount(
        "handled_hours", value=pl.col("handle_sum") / 3600.0, n="handle_n",
        label="Handlagd tid", unit="hours", higher_is_better=None, area=COOP, source=SRC_INTERNAL,
        definition="Summa handläggningstid för hanterade kontakter, i timmar.",
    ),
    amount(
        "handled_time_share",
        value=pl.when(pl.col("handle_sum@department") > 0).then(
            pl.col("handle_sum").cast(pl.Float64) / pl.col("handle_sum@department")),
        n="handle_n", kind="share", label="Andel av kontaktcenters handlagda tid", unit="share",
        higher_is_better=None, area=COOP, source=SRC_INTERNAL + " (fördelningsnyckel)",
        definition="Förvaltningens handlagda tid / all handlagd tid i staden med samma övriga "
        "urval. Kan användas som fördelningsnyckel för kontaktcenters kostnader. För hela "
        "staden är andelen 100 % per definition och visas inte.",
        fixed_without=("departments",),
    ),
    _missing("missing_topic_share", "missing_topic_n", "contacts_n", "Utan ärendekategori",
             "kontakter utan ärendekategori av alla kontakter", "topics"),
    _missing("missing_department_share", "missing_department_n", "contacts_n",
             "Utan förvaltning", "kontakter utan förvaltning av alla kontakter", "departments"),
    _missing("missing_outcome_share", "missing_outcome_n", "handled_n", "Utan utfall",
             "hanterade kontakter utan utfall eller med utfallet okänt av alla hanterade"),
    _missing("missing_demand_type_share", "missing_demand_type_n", "contacts_n",
             "Utan efterfrågetyp", "kontakter utan taggad efterfrågetyp av alla kontakter"),
)

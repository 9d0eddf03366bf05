"""Reference data for Malmö: förvaltningar, ärendekategorier, city areas, service points,
opening hours and the Swedish calendar, plus `seed_reference` that fills the lookup tables.

Pure data except `seed_reference`. Populations are rounded, realistic figures for the ten former
stadsdelar (sum 360 000, Malmö's size in 2024); they are reference values for rates per 1 000
residents, not official statistics.
"""

from __future__ import annotations

from datetime import time
from functools import cache

import duckdb
import pyarrow as pa

from dashboard import domain
from dashboard.calendar_se import calendar_rows

# Full Swedish name (the key used in contacts.department) -> short label for charts.
DEPARTMENTS: dict[str, str] = {
    "Förskoleförvaltningen": "Förskola",
    "Grundskoleförvaltningen": "Grundskola",
    "Gymnasie- och vuxenutbildningsförvaltningen": "Gymnasie och vuxenutbildning",
    "Hälsa-, vård- och omsorgsförvaltningen": "Hälsa, vård och omsorg",
    "Funktionsstödsförvaltningen": "Funktionsstöd",
    "Arbetsmarknads- och socialförvaltningen": "Arbetsmarknad och social",
    "Kulturförvaltningen": "Kultur",
    "Fritidsförvaltningen": "Fritid",
    "Fastighets- och gatukontoret": "Fastighet och gata",
    "Miljöförvaltningen": "Miljö",
    "Stadsbyggnadskontoret": "Stadsbyggnad",
    "Serviceförvaltningen": "Service",
    "Stadskontoret": "Stadskontoret",
}

_FSK, _GSK, _GYV, _HVO, _FUNK, _ASF, _KULT, _FRI, _FGK, _MILJO, _SBK, _SERV, _STK = DEPARTMENTS

# (topic, owning department, has_e_service, is_progress_chasing). Matters outside the city
# (VA SYD, Skånetrafiken, state agencies) are owned by Stadskontoret, where kontaktcenter sits;
# kontaktcenter refers them on.
TOPICS: tuple[tuple[str, str, bool, bool], ...] = (
    ("Ansökan om förskoleplats", _FSK, True, False),
    ("Status i ansökan om förskoleplats", _FSK, True, True),
    ("Förskoleavgift och inkomstuppgift", _FSK, True, False),
    ("Uppsägning av förskoleplats", _FSK, True, False),
    ("Pedagogisk omsorg och öppen förskola", _FSK, False, False),
    ("Skolval och skolplacering", _GSK, True, False),
    ("Fritidshem", _GSK, True, False),
    ("Skolskjuts", _GSK, True, False),
    ("Modersmålsundervisning", _GSK, False, False),
    ("Skolmåltider och specialkost", _GSK, True, False),
    ("Gymnasieval och antagning", _GYV, True, False),
    ("Vuxenutbildning och sfi", _GYV, True, False),
    ("Busskort för elever", _GYV, True, False),
    ("Hemtjänst", _HVO, False, False),
    ("Särskilt boende för äldre", _HVO, False, False),
    ("Trygghetslarm", _HVO, True, False),
    ("Färdtjänst", _HVO, True, False),
    ("Status i ärende om färdtjänst", _HVO, True, True),
    ("Avgifter inom vård och omsorg", _HVO, False, False),
    ("LSS-insatser och personlig assistans", _FUNK, False, False),
    ("Ledsagarservice och kontaktperson", _FUNK, False, False),
    ("Daglig verksamhet", _FUNK, False, False),
    ("Ekonomiskt bistånd", _ASF, True, False),
    ("Status i ärende om ekonomiskt bistånd", _ASF, True, True),
    ("Hemlöshet och akut boende", _ASF, False, False),
    ("Stöd vid våld i nära relation", _ASF, False, False),
    ("Missbruk och beroende", _ASF, False, False),
    ("Arbetsmarknadsinsatser och jobbstöd", _ASF, False, False),
    ("Budget- och skuldrådgivning", _ASF, True, False),
    ("Familjerätt", _ASF, False, False),
    ("Bibliotek och lån", _KULT, True, False),
    ("Kulturskolan", _KULT, True, False),
    ("Kulturstöd och evenemang", _KULT, True, False),
    ("Bokning av idrottshallar och lokaler", _FRI, True, False),
    ("Badhus och simskola", _FRI, True, False),
    ("Föreningsbidrag", _FRI, True, False),
    ("Sommarlovsaktiviteter", _FRI, False, False),
    ("Felanmälan gata, park och trafik", _FGK, True, False),
    ("Status för felanmälan", _FGK, True, True),
    ("Snöröjning och halkbekämpning", _FGK, True, False),
    ("Parkering och parkeringstillstånd", _FGK, True, False),
    ("Felparkerade och övergivna fordon", _FGK, True, False),
    ("Träd, parker och lekplatser", _FGK, True, False),
    ("Upplåtelse av offentlig plats", _FGK, True, False),
    ("Buller och störningar", _MILJO, True, False),
    ("Livsmedelskontroll och registrering", _MILJO, True, False),
    ("Skadedjur", _MILJO, False, False),
    ("Inomhusmiljö och fukt", _MILJO, False, False),
    ("Bygglov och anmälan", _SBK, True, False),
    ("Status i ärende om bygglov", _SBK, True, True),
    ("Kartor, detaljplaner och fastighetsinformation", _SBK, True, False),
    ("Bostadsanpassningsbidrag", _SBK, True, False),
    ("Fakturor och betalningar till staden", _SERV, True, False),
    ("Felanmälan i stadens lokaler", _SERV, False, False),
    ("Leverantörer och upphandling", _SERV, True, False),
    ("Lediga jobb i Malmö stad", _STK, True, False),
    ("Allmän information och vägledning", _STK, False, False),
    ("Synpunkter och klagomål", _STK, True, False),
    ("Hjälp med e-tjänster och e-legitimation", _STK, False, False),
    ("Allmänna handlingar och registratur", _STK, True, False),
    ("Vatten, avlopp och avfall (VA SYD)", _STK, False, False),
    ("Kollektivtrafik (Skånetrafiken)", _STK, False, False),
    ("Andra myndigheter", _STK, False, False),
)

# Stadsområde -> its two former stadsdelar with population.
STADSOMRADEN: dict[str, dict[str, int]] = {
    "Väster": {"Limhamn-Bunkeflo": 52_000, "Hyllie": 45_000},
    "Innerstaden": {"Västra Innerstaden": 37_000, "Södra Innerstaden": 36_000},
    "Norr": {"Centrum": 48_000, "Kirseberg": 20_000},
    "Söder": {"Fosie": 55_000, "Oxie": 15_000},
    "Öster": {"Rosengård": 25_000, "Husie": 27_000},
}

# (city_area, level, stadsomrade, population): stadsområden first, then stadsdelar.
CITY_AREAS: tuple[tuple[str, str, str, int], ...] = tuple(
    (area, "stadsomrade", area, sum(parts.values())) for area, parts in STADSOMRADEN.items()
) + tuple(
    (part, "stadsdel", area, pop)
    for area, parts in STADSOMRADEN.items()
    for part, pop in parts.items()
)
STADSDELAR: tuple[str, ...] = tuple(row[0] for row in CITY_AREAS if row[1] == "stadsdel")

# Local service points and the stadsdel they stand in (None: works across the city).
SERVICE_POINTS: dict[str, str | None] = {
    "Kontaktcenter Stadshuset": "Centrum",
    "Servicepunkt Rosengård": "Rosengård",
    "Servicepunkt Holma/Kroksbäck": "Hyllie",
    "Servicepunkt Lindängen": "Fosie",
    "Servicepunkt Möllevången": "Södra Innerstaden",
    "Mobil medborgarservice": None,
}

# Staffed hours per channel and ISO weekday (1 = Monday). Staffed channels are closed on days
# whose calendar.is_working_day is false. e_service has no rows: it is open at all hours.
# Written channels (email, social) arrive at any time; their rows are the hours replies are written.
_WEEKDAYS = (1, 2, 3, 4, 5)
OPENING_HOURS: tuple[tuple[str, int, time, time], ...] = (
    tuple(("phone", d, time(8), time(17)) for d in _WEEKDAYS)
    + tuple(("chat", d, time(9), time(15)) for d in _WEEKDAYS)
    + (("visit", 1, time(10), time(18)),)
    + tuple(("visit", d, time(10), time(16)) for d in (2, 3, 4))
    + (("visit", 5, time(10), time(14)),)
    + tuple(("outreach", d, time(10), time(15)) for d in _WEEKDAYS)
    + tuple(("email", d, time(8), time(17)) for d in _WEEKDAYS)
    + tuple(("social", d, time(8), time(17)) for d in _WEEKDAYS)
)

# Language codes used in contacts.language (ISO 639-1; "hbs" is the ISO 639-3 code for
# Bosnian/Croatian/Serbian, which Swedish statistics report together) -> Swedish label.
LANGUAGES: dict[str, str] = {
    "sv": "Svenska",
    "ar": "Arabiska",
    "hbs": "Bosniska/kroatiska/serbiska",
    "pl": "Polska",
    "da": "Danska",
    "en": "Engelska",
    "fi": "Finska",
    "so": "Somaliska",
    "fa": "Persiska",
    "tr": "Turkiska",
    "sq": "Albanska",
    "uk": "Ukrainska",
    "ti": "Tigrinja",
}

_TABLES = ("departments", "topics", "city_areas", "service_points", "calendar", "opening_hours",
           "languages", "channels", "customer_types", "outcomes", "demand_types", "failure_reasons")


@cache
def reference_rows() -> dict[str, list[tuple]]:
    """Every lookup table's rows, in the column order of migrations/001_contract.sql.
    Cached: treat the result as read-only."""
    return {
        "departments": list(DEPARTMENTS.items()),
        "topics": list(TOPICS),
        "city_areas": list(CITY_AREAS),
        "service_points": list(SERVICE_POINTS.items()),
        "calendar": calendar_rows(),
        "opening_hours": list(OPENING_HOURS),
        # Every language code the contract knows (the dashboard's labels), this module's first.
        "languages": list((LANGUAGES | {k: v for k, v in domain.LANGUAGES.items() if k not in LANGUAGES}).items()),
        "channels": list(domain.CHANNELS.items()),
        "customer_types": list(domain.CUSTOMER_TYPES.items()),
        "outcomes": list(domain.OUTCOMES.items()),
        "demand_types": list(domain.DEMAND_TYPES.items()),
        "failure_reasons": list(domain.FAILURE_REASONS.items()),
    }


def seed_reference(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Fill every empty lookup table; tables that already hold rows are left alone
    (an organisation may have replaced them). Returns the tables filled.

    Each table is filled by one statement, so an interrupted seed never leaves half a table.
    """
    filled = []
    rows_by_table = None
    for table in _TABLES:  # trusted identifiers from this module, formatted on purpose
        if con.execute(f"select count(*) from {table}").fetchall()[0][0]:
            continue
        rows_by_table = rows_by_table or reference_rows()
        columns = [c[0] for c in con.sql(f"select * from {table} limit 0").description]
        frame = pa.Table.from_pylist([dict(zip(columns, row)) for row in rows_by_table[table]])
        con.register("_reference_rows", frame)
        try:
            con.execute(f"insert into {table} by name select * from _reference_rows")
        finally:
            con.unregister("_reference_rows")
        filled.append(table)
    return filled

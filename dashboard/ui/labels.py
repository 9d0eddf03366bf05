"""Swedish labels for dimension values shown in filters, tables and charts."""

from __future__ import annotations

from dashboard import domain

LANGUAGES = {
    "sv": "Svenska", "ar": "Arabiska", "en": "Engelska", "bs": "Bosniska", "hr": "Kroatiska",
    "sr": "Serbiska", "bcs": "Bosniska/kroatiska/serbiska", "hbs": "Bosniska/kroatiska/serbiska", "pl": "Polska", "da": "Danska",
    "fi": "Finska", "so": "Somaliska", "fa": "Persiska", "ti": "Tigrinja", "tr": "Turkiska",
    "de": "Tyska", "es": "Spanska", "uk": "Ukrainska", "ru": "Ryska", "ku": "Kurdiska",
    "sq": "Albanska", "ro": "Rumänska", "prs": "Dari", "ps": "Pashto", "other": "Övrigt",
}

DIMENSIONS = {
    "department": "Förvaltning",
    "channel": "Kanal",
    "city_area": "Stadsområde",
    "stadsomrade": "Stadsområde",
    "topic": "Ärendekategori",
    "language": "Språk",
    "customer_type": "Kundtyp",
    "interpreter": "Tolk",
    "service_point": "Servicepunkt",
    "failure_reason": "Orsak",
    "outcome": "Utfall",
    "demand_type": "Typ av efterfrågan",
    "source_system": "Källsystem",
    "hour": "Timme",
    "weekday": "Veckodag",
    "day": "Dag",
    "date": "Datum",
    "week": "Vecka",
    "month": "Månad",
    "year": "År",
    "half_hour": "Halvtimme",
}

_BY_DIMENSION = {
    "channel": domain.CHANNELS,
    "customer_type": domain.CUSTOMER_TYPES,
    "outcome": domain.OUTCOMES,
    "demand_type": domain.DEMAND_TYPES,
    "failure_reason": domain.FAILURE_REASONS,
    "language": LANGUAGES,
    "interpreter": {True: "Med tolk", False: "Utan tolk"},
    "flag": {True: "Ja", False: "Nej"},
    "dimension_name": DIMENSIONS,
}


def label_for(dimension: str, value) -> str:
    """The Swedish label of a dimension value; unknown values are shown as they are."""
    if value is None:
        return "Uppgift saknas"
    return _BY_DIMENSION.get(dimension, {}).get(value, str(value))


def dimension_label(dimension: str) -> str:
    return DIMENSIONS.get(dimension, dimension)

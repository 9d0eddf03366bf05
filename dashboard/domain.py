"""Contract vocabularies (English codes) and their Swedish labels: one place for both.

This is the one labeller: the Swedish names of the dimensions (`dimension_label`), of their
values (`label_for`), and the display text of a breakdown value (`dimension_text`: weekdays,
hours, months and dates too), which the dashboard, the exports and the CLI all read. The engine's
breakdowns (dashboard.metrics.filters.DIMENSIONS) and the view's filters take their names from here.
"""

from __future__ import annotations

from datetime import date

from dashboard.formatting import format_date, format_date_short, format_hour, format_month, format_weekday
from dashboard.periods import HOUR_BINS

CHANNELS: dict[str, str] = {
    "phone": "Telefon",
    "email": "E-post",
    "chat": "Chatt",
    "e_service": "E-tjänst",
    "visit": "Besök",
    "social": "Sociala medier",
    "outreach": "Uppsökande verksamhet",
}

CUSTOMER_TYPES: dict[str, str] = {
    "resident": "Invånare",
    "business": "Företag",
    "association": "Förening",
    "visitor": "Besökare",
    "other": "Övrigt",
}

OUTCOMES: dict[str, str] = {
    "resolved": "Löst av kontaktcenter",
    # Not resolved by kontaktcenter, nothing more known (a plain "Resolved: N"); in the resolution
    # rate's denominator, unlike "unknown".
    "not_resolved": "Ej löst av kontaktcenter",
    "forwarded": "Överlämnat till förvaltning",
    "referred": "Hänvisat utanför staden",
    "callback": "Återuppringning",
    "unknown": "Okänt",
}

DEMAND_TYPES: dict[str, str] = {
    "value": "Värdeskapande efterfrågan",
    "failure": "Onödig efterfrågan",
}

FAILURE_REASONS: dict[str, str] = {
    "progress_chasing": "Frågar efter status i ärende",
    "not_understood": "Förstod inte information eller beslut",
    "repeat": "Upprepad kontakt",
    "wrong_channel": "Fel kanal eller fel instans",
    "info_missing": "Information saknas på webben",
    "not_done": "Något blev inte gjort",
}

# Channels where a resident waits in a queue (queue_s, answered, abandoned apply).
QUEUED_CHANNELS = ("phone", "chat")
# Written channels, measured by time to first reply.
WRITTEN_CHANNELS = ("email", "social")
# Channels that count as digital self-service (GOV.UK "digital take-up").
DIGITAL_CHANNELS = ("e_service",)
# Channels served at local service points.
LOCAL_CHANNELS = ("visit", "outreach")

STOCKHOLM = "Europe/Stockholm"


LANGUAGES: dict[str, str] = {
    "sv": "Svenska", "ar": "Arabiska", "en": "Engelska", "bs": "Bosniska", "hr": "Kroatiska",
    "sr": "Serbiska", "bcs": "Bosniska/kroatiska/serbiska", "hbs": "Bosniska/kroatiska/serbiska",
    "pl": "Polska", "da": "Danska", "fi": "Finska", "so": "Somaliska", "fa": "Persiska",
    "ti": "Tigrinja", "tr": "Turkiska", "de": "Tyska", "es": "Spanska", "uk": "Ukrainska",
    "ru": "Ryska", "ku": "Kurdiska", "sq": "Albanska", "ro": "Rumänska", "prs": "Dari",
    "ps": "Pashto", "other": "Övrigt",
}

# Swedish names of the dimensions (breakdowns and filters).
DIMENSION_LABELS: dict[str, str] = {
    "department": "Förvaltning",
    "channel": "Kanal",
    "city_area": "Stadsdel/stadsområde",
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
    "hour2": "Tid på dagen (2 timmar)",
    "hour4": "Tid på dagen (4 timmar)",
    "hour12": "Förmiddag/eftermiddag",
    "weekday": "Veckodag",
    "day": "Dag",
    "date": "Datum",
    "week": "Vecka",
    "month": "Månad",
    "year": "År",
    "half_hour": "Halvtimme",
    "halfhour": "Halvtimme",
}

_VALUE_LABELS: dict[str, dict] = {
    "channel": CHANNELS,
    "customer_type": CUSTOMER_TYPES,
    "outcome": OUTCOMES,
    "demand_type": DEMAND_TYPES,
    "failure_reason": FAILURE_REASONS,
    "language": LANGUAGES,
    "interpreter": {True: "Med tolk", False: "Utan tolk"},
    "flag": {True: "Ja", False: "Nej"},
    "dimension_name": DIMENSION_LABELS,
}


_BOOLEAN_TEXT = {"true": True, "false": False}


def label_for(dimension: str, value) -> str:
    """The Swedish label of a dimension value; unknown values are shown as they are."""
    if value is None:
        return MISSING_LABELS.get(dimension, MISSING_VALUE)
    labels = _VALUE_LABELS.get(dimension, {})
    if isinstance(value, str) and True in labels and value.lower() in _BOOLEAN_TEXT:
        value = _BOOLEAN_TEXT[value.lower()]  # a boolean that a group column carried as text
    return labels.get(value, str(value))


def dimension_label(dimension: str) -> str:
    return DIMENSION_LABELS.get(dimension, dimension)


def rest_of_selection(department: str | None) -> str:
    """What a group's rate is compared with in the equity figures: the rest of the contacts in
    view, which for one förvaltning is the rest of that förvaltning, not the rest of the city."""
    return "övriga staden" if department is None else "resten av förvaltningen"


# hours a cell of each hour dimension spans
HOUR_SPANS = {dim: span for span, dim in HOUR_BINS.items()}

MISSING_VALUE = "Uppgift saknas"
# a missing value that means something of its own: failure demand tagged without a reason
MISSING_LABELS = {"failure_reason": "Utan angiven orsak"}
DATE_DIMENSIONS = ("day", "week", "date")


def dimension_text(dimension: str | None, value, *, short_dates: bool = False) -> str:
    """A breakdown value as a Swedish reader expects it: 'måndag', '08–09', 'mars 2025',
    '3 mars 2025' ('3 mar 2025' with short_dates), 'Telefon'; a missing value says so."""
    if value is None:
        return MISSING_LABELS.get(dimension, MISSING_VALUE)
    if dimension == "weekday":
        return format_weekday(value)
    if dimension in HOUR_SPANS:
        return format_hour(value, HOUR_SPANS[dimension])
    if dimension == "month" and isinstance(value, date):
        return format_month(value)
    if dimension in DATE_DIMENSIONS and isinstance(value, date):
        return format_date_short(value) if short_dates else format_date(value)
    return label_for(dimension, value) if dimension else str(value)

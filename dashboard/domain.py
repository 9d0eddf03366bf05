"""Contract vocabularies (English codes) and their Swedish labels: one place for both."""

from __future__ import annotations

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

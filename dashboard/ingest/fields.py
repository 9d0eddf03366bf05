"""The contract fields a profile can fill, grouped by how their values are parsed."""

from __future__ import annotations

from dashboard import domain
from dashboard.store.contract import CONTACT_COLUMNS

TEXT_FIELDS = ("contact_id", "department", "topic", "city_area", "service_point", "language")
ENUM_FIELDS: dict[str, dict[str, str]] = {
    "channel": domain.CHANNELS,
    "customer_type": domain.CUSTOMER_TYPES,
    "outcome": domain.OUTCOMES,
    "demand_type": domain.DEMAND_TYPES,
    "failure_reason": domain.FAILURE_REASONS,
}
BOOL_FIELDS = ("interpreter", "answered", "abandoned", "callback_requested")
DURATION_FIELDS = ("queue_s", "handle_s", "first_response_s")
INT_FIELDS = ("satisfaction",)
# Longest plausible duration per field; longer values are quarantined (and would overflow).
MAX_SECONDS = {"queue_s": 86_400, "handle_s": 86_400, "first_response_s": 366 * 86_400}
TIME_FIELD = "started_at"
# One source column that fills both `answered` and `abandoned` (a yes/no "answered" flag, or
# outcome codes such as ANS/HUP): each value means one of these states. "other" sets both false
# (e.g. a call moved to callback or another queue).
ANSWER_STATUS = "answer_status"
ANSWER_STATES = ("answered", "abandoned", "other")

# Fields a [columns] entry may target (caller_key and note come from [identifiers] / [free_text]).
MAPPABLE = (TIME_FIELD, *TEXT_FIELDS, *ENUM_FIELDS, *BOOL_FIELDS, ANSWER_STATUS, *DURATION_FIELDS, *INT_FIELDS)

# Column order of the contacts table, ingest_id excluded (one definition: dashboard.store.contract).
CONTRACT_COLUMNS = CONTACT_COLUMNS

# Swedish names of fields, for quarantine reasons and messages.
LABELS_SV = {
    "contact_id": "kontakt-id",
    "started_at": "starttid",
    "channel": "kanal",
    "department": "förvaltning",
    "topic": "ärendekategori",
    "city_area": "stadsområde",
    "service_point": "servicepunkt",
    "customer_type": "kundtyp",
    "language": "språk",
    "interpreter": "tolk",
    "queue_s": "kötid",
    "answered": "besvarad",
    "abandoned": "avbruten",
    "callback_requested": "återuppringning",
    "handle_s": "handläggningstid",
    "first_response_s": "tid till första svar",
    "outcome": "utfall",
    "demand_type": "typ av efterfrågan",
    "failure_reason": "orsak till onödig efterfrågan",
    "satisfaction": "nöjdhet",
    "answer_status": "besvarad/avbruten",
}

# Built-in words for booleans (case-insensitive); a profile's [booleans] adds to these.
TRUE_WORDS = ("y", "yes", "j", "ja", "1", "true", "sant", "x")
FALSE_WORDS = ("n", "no", "nej", "0", "false", "falskt")

# Column names that look like staff (agent) data: dropped unless a profile maps them explicitly.
AGENT_NAME_PARTS = (
    "agent", "handläggare", "handlaggare", "medarbetare", "user", "användare", "anvandare",
    "operatör", "operator", "anställd", "anstalld", "personal", "employee", "staff", "login",
    "inloggning", "signatur", "besvarad av", "answered by", "skapad av", "created by",
)


def looks_like_agent_column(name: str) -> bool:
    low = name.casefold()
    return any(part in low for part in AGENT_NAME_PARTS)


def enum_lookup(field: str) -> dict[str, str]:
    """Lower-cased codes and Swedish labels of one contract vocabulary -> code."""
    vocab = ENUM_FIELDS[field]
    out = {code.lower(): code for code in vocab}
    out.update({label.lower(): code for code, label in vocab.items()})
    return out

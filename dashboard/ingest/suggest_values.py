"""Value sniffing for `profile suggest`: formats, boolean words, duration style, enum guesses."""

from __future__ import annotations

import polars as pl

from dashboard.ingest import fields as F

DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%y%m%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%m/%d/%Y",
                "%d/%m/%y", "%y-%m-%d")
TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%H.%M", "%H:%M:%S%.f")
TWO_DIGIT_YEAR_NOTE = "tvåsiffrigt år: 00–68 blir 2000-tal, 69–99 1900-tal"
DAY_FIRST_NOTE = "dag före månad antaget (svensk ordning); kontrollera"

# Words in source values -> contract code, per field (lower-case substrings, first hit wins).
ENUM_HINTS: dict[str, tuple[tuple[str, str], ...]] = {
    "channel": (("telefon", "phone"), ("samtal", "phone"), ("phone", "phone"), ("e-post", "email"),
                ("epost", "email"), ("mail", "email"), ("chatt", "chat"), ("chat", "chat"),
                ("e-tjänst", "e_service"), ("etjänst", "e_service"), ("webb", "e_service"), ("web", "e_service"),
                ("open311", "e_service"), ("mobile", "e_service"), ("app", "e_service"), ("self-service", "e_service"),
                ("twitter", "social"), ("walk-in", "visit"),
                ("besök", "visit"), ("disk", "visit"), ("visit", "visit"), ("sociala", "social"),
                ("facebook", "social"), ("instagram", "social"), ("social", "social"),
                ("uppsök", "outreach"), ("outreach", "outreach")),
    "outcome": (("ej löst", "not_resolved"), ("inte löst", "not_resolved"), ("olöst", "not_resolved"),
                ("not resolved", "not_resolved"), ("unresolved", "not_resolved"), ("not solved", "not_resolved"),
                ("löst", "resolved"), ("klar", "resolved"), ("resolved", "resolved"), ("solved", "resolved"),
                ("överl", "forwarded"), ("övl", "forwarded"), ("vidare", "forwarded"), ("kopplad", "forwarded"),
                ("forward", "forwarded"), ("hänv", "referred"), ("refer", "referred"),
                ("åter", "callback"), ("callback", "callback"), ("okänd", "unknown"), ("unknown", "unknown")),
    "customer_type": (("invånare", "resident"), ("privat", "resident"), ("medborgare", "resident"),
                      ("resident", "resident"), ("företag", "business"), ("business", "business"),
                      ("förening", "association"), ("association", "association"), ("besökare", "visitor"),
                      ("turist", "visitor"), ("visitor", "visitor"), ("övrig", "other"), ("other", "other")),
    "demand_type": (("värde", "value"), ("value", "value"), ("onödig", "failure"), ("failure", "failure")),
    "failure_reason": (("status", "progress_chasing"), ("påminn", "progress_chasing"),
                       ("förstod", "not_understood"), ("oklar", "not_understood"), ("upprep", "repeat"),
                       ("igen", "repeat"), ("fel kanal", "wrong_channel"), ("fel instans", "wrong_channel"),
                       ("saknas", "info_missing"), ("webb", "info_missing"), ("inte gjort", "not_done"),
                       ("ej utfört", "not_done")),
}


# The contract stores languages as ISO 639-1 codes (docs/data-contract.md).
LANGUAGE_CODES = {
    "svenska": "sv", "swedish": "sv", "arabiska": "ar", "arabic": "ar", "engelska": "en", "english": "en",
    "bosniska": "bs", "bosnian": "bs", "kroatiska": "hr", "croatian": "hr", "serbiska": "sr", "serbian": "sr",
    "polska": "pl", "polish": "pl", "finska": "fi", "finnish": "fi", "danska": "da", "danish": "da",
    "somaliska": "so", "somali": "so", "persiska": "fa", "persian": "fa", "farsi": "fa", "tigrinja": "ti",
    "turkiska": "tr", "turkish": "tr", "kurdiska": "ku", "kurdish": "ku", "ryska": "ru", "russian": "ru",
    "ukrainska": "uk", "ukrainian": "uk", "spanska": "es", "spanish": "es", "tyska": "de", "german": "de",
    "franska": "fr", "french": "fr", "albanska": "sq", "albanian": "sq", "thai": "th", "norska": "no",
    "meänkieli": None, "romani": None, "jiddisch": "yi", "samiska": "se", "nordsamiska": "se",
}


def language_guesses(values: pl.Series, limit: int = 60) -> list[tuple[str, str | None]]:
    """Language names -> ISO 639-1 codes; values already written as two-letter codes need no entry."""
    out = []
    for value in values.drop_nulls().unique(maintain_order=True).to_list()[:limit]:
        if len(value) == 2 and value.isalpha() and value.islower():
            continue
        out.append((value, LANGUAGE_CODES.get(value.lower())))
    return out


def _parse_rate(values: pl.Series, fmt: str, kind: str) -> float:
    values = values.drop_nulls()
    if not len(values):
        return 0.0
    if kind == "date":
        parsed = values.str.to_date(fmt, strict=False)
    elif kind == "time":
        parsed = values.str.to_time(fmt, strict=False)
    else:
        parsed = values.str.to_datetime(fmt, strict=False)
    return 1 - parsed.null_count() / len(values)


def _best(values: pl.Series, formats, kind: str) -> tuple[str | None, str | None]:
    """The format most values fit (at least 80 %: a few bad rows go to quarantine, not here)."""
    rates = [(rate, -i, fmt) for i, fmt in enumerate(formats) if (rate := _parse_rate(values, fmt, kind)) >= 0.8]
    if not rates:
        return None, None
    rate, _, fmt = max(rates)
    note = None
    day_first = fmt.startswith("%d/%m")
    if day_first and _parse_rate(values, fmt.replace("%d/%m", "%m/%d", 1), kind) >= rate:
        note = DAY_FIRST_NOTE
    if rate < 1:
        note = (note + "; " if note else "") + f"{round((1 - rate) * 100)} % av exempelvärdena passar inte och hamnar i karantän"
    return fmt, note


def date_format(values: pl.Series) -> tuple[str | None, str | None]:
    fmt, note = _best(values, DATE_FORMATS, "date")
    if fmt is not None and "%y" in fmt:
        note = (note + "; " if note else "") + TWO_DIGIT_YEAR_NOTE
    if fmt is None:
        fmt, note = datetime_format(values)
        fmt = fmt.split(" ")[0].split("T")[0] if fmt else None
    return fmt, note


def time_formats(values: pl.Series) -> list[str]:
    """Every time format some values need (e.g. both "08:15:00" and "08:15")."""
    out, todo = [], values.drop_nulls()
    for fmt in TIME_FORMATS:
        if not len(todo):
            break
        parsed = todo.str.to_time(fmt, strict=False)
        if parsed.null_count() < len(todo):
            out.append(fmt)
            todo = todo.filter(parsed.is_null())
    return out


def datetime_format(values: pl.Series) -> tuple[str | None, str | None]:
    formats = [f"{d}{sep}{t}" for d in DATE_FORMATS for sep in (" ", "T") for t in TIME_FORMATS]
    return _best(values, formats, "datetime")


def boolean_words(values: pl.Series) -> tuple[set[str], set[str], set[str]]:
    """(extra true words, extra false words, undecided words) beyond the built-in ones."""
    known = set(F.TRUE_WORDS) | set(F.FALSE_WORDS)
    words = {w for w in values.drop_nulls().str.to_lowercase().unique().to_list() if w}
    extra_true, extra_false, unknown = set(), set(), set()
    for word in words - known:
        if word.startswith(("ja", "yes", "sant", "besvar", "svar")) and not word.startswith(("ej", "inte")):
            extra_true.add(word)
        elif word.startswith(("nej", "no", "ej", "inte", "falsk")):
            extra_false.add(word)
        else:
            unknown.add(word)
    return extra_true, extra_false, unknown


def duration_style(values: pl.Series) -> str:
    values = values.drop_nulls()
    if len(values) and values.str.contains(":").all():
        return "hms"
    if len(values) and values.str.contains(r"^-?[0-9]+([.,][0-9]+)?$").all():
        return "seconds"
    return "auto"


def decimal_style(columns: list[pl.Series]) -> str:
    for values in columns:
        if values.drop_nulls().str.contains(r"^-?[0-9]+\.[0-9]+$").any():
            return "."
    return ","


def enum_guesses(values: pl.Series, fld: str, limit: int = 40) -> list[tuple[str, str | None]]:
    """Distinct source values with a guessed contract code (None: undecided). Values that are
    already a contract code or its Swedish label need no entry and are left out."""
    lookup = F.enum_lookup(fld)
    out = []
    for value in values.drop_nulls().unique(maintain_order=True).to_list()[:limit]:
        low = value.lower()
        if low in lookup:
            continue
        code = next((c for hint, c in ENUM_HINTS.get(fld, ()) if hint in low), None)
        out.append((value, code))
    return out


def identifier_like(values: pl.Series) -> bool:
    """Most values look like phone numbers, e-mail addresses or personnummer."""
    values = values.drop_nulls()
    if not len(values):
        return False
    pattern = (r"^[\w.%+\-]+@[\w\-]+(\.[\w\-]+)+$|^(\+46|0046|0)[0-9 \-]{6,14}$"
               r"|^(19|20)?[0-9]{6}[-+]?[0-9]{4}$")
    return values.str.contains(pattern).mean() > 0.8


# Result codes of telephony systems that say whether a call was answered (answer_status).
ANSWER_CODES = {
    "ans": "answered", "answered": "answered", "answer": "answered", "besvarat": "answered", "besvarad": "answered",
    "svarat": "answered", "connected": "answered", "handled": "answered", "hup": "abandoned",
    "abandoned": "abandoned", "aband": "abandoned", "abd": "abandoned", "tappat": "abandoned", "tappad": "abandoned",
    "avbrutet": "abandoned", "avbruten": "abandoned", "lagt på": "abandoned", "hung up": "abandoned",
    "hangup": "abandoned", "cb": "other", "callback": "other", "återuppringning": "other", "overflow": "other",
    "transfer": "other", "xfer": "other", "voicemail": "other", "röstbrevlåda": "other",
}
YES_NO = set(F.TRUE_WORDS) | set(F.FALSE_WORDS)


def distinct_lower(values: pl.Series, limit: int = 60) -> list[str]:
    return [v for v in values.drop_nulls().str.to_lowercase().unique(maintain_order=True).to_list()[:limit] if v]


def is_yes_no(values: pl.Series) -> bool:
    """Only yes/no words, and both kinds (a column of "x" and "y" alone says nothing)."""
    words = set(distinct_lower(values))
    return words <= YES_NO and bool(words & set(F.TRUE_WORDS)) and bool(words & set(F.FALSE_WORDS))


def answer_states(values: pl.Series) -> dict[str, str | None] | None:
    """Distinct values -> answered/abandoned/other when most look like answer codes, else None."""
    words = values.drop_nulls().unique(maintain_order=True).to_list()[:40]
    if not words:
        return None
    states = {w: ANSWER_CODES.get(w.strip().lower()) for w in words}
    known = [s for s in states.values() if s]
    if len(known) < max(1, 0.6 * len(words)) or not {"answered", "abandoned"} & set(known):
        return None
    return states


# Common first names (Swedish and English) for spotting a column of staff names.
FIRST_NAMES = {
    "anna", "eva", "maria", "karin", "sara", "emma", "lena", "kerstin", "ingrid", "elin", "johanna", "linda",
    "erik", "lars", "karl", "johan", "anders", "per", "olof", "nils", "jan", "peter", "mikael", "ali", "mohammed",
    "fatima", "ahmed", "sofia", "maja", "elsa", "oskar", "lucas", "william", "hugo", "john", "james", "mary",
    "david", "michael", "sarah", "laura", "jonas", "fredrik", "henrik", "magnus", "daniel", "emil", "ida",
}


def staff_names(values: pl.Series) -> bool:
    """Most values are a first name or "Agent ...": staff, dropped (agent-level data is personal)."""
    values = values.drop_nulls()
    if len(values) < 3:
        return False
    first = values.str.to_lowercase().str.split(" ").list.first()
    hits = first.is_in(list(FIRST_NAMES)) | values.str.contains(r"(?i)^agent\b")
    return hits.mean() > 0.6 and values.str.len_chars().max() < 40


PLACEHOLDERS = ("0", "-", "--", "n/a", "na", "null", "none", "okänd", "okänt", "unknown", "saknas", "?")


def placeholder(values: pl.Series) -> str | None:
    """A placeholder that fills many rows of an otherwise varied column ("0" for "not identified")."""
    values = values.drop_nulls()
    if len(values) < 5:
        return None
    counts = values.value_counts(sort=True)
    top, n = counts.row(0)
    if str(top).strip().lower() in PLACEHOLDERS and n / len(values) >= 0.2 and counts.height > 2:
        return str(top)
    return None


def judge_decimal(delimiter: str | None, columns: list[pl.Series]) -> tuple[str, str]:
    """The decimal separator and why: a comma-delimited file writes decimals with a point (a
    decimal comma would need quotes); otherwise the values decide, comma by default."""
    comma = any(v.drop_nulls().str.contains(r"^-?[0-9]+,[0-9]+$").any() for v in columns)
    point = any(v.drop_nulls().str.contains(r"^-?[0-9]+\.[0-9]+$").any() for v in columns)
    if delimiter == ",":
        return ".", "avgränsaren är komma, så decimaltal skrivs med punkt"
    if comma and not point:
        return ",", "talen har decimalkomma"
    if point and not comma:
        return ".", "talen har decimalpunkt"
    return ",", "inga decimaltal i exemplen; svensk decimalkomma antagen"


AGGREGATE_WORDS = ("antal", "totalt", "summa", "total", "count", "number of", "andel", "procent", "%",
                   "medel", "snitt", "average", "avg", "frekvens", "rate", "besvarade", "tappade", "offered")
PERIOD_WORDS = ("månad", "month", "vecka", "week", "period", "år", "year", "kvartal", "quarter", "intervall")


def looks_aggregate(columns: list[str], text) -> str | None:
    """A file of totals (one row per month/queue with counts), not one row per contact: a
    description of what it looks like, or None."""
    counts = [c for c in columns if any(w in c.casefold() for w in AGGREGATE_WORDS)]
    periods = [c for c in columns if c.casefold().strip() in PERIOD_WORDS or any(
        c.casefold().startswith(w) for w in PERIOD_WORDS)]
    numeric = [c for c in counts if text[c].drop_nulls().str.contains(r"^[0-9\s.,%]+$").mean() > 0.9]
    if len(numeric) >= 2 and (periods or len(numeric) >= 0.6 * len(columns)):
        return (f"en rad per {periods[0].casefold() if periods else 'grupp'} med summerade tal i kolumnerna "
                f"{', '.join(numeric)}")
    return None


# Abbreviations of Malmö's förvaltningar seen in source systems (values of a department column).
DEPARTMENT_ABBREVIATIONS = {
    "sbk": "Stadsbyggnadskontoret", "fgk": "Fastighets- och gatukontoret", "mf": "Miljöförvaltningen",
    "sk": "Stadskontoret", "asf": "Arbetsmarknads- och socialförvaltningen", "fsf": "Funktionsstödsförvaltningen",
    "hvof": "Hälsa-, vård- och omsorgsförvaltningen", "gvf": "Gymnasie- och vuxenutbildningsförvaltningen",
    "grf": "Grundskoleförvaltningen", "fof": "Förskoleförvaltningen", "kf": "Kulturförvaltningen",
    "frf": "Fritidsförvaltningen", "sef": "Serviceförvaltningen",
}


def department_guesses(values: pl.Series) -> list[tuple[str, str]]:
    return [(v, DEPARTMENT_ABBREVIATIONS[v.lower()]) for v in values.drop_nulls().unique(maintain_order=True).to_list()
            if v.lower() in DEPARTMENT_ABBREVIATIONS]


def test_values(values: pl.Series) -> list[str]:
    """Values that name test traffic ("TESTKÖ", "Test"): rows a [[skip]] rule should drop."""
    return [v for v in values.drop_nulls().unique(maintain_order=True).to_list() if v.casefold().startswith("test")]


def vocabulary_guesses(values: pl.Series, fld: str) -> list[tuple[str, str | None]]:
    """Source values that are not a value of the store's vocabulary for `fld` (reference data),
    with the one vocabulary value that contains them as whole words ("Bygglov" -> "Bygglov och
    anmälan", "Rosengård" -> "Servicepunkt Rosengård"), or None when none or several do."""
    import re

    from dashboard.ingest.vocabulary import default_vocabularies

    vocab = default_vocabularies()
    known = sorted(set(vocab.lookup(fld).values()))
    out = []
    for value in values.drop_nulls().unique(maintain_order=True).to_list()[:60]:
        if vocab.match(fld, value) is not None:
            continue
        word = re.compile(rf"(?<!\w){re.escape(value.casefold())}(?!\w)")
        hits = [k for k in known if word.search(k.casefold())]
        out.append((value, hits[0] if len(hits) == 1 else None))
    return out

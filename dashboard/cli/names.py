"""Förvaltning names and filter values on the command line, matched as the dashboard's URL
matches them (dashboard.names, the one matcher): case does not matter, the store's own spelling
is used, and an unknown name is refused with the closest known names (a misspelt name must not
silently give empty figures). Also the period the store's data covers, which `export` cuts a
period to and `metrics` names when a period misses it."""

from __future__ import annotations

from datetime import date

from dashboard import names as matcher
from dashboard.cli import CliError
from dashboard.formatting import format_date, format_period


def data_period(con, zone: str) -> tuple[date | None, date | None]:
    """The first and last local dates with contacts in the reporting time zone `zone` (the
    setting reporting_timezone, the zone the marts' local dates are in), as the dashboard's
    filter panel reads them ((None, None) for a store without contacts)."""
    return con.execute(
        "select min(d), max(d) from (select timezone($zone, timezone('UTC', started_at))::date "
        "as d from contacts)", {"zone": zone}).fetchone()


def outside_the_data(start: date | None, end: date | None, first: date | None,
                     last: date | None) -> str | None:
    """'perioden … ligger helt utanför data (…)' when the period (either end may be open) shares
    no day with the data's first..last, else None (also for a store without contacts)."""
    if first is None or not ((start and start > last) or (end and end < first)):
        return None
    if start and end:
        asked = format_period(start, end)
    else:
        asked = f"från {format_date(start)}" if start else f"till och med {format_date(end)}"
    return f"perioden {asked} ligger helt utanför data ({format_period(first, last)})"


def resolve_departments(con, names) -> tuple[str, ...]:
    """The store's spelling of each name in `names` (an open store connection)."""
    # the lookup's names and any other name the contacts carry (a store without the lookup)
    known = [r[0] for r in con.execute(
        "select department from departments union select department from contacts "
        "where department is not null order by 1").fetchall()]
    return _resolve("Okänd förvaltning", [(k, None) for k in known], names, limit=None)


# Filter fields of dashboard.metrics.Filters -> (the Swedish words for an unknown value, SQL giving (value, other spelling)
# pairs: the code the store holds and the label or wider name the same value goes by).
_VALUES = {
    "channels": ("Okänd kanal", "select channel, label from channels"),
    "city_areas": ("Okänt stadsområde eller okänd stadsdel", "select city_area, null from city_areas union "
                   "select stadsomrade, null from city_areas where stadsomrade is not null"),
    "topics": ("Okänd ärendekategori", "select topic, null from topics union select topic, null "
               "from contacts where topic is not null"),
    "languages": ("Okänt språk", "select language, label from languages"),
    "customer_types": ("Okänd kundtyp", "select customer_type, label from customer_types"),
}


def resolve_filters(con, filters):
    """`filters` (dashboard.metrics.Filters) with every förvaltning, kanal, stadsdel,
    ärendekategori, språk and kundtyp in the store's spelling: any case, the code or the Swedish
    label ("telefon" -> phone); an unknown value is refused with the closest known ones, as a
    misspelt value would otherwise give 0 with no warning."""
    from dataclasses import replace

    changes = {}
    if filters.departments:
        changes["departments"] = resolve_departments(con, filters.departments)
    for field, (noun, query) in _VALUES.items():
        wanted = getattr(filters, field)
        if wanted:
            changes[field] = _resolve(noun, con.execute(query).fetchall(), wanted)
    return replace(filters, **changes)


def _resolve(noun: str, pairs, names, limit: int | None = 40) -> tuple[str, ...]:
    by_spelling = {}  # every spelling (the value itself, its label) -> the value
    for value, other in pairs:
        for spelling in (value, other):
            if spelling:
                by_spelling.setdefault(str(spelling), value)
    spellings = list(by_spelling)
    resolved = []
    for name in names:
        found = matcher.match(name, spellings)
        match = None if found is None else by_spelling[found]
        if match is None:
            close = dict.fromkeys(by_spelling[c] for c in matcher.closest(name, spellings))
            hint = matcher.suggestion(list(close))
            hint = f"{hint} " if hint else ""
            known = sorted({v for v, _ in pairs if v})
            shown = ", ".join(known[:limit]) + (" …" if limit and len(known) > limit else "")
            raise CliError(f"{noun} {name!r}. {hint}Giltiga: {shown}.")
        resolved.append(match)
    return tuple(dict.fromkeys(resolved))

"""Swedish number, money, duration and date formatting. Pure: the dashboard, exports and CLI share it.

Conventions (Språkrådet / TNC): a no-break space groups thousands, a comma marks decimals,
"%" follows a no-break space, the minus sign is U+2212, dates read "3 mars 2025".
A hidden cell never shows its number: a count hidden because it is small reads "<5" (the threshold
in force); every other hidden cell reads "Dolt", above all a count hidden as a complement, whose
true value may be large (dashboard.metrics.suppression.explain says why in words).
"""

from __future__ import annotations

import errno
import math
from collections.abc import Callable
from datetime import date, datetime

NBSP = "\u00a0"  # no-break space: between number and unit, and between thousands groups
THOUSANDS_SEP = NBSP
DECIMAL_SEP = ","
MINUS = "\u2212"
EN_DASH = "\u2013"
MISSING = "–"  # shown where there is no value (no data), distinct from suppression
HIDDEN = "Dolt"  # a hidden cell that is not a small count
CHART_HIDDEN = "dolt"  # what a chart writes on a hidden bar or heatmap cell, whatever the reason


def all_hidden_lines(items: str, item: str) -> tuple[str, str]:
    """What a chart says in words, instead of empty axes, when every one of its `items` ("rutor",
    "staplar") is hidden; `item` the singular ("ruta", "stapel"). The dashboard's charts break the
    two sentences with <br>, the pack's PDF charts wrap them."""
    return (f"Alla {items} är dolda: för få kontakter per {item} för att visas.",
            "Välj en längre period eller färre filter, eller se tabellen.")


# dashboard.metrics.suppression.SMALL_COUNT (not imported: the metrics package imports this module)
SMALL_COUNT = "small_count"
COUNT_UNITS = ("count", "antal")
PLOTLY_SEPARATORS = DECIMAL_SEP + THOUSANDS_SEP  # Plotly layout.separators: decimal then thousands

MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)
MONTHS_SHORT = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")  # ISO 1..7
WEEKDAYS_SHORT = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")


# Decimals a value of each unit is shown with (a share: of its percent); `format_value` shows them,
# a difference is worked out from values rounded so (`as_shown`), and the XLSX number formats carry
# the same (dashboard.export.xlsx_common). Durations are shown in whole seconds.
DECIMALS = {"count": 0, "integer": 0, "antal": 0, "share": 1, "percent": 1, "seconds": 0, "s": 0,
            "sek": 0, "kr": 0, "fte": 1, "index": 1, "score": 2, "per_1000": 1, "ratio": 2,
            "hours": 0}
DEFAULT_DECIMALS = 1  # a unit not listed: a number with one decimal
PERCENT_UNITS = ("share", "percent")


def decimals_of(unit: str | None) -> int:
    return DECIMALS.get((unit or "").lower(), DEFAULT_DECIMALS)


def as_shown(value, unit: str | None):
    """The value rounded as `format_value` shows it (a share 0.65734 -> 0.657, shown 65,7 %), so a
    change worked out from two shown values is the difference a reader gets from them."""
    if _is_missing(value):
        return value
    decimals = decimals_of(unit)
    if (unit or "").lower() in PERCENT_UNITS:
        return round(float(value) * 100, decimals) / 100
    return round(float(value), decimals)


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(value)
    except TypeError:
        return False


def format_number(value, decimals: int = 0, *, sign: bool = False) -> str:
    """1234567.891 -> '1 234 567,9' (decimals=1). sign=True puts '+' before positive values."""
    if _is_missing(value):
        return MISSING
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # no "−0"
    text = f"{abs(rounded):,.{decimals}f}"
    text = text.replace(",", "\x00").replace(".", DECIMAL_SEP).replace("\x00", THOUSANDS_SEP)
    if rounded < 0:
        return MINUS + text
    return ("+" + text) if sign and rounded > 0 else text


def format_int(value, *, sign: bool = False) -> str:
    return format_number(value, 0, sign=sign)


def format_count(value, *, suppressed: bool = False, threshold: int = 5,
                 reason: str | None = None) -> str:
    """A count. Hidden: '<threshold' only when it is hidden for being small (reason
    small_count, or a raw value under the threshold); any other hidden count reads 'Dolt'."""
    if suppressed:
        return hidden_text("count", reason, threshold)
    if not _is_missing(value) and 0 < value < threshold:
        return f"<{threshold}"
    return format_int(value)


def hidden_text(unit: str | None, reason: str | None, threshold: int = 5) -> str:
    """What a hidden cell reads: '<5' for a count hidden because it is small; 'Dolt' for
    everything else (a complementary count may be large, so '<5' would mislead; a rate or a
    mean over too few contacts; a hidden cell whose reason is not known)."""
    if unit in COUNT_UNITS and reason == SMALL_COUNT:
        return f"<{threshold}"
    return HIDDEN


def format_percent(fraction, decimals: int = DECIMALS["share"], *, sign: bool = False) -> str:
    """A share given as a fraction: 0.1234 -> '12,3 %'."""
    if _is_missing(fraction):
        return MISSING
    return format_number(float(fraction) * 100, decimals, sign=sign) + NBSP + "%"


def format_points(fraction_diff, decimals: int = 1) -> str:
    """A difference between two shares in percentage points: 0.012 -> '+1,2 procentenheter'."""
    if _is_missing(fraction_diff):
        return MISSING
    return format_number(float(fraction_diff) * 100, decimals, sign=True) + NBSP + "procentenheter"


def format_sek(value, decimals: int = DECIMALS["sek"]) -> str:
    """1234567 -> '1 234 567 kr'."""
    if _is_missing(value):
        return MISSING
    return format_number(value, decimals) + NBSP + "kr"


def format_sek_compact(value) -> str:
    """Large sums for key figures: 1 234 567 -> '1,2 mnkr', 45 600 -> '45 600 kr'."""
    if _is_missing(value):
        return MISSING
    if abs(value) >= 1_000_000:
        return format_number(value / 1_000_000, 1) + NBSP + "mnkr"
    return format_sek(value)


def format_fte(value, decimals: int = DECIMALS["fte"]) -> str:
    """Full-time positions: 2.345 -> '2,3 årsarbetare'."""
    if _is_missing(value):
        return MISSING
    return format_number(value, decimals) + NBSP + "årsarbetare"


def format_duration(seconds) -> str:
    """Seconds to Swedish text: 42 -> '42 s', 125 -> '2 min 5 s', 3725 -> '1 h 2 min'."""
    if _is_missing(seconds):
        return MISSING
    total = int(round(float(seconds)))
    prefix = MINUS if total < 0 else ""
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        text = f"{hours}{NBSP}h" + (f" {minutes}{NBSP}min" if minutes else "")
    elif minutes:
        text = f"{minutes}{NBSP}min" + (f" {secs}{NBSP}s" if secs else "")
    else:
        text = f"{secs}{NBSP}s"
    return prefix + text


def format_date(value: date | datetime | str | None) -> str:
    """date(2025, 3, 3) -> '3 mars 2025'."""
    if value is None:
        return MISSING
    d = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def format_date_short(value: date | datetime) -> str:
    """date(2025, 3, 3) -> '3 mar 2025' (axis ticks, tight tables)."""
    return f"{value.day} {MONTHS_SHORT[value.month - 1]} {value.year}"


def format_month(value: date | datetime) -> str:
    """date(2025, 3, 1) -> 'mars 2025'."""
    return f"{MONTHS[value.month - 1]} {value.year}"


def format_period(start: date, end: date) -> str:
    """An inclusive period: '1–31 mars 2025', '15 februari–14 mars 2025', '1 dec 2024–31 jan 2025'."""
    if start == end:
        return format_date(start)
    if start.year != end.year:
        return f"{format_date(start)}{EN_DASH}{format_date(end)}"
    if start.month != end.month:
        return f"{start.day} {MONTHS[start.month - 1]}{EN_DASH}{format_date(end)}"
    return f"{start.day}{EN_DASH}{format_date(end)}"


def format_weekday(iso_weekday: int, *, short: bool = False) -> str:
    """ISO weekday (1 = Monday) to Swedish: 1 -> 'måndag' ('mån' when short)."""
    return (WEEKDAYS_SHORT if short else WEEKDAYS)[int(iso_weekday) - 1]


def format_hour(hour: int, span: int = 1) -> str:
    """8 -> '08–09' (the hour interval starting at that hour); a block of `span` hours: '08–12',
    '20–24'; half a day: 'förmiddag (00–12)', 'eftermiddag (12–24)'."""
    h = int(hour)
    if span == 1:
        return f"{h:02d}{EN_DASH}{(h + 1) % 24:02d}"
    hours = f"{h:02d}{EN_DASH}{h + span:02d}"
    if span == 12:
        return f"{'förmiddag' if h < 12 else 'eftermiddag'} ({hours})"
    return hours


def format_half_hour(minute_of_day: int) -> str:
    """510 -> '08:30' (start of a half-hour interval)."""
    m = int(minute_of_day)
    return f"{m // 60:02d}:{m % 60:02d}"


# Units the metric registry uses, mapped to their formatter. Unknown units fall back to a number.
_BY_UNIT = {
    "count": format_int,
    "integer": format_int,
    "antal": format_int,
    "share": format_percent,
    "percent": format_percent,
    "seconds": format_duration,
    "s": format_duration,
    "sek": format_sek,
    "kr": format_sek,
    "fte": format_fte,
    "index": lambda v: format_number(v, DECIMALS["index"]),
    "score": lambda v: format_number(v, DECIMALS["score"]),
    "per_1000": lambda v: format_number(v, DECIMALS["per_1000"]),
    "ratio": lambda v: format_number(v, DECIMALS["ratio"]),
    "hours": lambda v: format_number(v, DECIMALS["hours"]) + NBSP + "h",
    # a difference between two shares, in percentage points (as in exports: 1.2 -> +1,2 p.e.)
    "points": lambda v: format_points(v if _is_missing(v) else v / 100),
}


def format_value(value, unit: str | None, *, suppressed: bool = False, threshold: int = 5,
                 reason: str | None = None) -> str:
    """Format one metric value by its registry unit; suppressed values never show a number
    (`hidden_text`: '<5' for a small count, 'Dolt' otherwise)."""
    if suppressed:
        return hidden_text(unit, reason, threshold)
    formatter = _BY_UNIT.get((unit or "").lower())
    if formatter is None:
        return format_number(value, DEFAULT_DECIMALS)
    return formatter(value)


DIFFERENCE_UNITS = ("share", "percent", "seconds", "s", "index", "score")


def changes_by_difference(unit: str | None) -> bool:
    """A change of this unit is a difference in the unit itself (procentenheter, seconds, index
    units), worked out from the shown figures; any other unit's change is relative (percent)."""
    return (unit or "").lower() in DIFFERENCE_UNITS


def format_delta(current, previous, unit: str | None) -> str | None:
    """Change against the comparison period in words fitting the unit, or None if not computable.

    Shares change in percentage points; counts and money in percent; durations in seconds;
    an index or a mean score in its own units. A difference in the figure's own unit is worked
    out from the two values as shown (`as_shown`): 66,7 % against 61,2 % is +5,5 procentenheter,
    whatever the digits behind. A relative change is worked out from the values themselves:
    rounded first, 13 h against 15 h of failure demand (0,1 against 0,1 årsarbetare as shown)
    would read "0,0 %", hiding a fall of 13 %.
    """
    if _is_missing(current) or _is_missing(previous):
        return None
    if changes_by_difference(unit):
        current, previous = as_shown(current, unit), as_shown(previous, unit)
    unit = (unit or "").lower()
    if unit in ("share", "percent"):
        return format_points(current - previous)
    if unit in ("seconds", "s"):
        diff = current - previous
        return ("+" if diff > 0 else "") + format_duration(diff)
    # Bounded scales (index 0–100, mean answer 1–5) change in their own units, not in percent:
    # a percent change of an index depends on where its zero happens to lie.
    if unit == "index":
        return (format_number(current - previous, DECIMALS["index"], sign=True) + NBSP
                + "indexenheter")
    if unit == "score":
        return format_number(current - previous, DECIMALS["score"], sign=True)
    if previous == 0:
        return None
    return format_percent((current - previous) / abs(previous), 1, sign=True)


# The operating system's own reasons are English ("No such file or directory"): the common ones
# are said in Swedish; any other keeps its errno name, so a reader can still look it up.
OS_REASONS = {
    "ENOENT": "filen eller katalogen finns inte",
    "EACCES": "behörighet saknas",
    "EPERM": "åtgärden är inte tillåten",
    "EISDIR": "det är en katalog, inte en fil",
    "ENOTDIR": "en del av sökvägen är inte en katalog",
    "ENOSPC": "disken är full",
    "EROFS": "filsystemet är skrivskyddat",
    "EEXIST": "filen finns redan",
    "ENAMETOOLONG": "sökvägen är för lång",
    "EBUSY": "filen används av ett annat program",
}


def wrap_label(text: str, width: float, measure: Callable[[str], float] = len) -> list[str]:
    """A label as lines at most `width` wide, broken between words (a word wider than a line gets
    a line of its own, whole): the full text is always shown. `measure` says how wide a text is:
    characters for the dashboard's Plotly charts, a font's points for the PDF's."""
    lines: list[str] = []
    for word in text.split():
        if lines and measure(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [text]


def os_reason(exc: OSError) -> str:
    """Why an operating-system call failed, in Swedish."""
    name = errno.errorcode.get(exc.errno or 0)
    if name in OS_REASONS:
        return OS_REASONS[name]
    return f"systemfel {name}" if name else "okänt systemfel"

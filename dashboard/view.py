"""The view model: what a page shows (filters, period, comparison), parsed from the URL once.

Pure: no streamlit, so it is unit-tested directly; `dashboard/ui/filters.py` draws the widgets for
it. The period, comparison and time-grain rules it applies live in `dashboard.periods`.

A URL like `?period=quarter&compare=yoy&department=Förskoleförvaltningen&channel=phone` reproduces a
view. `parse_query` never raises: unknown keys and malformed or unknown values are dropped, and each
drop yields a Swedish notice the page shows. `to_query` writes the canonical form (defaults left
out), so parsing it again gives the same state.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from dashboard.domain import dimension_label, dimension_text, label_for
from dashboard.formatting import MONTHS, format_date, format_period
from dashboard.names import closest, match as match_name, suggestion
from dashboard.periods import (
    COMPARISONS,
    DEFAULT_COMPARISON,
    DEFAULT_PRESET,
    PRESETS,
    Period,
    comparison,
    comparison_period,
    parse_comparison,
    resolve_period,
    whole_period,
)

_COMPARISON_BY_URL = {c.url: c.kind for c in COMPARISONS}

# URL key -> (FilterState field, Swedish name for notices). Multi-valued keys repeat in the URL.
# The names are the labeller's (dashboard.domain); `area` takes a stadsområde or a stadsdel.
_MULTI_DIMENSIONS = {"channel": ("channels", "channel"), "area": ("city_areas", "stadsomrade"),
                     "topic": ("topics", "topic"), "language": ("languages", "language"),
                     "customer_type": ("customer_types", "customer_type"),
                     # a heatmap cell's drill-down (ISO weekday 1-7, hour 0-23, as text)
                     "day_of_week": ("weekdays", "weekday"), "hour": ("hours", "hour")}
MULTI_KEYS: dict[str, tuple[str, str]] = {
    key: (attr, dimension_label(dim).lower()) for key, (attr, dim) in _MULTI_DIMENSIONS.items()
}
SINGLE_KEYS = ("period", "from", "to", "compare", "department")
# Page-level choices (a page's own widgets: equity dimension, service point, staffing sliders,
# weekday, tab): URL key -> Swedish name for notices. The page validates a value against its own
# options with `page_choice`; `to_query` leaves them out (they belong to one page, so a page switch
# drops them) and the filter frame keeps them when a shared filter changes.
PAGE_CHOICES: dict[str, str] = {
    "equity": "gruppindelningen", "measure": "måttet", "point": "servicepunkten",
    "weekday": "veckodagen", "sl": "servicenivåmålet", "answer": "svarstiden",
    "shrinkage": "frånvaron", "occupancy": "beläggningen", "reduction": "minskningen",
    "tab": "fliken", "table": "tabellvisningen",
}
# Keys Streamlit itself may put in the URL; never reported as unknown.
STREAMLIT_KEYS = frozenset({"embed", "embed_options"})


@dataclass(frozen=True)
class FilterOptions:
    """The valid values for each filter, read from the store (and domain vocabularies)."""

    earliest: date
    latest: date
    departments: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    city_areas: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    customer_types: tuple[str, ...] = ()
    weekdays: tuple[str, ...] = tuple(str(d) for d in range(1, 8))
    hours: tuple[str, ...] = tuple(str(h) for h in range(24))


@dataclass(frozen=True)
class FilterState:
    """What the user chose. `department=None` means the whole city."""

    preset: str = DEFAULT_PRESET
    start: date | None = None  # only for preset "custom"
    end: date | None = None
    comparison: str = DEFAULT_COMPARISON  # a kind of COMPARISONS
    department: str | None = None
    channels: tuple[str, ...] = ()
    city_areas: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    customer_types: tuple[str, ...] = ()
    weekdays: tuple[str, ...] = ()  # ISO weekday numbers as text ("1" = måndag)
    hours: tuple[str, ...] = ()  # hours as text ("9" = 09–10)

    def with_department(self, department: str | None) -> "FilterState":
        return replace(self, department=department)

    @property
    def compared_with(self) -> str | None:
        """The comparison as the engine and the packs take it: a kind, or None for none."""
        return parse_comparison(self.comparison)


@dataclass
class ParseResult:
    state: FilterState
    notices: list[str] = field(default_factory=list)


MAX_NOTICE_VALUE = 60  # characters of a URL value echoed in a notice
MAX_NOTICES = 6  # notices shown for one address; the rest are counted in one more
MAX_EXAMPLES = 3  # values named when several of one parameter are ignored


def shown(value: str) -> str:
    """A URL value as a notice quotes it: at most MAX_NOTICE_VALUE characters."""
    if len(value) <= MAX_NOTICE_VALUE:
        return f"'{value}'"
    return f"'{value[:MAX_NOTICE_VALUE - 1]}…' ({len(value)} tecken)"


def _ignored(values: Sequence[str], what: str) -> str:
    """One notice for all the ignored values of one parameter."""
    if len(values) == 1:
        return f"Värdet {shown(values[0])} för {what} finns inte i data och ignorerades."
    examples = ", ".join(shown(v) for v in values[:MAX_EXAMPLES])
    more = " med flera" if len(values) > MAX_EXAMPLES else ""
    return f"{len(values)} värden för {what} finns inte i data och ignorerades: {examples}{more}."


def _capped(notices: list[str]) -> list[str]:
    if len(notices) <= MAX_NOTICES:
        return notices
    rest = len(notices) - (MAX_NOTICES - 1)
    return [*notices[:MAX_NOTICES - 1], f"Ytterligare {rest} fel i adressen ignorerades."]


def _values(raw) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    return [str(v) for v in raw]


def _single(params: Mapping, key: str, notices: list[str]) -> str | None:
    values = [v for v in _values(params.get(key)) if v != ""]
    if len(values) > 1:
        notices.append(f"Parametern '{key}' förekom flera gånger i adressen; den sista användes.")
    return values[-1] if values else None


def _choice(params: Mapping, key: str, choices: Mapping[str, str], default: str, what: str,
            notices: list[str]) -> str:
    """A single value from a fixed set; anything else falls back to the default with a notice."""
    value = _single(params, key, notices) or default
    found = match_name(value, tuple(choices))
    if found is None:
        notices.append(f"{what} {shown(value)} finns inte; visar {choices[default].lower()}. "
                       f"Giltiga värden: {', '.join(choices)}.")
        return default
    return found


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DEFAULT_PERIOD = f"standardperioden ({PRESETS[DEFAULT_PRESET].lower()})"


class _BadDate:
    """A `from`/`to` value that is no date: its notice already says the period falls back."""


BAD_DATE = _BadDate()


def _parse_date(text: str | None, key: str, notices: list[str],
                instead: str = _DEFAULT_PERIOD) -> date | None | _BadDate:
    """The date, None when not given, BAD_DATE (with one notice, saying that `instead` is
    shown) when it is no date: a date in the right form that does not exist (2025-02-30) is
    told apart from text in another form."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    form = _ISO_DATE.fullmatch(text)
    if form:
        year, month, _ = (int(g) for g in form.groups())
        why = (f"{MONTHS[month - 1]} {year} har {calendar.monthrange(year, month)[1]} dagar"
               if 1 <= month <= 12 else f"det finns ingen månad {month}")
        notices.append(f"Datumet {shown(text)} i parametern '{key}' finns inte ({why}); "
                       f"visar {instead}.")
    else:
        notices.append(f"Datumet {shown(text)} i parametern '{key}' kunde inte läsas (skriv "
                       f"ÅÅÅÅ-MM-DD); visar {instead}.")
    return BAD_DATE


def parse_query(params: Mapping[str, str | Sequence[str]], options: FilterOptions) -> ParseResult:
    """URL query parameters -> FilterState, with a notice for every value that was ignored."""
    notices: list[str] = []
    unknown = [k for k in params if k not in SINGLE_KEYS and k not in MULTI_KEYS and k not in STREAMLIT_KEYS
               and k not in PAGE_CHOICES]
    if len(unknown) == 1:
        notices.append(f"Okänd parameter {shown(unknown[0])} i adressen ignorerades.")
    elif unknown:
        notices.append(f"{len(unknown)} okända parametrar i adressen ignorerades: "
                       f"{', '.join(shown(k) for k in unknown[:MAX_EXAMPLES])}"
                       f"{' med flera' if len(unknown) > MAX_EXAMPLES else ''}.")

    preset = _choice(params, "period", PRESETS, DEFAULT_PRESET, "Perioden", notices)
    # a chosen preset other than a custom period stays; a custom one falls back to the default
    instead = _DEFAULT_PERIOD if preset in ("custom", DEFAULT_PRESET) else PRESETS[preset].lower()
    start = _parse_date(_single(params, "from", notices), "from", notices, instead)
    end = _parse_date(_single(params, "to", notices), "to", notices, instead)
    if BAD_DATE in (start, end):  # said once, in the date's own notice
        preset = DEFAULT_PRESET if preset == "custom" else preset
        start = end = None
    elif preset == "custom":
        start, end = _valid_custom(start, end, options, notices)
        if start is None:
            preset = DEFAULT_PRESET
    elif start or end:
        notices.append("Parametrarna 'from' och 'to' gäller bara med period=custom och ignorerades.")
        start = end = None

    by_url = {c.url: c.label for c in COMPARISONS}
    compare_kind = _COMPARISON_BY_URL[
        _choice(params, "compare", by_url, comparison(DEFAULT_COMPARISON).url, "Jämförelsen", notices)]

    department = _single(params, "department", notices)
    if department is not None:
        found = match_name(department, options.departments)
        if found is None:
            hint = suggestion(closest(department, options.departments))
            notices.append(f"Förvaltningen {shown(department)} finns inte i data; visar hela staden."
                           + (f" {hint}" if hint else ""))
        department = found

    multi = {}
    for key, (attr, label) in MULTI_KEYS.items():
        valid = getattr(options, attr)
        chosen: list[str] = []
        bad: list[str] = []
        for value in _values(params.get(key)):
            if value == "":
                continue
            found = match_name(value, valid)
            if found is None:
                bad.append(value)
            elif found not in chosen:
                chosen.append(found)
        if bad:
            notices.append(_ignored(bad, label))
        multi[attr] = tuple(chosen)

    state = FilterState(preset=preset, start=start, end=end, comparison=compare_kind,
                        department=department, **multi)
    return ParseResult(state, _capped(notices))


def _valid_custom(start, end, options: FilterOptions, notices: list[str]):
    """A custom period within the data: swapped when reversed, clamped (with a notice) where it
    reaches past either end, the default when it lies wholly outside (e.g. a bookmarked link after
    old data was removed)."""
    if start is None or end is None:
        notices.append("En egen period behöver både 'from' och 'to'; visar standardperioden.")
        return None, None
    if start > end:
        notices.append("Periodens startdatum ligger efter slutdatumet; datumen byttes plats.")
        start, end = end, start
    data = f"{format_date(options.earliest)}–{format_date(options.latest)}"
    if end < options.earliest or start > options.latest:
        notices.append(f"Perioden ligger utanför data ({data}); visar standardperioden.")
        return None, None
    if start < options.earliest or end > options.latest:
        start, end = max(start, options.earliest), min(end, options.latest)
        notices.append(f"Perioden gick utanför data ({data}); visar {format_period(start, end)}.")
    return start, end


def clamp(period: "Period", options: FilterOptions) -> "Period":
    """The part of `period` within the data; all of the data when it lies wholly outside (the
    date input refuses a value outside its min and max)."""
    start, end = max(period.start, options.earliest), min(period.end, options.latest)
    return Period(start, end) if start <= end else Period(options.earliest, options.latest)


def page_choice(raw: str | Sequence[str] | None, options: Sequence, default, key: str):
    """A page choice from the URL: the option whose text is `raw` (the last value when the key is
    repeated), or `default` with a Swedish notice when it is not one of `options`.

    Returns (value, notice or None). Options are compared as text, so numbers and names both work."""
    values = [v for v in _values(raw) if v != ""]
    if not values:
        return default, None
    text = values[-1]
    for option in options:
        if str(option) == text:
            return option, None
    shown = text if len(text) <= 40 else text[:39] + "…"
    return default, (f"Värdet '{shown}' för {PAGE_CHOICES.get(key, key)} i adressen finns inte på "
                     f"sidan och ignorerades.")


def to_query(state: FilterState) -> dict[str, str | list[str]]:
    """The canonical URL form: defaults are left out; multi-valued keys keep the chosen order."""
    query: dict[str, str | list[str]] = {}
    if state.preset != DEFAULT_PRESET:
        query["period"] = state.preset
    if state.preset == "custom" and state.start and state.end:
        query["from"] = state.start.isoformat()
        query["to"] = state.end.isoformat()
    if state.comparison != DEFAULT_COMPARISON:
        query["compare"] = comparison(state.comparison).url
    if state.department:
        query["department"] = state.department
    for key, (attr, _) in MULTI_KEYS.items():
        values = getattr(state, attr)
        if values:
            query[key] = list(values)
    return query


# Widget titles.
MULTI_NAMES = {key: dimension_label(dim) for key, (_, dim) in _MULTI_DIMENSIONS.items()}


def filter_value_label(key: str, value: str) -> str:
    """The Swedish label of a value of the URL filter `key` ('phone' -> 'Telefon', '1' -> 'måndag',
    '9' -> '09–10')."""
    dimension = _MULTI_DIMENSIONS[key][1]
    if dimension in ("weekday", "hour"):
        return dimension_text(dimension, int(value))
    return label_for(dimension, value)


def describe(state: FilterState, period: Period, compare: Period | None) -> str:
    """One Swedish line naming the view, for captions: who, when, compared with what, filters."""
    who = state.department or "Hela staden"
    text = f"{who}, {format_period(period.start, period.end)}"
    if compare is not None:
        text += f" jämfört med {format_period(compare.start, compare.end)}"
    chosen = []
    for key, (attr, label) in MULTI_KEYS.items():
        values = getattr(state, attr)
        if values:
            chosen.append(f"{label}: {', '.join(filter_value_label(key, v) for v in values)}")
    if chosen:
        text += " (" + "; ".join(chosen) + ")"
    return text


# --- the view a page gets --------------------------------------------------------------------

CITY = "Hela staden"
SELECTION = "Hela urvalet"


@dataclass(frozen=True)
class View:
    """What a page needs: the state, its periods, the valid options and a one-line description."""

    state: FilterState
    period: Period
    compare: Period | None
    options: FilterOptions
    description: str
    notices: tuple[str, ...] = ()

    @property
    def department(self) -> str | None:
        return self.state.department

    @property
    def who(self) -> str:
        return self.state.department or CITY

    @property
    def whole_name(self) -> str:
        """What the whole view's value is called beside its groups: the förvaltning or the city,
        or "Hela urvalet" when other filters narrow it (a heatmap cell, a channel), since the
        value is then the selection's, not the city's."""
        narrowed = any(getattr(self.state, attr) for attr, _ in MULTI_KEYS.values())
        return SELECTION if narrowed else self.who

    @property
    def compared_with(self) -> str | None:
        """The comparison kind for the engine and the packs (None: no comparison)."""
        return self.state.compared_with

    @property
    def against(self) -> str | None:
        """Swedish caption of a change against the comparison period, or None without one."""
        return comparison(self.state.comparison).against if self.compare else None

    @property
    def compare_name(self) -> str | None:
        """Swedish name of the comparison period ("Föregående period"), or None without one."""
        return comparison(self.state.comparison).label if self.compare else None

    def for_grain(self, grain: str) -> "View":
        """The view over the whole weeks (months) of its period and comparison: what a line per
        week (month) draws. The same view for days."""
        if grain == "day":
            return self
        period = whole_period(self.period, grain) or self.period
        compare = None if self.compare is None else (whole_period(self.compare, grain) or self.compare)
        return replace(self, period=period, compare=compare)

    def whole_week(self) -> "View":
        """The view without a heatmap cell's weekday and hour filter: what the heatmap that
        chose the cell keeps drawing (the chosen cell outlined)."""
        return replace(self, state=replace(self.state, weekdays=(), hours=()))

    @property
    def cells(self) -> tuple[tuple[int, int], ...]:
        """The (weekday, hour) cells the view is filtered to: every chosen weekday at every
        chosen hour (a chosen hour alone: every weekday; a weekday alone: every hour)."""
        s = self.state
        if not s.weekdays and not s.hours:
            return ()
        days = [int(d) for d in s.weekdays] or list(range(1, 8))
        hours = [int(h) for h in s.hours] or list(range(24))
        return tuple((d, h) for d in days for h in hours)

    def within_channels(self, channels: tuple[str, ...]) -> "View":
        """The view limited to `channels` (those of them the user chose, or all of them)."""
        chosen = tuple(c for c in self.state.channels if c in channels) or channels
        return replace(self, state=replace(self.state, channels=chosen))


STALE_AFTER_DAYS = 7  # newest data older than this: the pages say so (a nightly ingest that stopped)


def data_age_notice(latest: date, today: date) -> str | None:
    """A Swedish sentence when the newest contact is more than STALE_AFTER_DAYS before today: the
    periods ("Senaste 30 dagarna") count back from the newest data, so without it a reader takes
    last year's December for this one."""
    days = (today - latest).days
    if days <= STALE_AFTER_DAYS:
        return None
    return (f"Senaste data är från {format_date(latest)}, för {days} dagar sedan: perioderna räknas "
            "bakåt från den dagen. Är det inte väntat, kontrollera att inläsningen av nya exporter går.")


def build_view(state: FilterState, options: FilterOptions, notices: Sequence[str] = ()) -> View:
    """The view of a parsed state: its period, comparison period and description."""
    period = resolve_period(state, options.latest)
    compare = comparison_period(state, period)
    return View(state, period, compare, options, describe(state, period, compare), tuple(notices))

"""What a metric is computed for (`Filters`) and what it is broken down by (dimensions, time grains).

`Filters` is frozen and hashable, so callers can use it as a cache key. Dates are inclusive local
(Europe/Stockholm) dates; `None` means open-ended. Empty tuples mean "no restriction".
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date

from dashboard.domain import dimension_label
from dashboard.periods import Period, compare_period


class UnknownDimension(ValueError):
    """A breakdown dimension that does not exist; the message lists the valid ones."""


# Breakdown dimension -> (mart columns it needs, SQL expression over those columns).
# The expressions are trusted text from this module, formatted into queries by name only.
_DIMENSION_SQL: dict[str, tuple[tuple[str, ...], str]] = {
    "department": (("department",), "department"),
    "channel": (("channel",), "channel"),
    "city_area": (("city_area",), "city_area"),
    "stadsomrade": (("stadsomrade",), "stadsomrade"),
    "topic": (("topic",), "topic"),
    "language": (("language",), "language"),
    "customer_type": (("customer_type",), "customer_type"),
    "interpreter": (("interpreter",), "interpreter"),
    "source_system": (("source_system",), "source_system"),
    "service_point": (("service_point",), "service_point"),
    # time grains, local time
    "hour": (("slot",), "cast(slot // 2 as integer)"),
    # a heatmap's coarser cells (dashboard.periods.HOUR_BINS): the first hour of a block of 2 or
    # 4 hours from midnight (08–10, 08–12), or of half a day (0 förmiddag, 12 eftermiddag)
    "hour2": (("slot",), "cast(slot // 4 * 2 as integer)"),
    "hour4": (("slot",), "cast(slot // 8 * 4 as integer)"),
    "hour12": (("slot",), "cast(slot // 24 * 12 as integer)"),
    "halfhour": (("slot",), "printf('%02d:%02d', slot // 2, slot % 2 * 30)"),
    "weekday": (("local_date",), "cast(isodow(local_date) as integer)"),
    "day": (("local_date",), "local_date"),
    "week": (("local_date",), "cast(date_trunc('week', local_date) as date)"),
    "month": (("local_date",), "cast(date_trunc('month', local_date) as date)"),
    "year": (("local_date",), "cast(year(local_date) as integer)"),
}
# ... plus the Swedish label, from the one labeller (dashboard.domain).
DIMENSIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    dim: (columns, expression, dimension_label(dim)) for dim, (columns, expression) in _DIMENSION_SQL.items()
}
TIME_GRAINS = ("hour", "hour2", "hour4", "hour12", "halfhour", "weekday", "day", "week", "month", "year")
# Grains whose groups are calendar intervals (a group has a start and an end date).
CALENDAR_GRAINS = ("day", "week", "month", "year")

# Filter field -> (mart columns it needs, SQL condition with the bound parameter $field).
FILTER_CONDITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "start": (("local_date",), "local_date >= $start"),
    "end": (("local_date",), "local_date <= $end"),
    "departments": (("department",), "list_contains($departments, department)"),
    "channels": (("channel",), "list_contains($channels, channel)"),
    # a stadsområde name selects its stadsdelar too
    "city_areas": (("city_area", "stadsomrade"),
                   "(list_contains($city_areas, city_area) or list_contains($city_areas, stadsomrade))"),
    "topics": (("topic",), "list_contains($topics, topic)"),
    "languages": (("language",), "list_contains($languages, language)"),
    "customer_types": (("customer_type",), "list_contains($customer_types, customer_type)"),
    # a heatmap cell's drill-down: the same expressions as the weekday and hour breakdowns
    "weekdays": (("local_date",), "list_contains($weekdays, cast(isodow(local_date) as integer))"),
    "hours": (("slot",), "list_contains($hours, cast(slot // 2 as integer))"),
}


# Multi-valued filter field -> the dimension it restricts (its Swedish names come from there).
FILTER_DIMENSIONS: dict[str, str] = {
    "departments": "department", "channels": "channel", "city_areas": "city_area", "topics": "topic",
    "languages": "language", "customer_types": "customer_type", "weekdays": "weekday", "hours": "hour",
}


def filter_name(field: str) -> str:
    """A filter field's name in running Swedish text: "departments" -> "förvaltning"."""
    return dimension_label(FILTER_DIMENSIONS[field]).lower()


def check_dimensions(by) -> tuple[str, ...]:
    """Validate breakdown names; a single string is accepted as one dimension."""
    dims = (by,) if isinstance(by, str) else tuple(by)
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown:
        raise UnknownDimension(
            f"Okänd dimension: {', '.join(unknown)}. Giltiga: {', '.join(DIMENSIONS)}."
        )
    if len(set(dims)) != len(dims):
        raise UnknownDimension(f"Samma dimension förekommer flera gånger: {', '.join(dims)}.")
    return dims


@dataclass(frozen=True)
class Filters:
    start: date | None = None
    end: date | None = None
    departments: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    city_areas: tuple[str, ...] = ()  # stadsområde or stadsdel names
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    customer_types: tuple[str, ...] = ()
    weekdays: tuple[int, ...] = ()  # ISO weekdays 1 (Monday) .. 7, local time
    hours: tuple[int, ...] = ()  # hours of the day 0..23, local time
    # Whose request this is: the förvaltningar the person may see (dashboard.auth), or None for
    # no person's limit (the administrator's CLI on the server, an analytiker). Not a filter: the
    # door (dashboard.privacy) refuses departments outside it and removes other departments'
    # names from what it publishes. It travels with every derived Filters (replace keeps it).
    scope: tuple[str, ...] | None = None

    def __post_init__(self):
        # Accept lists (and single strings) from callers but store hashable, ordered tuples.
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("start", "end"):
                continue
            if f.name == "scope":
                if value is not None:
                    value = (value,) if isinstance(value, str) else tuple(dict.fromkeys(value))
                    object.__setattr__(self, f.name, value)
                continue
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, f.name, tuple(dict.fromkeys(value or ())))
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"Periodens start ({self.start}) ligger efter slutet ({self.end}).")

    @property
    def days(self) -> int | None:
        """Length of the period in days, or None when it is open-ended."""
        if self.start is None or self.end is None:
            return None
        return (self.end - self.start).days + 1

    def active(self) -> dict[str, object]:
        """The set filter fields and their values (the bound parameters of a query)."""
        out = {}
        for name in FILTER_CONDITIONS:
            value = getattr(self, name)
            if value not in (None, ()):
                out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def without(self, *names: str) -> "Filters":
        """The same filters with the named fields cleared (e.g. the whole city: "departments")."""
        return replace(self, **{n: (None if n in ("start", "end") else ()) for n in names})

    def with_period(self, start: date | None, end: date | None) -> "Filters":
        return replace(self, start=start, end=end)

    def compared(self, kind: str | None) -> "Filters | None":
        """The same filters over the comparison period of `kind` (dashboard.periods' rule and
        vocabulary: "previous", "last_year"; None or "none" gives None)."""
        if self.days is None:
            raise ValueError("Jämförelseperiod kräver både start- och slutdatum.")
        other = compare_period(Period(self.start, self.end), kind)
        return None if other is None else self.with_period(other.start, other.end)

    def previous_period(self) -> "Filters":
        """The period just before (dashboard.periods.compare_period: whole calendar months, else the
        same days shifted back by whole weeks)."""
        return self.compared("previous")

    def same_period_last_year(self) -> "Filters":
        return self.compared("last_year")

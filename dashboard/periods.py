"""The period, comparison and time-grain rules: the only ones.

What a preset ("Senaste hela kvartalet") means relative to the latest data (`resolve_period`), which
days a period is compared with (`compare_period`, named with the vocabulary in `COMPARISONS`), and
per which grain (day, week, month) a line over time is drawn. The view model (dashboard.view), the
engine's `Filters` (dashboard.metrics.filters), the scorecards, the export packs and the CLI all
use these. Pure: no streamlit.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the view's state only for annotations: dashboard.view imports this module
    from dashboard.view import FilterState

PRESETS: dict[str, str] = {
    "30d": "Senaste 30 dagarna",
    "month": "Senaste hela månaden",
    "quarter": "Senaste hela kvartalet",
    "year": "Senaste hela året",
    "custom": "Egen period",
}


@dataclass(frozen=True)
class Comparison:
    """One way to compare a period. `kind` is the name in code (the engine, the packs, the view's
    state); `url` its form in the dashboard's address; `cli` its one spelling on the command line
    (`kontaktcenter export --compare`: its choices, help, errors and docs)."""

    kind: str
    url: str
    label: str  # Swedish, for the filter panel
    against: str | None  # Swedish caption of a change, e.g. "mot föregående period"
    cli: str


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("previous", "prev", "Föregående period", "mot föregående period", "foregaende"),
    Comparison("last_year", "yoy", "Samma period förra året", "mot samma period förra året",
               "forra-aret"),
    Comparison("none", "none", "Ingen jämförelse", None, "ingen"),
)
CLI_COMPARISONS = tuple(c.cli for c in COMPARISONS)
COMPARISON_KINDS = tuple(c.kind for c in COMPARISONS)
COMPARISON_LABELS: dict[str, str] = {c.kind: c.label for c in COMPARISONS}
DEFAULT_PRESET = "30d"
DEFAULT_COMPARISON = "previous"


def comparison(kind: str) -> Comparison:
    return next(c for c in COMPARISONS if c.kind == kind)


def parse_comparison(text: str | None) -> str | None:
    """Any spelling (kind, URL form, CLI form; None) -> the kind the engine takes, None for none.
    Code and the dashboard may pass any of them; the CLI offers only its own (CLI_COMPARISONS)."""
    if text is None:
        return None
    for c in COMPARISONS:
        if text in (c.kind, c.url, c.cli):
            return None if c.kind == "none" else c.kind
    spellings = ", ".join(s for c in COMPARISONS for s in dict.fromkeys((c.kind, c.url, c.cli)))
    raise ValueError(f"Okänd jämförelse '{text}'. Giltiga: {spellings}.")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


# --- periods -------------------------------------------------------------------------------


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _month_start_back(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def resolve_period(state: FilterState, latest: date) -> Period:
    """The period the state means, relative to the store's latest data date.

    Presets take the latest *complete* month/quarter/year, so a period is never half empty.
    """
    if state.preset == "custom" and state.start and state.end:
        return Period(state.start, state.end)
    if state.preset == "month":
        last = latest if latest == _month_end(latest) else latest.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last)
    if state.preset == "quarter":
        q_first_month = 3 * ((latest.month - 1) // 3) + 1
        q_end = _month_end(date(latest.year, q_first_month + 2, 1))
        if latest != q_end:
            q_end = date(latest.year, q_first_month, 1) - timedelta(days=1)
        return Period(_month_start_back(q_end, 2), q_end)
    if state.preset == "year":
        year = latest.year if latest == date(latest.year, 12, 31) else latest.year - 1
        return Period(date(year, 1, 1), date(year, 12, 31))
    return Period(latest - timedelta(days=29), latest)


def whole_months(period: Period) -> int | None:
    """The number of calendar months `period` spans exactly (1 March–31 May: 3), else None."""
    if period.start.day != 1 or period.end != _month_end(period.end):
        return None
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1


WEEK = 7


def compare_period(period: Period, kind: str | None) -> Period | None:
    """The period `period` is compared with, or None (no comparison).

    Whole calendar months (a month, a quarter, a year, or a custom period of whole months) compare
    with whole calendar months: "previous" the same number of months just before, "last_year" the
    same months a year earlier (so "Senaste hela året" compares with the whole previous calendar
    year). Any other period is shifted back by whole weeks, so Mondays meet Mondays: "previous" by
    the fewest whole weeks that do not overlap it, "last_year" by 52 weeks (364 days).
    """
    kind = parse_comparison(kind)
    if kind is None:
        return None
    months = whole_months(period)
    if months is not None:
        back = 12 if kind == "last_year" else months
        start = _month_start_back(period.start, back)
        return Period(start, _month_end(_month_start_back(start, 1 - months)))
    weeks = 52 if kind == "last_year" else -(-period.days // WEEK)
    shift = timedelta(days=WEEK * weeks)
    return Period(period.start - shift, period.end - shift)


def comparison_period(state: FilterState, period: Period) -> Period | None:
    """The comparison period of the view's state; the engine's Filters use the same rule."""
    return compare_period(period, state.comparison)


# --- time grain ----------------------------------------------------------------------------
# A line over time is drawn per day, week or month: the finest grain that gives at most
# MAX_POINTS points and of whose points at most MAX_HIDDEN_SHARE are gaps (hidden small cells, or
# points with nothing to rest on), so a line is seldom broken. When even the coarsest grain has
# more gaps, its line is still drawn if it is not mostly gaps (`too_gappy_to_draw`): at least
# MIN_SHOWN_POINTS points shown and at most MAX_DRAWN_GAP_SHARE gaps (2 of 3 weeks draw, the
# third a gap; 2 of 12 months do not). Weeks and months are whole ones: a week grain covers the
# Monday–Sunday weeks inside the period, a month grain its calendar months, so a part-week
# never dives to 0. The pack's weekly figures use the same `whole_period`.

GRAINS = ("day", "week", "month")
GRAIN_NAMES = {"day": "dag", "week": "vecka", "month": "månad"}
MAX_POINTS = 62
MAX_HIDDEN_SHARE = 0.1
MIN_SHOWN_POINTS = 2  # a line needs two points
MAX_DRAWN_GAP_SHARE = 0.5  # a line of more gaps than this is "mostly gaps": said in words


def whole_period(period: Period, grain: str) -> Period | None:
    """The part of `period` made of whole grains: Monday–Sunday weeks, calendar months; the
    period itself for days. None when not one whole week (month) fits."""
    if grain == "day":
        return period
    if grain == "week":
        start = period.start + timedelta(days=-period.start.weekday() % WEEK)
        end = period.end - timedelta(days=(period.end.weekday() + 1) % WEEK)
    elif grain == "month":
        start = period.start if period.start.day == 1 else _month_end(period.start) + timedelta(days=1)
        end = period.end if period.end == _month_end(period.end) else period.end.replace(day=1) - timedelta(days=1)
    else:
        raise ValueError(f"Okänd tidsindelning '{grain}'.")
    return Period(start, end) if start <= end else None


def grain_points(period: Period, grain: str) -> int:
    """How many points `grain` draws over `period` (its whole grains; 0 when none fit)."""
    whole = whole_period(period, grain)
    if whole is None:
        return 0
    if grain == "day":
        return whole.days
    if grain == "week":
        return whole.days // WEEK
    return whole_months(whole) or 0


def grain_candidates(period: Period) -> tuple[str, ...]:
    """The grains worth trying, finest first: those with 2..MAX_POINTS points (day always for a
    period too short for a whole week; the coarsest with any point otherwise)."""
    fitting = tuple(g for g in GRAINS if 2 <= grain_points(period, g) <= MAX_POINTS)
    if fitting:
        return fitting
    with_points = [g for g in GRAINS if grain_points(period, g) >= 1]
    return (with_points[-1] if period.days > MAX_POINTS else "day",)


def too_gappy(hidden: Sequence[bool]) -> bool:
    """True when more than MAX_HIDDEN_SHARE of a line's points are gaps (hidden, or no value):
    a coarser grain is tried."""
    return bool(hidden) and sum(hidden) > MAX_HIDDEN_SHARE * len(hidden)


def too_gappy_to_draw(gaps: Sequence[bool]) -> bool:
    """True when a line (of the coarsest grain) is mostly gaps and is said in words instead: it
    has gaps (too_gappy), and fewer than MIN_SHOWN_POINTS points shown or more than
    MAX_DRAWN_GAP_SHARE of them gaps. A line of one point and no gap is drawn."""
    shown = len(gaps) - sum(gaps)
    return too_gappy(gaps) and (shown < MIN_SHOWN_POINTS or sum(gaps) > MAX_DRAWN_GAP_SHARE * len(gaps))


def grain_offset(grain: str, period: Period, compare: Period) -> str:
    """The Polars offset (`dt.offset_by`) that lays the comparison's points on the period's:
    months on months; days and weeks by the whole number of weeks nearest the shift, so a Monday
    lies on a Monday and the weekend dips of the two lines coincide (a month against the month
    before is shifted 28–31 days: December's 1st, a Monday, lay on November's 1st, a Saturday;
    the same period a year before by 364 days, not 365). Pass the chosen periods, not their
    whole weeks (`week_shift`). Points laid outside the period are not drawn
    (dashboard.ui.blocks.trend)."""
    if grain == "month":
        months = (period.start.year - compare.start.year) * 12 + period.start.month - compare.start.month
        return f"{months}mo"
    return f"{week_shift(period, compare).days}d"


def week_shift(period: Period, compare: Period) -> timedelta:
    """The whole weeks nearest the distance between the periods' starts: what lays a day or week
    of `compare` on the period's (364 days for the calendar year before, 28 for December against
    November). Take it from the chosen periods, not from their whole weeks: 2025's first whole
    week starts 6 January and 2024's on 1 January, 53 weeks apart, which set the Christmas week
    of 2025 against 16 December 2024."""
    return timedelta(days=WEEK * round((period.start - compare.start).days / WEEK))


# --- hour bin of a heatmap ---------------------------------------------------------------------
# A weekday × hour heatmap is drawn per hour, two hours, four hours or half a day (förmiddag
# before 12, eftermiddag after): the finest bin of whose cells with contacts at most
# MAX_HIDDEN_CELLS are hidden, so that one förvaltning's month (about 90 calls) shows most of its
# cells instead of a grid of "dolt". Blocks count from midnight, so with the phone open 08–17 the
# last block of 2 or 4 hours holds one open hour (16–17): small, and in a table with known
# margins it costs a second hidden cell in its row, which is why half a day is the coarsest.
# The cells are still published by dashboard.privacy, at the bin's own grain.

HOUR_BINS = {1: "hour", 2: "hour2", 4: "hour4", 12: "hour12"}  # hours a cell spans -> dimension
HOUR_BIN_NAMES = {1: "timme", 2: "2-timmarsintervall", 4: "4-timmarsintervall",
                  12: "förmiddag/eftermiddag"}
MAX_HIDDEN_CELLS = 0.5  # "most cells shown": at most half of them hidden


def mostly_hidden_cells(hidden: Sequence[bool]) -> bool:
    """True when more than MAX_HIDDEN_CELLS of a heatmap's cells with contacts are hidden."""
    return bool(hidden) and sum(hidden) > MAX_HIDDEN_CELLS * len(hidden)


def choose_hour_bin(hidden_at: Callable[[int], Sequence[bool]]) -> int:
    """The finest span of HOUR_BINS whose cells are not mostly hidden (the coarsest if all are);
    `hidden_at(span)` gives the hidden flags of that span's cells with contacts, asked finest
    first and only as far as needed."""
    for span in HOUR_BINS:
        if not mostly_hidden_cells(hidden_at(span)):
            return span
    return span

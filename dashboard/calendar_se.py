"""The Swedish public-holiday calendar and working days (pure functions, no I/O).

Public holidays (allmänna helgdagar) follow lagen (1989:253) om allmänna helgdagar. Besides them,
midsommarafton, julafton and nyårsafton are de facto non-working days in Swedish public
administration; they get a holiday_name but is_holiday = false. A working day is Monday-Friday
and neither kind. Påskafton and pingstafton always fall on a Saturday, so they need no row.
"""

from __future__ import annotations

from datetime import date, timedelta

CALENDAR_START = date(2015, 1, 1)
CALENDAR_END = date(2035, 12, 31)


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _saturday_between(first: date, days: int = 7) -> date:
    return next(first + timedelta(n) for n in range(days) if (first + timedelta(n)).weekday() == 5)


def public_holidays(year: int) -> dict[date, str]:
    """Allmänna helgdagar of one year: date -> Swedish name."""
    easter = easter_sunday(year)
    midsummer_day = _saturday_between(date(year, 6, 20))
    return {
        date(year, 1, 1): "Nyårsdagen",
        date(year, 1, 6): "Trettondedag jul",
        easter - timedelta(2): "Långfredagen",
        easter: "Påskdagen",
        easter + timedelta(1): "Annandag påsk",
        date(year, 5, 1): "Första maj",
        easter + timedelta(39): "Kristi himmelsfärdsdag",
        easter + timedelta(49): "Pingstdagen",
        date(year, 6, 6): "Sveriges nationaldag",
        midsummer_day: "Midsommardagen",
        _saturday_between(date(year, 10, 31)): "Alla helgons dag",
        date(year, 12, 25): "Juldagen",
        date(year, 12, 26): "Annandag jul",
    }


def de_facto_holidays(year: int) -> dict[date, str]:
    """Days that are not public holidays but on which public administration is closed."""
    midsummer_eve = _saturday_between(date(year, 6, 20)) - timedelta(1)
    return {
        midsummer_eve: "Midsommarafton",
        date(year, 12, 24): "Julafton",
        date(year, 12, 31): "Nyårsafton",
    }


def day_info(d: date) -> tuple[bool, str | None, bool]:
    """(is_holiday, holiday_name, is_working_day) for one date."""
    public = public_holidays(d.year)
    if d in public:
        return True, public[d], False
    eve = de_facto_holidays(d.year).get(d)
    return False, eve, eve is None and d.weekday() < 5


def calendar_rows(start: date = CALENDAR_START, end: date = CALENDAR_END) -> list[tuple]:
    """Rows (date, is_holiday, holiday_name, is_working_day) for every date in [start, end]."""
    rows = []
    for year in range(start.year, end.year + 1):
        public = public_holidays(year)
        eves = de_facto_holidays(year)
        d = max(start, date(year, 1, 1))
        last = min(end, date(year, 12, 31))
        while d <= last:
            name = public.get(d) or eves.get(d)
            rows.append((d, d in public, name, name is None and d.weekday() < 5))
            d += timedelta(1)
    return rows


def working_days_between(start: date, end: date) -> int:
    """Working days in the half-open interval (start, end]: 0 when end <= start.

    "Answered within one working day" means working_days_between(arrival, reply) <= 1.
    """
    if end <= start:
        return 0
    return sum(1 for row in calendar_rows(start + timedelta(1), end) if row[3])

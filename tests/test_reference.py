"""Reference data and the Swedish calendar, against dates published for known years."""

from __future__ import annotations

from datetime import date, time, timedelta

import numpy as np
import pytest

from dashboard.calendar_se import (
    CALENDAR_END, CALENDAR_START, calendar_rows, day_info, de_facto_holidays, easter_sunday,
    public_holidays, working_days_between,
)
from dashboard.reference import (
    CITY_AREAS, DEPARTMENTS, LANGUAGES, OPENING_HOURS, SERVICE_POINTS, TOPICS, seed_reference,
)
from dashboard.store import open_store


@pytest.mark.parametrize("year, expected", [
    (2000, date(2000, 4, 23)), (2019, date(2019, 4, 21)), (2024, date(2024, 3, 31)),
    (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2038, date(2038, 4, 25)),
    (2285, date(2285, 3, 22)),  # the earliest possible Easter
])
def test_easter_sunday_known_years(year, expected):
    assert easter_sunday(year) == expected


def test_public_holidays_2025_by_name():
    by_name = {name: d for d, name in public_holidays(2025).items()}
    assert by_name["Långfredagen"] == date(2025, 4, 18)
    assert by_name["Annandag påsk"] == date(2025, 4, 21)
    assert by_name["Kristi himmelsfärdsdag"] == date(2025, 5, 29)
    assert by_name["Pingstdagen"] == date(2025, 6, 8)
    assert by_name["Midsommardagen"] == date(2025, 6, 21)
    assert by_name["Alla helgons dag"] == date(2025, 11, 1)
    assert len(by_name) == 13
    eves = {name: d for d, name in de_facto_holidays(2025).items()}
    assert eves == {"Midsommarafton": date(2025, 6, 20), "Julafton": date(2025, 12, 24),
                    "Nyårsafton": date(2025, 12, 31)}


def test_public_holidays_2024_moving_days():
    by_name = {name: d for d, name in public_holidays(2024).items()}
    assert by_name["Långfredagen"] == date(2024, 3, 29)
    assert by_name["Kristi himmelsfärdsdag"] == date(2024, 5, 9)
    assert by_name["Midsommardagen"] == date(2024, 6, 22)
    assert by_name["Alla helgons dag"] == date(2024, 11, 2)


def test_midsummer_and_all_saints_are_always_saturdays_in_their_windows():
    for year in range(CALENDAR_START.year, CALENDAR_END.year + 1):
        by_name = {name: d for d, name in public_holidays(year).items()}
        mid, saints = by_name["Midsommardagen"], by_name["Alla helgons dag"]
        assert mid.weekday() == 5 and date(year, 6, 20) <= mid <= date(year, 6, 26)
        assert saints.weekday() == 5 and date(year, 10, 31) <= saints <= date(year, 11, 6)


# Weekday holidays and eves counted by hand from the 2024 and 2025 calendars.
_WEEKDAY_CLOSED = {
    2024: ["01-01", "03-29", "04-01", "05-01", "05-09", "06-06", "06-21", "12-24", "12-25",
           "12-26", "12-31"],
    2025: ["01-01", "01-06", "04-18", "04-21", "05-01", "05-29", "06-06", "06-20", "12-24",
           "12-25", "12-26", "12-31"],
}


@pytest.mark.parametrize("year, expected", [(2024, 262 - 11), (2025, 261 - 12)])
def test_working_days_per_year(year, expected):
    rows = calendar_rows(date(year, 1, 1), date(year, 12, 31))
    assert sum(r[3] for r in rows) == expected
    weekdays = int(np.busday_count(f"{year}-01-01", f"{year + 1}-01-01"))
    holidays = [f"{year}-{md}" for md in _WEEKDAY_CLOSED[year]]
    assert expected == int(np.busday_count(f"{year}-01-01", f"{year + 1}-01-01", holidays=holidays))
    assert weekdays - len(holidays) == expected


def test_working_days_between_over_easter():
    # Thursday before Easter -> Tuesday after: Fri and Mon are holidays, so one working day.
    assert working_days_between(date(2025, 4, 17), date(2025, 4, 22)) == 1
    assert working_days_between(date(2025, 4, 22), date(2025, 4, 22)) == 0
    assert working_days_between(date(2025, 6, 19), date(2025, 6, 23)) == 1  # midsommarafton closed
    assert working_days_between(date(2025, 3, 3), date(2025, 3, 10)) == 5


def test_day_info_kinds():
    assert day_info(date(2025, 6, 6)) == (True, "Sveriges nationaldag", False)
    assert day_info(date(2025, 12, 24)) == (False, "Julafton", False)
    assert day_info(date(2025, 3, 8)) == (False, None, False)   # a Saturday
    assert day_info(date(2025, 3, 10)) == (False, None, True)


def test_calendar_is_continuous_and_agrees_with_day_info():
    rows = calendar_rows()
    assert rows[0][0] == CALENDAR_START and rows[-1][0] == CALENDAR_END
    assert len(rows) == (CALENDAR_END - CALENDAR_START).days + 1
    assert all(b[0] - a[0] == timedelta(1) for a, b in zip(rows, rows[1:]))
    for row in rows[::97]:
        assert row[1:] == day_info(row[0])


def test_reference_data_is_consistent():
    assert len(DEPARTMENTS) == 13
    assert 55 <= len(TOPICS) <= 70
    assert len({t[0] for t in TOPICS}) == len(TOPICS)
    assert {t[1] for t in TOPICS} == set(DEPARTMENTS)  # every förvaltning owns at least one topic
    chasing = [t[0] for t in TOPICS if t[3]]
    assert chasing and all(name.startswith("Status") for name in chasing)
    stadsdelar = [a for a in CITY_AREAS if a[1] == "stadsdel"]
    assert len(stadsdelar) == 10 and len(CITY_AREAS) == 15
    assert 340_000 <= sum(a[3] for a in stadsdelar) <= 380_000
    totals = {a[0]: a[3] for a in CITY_AREAS if a[1] == "stadsomrade"}
    for area in totals:
        assert totals[area] == sum(a[3] for a in stadsdelar if a[2] == area)
    names = {a[0] for a in CITY_AREAS}
    assert all(area is None or area in names for area in SERVICE_POINTS.values())
    assert {"sv", "ar", "hbs", "pl", "da", "en", "fi"} <= set(LANGUAGES)


def test_opening_hours_phone_weekdays_8_to_17():
    phone = sorted((wd, o, c) for ch, wd, o, c in OPENING_HOURS if ch == "phone")
    assert phone == [(wd, time(8), time(17)) for wd in range(1, 6)]
    assert not [row for row in OPENING_HOURS if row[0] == "e_service"]


def test_open_store_seeds_lookup_tables(empty_db):
    con = open_store(empty_db(), read_only=True)
    counts = {t: con.execute(f"select count(*) from {t}").fetchall()[0][0]
              for t in ("departments", "topics", "city_areas", "service_points", "calendar", "opening_hours")}
    assert counts["departments"] == 13 and counts["topics"] == len(TOPICS)
    assert counts["calendar"] == (CALENDAR_END - CALENDAR_START).days + 1
    orphans = con.execute(
        "select count(*) from topics left join departments using (department) where short_name is null"
    ).fetchall()[0][0]
    assert orphans == 0
    working = con.execute(
        "select count(*) from calendar where is_working_day and year(date) = 2025"
    ).fetchall()[0][0]
    assert working == 249
    con.close()


def test_seed_reference_is_idempotent_and_leaves_edited_tables_alone(empty_db):
    con = open_store(empty_db())
    assert seed_reference(con) == []
    con.execute("delete from service_points")
    con.execute("insert into service_points values ('Egen servicepunkt', 'Oxie')")
    con.execute("delete from opening_hours")
    assert seed_reference(con) == ["opening_hours"]
    assert con.execute("select service_point from service_points").fetchall() == [("Egen servicepunkt",)]
    assert con.execute("select count(*) from opening_hours").fetchall()[0][0] == len(OPENING_HOURS)
    con.close()

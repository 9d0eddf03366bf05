"""URL <-> filter state: pure parsing, notices for bad values, periods worked out by hand."""

from datetime import date

import pytest
from hypothesis import given, strategies as st

from dashboard.metrics.filters import Filters
from dashboard.periods import Period, comparison_period, parse_comparison, resolve_period
from dashboard.view import FilterOptions, FilterState, describe, parse_query, to_query

OPTIONS = FilterOptions(
    earliest=date(2024, 1, 1),
    latest=date(2025, 6, 15),
    departments=("Förskoleförvaltningen", "Miljöförvaltningen"),
    channels=("phone", "email", "chat"),
    city_areas=("Väster", "Öster"),
    topics=("Bygglov", "Förskoleplats"),
    languages=("sv", "ar"),
    customer_types=("resident", "business"),
)


def test_empty_query_gives_defaults_without_notices():
    result = parse_query({}, OPTIONS)
    assert result.state == FilterState()
    assert result.notices == []


def test_full_query_round_trips():
    query = {
        "period": "custom", "from": "2025-01-01", "to": "2025-03-31", "compare": "yoy",
        "department": "Miljöförvaltningen", "channel": ["phone", "chat"], "area": "Öster",
        "topic": ["Bygglov"], "language": ["ar"], "customer_type": ["business"],
    }
    result = parse_query(query, OPTIONS)
    assert result.notices == []
    s = result.state
    assert (s.preset, s.start, s.end, s.comparison) == ("custom", date(2025, 1, 1), date(2025, 3, 31), "last_year")
    assert s.department == "Miljöförvaltningen"
    assert s.channels == ("phone", "chat") and s.city_areas == ("Öster",)
    assert parse_query(to_query(s), OPTIONS).state == s


def test_defaults_are_left_out_of_the_url():
    assert to_query(FilterState()) == {}
    assert to_query(FilterState(department="Miljöförvaltningen")) == {"department": "Miljöförvaltningen"}


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"foo": "1"}, "Okänd parameter 'foo'"),
        ({"period": "decade"}, "Perioden 'decade' finns inte"),
        ({"compare": "x"}, "Jämförelsen 'x' finns inte"),
        ({"department": "Påhittade förvaltningen"}, "visar hela staden"),
        ({"channel": ["phone", "fax"]}, "'fax' för kanal"),
        ({"period": "custom", "from": "2025-13-01", "to": "2025-02-01"}, "det finns ingen månad 13"),
        ({"period": "custom", "from": "igår", "to": "2025-02-01"}, "kunde inte läsas"),
        ({"period": "custom", "from": "2025-01-01"}, "både 'from' och 'to'"),
        ({"period": "custom", "from": "2030-01-01", "to": "2030-02-01"}, "utanför data"),
        ({"from": "2025-01-01"}, "bara med period=custom"),
        ({"department": ["Miljöförvaltningen", "Förskoleförvaltningen"]}, "flera gånger"),
    ],
)
def test_bad_values_are_ignored_with_a_notice(query, fragment):
    result = parse_query(query, OPTIONS)
    assert any(fragment in n for n in result.notices), result.notices


@pytest.mark.parametrize("query", [
    {"from": "2025-02-30"},
    {"period": "custom", "from": "2025-02-30", "to": "2025-03-10"},
    {"period": "custom", "from": "2025-02-30"},
    {"from": "2025-02-30", "to": "2025-03-10"},
])
def test_an_impossible_date_gives_one_notice_and_the_default_period(query):
    """2025-02-30 is in the right form but no date: one notice that says so (not 'could not be
    read' plus 'a custom period needs both dates'), and the default period."""
    result = parse_query(query, OPTIONS)
    assert result.notices == ["Datumet '2025-02-30' i parametern 'from' finns inte (februari 2025 "
                              "har 28 dagar); visar standardperioden (senaste 30 dagarna)."]
    assert result.state == FilterState()


def test_an_impossible_date_leaves_a_chosen_preset_alone():
    result = parse_query({"period": "month", "to": "2024-02-30"}, OPTIONS)
    assert result.state.preset == "month" and result.state.start is None
    assert result.notices == ["Datumet '2024-02-30' i parametern 'to' finns inte (februari 2024 "
                              "har 29 dagar); visar senaste hela månaden."]


@pytest.mark.parametrize(("typed", "meant"), [("Forskola", "Förskoleförvaltningen"),
                                              ("miljoforvaltningen", "Miljöförvaltningen"),
                                              ("Förskoleförvaltnigen", "Förskoleförvaltningen")])
def test_a_misspelt_department_gets_the_closest_name(typed, meant):
    result = parse_query({"department": typed}, OPTIONS)
    assert result.state.department is None
    assert result.notices == [f"Förvaltningen '{typed}' finns inte i data; visar hela staden. "
                              f"Menade du '{meant}'?"]
    unlike = parse_query({"department": "Påhittade"}, OPTIONS).notices
    assert unlike == ["Förvaltningen 'Påhittade' finns inte i data; visar hela staden."]


def test_bad_values_fall_back_but_keep_the_good_ones():
    result = parse_query({"channel": ["phone", "fax", "phone"], "period": "decade", "compare": "yoy"}, OPTIONS)
    assert result.state.channels == ("phone",)  # deduplicated, fax dropped
    assert result.state.preset == "30d"
    assert result.state.comparison == "last_year"


def test_swapped_custom_dates_are_swapped_back():
    result = parse_query({"period": "custom", "from": "2025-03-01", "to": "2025-01-01"}, OPTIONS)
    assert (result.state.start, result.state.end) == (date(2025, 1, 1), date(2025, 3, 1))
    assert result.notices


def test_streamlit_own_keys_are_not_reported():
    assert parse_query({"embed": "true"}, OPTIONS).notices == []


@given(st.dictionaries(st.text(max_size=8), st.one_of(st.text(max_size=12), st.lists(st.text(max_size=12), max_size=3)), max_size=6))
def test_parse_never_raises(params):
    result = parse_query(params, OPTIONS)
    assert isinstance(result.state, FilterState)


# Periods, worked by hand. Latest data 15 June 2025 (mid-month, mid-quarter).
LATEST = date(2025, 6, 15)


@pytest.mark.parametrize(
    ("preset", "latest", "expected"),
    [
        ("30d", LATEST, Period(date(2025, 5, 17), date(2025, 6, 15))),
        ("month", LATEST, Period(date(2025, 5, 1), date(2025, 5, 31))),
        ("month", date(2025, 6, 30), Period(date(2025, 6, 1), date(2025, 6, 30))),
        ("quarter", LATEST, Period(date(2025, 1, 1), date(2025, 3, 31))),
        ("quarter", date(2025, 6, 30), Period(date(2025, 4, 1), date(2025, 6, 30))),
        ("quarter", date(2025, 2, 10), Period(date(2024, 10, 1), date(2024, 12, 31))),
        ("year", LATEST, Period(date(2024, 1, 1), date(2024, 12, 31))),
        ("year", date(2024, 12, 31), Period(date(2024, 1, 1), date(2024, 12, 31))),
    ],
)
def test_presets_take_the_latest_complete_period(preset, latest, expected):
    assert resolve_period(FilterState(preset=preset), latest) == expected


def test_custom_period_is_taken_as_given():
    s = FilterState(preset="custom", start=date(2025, 2, 1), end=date(2025, 2, 10))
    assert resolve_period(s, LATEST) == Period(date(2025, 2, 1), date(2025, 2, 10))


@pytest.mark.parametrize(
    ("state", "period", "expected"),
    [
        # a rolling period: back by the fewest whole weeks that do not overlap (30 days: 5 weeks),
        # or by 52 weeks for last year, so a Saturday meets a Saturday
        (FilterState(preset="30d"), Period(date(2025, 5, 17), date(2025, 6, 15)),
         Period(date(2025, 4, 12), date(2025, 5, 11))),
        (FilterState(comparison="last_year"), Period(date(2025, 5, 17), date(2025, 6, 15)),
         Period(date(2024, 5, 18), date(2024, 6, 16))),
        (FilterState(preset="custom"), Period(date(2025, 2, 3), date(2025, 2, 12)),
         Period(date(2025, 1, 20), date(2025, 1, 29))),
        (FilterState(preset="custom"), Period(date(2025, 6, 15), date(2025, 6, 15)),
         Period(date(2025, 6, 8), date(2025, 6, 8))),
        # whole calendar months: the months just before, or the same months a year earlier
        (FilterState(preset="month"), Period(date(2025, 3, 1), date(2025, 3, 31)),
         Period(date(2025, 2, 1), date(2025, 2, 28))),
        (FilterState(preset="quarter"), Period(date(2025, 1, 1), date(2025, 3, 31)),
         Period(date(2024, 10, 1), date(2024, 12, 31))),
        (FilterState(preset="year"), Period(date(2024, 1, 1), date(2024, 12, 31)),
         Period(date(2023, 1, 1), date(2023, 12, 31))),
        (FilterState(preset="year", comparison="last_year"), Period(date(2025, 1, 1), date(2025, 12, 31)),
         Period(date(2024, 1, 1), date(2024, 12, 31))),
        (FilterState(comparison="last_year"), Period(date(2024, 2, 1), date(2024, 2, 29)),
         Period(date(2023, 2, 1), date(2023, 2, 28))),
        (FilterState(preset="custom"), Period(date(2025, 11, 1), date(2026, 1, 31)),
         Period(date(2025, 8, 1), date(2025, 10, 31))),
    ],
)
def test_comparison_periods(state, period, expected):
    assert comparison_period(state, period) == expected
    assert comparison_period(FilterState(comparison="none"), period) is None


def test_comparison_matches_the_engine_filters():
    from dashboard.metrics import Filters

    period = Period(date(2025, 3, 1), date(2025, 3, 31))
    f = Filters(start=period.start, end=period.end)
    prev = comparison_period(FilterState(comparison="previous"), period)
    yoy = comparison_period(FilterState(comparison="last_year"), period)
    assert (prev.start, prev.end) == (f.previous_period().start, f.previous_period().end)
    assert (yoy.start, yoy.end) == (f.same_period_last_year().start, f.same_period_last_year().end)


def test_describe_names_department_period_comparison_and_filters():
    s = FilterState(department="Miljöförvaltningen", channels=("phone",))
    text = describe(s, Period(date(2025, 3, 1), date(2025, 3, 31)),
                    Period(date(2025, 1, 29), date(2025, 2, 28)))
    assert text == ("Miljöförvaltningen, 1–31 mars 2025 jämfört med 29 januari–28 februari 2025 "
                    "(kanal: Telefon)")


@pytest.mark.parametrize(("spelling", "kind"), [
    ("previous", "previous"), ("prev", "previous"), ("foregaende", "previous"),
    ("last_year", "last_year"), ("yoy", "last_year"), ("forra-aret", "last_year"),
    ("none", None), ("ingen", None), (None, None),
])
def test_every_spelling_of_a_comparison_means_one_kind(spelling, kind):
    assert parse_comparison(spelling) == kind


def test_an_unknown_comparison_is_refused_with_the_valid_spellings():
    with pytest.raises(ValueError, match="Giltiga: previous, prev, foregaende"):
        parse_comparison("quarter")


def test_the_url_keeps_its_short_comparison_codes():
    assert to_query(FilterState(comparison="last_year")) == {"compare": "yoy"}
    assert parse_query({"compare": "none"}, OPTIONS).state.compared_with is None
    assert parse_query({}, OPTIONS).state.compared_with == "previous"


def test_a_leap_day_compares_with_the_same_weekday_52_weeks_before():
    f = Filters(start=date(2024, 2, 29), end=date(2024, 2, 29))  # a Thursday
    assert f.compared("last_year") == Filters(start=date(2023, 3, 2), end=date(2023, 3, 2))
    assert f.compared("none") is None and f.compared(None) is None


# --- periods clamped to the data ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("given_from", "given_to", "expected"),
    [
        ("2023-12-01", "2024-01-10", (date(2024, 1, 1), date(2024, 1, 10))),  # past the first day
        ("2025-06-01", "2025-07-31", (date(2025, 6, 1), date(2025, 6, 15))),  # past the last day
        ("2023-01-01", "2026-01-01", (date(2024, 1, 1), date(2025, 6, 15))),  # past both
    ],
)
def test_a_custom_period_past_the_data_is_clamped_with_a_notice(given_from, given_to, expected):
    result = parse_query({"period": "custom", "from": given_from, "to": given_to}, OPTIONS)
    assert (result.state.preset, result.state.start, result.state.end) == ("custom", *expected)
    assert any("gick utanför data" in n for n in result.notices), result.notices


def test_a_bookmark_wholly_before_the_data_shows_the_default_period():
    """Old data removed: the link's period is gone; the default period is shown, with a notice."""
    result = parse_query({"period": "custom", "from": "2022-01-01", "to": "2022-03-01"}, OPTIONS)
    assert result.state.preset == "30d" and result.state.start is None
    assert any("utanför data" in n for n in result.notices)


def test_clamp_keeps_a_period_inside_the_data_and_the_date_input_valid():
    from dashboard.view import clamp

    assert clamp(Period(date(2023, 5, 1), date(2024, 2, 1)), OPTIONS) == Period(date(2024, 1, 1), date(2024, 2, 1))
    assert clamp(Period(date(2024, 3, 1), date(2024, 3, 5)), OPTIONS) == Period(date(2024, 3, 1), date(2024, 3, 5))
    # wholly outside: all of the data (a date input's value must lie between its min and max)
    assert clamp(Period(date(2020, 1, 1), date(2020, 2, 1)), OPTIONS) == Period(date(2024, 1, 1), date(2025, 6, 15))


# --- names and notices -----------------------------------------------------------------------

def test_names_in_the_url_match_whatever_their_case():
    result = parse_query({"department": "förskoleFÖRVALTNINGEN", "area": "väster", "topic": " bygglov ",
                          "channel": "PHONE", "period": "Quarter", "compare": "YOY"}, OPTIONS)
    s = result.state
    assert (s.department, s.city_areas, s.topics, s.channels) == (
        "Förskoleförvaltningen", ("Väster",), ("Bygglov",), ("phone",))
    assert (s.preset, s.comparison) == ("quarter", "last_year")
    assert result.notices == []
    # the canonical URL spells them as the data does
    assert to_query(s)["department"] == "Förskoleförvaltningen"


def test_a_very_long_value_is_not_echoed_in_full():
    long = "x" * 20_000
    notices = parse_query({"department": long, "topic": long, long: "1"}, OPTIONS).notices
    assert len(notices) == 3
    assert all(len(n) < 300 for n in notices), [len(n) for n in notices]
    assert all("20000 tecken" in n for n in notices)


def test_many_bad_values_give_one_summarised_notice():
    bad = [f"påhitt {i}" for i in range(500)]
    notices = parse_query({"topic": bad + ["Bygglov"]}, OPTIONS).notices
    assert len(notices) == 1
    assert notices[0].startswith("500 värden för ärendekategori finns inte i data")
    assert "'påhitt 0', 'påhitt 1', 'påhitt 2' med flera" in notices[0]
    assert parse_query({"topic": bad + ["Bygglov"]}, OPTIONS).state.topics == ("Bygglov",)


def test_the_number_of_notices_is_capped():
    from dashboard.view import MAX_NOTICES

    query = {"period": "decade", "compare": "x", "department": "y", "channel": "fax", "area": "z",
             "topic": "q", "language": "xx", "customer_type": "alien", "from": "2025-01-01"}
    notices = parse_query(query, OPTIONS).notices
    assert len(notices) == MAX_NOTICES
    assert notices[-1] == f"Ytterligare {9 - (MAX_NOTICES - 1)} fel i adressen ignorerades."


# --- time grain ---------------------------------------------------------------------------------

def test_whole_weeks_and_months_inside_a_period():
    from dashboard.periods import whole_period

    # Thursday 1 May – Saturday 31 May 2025: the Monday–Sunday weeks 5 May – 25 May
    may = Period(date(2025, 5, 1), date(2025, 5, 31))
    assert whole_period(may, "week") == Period(date(2025, 5, 5), date(2025, 5, 25))
    assert whole_period(may, "month") == may
    assert whole_period(may, "day") == may
    assert whole_period(Period(date(2025, 5, 17), date(2025, 6, 15)), "month") is None
    assert whole_period(Period(date(2025, 1, 15), date(2025, 4, 10)), "month") == Period(
        date(2025, 2, 1), date(2025, 3, 31))
    # Monday to Sunday is kept whole
    assert whole_period(Period(date(2025, 5, 5), date(2025, 5, 11)), "week") == Period(
        date(2025, 5, 5), date(2025, 5, 11))
    assert whole_period(Period(date(2025, 5, 6), date(2025, 5, 11)), "week") is None


def test_grain_candidates_by_length():
    from dashboard.periods import grain_candidates

    one_day = Period(date(2025, 5, 6), date(2025, 5, 6))
    days30 = Period(date(2025, 5, 17), date(2025, 6, 15))
    quarter = Period(date(2025, 1, 1), date(2025, 3, 31))  # 90 days: too many daily points
    year = Period(date(2024, 1, 1), date(2024, 12, 31))  # 52 whole weeks
    two_years = Period(date(2024, 1, 1), date(2025, 12, 31))
    assert grain_candidates(one_day) == ("day",)
    assert grain_candidates(days30) == ("day", "week")  # no whole month in 17 May – 15 June
    assert grain_candidates(quarter) == ("week", "month")
    assert grain_candidates(year) == ("week", "month")
    assert grain_candidates(two_years) == ("month",)


def test_a_line_is_too_gappy_when_more_than_a_tenth_is_hidden():
    from dashboard.periods import too_gappy

    assert not too_gappy([])
    assert not too_gappy([True] + [False] * 9)  # exactly 10 %
    assert too_gappy([True, True] + [False] * 9)
    assert too_gappy([True] * 3)


def test_a_line_of_the_coarsest_grain_is_drawn_unless_it_is_mostly_gaps():
    """A demanding user would rather see the points that exist: 2 of 3 weeks draw, the third a
    gap; fewer than two points shown, or more than half of them gaps, are said in words."""
    from dashboard.periods import too_gappy_to_draw

    assert not too_gappy_to_draw([False, False, True])  # 2 of 3
    assert not too_gappy_to_draw([False])  # one point, no gap: drawn as before
    assert not too_gappy_to_draw([False, True] * 3)  # half
    assert too_gappy_to_draw([False, True])  # one point shown
    assert too_gappy_to_draw([True] * 3)
    assert too_gappy_to_draw([False, False, True, True, True])  # 3 of 5 gaps
    assert too_gappy_to_draw([]) is False


def test_the_comparison_is_laid_on_the_period_by_whole_weeks_or_months():
    from dashboard.periods import grain_offset

    period = Period(date(2025, 5, 17), date(2025, 6, 15))
    compare = comparison_period(FilterState(), period)
    assert grain_offset("day", period, compare) == "35d"
    assert grain_offset("month", Period(date(2025, 3, 1), date(2025, 3, 31)),
                        Period(date(2024, 3, 1), date(2024, 3, 31))) == "12mo"


def test_a_daily_comparison_lies_weekday_on_weekday_whatever_the_period():
    """December 2025 against November: 30 days apart, laid 28 days on, so Monday 3 November lies
    on Monday 1 December (by 30 days Saturday 1 November did); a year before by 52 weeks."""
    import polars as pl

    from dashboard.periods import grain_offset

    december, november = Period(date(2025, 12, 1), date(2025, 12, 31)), Period(date(2025, 11, 1), date(2025, 11, 30))
    assert grain_offset("day", december, november) == "28d"
    days = pl.Series("day", pl.date_range(november.start, november.end, eager=True))
    laid = days.dt.offset_by(grain_offset("day", december, november))
    assert (days.dt.weekday() == laid.dt.weekday()).all()
    assert laid.filter(laid >= december.start)[0] == date(2025, 12, 1)
    march = Period(date(2025, 3, 1), date(2025, 3, 31))
    assert grain_offset("day", march, Period(date(2024, 3, 1), date(2024, 3, 31))) == "364d"


def test_a_view_per_week_covers_whole_weeks_of_period_and_comparison():
    from dashboard.view import build_view

    state = FilterState(preset="custom", start=date(2025, 5, 1), end=date(2025, 5, 31))
    weekly = build_view(state, OPTIONS).for_grain("week")
    assert weekly.period == Period(date(2025, 5, 5), date(2025, 5, 25))
    # May is a whole month: compared with April, whose whole weeks are 7–27 April
    assert weekly.compare == Period(date(2025, 4, 7), date(2025, 4, 27))
    assert weekly.compare.start.weekday() == weekly.period.start.weekday() == 0


def test_the_pages_say_when_the_newest_data_is_old():
    """Periods count back from the newest contact: a week later without new data is said."""
    from dashboard.view import data_age_notice

    assert data_age_notice(date(2025, 12, 31), date(2026, 1, 7)) is None   # 7 days: a quiet week
    notice = data_age_notice(date(2025, 12, 31), date(2026, 12, 3))
    assert notice.startswith("Senaste data är från 31 december 2025, för 337 dagar sedan")


def test_the_whole_views_value_is_named_by_what_narrows_it():
    """Beside its groups, the whole view's value is the city's, the förvaltning's, or, once other
    filters narrow it (a heatmap cell's weekday and hour, a channel), the selection's."""
    from dashboard.view import SELECTION, View
    from dashboard.view import FilterState

    def view(**state) -> View:
        return View(FilterState(**state), Period(date(2025, 3, 1), date(2025, 3, 31)), None, None, "")

    assert view().whole_name == "Hela staden"
    assert view(department="Kulturförvaltningen").whole_name == "Kulturförvaltningen"
    assert view(weekdays=("3",), hours=("10",)).whole_name == SELECTION == "Hela urvalet"
    assert view(department="Kulturförvaltningen", channels=("phone",)).whole_name == SELECTION

"""URL <-> filter state: pure parsing, notices for bad values, periods worked out by hand."""

from datetime import date

import pytest
from hypothesis import given, strategies as st

from dashboard.metrics.filters import Filters
from dashboard.view import (
    FilterOptions,
    FilterState,
    Period,
    comparison_period,
    parse_comparison,
    describe,
    parse_query,
    resolve_period,
    to_query,
)

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
        ({"period": "custom", "from": "2025-13-01", "to": "2025-02-01"}, "kunde inte läsas"),
        ({"period": "custom", "from": "2025-01-01"}, "både 'from' och 'to'"),
        ({"period": "custom", "from": "2030-01-01", "to": "2030-02-01"}, "utanför data"),
        ({"from": "2025-01-01"}, "bara med period=custom"),
        ({"department": ["Miljöförvaltningen", "Förskoleförvaltningen"]}, "flera gånger"),
    ],
)
def test_bad_values_are_ignored_with_a_notice(query, fragment):
    result = parse_query(query, OPTIONS)
    assert any(fragment in n for n in result.notices), result.notices


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
        (FilterState(preset="30d"), Period(date(2025, 5, 17), date(2025, 6, 15)),
         Period(date(2025, 4, 17), date(2025, 5, 16))),
        # equal length, ending the day before (the engine's previous_period)
        (FilterState(preset="month"), Period(date(2025, 3, 1), date(2025, 3, 31)),
         Period(date(2025, 1, 29), date(2025, 2, 28))),
        (FilterState(preset="quarter"), Period(date(2025, 1, 1), date(2025, 3, 31)),
         Period(date(2024, 10, 3), date(2024, 12, 31))),
        (FilterState(preset="year"), Period(date(2024, 1, 1), date(2024, 12, 31)),
         Period(date(2022, 12, 31), date(2023, 12, 31))),  # 2024 has 366 days
        (FilterState(comparison="last_year"), Period(date(2024, 2, 1), date(2024, 2, 29)),
         Period(date(2023, 2, 1), date(2023, 2, 28))),
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


def test_a_leap_day_compares_with_the_28th_a_year_before():
    f = Filters(start=date(2024, 2, 29), end=date(2024, 2, 29))
    assert f.compared("last_year") == Filters(start=date(2023, 2, 28), end=date(2023, 2, 28))
    assert f.compared("none") is None and f.compared(None) is None

"""Swedish formatting: expected strings written out by hand."""

from datetime import date

import pytest

from dashboard import formatting as f

S = "\u00a0"  # no-break space
M = "\u2212"  # minus sign


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0, 0, "0"),
        (999, 0, "999"),
        (1000, 0, f"1{S}000"),
        (1234567.891, 1, f"1{S}234{S}567,9"),
        (-1234.5, 2, f"{M}1{S}234,50"),
        (0.04, 1, "0,0"),
        (-0.04, 1, "0,0"),  # never "−0,0"
        (None, 0, "–"),
        (float("nan"), 1, "–"),
    ],
)
def test_format_number(value, decimals, expected):
    assert f.format_number(value, decimals) == expected


def test_sign_only_on_request_and_only_for_positive():
    assert f.format_number(12.34, 1, sign=True) == "+12,3"
    assert f.format_number(-12.34, 1, sign=True) == f"{M}12,3"
    assert f.format_number(0, 1, sign=True) == "0,0"


def test_percent_has_no_break_space_and_decimal_comma():
    assert f.format_percent(0.1234) == f"12,3{S}%"
    assert f.format_percent(1) == f"100,0{S}%"
    assert f.format_percent(0.5, 0) == f"50{S}%"
    assert f.format_percent(None) == "–"


def test_points_for_share_differences():
    assert f.format_points(0.012) == f"+1,2{S}procentenheter"
    assert f.format_points(-0.034) == f"{M}3,4{S}procentenheter"


def test_counts_below_threshold_are_suppressed():
    assert f.format_count(4) == "<5"
    assert f.format_count(1, threshold=10) == "<10"
    assert f.format_count(5) == "5"
    assert f.format_count(0) == "0"  # a true zero reveals nobody
    assert f.format_count(12345) == f"12{S}345"
    assert f.format_count(None, suppressed=True, reason="small_count") == "<5"


def test_a_complementary_count_reads_dolt_not_under_the_threshold():
    # hidden so another hidden count cannot be derived: its true value may be large
    assert f.format_count(500, suppressed=True, reason="complementary") == "Dolt"
    assert f.format_count(500, suppressed=True) == "Dolt"  # reason unknown: never claim "<5"
    assert f.format_value(500, "count", suppressed=True, reason="complementary") == "Dolt"
    assert f.format_value(3, "count", suppressed=True, reason="small_count", threshold=3) == "<3"


def test_small_count_reason_is_the_suppression_modules():
    from dashboard.privacy import suppression

    assert f.SMALL_COUNT == suppression.SMALL_COUNT


def test_money_and_positions():
    assert f.format_sek(1234567) == f"1{S}234{S}567{S}kr"
    assert f.format_sek_compact(1_234_567) == f"1,2{S}mnkr"
    assert f.format_sek_compact(45_600) == f"45{S}600{S}kr"
    assert f.format_fte(2.345) == f"2,3{S}årsarbetare"


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, f"0{S}s"),
        (42, f"42{S}s"),
        (42.6, f"43{S}s"),
        (60, f"1{S}min"),
        (125, f"2{S}min 5{S}s"),
        (3600, f"1{S}h"),
        (3725, f"1{S}h 2{S}min"),
        (-30, f"{M}30{S}s"),
        (None, "–"),
    ],
)
def test_format_duration(seconds, expected):
    assert f.format_duration(seconds) == expected


def test_dates_in_swedish():
    assert f.format_date(date(2025, 3, 3)) == "3 mars 2025"
    assert f.format_date("2024-12-24") == "24 december 2024"
    assert f.format_date_short(date(2025, 10, 1)) == "1 okt 2025"
    assert f.format_month(date(2025, 5, 1)) == "maj 2025"


def test_periods():
    assert f.format_period(date(2025, 3, 1), date(2025, 3, 31)) == "1–31 mars 2025"
    assert f.format_period(date(2025, 2, 15), date(2025, 3, 14)) == "15 februari–14 mars 2025"
    assert f.format_period(date(2024, 12, 1), date(2025, 1, 31)) == "1 december 2024–31 januari 2025"
    assert f.format_period(date(2025, 1, 1), date(2025, 1, 1)) == "1 januari 2025"


def test_weekdays_hours():
    assert f.format_weekday(1) == "måndag"
    assert f.format_weekday(7, short=True) == "sön"
    assert f.format_hour(8) == "08–09"
    assert f.format_hour(23) == "23–00"
    assert f.format_half_hour(510) == "08:30"


def test_format_value_by_unit():
    assert f.format_value(0.873, "share") == f"87,3{S}%"
    assert f.format_value(1234, "count") == f"1{S}234"
    assert f.format_value(95, "seconds") == f"1{S}min 35{S}s"
    assert f.format_value(5000, "sek") == f"5{S}000{S}kr"
    assert f.format_value(3, "count", suppressed=True, reason="small_count") == "<5"
    assert f.format_value(0.5, "share", suppressed=True) == "Dolt"
    assert f.format_value(1.23456, "okänd") == "1,2"
    assert f.format_value(1.356, "ratio") == "1,36"
    assert f.format_value(1234.4, "hours") == f"1{S}234{S}h"
    assert f.format_value(3.14159, "score") == "3,14"


def test_delta_by_unit():
    assert f.format_delta(0.80, 0.75, "share") == f"+5,0{S}procentenheter"
    assert f.format_delta(110, 100, "count") == f"+10,0{S}%"
    assert f.format_delta(90, 100, "count") == f"{M}10,0{S}%"
    assert f.format_delta(50, 40, "seconds") == f"+10{S}s"
    assert f.format_delta(10, 0, "count") is None
    # satisfaction index 61,2 -> 73,9 is +12,7 index units, not "+20,8 %"
    assert f.format_delta(73.9, 61.2, "index") == f"+12,7{S}indexenheter"
    assert f.format_delta(3.5, 3.75, "score") == f"{M}0,25"
    assert f.format_delta(None, 3, "count") is None


def test_a_difference_comes_from_the_shown_figures_a_relative_change_from_the_values():
    from dashboard.export.pack_tables import change, verdict

    # 66,74 % against 61,24 % is shown 66,7 and 61,2: +5,5 procentenheter (not +5,50 -> "+5,5"
    # by luck: 66,66 against 61,24 gives 5,42 exactly, shown 66,7 - 61,2 = 5,5)
    assert f.format_delta(0.6666, 0.6124, "share") == f"+5,5{S}procentenheter"
    assert change(0.6666, 0.6124, "share")[0] == 5.5
    # 20,4 s against 10,6 s is shown 20 and 11: +9 s
    assert f.format_delta(20.4, 10.6, "seconds") == f"+9{S}s"
    # failure demand of 13 h against 15 h a period, 0,12 against 0,14 årsarbetare, both shown
    # "0,1": the change is (0,12 - 0,14) / 0,14 = -14,3 %, not "0,0 %"; and better, not unchanged
    assert f.format_delta(0.12, 0.14, "fte") == f"{M}14,3{S}%"
    assert change(0.12, 0.14, "fte")[:2] == (-0.143, "relative")
    assert verdict("failure_demand_fte", 0.12, 0.14, "fte") == "bättre"


def test_plotly_separators_are_decimal_then_thousands():
    assert f.PLOTLY_SEPARATORS == ",\u00a0"


def test_one_labeller_gives_every_breakdown_value_its_swedish_text():
    from datetime import date as d

    from dashboard.domain import dimension_text

    assert dimension_text("weekday", 7) == "söndag"
    assert dimension_text("hour", 23) == "23\u201300"
    assert dimension_text("month", d(2025, 3, 1)) == "mars 2025"
    assert dimension_text("week", d(2025, 3, 3)) == "3 mars 2025"
    assert dimension_text("day", d(2025, 3, 3), short_dates=True) == "3 mar 2025"
    assert dimension_text("channel", "e_service") == "E-tjänst"
    assert dimension_text("language", "ti") == "Tigrinja"
    assert dimension_text("interpreter", False) == "Utan tolk"
    assert dimension_text("topic", "Bygglov") == "Bygglov"
    assert dimension_text("city_area", None) == "Uppgift saknas"


def test_operating_system_reasons_are_said_in_swedish(tmp_path):
    from dashboard.formatting import os_reason

    try:
        (tmp_path / "finns-inte.csv").read_text()
    except OSError as exc:
        assert os_reason(exc) == "filen eller katalogen finns inte"
    try:
        tmp_path.read_text()
    except OSError as exc:
        assert os_reason(exc) == "det är en katalog, inte en fil"
    import errno

    # an uncommon reason keeps its errno name rather than the English text
    assert os_reason(OSError(errno.ENOTTY, "Inappropriate ioctl for device")) == "systemfel ENOTTY"


def test_a_missing_profile_is_named_in_swedish_on_the_command_line(tmp_path):
    import subprocess
    import sys

    (tmp_path / "a.csv").write_text("Id;Start\n1;2025-01-02 08:00\n", encoding="utf-8")  # it exists
    run = subprocess.run(
        [sys.executable, "-m", "dashboard", "--db", str(tmp_path / "kc.duckdb"), "ingest",
         str(tmp_path / "a.csv"), "--profile", str(tmp_path / "saknas.toml")],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 2
    assert "filen eller katalogen finns inte" in run.stderr
    assert "No such file" not in run.stderr + run.stdout


def test_a_key_figure_keeps_its_unit_and_shrinks_rather_than_breaking_a_word():
    """'0,3 årsarbetare' broke as 'årsarbet|are' in a card at 1280 px: the unit is joined by a
    no-break space, no CSS of ours breaks inside a word, and a long value gets a size that fits."""
    import re

    from dashboard.formatting import format_fte
    from dashboard.ui.chrome import _CSS, EM_PER_CHAR, value_fit_key

    value = format_fte(0.3)
    assert value == "0,3\u00a0årsarbetare"
    assert "anywhere" not in _CSS and "break-all" not in _CSS and "hyphens: auto" not in _CSS
    assert "word-break: normal" in _CSS and "overflow-wrap: normal" in _CSS
    assert value_fit_key(value, 4) == "kpi_fit15_4"   # 15 characters
    assert value_fit_key("34,6\u00a0%", 0) == "kpi_0"   # short: Streamlit's own size
    size = re.search(r'kpi_fit15_"\] \[data-testid="stMetricValue"\] \* \{ font-size: min\(1em, ([\d.]+)cqi\)', _CSS)
    # the card's text box at 1280 px with four cards a row is 161 px; Source Sans measured 0,42 em
    # a character for this value: it fits
    px = 161 * float(size.group(1)) / 100
    assert 15 * 0.42 * px <= 161 and px >= 20 and EM_PER_CHAR >= 0.42


def test_wrap_label_breaks_between_words_by_any_measure():
    """Characters by default (the dashboard's Plotly charts); any width measure (the PDF's
    points): the full text in lines, a word wider than a line on a line of its own, whole."""
    text = "Arbetsmarknads- och socialförvaltningen"
    assert f.wrap_label(text, 20) == ["Arbetsmarknads- och", "socialförvaltningen"]
    assert f.wrap_label(text, 10) == ["Arbetsmarknads-", "och", "socialförvaltningen"]
    # each character 2 units wide: 20 units hold 10 characters
    assert f.wrap_label(text, 20, lambda s: 2 * len(s)) == f.wrap_label(text, 10)
    assert f.wrap_label("Kort", 2) == ["Kort"] and f.wrap_label("", 5) == [""]

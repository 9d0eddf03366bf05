"""Value parsers and the daylight-saving rule, with hand-worked expected values."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from dashboard.ingest import convert as C
from dashboard.ingest import fields as F
from dashboard.ingest.profile import StartedAt
from dashboard.ingest import timeparse as T


def run(values, conv_fn, dtype=pl.String):
    frame = pl.DataFrame({"x": pl.Series(values, dtype=dtype)})
    return C.evaluate(frame, "f", conv_fn("x", frame.schema["x"]))


def duration(fmt="auto", two_part="mm:ss", unit=1, decimal=","):
    return lambda col, dtype: C.duration_field(col, dtype, "queue_s", fmt, two_part, unit, decimal)


def test_durations_auto_accepts_seconds_clock_and_decimal_comma():
    values, reasons = run(["45", "1:02:03", "5:49", "12,5", " 7 ", "", None, "125:30"], duration())
    assert values == [45, 3723, 349, 13, 7, None, None, 7530]
    assert reasons == [None] * 8


def test_durations_two_part_as_hours_minutes():
    values, _ = run(["1:30"], duration(two_part="h:mm"))
    assert values == [5400]


def test_durations_units_scale_plain_numbers():
    values, _ = run(["1,5", "2"], lambda c, d: C.duration_field(c, d, "first_response_s", "auto", "mm:ss", 3600, ","))
    assert values == [5400, 7200]


def test_negative_and_invalid_durations_have_reasons():
    values, reasons = run(["-5", "-0:10", "abc", "1:75", "90000"], duration())
    assert values == [None] * 5
    assert "Negativ tid" in reasons[0] and "Kötid" not in reasons[0] and '"x"' in reasons[0]
    assert "Negativ tid" in reasons[1]
    assert "Ogiltig tid" in reasons[2]
    assert "Ogiltig tid" in reasons[3]            # 75 seconds is not a clock value
    assert "Orimligt lång tid" in reasons[4]      # more than 24 hours of queueing


@pytest.mark.parametrize("text", ["1:-5", "1:2:3:4", "1:x", "--5", "5:", ":30", "1,2,3", "fem"])
def test_malformed_durations(text):
    values, reasons = run([text], duration())
    assert values == [None] and reasons[0].startswith("Ogiltig tid"), reasons


def test_duration_formats_are_strict_when_asked():
    assert run(["1:00"], duration(fmt="seconds"))[0] == [None]
    assert run(["60"], duration(fmt="hms"))[0] == [None]


def test_typed_duration_columns_pass_through():
    values, _ = run([12, 30], duration(), dtype=pl.Int64)
    assert values == [12, 30]


def test_booleans_builtin_and_profile_words():
    fn = lambda c, d: C.bool_field(c, d, "answered", {"besvarat": True}, F.TRUE_WORDS, F.FALSE_WORDS)  # noqa: E731
    values, reasons = run(["J", "n", "Ja", "NEJ", "1", "0", "true", "False", "Y", "besvarat", "", "kanske"], fn)
    assert values == [True, False, True, False, True, False, True, False, True, True, None, None]
    assert reasons[:11] == [None] * 11
    assert "Okänt ja/nej-värde" in reasons[11] and '"kanske"' in reasons[11]


def test_enums_accept_codes_labels_and_profile_maps():
    fn = lambda c, d: C.enum_field(c, d, "channel", {"växel": "phone"})  # noqa: E731
    values, reasons = run(["phone", "Telefon", "E-POST", "växel", "Chatt", "brevduva", None], fn)
    assert values == ["phone", "phone", "email", "phone", "chat", None, None]
    assert reasons[:5] == [None] * 5 and reasons[6] is None
    assert "Okänt värde" in reasons[5] and "[values.channel]" in reasons[5]


def test_satisfaction_range_and_decimal_comma():
    fn = lambda c, d: C.satisfaction_field(c, d, ",")  # noqa: E731
    values, reasons = run(["1", "5", "4,0", "0", "6", "3,5", "bra", None], fn)
    assert values == [1, 5, 4, None, None, None, None, None]
    assert reasons[:3] == [None] * 3 and reasons[7] is None
    assert all("utanför skalan" in r for r in reasons[3:6])
    assert "inget tal" in reasons[6]


def test_text_values_are_trimmed_and_mapped_case_insensitively():
    fn = lambda c, d: C.text_field(c, d, {"sbk": "Stadsbyggnadskontoret"})  # noqa: E731
    values, _ = run([" SBK ", "Miljöförvaltningen", "  "], fn)
    assert values == ["Stadsbyggnadskontoret", "Miljöförvaltningen", None]


def test_float_ids_lose_their_decimal_point():
    values, _ = run([12.0, 12.5], lambda c, d: C.text_field(c, d, {}), dtype=pl.Float64)
    assert values == ["12", "12.5"]


# --- started_at and daylight saving -------------------------------------------------------------

def local_to_utc(dates, times, **spec):
    frame = pl.DataFrame({"D": dates, "T": times})
    s = StartedAt(date_column="D", time_column="T", **spec)
    naive, offset, raw = T.parse_local(frame, s, {"D": "D", "T": "T"})
    utc, problem = T.to_utc(naive, offset, s)
    codes = T.problems(naive, utc, problem, raw)
    reasons = pl.DataFrame({"c": codes, "r": raw}).select(T.reason_text(pl.col("c"), pl.col("r"), s, "Datum"))
    return utc.to_list(), reasons.to_series().to_list()


def test_winter_and_summer_offsets():
    utc, reasons = local_to_utc(["2024-01-15", "2024-07-01"], ["12:00", "12:00:00"])
    assert utc == [dt.datetime(2024, 1, 15, 11), dt.datetime(2024, 7, 1, 10)]
    assert reasons == [None, None]


def test_ambiguous_autumn_hour_is_first_occurrence_by_default():
    # 27 Oct 2024: 03:00 summer time -> 02:00 winter time; 02:30 happens twice.
    utc, reasons = local_to_utc(["2024-10-27"] * 3, ["01:59", "02:30", "03:00"])
    assert utc == [dt.datetime(2024, 10, 26, 23, 59), dt.datetime(2024, 10, 27, 0, 30), dt.datetime(2024, 10, 27, 2, 0)]
    assert reasons == [None] * 3


def test_ambiguous_latest_and_quarantine():
    assert local_to_utc(["2024-10-27"], ["02:30"], ambiguous="latest")[0] == [dt.datetime(2024, 10, 27, 1, 30)]
    utc, reasons = local_to_utc(["2024-10-27"], ["02:30"], ambiguous="quarantine")
    assert utc == [None] and "inträffar två gånger" in reasons[0]


def test_nonexistent_spring_hour_goes_to_quarantine_by_default():
    # 31 Mar 2024: 02:00 winter time -> 03:00 summer time; 02:30 never happens.
    utc, reasons = local_to_utc(["2024-03-31"] * 3, ["01:59", "02:30", "03:00"])
    assert utc == [dt.datetime(2024, 3, 31, 0, 59), None, dt.datetime(2024, 3, 31, 1, 0)]
    assert reasons[0] is None and reasons[2] is None
    assert "finns inte" in reasons[1] and "shift_forward" in reasons[1]


def test_nonexistent_shift_forward_reads_the_old_offset():
    utc, reasons = local_to_utc(["2024-03-31"], ["02:30"], nonexistent="shift_forward")
    assert utc == [dt.datetime(2024, 3, 31, 1, 30)] and reasons == [None]


def test_values_with_an_offset_need_no_rule():
    frame = pl.DataFrame({"S": ["2024-10-27T02:30:00+01:00", "2024-10-27T02:30:00+02:00", "2024-10-27 02:30"]})
    spec = StartedAt(column="S")
    naive, offset, raw = T.parse_local(frame, spec, {"S": "S"})
    utc, problem = T.to_utc(naive, offset, spec)
    assert utc.to_list() == [dt.datetime(2024, 10, 27, 1, 30), dt.datetime(2024, 10, 27, 0, 30),
                             dt.datetime(2024, 10, 27, 0, 30)]


@pytest.mark.parametrize("date,time", [("2024-02-30", "10:00"), ("2023-02-29", "10:00"), ("2024-13-01", "10:00"),
                                        ("2024-03-04", "25:00"), ("4 mars", "10:00")])
def test_impossible_dates_and_times(date, time):
    utc, reasons = local_to_utc([date], [time])
    assert utc == [None] and "Ogiltigt eller omöjligt" in reasons[0] and "ÅÅÅÅ-MM-DD" in reasons[0]


def test_implausible_dates_and_missing_time():
    utc, reasons = local_to_utc(["1999-12-31", "2099-01-01", None, "2024-03-04"], ["10:00", "10:00", "10:00", None])
    assert "Orimligt datum" in reasons[0] and "Orimligt datum" in reasons[1]
    assert "Starttid saknas" in reasons[2]
    assert reasons[3] is not None   # date without its time cannot be placed


def test_profile_formats_are_tried_in_order_then_iso():
    frame = pl.DataFrame({"S": ["04/03/2024 08:15", "2024-03-04 08:15:00", "2024-03-04T08:15:00"]})
    spec = StartedAt(column="S", formats=("%d/%m/%Y %H:%M",))
    naive, _, _ = T.parse_local(frame, spec, {"S": "S"})
    assert naive.to_list() == [dt.datetime(2024, 3, 4, 8, 15)] * 3

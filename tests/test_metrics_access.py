"""Accessibility metrics on hand-worked fixtures (the expected values are worked out in comments).

Includes the classic errors: ASA divided by all contacts, abandonment with and without short
abandons, the service-level denominator.
"""

from datetime import date

import pytest

from dashboard.config import Settings
from dashboard.metrics import Filters, compute
from contact_fixtures import build, call, contact, totals as one
from dashboard.store import open_store

MARCH = Filters(date(2025, 3, 3), date(2025, 3, 3))
APRIL = Filters(date(2025, 4, 14), date(2025, 4, 25))
MAY = Filters(date(2025, 5, 5), date(2025, 5, 11))

# Monday 3 March 2025: ten calls to the queue.
QUEUE = [
    call("2025-03-03 09:00", wait=10, handle=100, satisfaction=5),
    call("2025-03-03 09:01", wait=20, handle=200, satisfaction=4),  # exactly 20 s: within 20
    call("2025-03-03 09:02", wait=30, handle=300, satisfaction=1),
    call("2025-03-03 09:03", wait=70, handle=400),
    call("2025-03-03 09:04", wait=200, handle=500),
    call("2025-03-03 09:05", wait=2, answered=False),   # short abandon (< 5 s)
    call("2025-03-03 09:06", wait=4, answered=False),   # short abandon
    call("2025-03-03 09:07", wait=50, answered=False),
    call("2025-03-03 09:08", wait=100, answered=False),
    contact("2025-03-03 09:09", "phone", queue_s=40, answered=False, abandoned=False,
            callback_requested=True),                   # offered, neither answered nor abandoned
]

# Easter 2025: Thu 17 April working day, Fri 18 to Mon 21 holidays/weekend, Tue 22 working day.
CALENDAR = [
    (date(2025, 4, 16), False, None, True),
    (date(2025, 4, 17), False, None, True),
    (date(2025, 4, 18), True, "Långfredagen", False),
    (date(2025, 4, 19), False, None, False),
    (date(2025, 4, 20), True, "Påskdagen", False),
    (date(2025, 4, 21), True, "Annandag påsk", False),
    (date(2025, 4, 22), False, None, True),
    (date(2025, 4, 23), False, None, True),
]
HOUR, DAY = 3600, 86400
EMAILS = [
    # Thu 10:00 -> next working day Tue 22 10:00; replied Tue 09:00: within one working day
    contact("2025-04-17 10:00", "email", first_response_s=4 * DAY + 23 * HOUR),
    # Thu 10:00, replied Tue 11:00: not within one, within two (Wed 23 10:00)
    contact("2025-04-17 10:00", "email", first_response_s=5 * DAY + HOUR),
    # Sat 12:00: clock starts Tue 00:00, one working day = Wed 00:00; replied Tue 16:00: within
    contact("2025-04-19 12:00", "email", first_response_s=3 * DAY + 4 * HOUR),
    # never answered: within neither
    contact("2025-04-16 09:00", "email"),
    # Wed 09:00 answered after an hour
    contact("2025-04-16 09:00", "email", first_response_s=HOUR),
]

# Opening hours: phone Mon-Fri 08-17, visits Tuesdays 10-12; e-services compared with the phone.
OPENING = [("phone", d, "08:00", "17:00") for d in range(1, 6)] + [("visit", 2, "10:00", "12:00")]
HOURS = [
    contact("2025-05-05 07:59", "phone"),      # outside
    contact("2025-05-05 08:00", "phone"),      # inside (opens is inclusive)
    contact("2025-05-05 16:59", "phone"),      # inside
    contact("2025-05-05 17:00", "phone"),      # outside (closes is exclusive)
    contact("2025-05-10 12:00", "e_service"),  # Saturday: phone closed -> outside
    contact("2025-05-06 12:00", "e_service"),  # Tuesday noon -> inside
    contact("2025-05-06 11:00", "visit"),      # inside
    contact("2025-05-07 11:00", "visit"),      # Wednesday: no visiting hours -> outside
    contact("2025-04-18 10:00", "phone"),      # Good Friday (holiday): outside
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("access") / "t.duckdb"
    db = build(open_store(path), QUEUE + EMAILS + HOURS, calendar=CALENDAR, opening_hours=OPENING)
    yield db
    db.close()


def test_queue_counts_and_answer_rate(con):
    r = one(con, MARCH, ["offered", "answered", "abandoned", "answer_rate"])
    assert (r["offered"], r["answered"], r["abandoned"]) == (10, 5, 4)
    assert r["answer_rate"] == pytest.approx(5 / 10)  # the callback stays in the denominator
    assert r["answer_rate__n"] == 10


def test_service_level_denominator_drops_short_abandons_and_callbacks(con):
    r = one(con, MARCH, ["service_level", "service_level_alt"])
    # within 60 s: 10, 20, 30 -> 3; denominator answered 5 + abandoned 4 - short 2 = 7
    assert r["service_level"] == pytest.approx(3 / 7)
    assert r["service_level__n"] == 7
    # within 20 s: 10 and 20 (equal counts as within) -> 2 / 7
    assert r["service_level_alt"] == pytest.approx(2 / 7)


def test_asa_is_over_answered_only_not_all_contacts(con):
    r = one(con, MARCH, ["asa_s"])
    assert r["asa_s"] == pytest.approx((10 + 20 + 30 + 70 + 200) / 5)  # 66 s
    assert r["asa_s"] != pytest.approx(330 / 10)  # the classic error: divided by all offered
    assert r["asa_s__n"] == 5


def test_wait_percentiles_nearest_rank_over_answered(con):
    r = one(con, MARCH, ["wait_median_s", "wait_p90_s"])
    # answered waits 10, 20, 30, 70, 200: median rank ceil(2.5) = 3 -> 30; p90 rank 5 -> 200
    assert (r["wait_median_s"], r["wait_p90_s"]) == (30, 200)
    assert r["wait_median_s__n"] == 5


def test_abandonment_with_and_without_short_abandons(con):
    r = one(con, MARCH, ["abandon_rate", "abandon_rate_excl_short"])
    assert r["abandon_rate"] == pytest.approx(4 / 10)
    assert r["abandon_rate_excl_short"] == pytest.approx((4 - 2) / (10 - 2))


def test_thresholds_follow_settings_without_rebuilding(con):
    settings = Settings(service_level_s=30, service_level_alt_s=9, short_abandon_s=3)
    r = one(con, MARCH, ["service_level", "service_level_alt", "abandon_rate_excl_short"], settings)
    # short abandons under 3 s: only the 2 s one; denominator 5 + 4 - 1 = 8
    assert r["service_level"] == pytest.approx(3 / 8)   # 10, 20, 30 within 30 s
    assert r["service_level_alt"] == pytest.approx(0 / 8)
    assert r["abandon_rate_excl_short"] == pytest.approx(3 / 9)


def test_aht_over_handled_contacts_with_a_time(con):
    r = one(con, MARCH, ["aht_s"])
    assert r["aht_s"] == pytest.approx(300.0)  # (100+...+500)/5; the callback has no time
    assert r["aht_s__n"] == 5


def test_satisfaction_mean_and_index(con):
    r = one(con, MARCH, ["satisfaction_mean", "satisfaction_index"])
    assert r["satisfaction_mean"] == pytest.approx(10 / 3)
    assert r["satisfaction_index"] == pytest.approx((100 + 75 + 0) / 3)


def test_replies_within_working_days_follow_the_holiday_calendar(con):
    r = one(con, APRIL, ["reply_within_1_workday", "reply_within_2_workdays"])
    assert r["reply_within_1_workday"] == pytest.approx(3 / 5)
    assert r["reply_within_2_workdays"] == pytest.approx(4 / 5)
    assert r["reply_within_1_workday__n"] == 5


def test_outside_opening_hours(con):
    r = one(con, MAY, ["outside_opening_hours_share"])
    assert r["outside_opening_hours_share"] == pytest.approx(4 / 8)
    good_friday = Filters(date(2025, 4, 18), date(2025, 4, 18), channels=("phone",))
    assert one(con, good_friday, ["outside_opening_hours_share"])["outside_opening_hours_share"] == 1.0


def test_channel_and_digital_shares(con):
    r = one(con, MAY, ["digital_share", "channel_share"])
    assert r["digital_share"] == pytest.approx(2 / 8)
    assert r["channel_share"] == 1.0  # all channels selected
    phone = Filters(MAY.start, MAY.end, channels=("phone",))
    assert one(con, phone, ["channel_share"])["channel_share"] == pytest.approx(4 / 8)
    by = compute(con, MAY, ["channel_share"], by=("channel",))
    assert dict(zip(by["channel"], by["channel_share"])) == pytest.approx(
        {"e_service": 0.25, "phone": 0.5, "visit": 0.25})

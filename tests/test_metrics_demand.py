"""Service gaps and avoidable demand on hand-worked fixtures: outcome denominators (FCR-style
classic errors), repeat window and same-topic rule, tagged vs inferred failure demand, cost,
contacts per 1 000 residents."""

from datetime import date

import pytest

from dashboard.config import Settings
from dashboard.metrics import Filters, compute, failure_demand_breakdown
from contact_fixtures import build, call, contact, totals as one
from dashboard.store import open_store

OUTCOMES = Filters(date(2025, 2, 3), date(2025, 2, 3))
REPEATS = Filters(date(2025, 2, 10), date(2025, 3, 2))
FAILURE = Filters(date(2025, 1, 1), date(2025, 1, 31))
AREAS = Filters(date(2025, 6, 2), date(2025, 6, 2))

OUTCOME_ROWS = [
    *(contact("2025-02-03 10:00", "email", outcome="resolved") for _ in range(3)),
    contact("2025-02-03 10:00", "email", outcome="forwarded"),
    contact("2025-02-03 10:00", "email", outcome="referred"),
    contact("2025-02-03 10:00", "email", outcome="callback"),
    contact("2025-02-03 10:00", "email", outcome="unknown"),
    contact("2025-02-03 10:00", "email"),                       # no outcome recorded
    call("2025-02-03 10:00", wait=30, answered=False),          # abandoned: never handled
]


def _linked(at, who, topic, outcome=None):
    return contact(at, "phone", caller_key=who, topic=topic, outcome=outcome)


REPEAT_ROWS = [
    _linked("2025-02-10 09:00", "a", "T", "resolved"),   # next a/T after 3 days
    _linked("2025-02-13 09:00", "a", "T", "resolved"),   # next a/T after 17 days
    _linked("2025-03-02 09:00", "a", "T", "resolved"),   # last
    _linked("2025-02-11 09:00", "a", "U", "forwarded"),  # another topic: not a repeat of a/T
    _linked("2025-02-10 10:00", "b", "T", "resolved"),
    contact("2025-02-10 11:00", "phone", topic="T"),     # no caller: not linkable
    _linked("2025-02-20 09:00", "b", "V", "forwarded"),  # next exactly 7 days later: within 7
    _linked("2025-02-27 09:00", "b", "V", "forwarded"),
    _linked("2025-02-20 09:00", "c", "V"),               # next 7 days and 1 s later: not within 7
    _linked("2025-02-27 09:00:01", "c", "V"),
]

FAILURE_ROWS = [
    contact("2025-01-08 10:00", "phone", demand_type="failure", failure_reason="progress_chasing",
            handle_s=600, answered=True, abandoned=False),
    contact("2025-01-08 10:00", "phone", demand_type="failure", failure_reason="info_missing",
            handle_s=300, answered=True, abandoned=False),
    contact("2025-01-08 10:00", "phone", demand_type="value", handle_s=100, topic="P"),
    contact("2025-01-08 10:00", "phone", demand_type="value", handle_s=100),
    contact("2025-01-08 10:00", "phone", demand_type="value", handle_s=100),
    # untagged: a progress-chasing topic (inferred), a repeat within the window (inferred),
    # the contact it repeats (not inferred), and two plain ones
    contact("2025-01-09 10:00", "phone", topic="P", handle_s=120),
    contact("2025-01-10 10:00", "phone", topic="Q", caller_key="x", handle_s=50),
    contact("2025-01-12 10:00", "phone", topic="Q", caller_key="x", handle_s=240),
    contact("2025-01-13 10:00", "phone", handle_s=60),
    contact("2025-01-13 11:00", "phone", handle_s=60),
]
TOPICS = [("P", "D", False, True), ("Q", "D", True, False), ("T", "D", False, False)]

CITY_AREAS = [
    ("Öster", "stadsomrade", "Öster", None),
    ("Rosengård", "stadsdel", "Öster", 20000),
    ("Husie", "stadsdel", "Öster", 30000),
    ("Väster", "stadsomrade", "Väster", 10000),  # no stadsdelar of its own
]
AREA_ROWS = (
    [contact("2025-06-02 10:00", "email", city_area="Rosengård") for _ in range(4)]
    + [contact("2025-06-02 10:00", "email", city_area="Husie") for _ in range(2)]
    + [contact("2025-06-02 10:00", "email", city_area="Öster")]
    + [contact("2025-06-02 10:00", "email", city_area="Väster") for _ in range(3)]
    + [contact("2025-06-02 10:00", "email") for _ in range(2)]
)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("demand") / "t.duckdb"
    rows = OUTCOME_ROWS + REPEAT_ROWS + FAILURE_ROWS + AREA_ROWS
    db = build(open_store(path), rows, topics=TOPICS, city_areas=CITY_AREAS)
    yield db
    db.close()


def test_outcome_rates_are_over_handled_contacts_with_a_known_outcome(con):
    r = one(con, OUTCOMES, ["resolved_rate", "forwarded_rate", "referred_rate", "forwarded"])
    # known outcomes of handled contacts: 3 resolved, forwarded, referred, callback -> 6
    assert r["resolved_rate"] == pytest.approx(3 / 6)
    assert r["resolved_rate"] != pytest.approx(3 / 9)  # classic error: every contact
    assert r["resolved_rate"] != pytest.approx(3 / 8)  # classic error: unknown/missing included
    assert r["forwarded_rate"] == pytest.approx(1 / 6)
    assert r["referred_rate"] == pytest.approx(1 / 6)
    assert (r["resolved_rate__n"], r["forwarded"]) == (6, 1)


def test_repeat_rate_same_caller_same_topic_within_the_window(con):
    r = one(con, REPEATS, ["repeat_rate"])
    # linkable: a/T x3, a/U, b/T, b/V x2, c/V x2 = 9; followed within 7 days: a/T (3 d), b/V (7 d)
    assert r["repeat_rate__n"] == 9
    assert r["repeat_rate"] == pytest.approx(2 / 9)
    wide = one(con, REPEATS, ["repeat_rate"], Settings(repeat_window_days=17))
    assert wide["repeat_rate"] == pytest.approx(4 / 9)  # + a/T after 17 d, c/V after 7 d 1 s


def test_contacts_per_resolved_matter(con):
    r = one(con, REPEATS, ["contacts_per_resolved_matter"])
    # resolved linkable: a/T x3, b/T = 4; a/T on the 10th was followed within 7 days -> 3 matters
    assert r["contacts_per_resolved_matter__n"] == 3
    assert r["contacts_per_resolved_matter"] == pytest.approx(9 / 3)


def test_failure_share_is_over_tagged_contacts_only(con):
    r = one(con, FAILURE, ["failure_demand_share", "failure_demand_share_inferred"])
    assert r["failure_demand_share"] == pytest.approx(2 / 5)
    assert r["failure_demand_share"] != pytest.approx(2 / 10)  # untagged are not value demand
    # inferred among the 5 untagged: the progress-chasing topic and the repeat within 7 days
    assert r["failure_demand_share_inferred"] == pytest.approx(2 / 5)
    assert r["failure_demand_share_inferred__n"] == 5


def test_cost_of_failure_demand_in_hours_kronor_and_positions(con):
    settings = Settings(cost_per_handled_minute_sek=12.0, working_hours_per_fte=1600.0)
    ids = ["failure_demand_hours", "failure_demand_cost_sek", "failure_demand_fte",
           "failure_demand_cost_sek_inferred"]
    r = one(con, FAILURE, ids, settings)
    assert r["failure_demand_hours"] == pytest.approx(900 / 3600)
    assert r["failure_demand_cost_sek"] == pytest.approx(15 * 12.0)
    assert r["failure_demand_fte"] == pytest.approx(0.25 / (1600 * 31 / 365))
    assert r["failure_demand_cost_sek_inferred"] == pytest.approx((120 + 240) / 60 * 12.0)


def test_breakdown_by_reason_keeps_tagged_and_inferred_apart(con):
    rows = failure_demand_breakdown(con, FAILURE, "reason")
    got = {(r["reason"], r["inferred"]): (r["failures"], r["basis"]) for r in rows.iter_rows(named=True)
           if r["failures"]}
    assert got == {("progress_chasing", False): (1, 5), ("info_missing", False): (1, 5),
                   ("progress_chasing", True): (1, 5), ("repeat", True): (1, 5)}
    tagged = rows.filter(~rows["inferred"])
    assert tagged["share_of_failure"].sum() == pytest.approx(1.0)


def test_contacts_per_1000_residents_by_area_level(con):
    by_area = compute(con, AREAS, ["contacts_per_1000_residents"], by=("stadsomrade",))
    got = dict(zip(by_area["stadsomrade"], by_area["contacts_per_1000_residents"]))
    assert got["Öster"] == pytest.approx(7 / 50000 * 1000)  # stadsdelar plus Öster-only contacts
    assert got["Väster"] == pytest.approx(3 / 10000 * 1000)
    assert got[None] is None  # unknown area: no population
    by_part = compute(con, AREAS, ["contacts_per_1000_residents"], by=("city_area",))
    part = dict(zip(by_part["city_area"], by_part["contacts_per_1000_residents"]))
    assert part["Rosengård"] == pytest.approx(4 / 20000 * 1000)
    assert part["Öster"] == pytest.approx(1 / 50000 * 1000)
    city = one(con, AREAS, ["contacts_per_1000_residents"])
    assert city["contacts_per_1000_residents"] == pytest.approx(12 / 60000 * 1000)
    oster = one(con, Filters(AREAS.start, AREAS.end, city_areas=("Öster",)),
                ["contacts_per_1000_residents"])
    assert oster["contacts_per_1000_residents"] == pytest.approx(7 / 50000 * 1000)


def test_contacts_per_resolved_matter_is_uncertain_below_the_rate_min_n_setting(sample_con):
    """The statistical minimum is the setting `rate_min_n`, not a number of its own: the same
    department's figure is uncertain under one setting and not under the other, exactly where its
    basis (resolved matters, worked out here from the published inputs) falls below it."""
    from dashboard import privacy
    from dashboard.metrics.registry import REGISTRY

    metric = REGISTRY["contacts_per_resolved_matter"]
    filters = Filters(start=date(2025, 3, 1), end=date(2025, 3, 31))
    seen = set()
    for minimum in (30, 400):
        settings = Settings(rate_min_n=minimum)
        assert metric.min_n_for(settings) == minimum
        frame = privacy.fetch(privacy.METRICS, sample_con, filters, settings,
                              metric_ids=("contacts_per_resolved_matter",), by=("department",)).result
        shown = frame.filter(~frame["contacts_per_resolved_matter__suppressed"].fill_null(False)
                             & frame["contacts_per_resolved_matter"].is_not_null())
        bases = compute(sample_con, filters, ["contacts_per_resolved_matter"], by=["department"],
                        settings=settings)
        basis = dict(zip(bases["department"].to_list(), bases["contacts_per_resolved_matter__n"].to_list()))
        for department, unsure in zip(shown["department"].to_list(),
                                      shown["contacts_per_resolved_matter__uncertain"].to_list()):
            assert bool(unsure) == (basis[department] < minimum), (minimum, department)
            seen.add((minimum, bool(unsure)))
    assert (30, False) in seen and (400, True) in seen  # the setting decides, both ways

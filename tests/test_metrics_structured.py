"""The structured outputs: ledger, scorecard, self-service potential, local service, data
quality, equity's shape, staffing (wired to dashboard.metrics.staffing) and the what-if."""

from datetime import date

import polars as pl
import pytest

from dashboard.metrics import (
    Filters, avoidable_cost, contacts_per_residents, data_quality, equity, local_service,
    scorecard, self_service_potential, service_gap_ledger, staffing_plan, staffing_what_if,
)
from dashboard.metrics import staffing
from contact_fixtures import build, contact
from dashboard.store import open_store

WEEK = Filters(date(2025, 2, 3), date(2025, 2, 9))  # Monday to Sunday
TOPICS = [("T1", "A", True, False), ("T2", "A", False, False), ("T3", "B", True, False)]


def _handled(at, dept, topic, outcome, channel="phone", **kw):
    extra = {"answered": True, "abandoned": False, "queue_s": 10} if channel == "phone" else {}
    return contact(at, channel, department=dept, topic=topic, outcome=outcome, handle_s=180,
                   **extra, **kw)


ROWS = (
    [_handled("2025-02-03 09:00", "A", "T1", "forwarded") for _ in range(6)]
    + [_handled("2025-02-03 09:10", "A", "T1", "resolved") for _ in range(4)]
    + [_handled("2025-02-03 09:20", "A", "T1", None, channel="e_service") for _ in range(2)]
    + [_handled("2025-02-04 10:00", "A", "T2", "forwarded") for _ in range(2)]
    + [_handled("2025-02-04 10:00", "A", "T2", "resolved") for _ in range(6)]
    + [_handled("2025-02-05 11:00", "B", "T3", "forwarded") for _ in range(5)]
    + [_handled("2025-02-05 11:00", "B", "T3", None, channel="e_service") for _ in range(10)]
    + [contact("2025-02-04 10:15", "visit", service_point="SP1", topic="T1", city_area="Rosengård")
       for _ in range(3)]
    + [contact("2025-02-06 14:00", "outreach", service_point="SP2", topic="T3") for _ in range(2)]
    + [contact("2025-02-06 14:00", "email", source_system="webform") for _ in range(4)]
    # the previous week: A had 4 contacts
    + [_handled("2025-01-28 09:00", "A", "T1", "resolved") for _ in range(4)]
)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    db = open_store(tmp_path_factory.mktemp("structured") / "t.duckdb")
    build(db, ROWS, topics=TOPICS)
    yield db
    db.close()


def test_ledger_ranks_topics_by_forwarded_volume(con):
    ledger = service_gap_ledger(con, WEEK)
    top = ledger.head(3).select("rank", "department", "topic", "forwarded", "forwarded_rate").rows()
    assert top == [(1, "A", "T1", 6, pytest.approx(0.6)), (2, "B", "T3", 5, 1.0),
                   (3, "A", "T2", 2, pytest.approx(0.25))]


def test_scorecard_against_previous_period_and_city(con):
    card = scorecard(con, Filters(WEEK.start, WEEK.end, departments=("A",)))
    assert card.department == "A" and card.comparison == Filters(
        date(2025, 1, 27), date(2025, 2, 2), departments=("A",))
    rows = {r["metric"]: r for r in card.metrics.iter_rows(named=True)}
    contacts = rows["contacts"]
    assert (contacts["value"], contacts["previous"], contacts["city"]) == (20, 4, 44)
    assert contacts["change"] == 16 and contacts["vs_city"] == 20 - 44
    # handled time: A 20 x 180 s of all 35 handled with a time (visits/outreach/e-mail have none)
    assert rows["handled_time_share"]["value"] == pytest.approx(20 / 35)
    # the city's share of its own handled time is 100 % by definition: not shown beside A's
    assert rows["handled_time_share"]["city"] is None and rows["handled_time_share"]["vs_city"] is None
    assert rows["forwarded_rate"]["value"] == pytest.approx(8 / 18)
    city = scorecard(con, WEEK)
    assert city.department is None
    assert city.metrics.filter(pl.col("metric") == "contacts")["value"][0] == 44
    assert "handled_time_share" not in city.metrics["metric"].to_list()   # nor as the city's row



def test_the_scorecards_table_says_why_a_city_value_is_left_out(con):
    """The table the Förvaltning page and the pack print: A's share of the handled time has no
    city cell ("–"), and the note says the city's value is 100 % by definition."""
    from dashboard import privacy
    from dashboard.config import Settings
    from dashboard.export.pack_tables import key_figures_table

    card = privacy.fetch(privacy.SCORECARD, con, Filters(WEEK.start, WEEK.end, departments=("A",)),
                         Settings()).result
    table = key_figures_table("Resultatkort", card.metrics, Settings(), with_city=True)
    row = next(r for r in table.rows if r[0] == "Andel av kontaktcenters handlagda tid")
    assert row[-1].value is None
    assert ("Hela staden visas inte för Andel av kontaktcenters handlagda tid: där är värdet "
            "100 % per definition.") in table.note


def test_scorecard_without_drivers_publishes_the_same_metrics(con):
    """The key-figure cards ask for no drivers: the published metrics (values, hidden cells,
    changes) are the full scorecard's, the drivers an empty table of the same columns."""
    from dashboard import privacy
    from dashboard.config import Settings

    settings = Settings()
    for filters in (Filters(WEEK.start, WEEK.end, departments=("A",)), WEEK):
        full = privacy.fetch(privacy.SCORECARD, con, filters, settings).result
        cards = privacy.fetch(privacy.SCORECARD, con, filters, settings, drivers=False).result
        assert cards.metrics.equals(full.metrics, null_equal=True)
        assert cards.drivers.is_empty() and cards.drivers.columns == full.drivers.columns

def test_self_service_potential_lists_phone_heavy_topics_with_an_e_service(con):
    frame = self_service_potential(con, WEEK)
    assert frame.select("topic", "phone", "e_service", "mostly_phone").rows() == [
        ("T1", 10, 2, True), ("T3", 5, 10, False)]  # T2 has no e-service: not listed
    assert frame["phone_share"][0] == pytest.approx(10 / 15)  # 10 phone, 2 e-service, 3 visits


def test_local_service_per_service_point(con):
    local = local_service(con, WEEK)
    assert local.channels == ("visit", "outreach")
    assert local.by_hour.select("service_point", "weekday", "hour", "contacts").rows() == [
        ("SP1", 2, 10, 3), ("SP2", 4, 14, 2)]
    assert local.areas.filter(pl.col("service_point") == "SP1").select(
        "stadsomrade", "city_area", "share").rows() == [("Öster", "Rosengård", 1.0)]
    assert local.totals.select("service_point", "channel", "contacts").rows() == [
        ("SP1", "visit", 3), ("SP2", "outreach", 2)]
    only_phone = local_service(con, Filters(WEEK.start, WEEK.end, channels=("phone",)))
    assert only_phone.by_hour.is_empty()


def test_data_quality_per_source(con):
    frame = data_quality(con, WEEK)
    rows = {r["source_system"]: r for r in frame.iter_rows(named=True)}
    assert rows["webform"]["missing_topic_share"] == 1.0
    assert rows["webform"]["missing_department_share"] == 1.0
    assert rows["test"]["missing_topic_share"] == 0.0
    assert rows["test"]["contacts"] == 40


def test_a_share_the_filter_fixes_is_left_out_and_named(con):
    """Filtered on förvaltning A, the share without a förvaltning is 0 by construction: it is
    not computed, and the note says why; the topic share stays (A's contacts all have topics,
    so it is 0 here by the data, not by the filter). Filtered on topic, the topic share goes."""
    from dashboard.config import Settings
    from dashboard.metrics.registry import applicable, left_out_note
    one = Filters(WEEK.start, WEEK.end, departments=("A",))
    frame = data_quality(con, one)
    assert "missing_department_share" not in frame.columns
    assert frame["missing_topic_share"].to_list() == [0.0]
    assert frame["contacts"].to_list() == [20]  # A in the week: 6 + 4 + 2 + 2 + 6
    assert left_out_note(["missing_department_share"], one, Settings()) == (
        "Utan förvaltning visas inte när urvalet är filtrerat på förvaltning: då är andelen 0 "
        "per definition.")
    assert left_out_note(["missing_department_share"], WEEK, Settings()) is None
    by_topic = Filters(WEEK.start, WEEK.end, topics=("T1",))
    assert applicable(["missing_topic_share", "missing_department_share", "contacts"], by_topic) == (
        "missing_department_share", "contacts")
    assert applicable(["missing_topic_share"], None) == ("missing_topic_share",)


def test_equity_long_form_and_single_dimension(con):
    both = equity(con, WEEK, metric_ids=["resolved_rate"])
    assert {"dimension", "group", "flagged"} <= set(both.columns)
    one = equity(con, WEEK, dimension="city_area", metric_ids=["resolved_rate"])
    assert "city_area" in one.columns and set(one["dimension"]) <= {"city_area"}
    with pytest.raises(ValueError, match="andelar"):
        equity(con, WEEK, metric_ids=["contacts"])


def test_contacts_per_residents_has_poisson_intervals(con):
    frame = contacts_per_residents(con, WEEK, level="city_area")
    row = frame.filter(pl.col("city_area") == "Rosengård").row(0, named=True)
    assert row["contacts"] == 3
    assert row["per_1000"] == pytest.approx(3 * 1000 / row["population"])
    assert row["per_1000_lo"] < row["per_1000"] < row["per_1000_hi"]


def test_avoidable_cost_keeps_inferred_apart(con):
    frame = avoidable_cost(con, WEEK)
    assert {"failure_demand_cost_sek", "failure_demand_cost_sek_inferred"} <= set(frame.columns)


def test_staffing_plan_matches_erlang_c_for_the_average_interval(con):
    plan = staffing_plan(con, WEEK, target_answer_s=20, target_sl=0.8)
    monday = plan.intervals.filter((pl.col("weekday") == 1) & (pl.col("halfhour") == "09:00"))
    # 10 phone calls at 09:00-09:29 on the one Monday of the week; AHT 180 s
    row = monday.row(0, named=True)
    assert row["offered"] == 10 and row["aht_s"] == 180
    expected = staffing.agents_needed(10, 1800, 180, 20, 0.8)
    assert (row["agents"], row["service_level"]) == (expected.agents, pytest.approx(expected.service_level))
    assert plan.period_days == 7 and "Erlang C" in plan.note


def test_what_if_frees_positions_in_proportion_to_failure_time(tmp_path):
    db = open_store(tmp_path / "w.duckdb")
    build(db, [contact("2025-02-03 09:00", "phone", department="A", demand_type="failure",
                       handle_s=3600, answered=True, abandoned=False, queue_s=5) for _ in range(8)])
    result = staffing_what_if(db, Filters(WEEK.start, WEEK.end, departments=("A",)), reduction_share=0.5)
    # 8 hours of failure demand, half of it gone: 4 h over 7 days of a 1 600 h year
    assert result.workload.handled_hours_freed == pytest.approx(4.0)
    assert result.workload.positions_freed == pytest.approx(4 / (1600 * 7 / 365))
    assert result.department == "A" and result.erlang.positions_freed >= 0
    db.close()

"""Every choice on a page lives in the URL (a copied link reproduces it), a drill-down is a URL
filter with a visible way back: AppTest on the sample store, and the pure page-choice rule."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from apptest_support import open_page, problems
from dashboard.view import PAGE_CHOICES, FilterOptions, page_choice, parse_query
from datetime import date

DEPARTMENT = "Förskoleförvaltningen"
TOPIC = "Ansökan om förskoleplats"
POINT = "Servicepunkt Lindängen"


def _chart_text(at: AppTest) -> str:
    """The Plotly specs of the page's charts (titles included), as one string."""
    return " ".join(json.dumps(json.loads(c.proto.spec), ensure_ascii=False)
                    for c in at.get("plotly_chart"))


def _query(at: AppTest) -> dict:
    return {k: at.query_params[k] for k in at.query_params}


# --- the pure rule ---------------------------------------------------------------------------


def test_page_choice_takes_a_listed_value_and_otherwise_the_default_with_a_notice():
    assert page_choice(None, ["a", "b"], "a", "equity") == ("a", None)
    assert page_choice(["b"], ["a", "b"], "a", "equity") == ("b", None)
    assert page_choice(["a", "b"], ["a", "b"], "a", "equity") == ("b", None)  # the last one wins
    assert page_choice("90", range(50, 96, 5), 80, "sl") == (90, None)  # numbers compare as text
    value, notice = page_choice("91", range(50, 96, 5), 80, "sl")
    assert value == 80 and "'91'" in notice and "servicenivåmålet" in notice
    value, notice = page_choice("x" * 5000, ["a"], "a", "point")
    assert value == "a" and len(notice) < 150  # a long value is not echoed in full


def test_page_keys_are_not_unknown_parameters():
    options = FilterOptions(earliest=date(2025, 1, 1), latest=date(2025, 6, 30))
    result = parse_query({key: "1" for key in PAGE_CHOICES} | {"nonsense": "1"}, options)
    assert result.notices == ["Okänd parameter 'nonsense' i adressen ignorerades."]


# --- pages -------------------------------------------------------------------------------------


def test_equity_choices_come_from_the_url_and_go_back_into_it(sample_db, monkeypatch):
    at = open_page(sample_db, monkeypatch, "service_gaps.py", {"equity": "language", "measure": "resolved_rate"})
    assert problems(at) == []
    assert at.button_group(key="pc_equity").value == "language"
    assert at.selectbox(key="pc_measure").value == "resolved_rate"
    assert " per språk" in _chart_text(at)  # the chart is drawn for the chosen grouping
    at.selectbox(key="pc_measure").set_value("repeat_rate").run()
    assert _query(at)["measure"] == "repeat_rate" and _query(at)["equity"] == "language"
    at.button_group(key="pc_equity").set_value("stadsomrade").run()  # the default leaves the URL
    assert "equity" not in _query(at)


def test_staffing_sliders_and_weekday_live_in_the_url(sample_db, monkeypatch):
    at = open_page(sample_db, monkeypatch, "staffing.py",
               {"sl": "90", "answer": "30", "shrinkage": "20", "occupancy": "95", "weekday": "2",
                "reduction": "40"})
    assert problems(at) == []
    values = {s.key: s.value for s in at.slider}
    assert values == {"pc_sl": 90, "pc_answer": 30, "pc_shrinkage": 20, "pc_occupancy": 95,
                      "pc_reduction": 40}
    assert at.button_group(key="pc_weekday").value == 2
    at.slider(key="pc_sl").set_value(70).run()
    assert _query(at)["sl"] == "70"
    # a shared filter change keeps the page's own choices
    at.selectbox(key="flt_department").set_value(DEPARTMENT).run()
    query = _query(at)
    assert query["department"] == DEPARTMENT and query["sl"] == "70" and query["weekday"] == "2"


def test_a_bad_page_choice_gives_a_notice_and_the_default(sample_db, monkeypatch):
    at = open_page(sample_db, monkeypatch, "staffing.py", {"sl": "93"})
    assert problems(at) == []
    assert at.slider(key="pc_sl").value == 80
    assert any("'93'" in w.value for w in at.warning)


def test_the_service_point_is_in_the_url(sample_db, monkeypatch):
    at = open_page(sample_db, monkeypatch, "local_service.py", {"point": POINT})
    assert problems(at) == []
    assert at.selectbox(key="pc_point").value == POINT
    # per hour or per block of hours, as the point's volume allows (tests/test_heatmap_bins.py)
    assert f"{POINT}: kontakter per veckodag och" in _chart_text(at).replace("<br>", " ")


def test_an_active_filter_has_a_way_back(sample_db, monkeypatch):
    at = open_page(sample_db, monkeypatch, "accessibility.py", {"department": DEPARTMENT, "topic": TOPIC})
    assert problems(at) == []
    remove_topic = at.button(key=f"rm_topic_{TOPIC}")
    assert remove_topic.label == f"Ärendekategori: {TOPIC}"
    remove_topic.click().run()
    assert _query(at) == {"department": DEPARTMENT}
    at.button(key=f"rm_department_{DEPARTMENT}").click().run()
    assert _query(at) == {}
    assert not [b for b in at.button if b.key and b.key.startswith("rm_")]


def test_the_staffing_what_if_says_how_its_arsarbetare_are_scaled(sample_db, monkeypatch):
    """A what-if's hours are the period's; its årsarbetare divide them by a position's hours in
    as many days (1 600 h × 31/365 = 135,9 h for March), and the caption says so with the figures."""
    from dashboard.config import Settings
    from dashboard.formatting import format_fte
    from dashboard.metrics import Filters, staffing_what_if
    from dashboard.store import open_store

    at = open_page(sample_db, monkeypatch, "staffing.py",
                   {"period": "custom", "from": "2025-03-01", "to": "2025-03-31"})
    assert problems(at) == []
    con = open_store(sample_db, read_only=True)
    try:
        result = staffing_what_if(con, Filters(date(2025, 3, 1), date(2025, 3, 31)), reduction_share=0.2,
                                  settings=Settings(), target_answer_s=20, target_sl=0.8,
                                  shrinkage=0.3, max_occupancy=0.85)
    finally:
        con.close()
    basis = 1600 * 31 / 365
    positions = next(m.value for m in at.metric if m.label.startswith("Motsvarar i årstakt"))
    assert positions == format_fte(result.workload.handled_hours_freed / basis)
    captions = [c.value for c in at.caption]
    assert any("Räknat på hanterad tid" in c and "periodens 31 dagar" in c and "× 31/365 = 135,9 timmar" in c
               and "årstakt" in c for c in captions), captions
    assert not any("delat med årsarbetstiden" in c for c in captions)

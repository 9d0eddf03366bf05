"""A chart whose every bar is hidden says so in words on the page (AppTest on the sample store):
a förvaltning's small figures drew empty 0–1 axes with only "dolt" labels on three pages."""

from __future__ import annotations

import json

import pytest

from apptest_support import open_page, problems
from dashboard.formatting import CHART_HIDDEN

DEPARTMENT = "Kulturförvaltningen"  # few contacts: whole charts of small cells


def _specs(at) -> list[dict]:
    return [json.loads(c.proto.spec or "{}") for c in at.get("plotly_chart")]


def _only_hidden_bars(spec: dict) -> bool:
    """Bars drawn, and every bar's value hidden: its text or label "dolt", no value anywhere."""
    bars = [t for t in spec.get("data", []) if t.get("type") == "bar"]
    if not bars:
        return False
    texts = [t for b in bars for t in (b.get("customdata") if b.get("orientation") != "h" else None)
             or b.get("text") or []]
    values = [x for t in texts for x in ([t] if isinstance(t, str) else [])]
    return bool(values) and all(v in (CHART_HIDDEN, "", "–") for v in values)


def _title(spec: dict) -> str:
    return spec.get("layout", {}).get("title", {}).get("text", "")


@pytest.mark.parametrize(("page", "said"), [
    ("local_service.py", "Besök och uppsökande verksamhet per<br>servicepunkt"),
    ("failure_demand.py", None),  # the sample's härledd reasons keep a value at this size
    ("staffing.py", "Agenter som behövs per halvtimme, måndag")])
def test_no_chart_of_only_hidden_bars_for_a_small_forvaltning(sample_db, monkeypatch, page, said):
    at = open_page(sample_db, monkeypatch, page, {"department": DEPARTMENT})
    assert problems(at) == []
    specs = _specs(at)
    assert specs
    assert [_title(s) for s in specs if _only_hidden_bars(s)] == []
    words = [_title(s) for s in specs
             if any("Alla staplar är dolda" in a.get("text", "") for a in s["layout"].get("annotations", []))]
    assert said is None or said in words
    # a chart said in words has no bar to click: no "Klicka på en stapel" under it
    hints = [c.value for c in at.caption if c.value.startswith("Klicka på en")]
    assert len(hints) <= sum(1 for s in specs if s.get("data")), (hints, [_title(s) for s in specs])


def test_a_weekly_trend_draws_the_points_that_exist_and_counts_its_gaps(sample_db, monkeypatch):
    """/tillganglighet?day_of_week=3&hour=10 (on the full sample; Wednesdays on the tests'
    smaller one): the weeks' answer rates were 78,1 %, 81,1 %, – (Christmas Eve, closed) against
    75,8 %, Dolt, Dolt, and the chart said "de flesta punkterna saknar kontakter att räkna på
    (inget är dolt)". The line is drawn, two points and a gap, and under its title it counts
    both lines' gaps as they are."""
    at = open_page(sample_db, monkeypatch, "accessibility.py", {"day_of_week": "3"})
    assert problems(at) == []
    (spec,) = [s for s in _specs(at) if _title(s).startswith("Svarsandel per vecka")]
    now, before = spec["data"]
    assert [y is None for y in now["y"]] == [False, False, True]
    assert [y is None for y in before["y"]] == [False, True, True]
    assert "1 av 3 punkter utan underlag · jämförelsen: 2 av 3 dolda" in _title(spec)


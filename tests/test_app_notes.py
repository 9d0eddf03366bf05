"""What the charts and their notes say about hidden values, on the pages (AppTest on the sample
store): a satisfaction index without survey answers reads "–", not "dolt"; the note on hidden
values stands only under a chart that draws one; a ranked chart cut to its largest says of how
many; a heatmap's note explains its complementary cells. Expected values from the engine's own
compute (before disclosure control), not from the page's code."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from apptest_support import open_page, problems
from dashboard.domain import label_for
from dashboard.metrics import Filters, compute

DEPARTMENT = "Förskoleförvaltningen"
NOVEMBER = {"period": "custom", "from": "2025-11-03", "to": "2025-11-30"}
NOVEMBER_FILTERS = dict(start=date(2025, 11, 3), end=date(2025, 11, 30))
NOTE_STARTS = ("”dolt”", "”<5”", "”Dolt”", "”(osäker)”")  # privacy.cells.hidden_note, uncertain_note


def _blocks(node):
    """(chart spec, captions) of every block that holds a chart directly."""
    children = list(getattr(node, "children", {}).values())
    charts = [c for c in children if getattr(c, "type", None) == "plotly_chart"]
    if charts:
        yield (json.loads(charts[0].proto.spec),
               [c.value for c in children if getattr(c, "type", None) == "caption"])
    for child in children:
        yield from _blocks(child)


def _title(spec) -> str:
    return ((spec.get("layout") or {}).get("title") or {}).get("text") or ""


def _chart(at, title_start: str):
    found = [(s, c) for s, c in _blocks(at.main) if _title(s).startswith(title_start)]
    assert found, f"no chart {title_start!r}: {[_title(s) for s, _ in _blocks(at.main)]}"
    return found[0]


def _texts(spec) -> list[str]:
    """The texts a bar chart or heatmap prints on its marks."""
    out = []
    for trace in spec.get("data", []):
        text = trace.get("text")
        if trace.get("type") == "heatmap" and text:
            out += [t for row in text for t in row]
        elif trace.get("type") == "bar" and text:
            out += list(text)
    return out


def _engine(db, metric_ids, by, **filters):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return compute(con, Filters(**filters), metric_ids, by)
    finally:
        con.close()


def test_satisfaction_without_survey_answers_reads_no_data_not_hidden(sample_db, monkeypatch):
    at = open_page(sample_db, monkeypatch, "accessibility.py", {**NOVEMBER, "department": DEPARTMENT})
    assert problems(at) == []
    spec, _ = _chart(at, "Nöjdhet (index 0–100) per kanal")
    bar = next(t for t in spec["data"] if t["type"] == "bar")
    shown = {c[1]: text for c, text in zip(bar["customdata"], bar["text"])}
    engine = _engine(sample_db, ["satisfaction_index"], ("channel",), departments=(DEPARTMENT,),
                     **NOVEMBER_FILTERS)
    answers = dict(zip(engine["channel"].to_list(), engine["satisfaction_index__n"].to_list()))
    none = [c for c, n in answers.items() if not n]
    few = [c for c, n in answers.items() if n and n < 5]
    assert none and few, "the fixture should have channels without answers and with a few"
    assert {c: shown[c] for c in none} == {c: "–" for c in none}, [label_for("channel", c) for c in none]
    assert {c: shown[c] for c in few} == {c: "dolt" for c in few}


@pytest.mark.parametrize("page", ["accessibility.py", "service_gaps.py"])
@pytest.mark.parametrize("department", [DEPARTMENT, None])
def test_a_note_on_hidden_values_stands_only_under_a_chart_that_draws_one(sample_db, monkeypatch,
                                                                          page, department):
    query = {**NOVEMBER, **({"department": department} if department else {})}
    at = open_page(sample_db, monkeypatch, page, query)
    assert problems(at) == []
    checked = 0
    for spec, captions in _blocks(at.main):
        texts = _texts(spec)
        if not texts:  # lines, empty figures: their gaps are told in the figure itself
            continue
        noted = any(c.startswith(NOTE_STARTS) for c in captions)
        assert noted == ("dolt" in texts), (_title(spec), captions)
        # a note under a chart quotes the word the chart writes, not the table's "<5"/"Dolt"
        assert not any(c.startswith(("”<5”", "”Dolt”")) for c in captions), captions
        checked += 1
    assert checked >= 3


def test_the_ranked_service_gap_chart_says_it_draws_the_15_largest_of_all(sample_db, monkeypatch):
    at = open_page(sample_db, monkeypatch, "service_gaps.py", NOVEMBER)
    assert problems(at) == []
    topics = _engine(sample_db, ["forwarded_rate"], ("topic",), **NOVEMBER_FILTERS).height
    assert topics > 15, "the fixture should have more topics than the chart draws"
    spec, _ = _chart(at, "Andel överlämnade per ärendekategori")
    assert f"De 15 största av {topics}" in _title(spec)
    assert len(next(t for t in spec["data"] if t["type"] == "bar")["y"]) == 15


def test_a_heatmaps_note_explains_why_cells_with_many_contacts_are_hidden(sample_db, monkeypatch):
    at = open_page(sample_db, monkeypatch, "accessibility.py", {**NOVEMBER, "department": DEPARTMENT})
    spec, captions = _chart(at, "Inkomna samtal och chattar per veckodag")
    assert "dolt" in _texts(spec)
    note = " ".join(c for c in captions if c.startswith(NOTE_STARTS))
    assert "summorna per veckodag (rad) och per tid på dagen (kolumn)" in note
    assert "genom att dra de synliga rutorna från summan" in note
    assert note.startswith("”dolt”") and "”<5”" not in note   # the word in the cells, "dolt"


@pytest.mark.parametrize("department", [DEPARTMENT, None])
def test_the_per_förvaltning_chart_is_drawn_for_the_city_only(sample_db, monkeypatch, department):
    """For one förvaltning "Onödig efterfrågan per förvaltning" would be one bar, equal to its
    own reference line: it is left out, the per-ärendekategori chart stays."""
    query = {**NOVEMBER, **({"department": department} if department else {})}
    at = open_page(sample_db, monkeypatch, "failure_demand.py", query)
    assert problems(at) == []
    titles = [_title(s) for s, _ in _blocks(at.main)]
    assert any(t.startswith("Onödig efterfrågan per ärendekategori") for t in titles), titles
    per_department = [t for t in titles if t.startswith("Onödig efterfrågan per förvaltning")]
    assert len(per_department) == (0 if department else 1), titles


def test_every_page_with_filters_says_how_old_the_newest_data_is(sample_db, monkeypatch):
    """The sample ends on 31 December 2025: each page tells a reader today that its "Senaste 30
    dagarna" is a year old, in one notice."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    latest = _engine_latest(sample_db)
    age = (datetime.now(ZoneInfo("Europe/Stockholm")).date() - latest).days
    assert age > 7 and latest.month == 12, "the fixture ends in a December long past"
    for page in ("overview.py", "accessibility.py", "department.py"):
        at = open_page(sample_db, monkeypatch, page, {})
        notices = [i.value for i in at.info if i.value.startswith("Senaste data är från")]
        assert notices == [f"Senaste data är från {latest.day} december {latest.year}, för {age} dagar "
                           "sedan: perioderna räknas bakåt från den dagen. Är det inte väntat, "
                           "kontrollera att inläsningen av nya exporter går."], page


def _engine_latest(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select max(timezone('Europe/Stockholm', timezone('UTC', started_at)))::date "
                           "from contacts").fetchone()[0]
    finally:
        con.close()

"""Drill-down from heatmap cells and table rows, and the "Visa som tabell" switches in the URL.

The weekday × hour filter a heatmap cell sets is checked against SQL over the contacts table
(local time worked out with DuckDB's own time-zone conversion, not the marts); the pages are
AppTest on the sample store; the clicks themselves are in tests/test_browser.py."""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go
import polars as pl

from apptest_support import open_page, problems
from dashboard.charts import weekday_hour_heatmap
from dashboard.metrics import Filters, compute
from dashboard.ui.drill import row_keys
from dashboard.ui.tables import Col
from dashboard.view import FilterOptions, parse_query, to_query, build_view

START, END = date(2025, 3, 1), date(2025, 3, 31)
PERIOD = {"period": "custom", "from": START.isoformat(), "to": END.isoformat()}


def _sql_count(con, weekday: int, hour: int) -> int:
    return con.execute(
        """select count(*) from (
             select timezone('Europe/Stockholm', timezone('UTC', started_at)) as local from contacts)
           where cast(local as date) between $start and $end
             and isodow(local) = $weekday and hour(local) = $hour""",
        {"start": START, "end": END, "weekday": weekday, "hour": hour}).fetchone()[0]


def test_the_weekday_and_hour_filter_counts_what_sql_counts(sample_con):
    for weekday, hour in ((1, 9), (3, 14), (6, 11)):
        frame = compute(sample_con, Filters(start=START, end=END, weekdays=(weekday,), hours=(hour,)),
                        ["contacts"])
        assert frame["contacts"][0] == _sql_count(sample_con, weekday, hour), (weekday, hour)
    # two hours of one weekday add up
    both = compute(sample_con, Filters(start=START, end=END, weekdays=(1,), hours=(9, 10)),
                   ["contacts"])
    assert both["contacts"][0] == _sql_count(sample_con, 1, 9) + _sql_count(sample_con, 1, 10)


def test_a_cell_is_a_url_filter_with_swedish_words():
    options = FilterOptions(earliest=date(2025, 1, 1), latest=date(2025, 12, 31))
    result = parse_query({"day_of_week": "1", "hour": ["9", "25"]}, options)
    assert result.state.weekdays == ("1",) and result.state.hours == ("9",)
    assert any("'25'" in n and "timme" in n for n in result.notices)
    assert to_query(result.state) == {"day_of_week": ["1"], "hour": ["9"]}
    view = build_view(result.state, options)
    assert view.cells == ((1, 9),)
    assert "veckodag: måndag" in view.description and "timme: 09–10" in view.description
    assert view.whole_week().cells == () and view.whole_week().period == view.period


def test_a_clickable_heatmap_carries_each_cells_weekday_and_hour_and_outlines_the_chosen():
    frame = pl.DataFrame({"weekday": [1, 1, 2], "hour": [8, 9, 8], "contacts": [40, 12, 7]})
    fig = weekday_hour_heatmap(frame, value="contacts", title="t", unit="count",
                               value_label="Kontakter", clickable=True, selected=[(1, 9)])
    heat, layer = fig.data
    assert isinstance(layer, go.Scatter) and heat.hoverinfo == "skip"
    cells = {(d, h): hover for hover, d, h, span in layer.customdata if span == 1}
    assert set(cells) == {(1, 8), (1, 9), (2, 8), (2, 9)}  # every cell of the grid, closed too
    assert cells[(1, 9)] == "måndag 09–10: 12"
    assert layer.marker.opacity == 0  # the heatmap draws; the layer only takes the click
    (outline,) = fig.layout.shapes
    assert (outline.x0, outline.x1, outline.y0, outline.y1) == (0.5, 1.5, -0.5, 0.5)
    # blocks of two hours: each cell carries its block's first hour and span; a chosen hour
    # outlines its block
    blocks = pl.DataFrame({"weekday": [1, 1, 2], "hour": [8, 10, 8], "contacts": [52, 9, 7]})
    fig = weekday_hour_heatmap(blocks, value="contacts", title="t", unit="count", value_label="Kontakter",
                               clickable=True, selected=[(1, 11)], span=2, opening_hours={1: (8, 12)})
    heat, layer = fig.data
    assert list(heat.x) == ["08–10", "10–12"]
    assert [list(c[1:]) for c in layer.customdata] == [[1, 8, 2], [1, 10, 2], [2, 8, 2], [2, 10, 2]]
    assert layer.customdata[1][0] == "måndag 10–12: 9"
    assert fig.layout.xaxis.title.text == "Tid på dagen (2 timmar per ruta)"
    (outline,) = fig.layout.shapes
    assert (outline.x0, outline.x1, outline.y0, outline.y1) == (0.5, 1.5, -0.5, 0.5)


def test_a_click_on_a_block_filters_to_every_hour_of_it():
    import streamlit as st

    from dashboard.ui import drill

    st.session_state["chart_h"] = {"selection": {"points": [{"customdata": ["måndag 08–12: 40", 1, 8, 4]}]}}
    drill.on_cell("chart_h")()
    assert st.query_params.get_all("day_of_week") == ["1"]
    assert st.query_params.get_all("hour") == ["8", "9", "10", "11"]
    del st.session_state["chart_h"]
    st.query_params.clear()


def test_row_drill_uses_the_tables_filterable_columns():
    cols = (Col("rank", "Plats", "integer"), Col("department", "Förvaltning", None, dimension="department"),
            Col("topic", "Ärendekategori", None, dimension="topic"), Col("contacts", "Kontakter", "count"),
            Col("source_system", "Källsystem", None, dimension="source_system"))
    assert row_keys(cols) == [("department", "department"), ("topic", "topic")]


def test_a_heatmap_cell_in_the_url_filters_the_page_and_has_a_way_back(sample_db, monkeypatch):
    at = open_page(sample_db, monkeypatch, "accessibility.py", {**PERIOD, "day_of_week": "1", "hour": "9"})
    assert problems(at) == []
    day = at.button(key="rm_day_of_week_1")
    assert day.label == "Veckodag: måndag"
    assert at.button(key="rm_hour_9").label == "Timme: 09–10"
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    heatmaps = [s for s in specs if any(t.get("type") == "heatmap" for t in s["data"])]
    assert heatmaps and all(s["layout"].get("shapes") for s in heatmaps)  # the chosen cell outlined
    # the heatmap keeps the whole week: more than one weekday row
    assert all(len(next(t for t in s["data"] if t["type"] == "heatmap")["y"]) > 1 for s in heatmaps)
    filtered = at.metric[0].value
    day.click().run()
    at.button(key="rm_hour_9").click().run()
    assert "day_of_week" not in at.query_params and "hour" not in at.query_params
    assert at.metric[0].value != filtered


def test_visa_som_tabell_lives_in_the_url(sample_db, monkeypatch):
    at = open_page(sample_db, monkeypatch, "accessibility.py", PERIOD)
    toggle = at.toggle(key="tbl_acc_channels")
    assert toggle.value is False
    charts = len(at.get("plotly_chart"))
    toggle.set_value(True).run()
    assert at.query_params["table"] in ("acc_channels", ["acc_channels"])
    assert len(at.get("plotly_chart")) == charts - 1
    # a fresh session with the copied URL opens the same table
    again = open_page(sample_db, monkeypatch, "accessibility.py", {**PERIOD, "table": "acc_channels"})
    assert problems(again) == []
    assert again.toggle(key="tbl_acc_channels").value is True
    assert len(again.get("plotly_chart")) == charts - 1
    again.toggle(key="tbl_acc_channels").set_value(False).run()
    assert "table" not in again.query_params


def test_an_unknown_table_in_the_url_gives_one_notice(sample_db, monkeypatch):
    at = open_page(sample_db, monkeypatch, "accessibility.py", {**PERIOD, "table": ["nope", "acc_channels"]})
    assert problems(at) == []
    notices = [w.value for w in at.warning if "tabellvisningen" in w.value]
    assert len(notices) == 1 and "'nope'" in notices[0]
    assert at.toggle(key="tbl_acc_channels").value is True


def test_a_bar_without_a_value_filters_nothing_and_says_why(sample_db, monkeypatch):
    """A click on the "Uppgift saknas" bar (customdata value None) sets no filter; the next run
    shows one notice saying why, instead of a highlighted bar that seems to filter."""
    import streamlit as st

    from dashboard.ui import drill

    st.session_state["chart_x"] = {"selection": {"points": [{"customdata": ["Uppgift saknas", None]}]}}
    drill.on_bar("chart_x", "department")()
    assert st.session_state["_drill_notice"] == drill.UNFILTERABLE
    del st.session_state["_drill_notice"], st.session_state["chart_x"]

    at = open_page(sample_db, monkeypatch, "overview.py", PERIOD)
    at.session_state["_drill_notice"] = drill.UNFILTERABLE
    at.run()
    assert problems(at) == []
    assert [i.value for i in at.info].count(drill.UNFILTERABLE) == 1
    assert "department" not in at.query_params
    at.run()   # shown once
    assert drill.UNFILTERABLE not in [i.value for i in at.info]


def test_the_sociala_medier_drill_down_says_hidden_only_where_something_is_hidden(sample_db, monkeypatch):
    """Sociala medier has no calls: the answer rate rests on nothing (no data), which privacy does
    not hide, so its line says there is no basis instead of "för få … dolda"; the heatmap of calls,
    zero in every open hour, gets the colour scale 0..1, not Plotly's −0,4..0,4."""
    at = open_page(sample_db, monkeypatch, "accessibility.py", {**PERIOD, "channel": "social"})
    assert problems(at) == []
    specs = {s["layout"]["title"]["text"]: s for s in
             (json.loads(c.proto.spec) for c in at.get("plotly_chart")) if s["layout"].get("title")}
    line = next(s for t, s in specs.items() if t.startswith("Svarsandel per"))
    (words,) = [a["text"].replace("<br>", " ") for a in line["layout"]["annotations"]]   # wrapped
    assert "dolda" not in words and "för få" not in words.lower()
    assert words.startswith("Inget underlag för svarsandel") and "inget är dolt" in words
    calls = next(s for t, s in specs.items() if t.startswith("Inkomna samtal"))
    (hm,) = [t for t in calls["data"] if t["type"] == "heatmap"]
    assert {v for row in hm["z"] for v in row if v is not None} == {0}
    assert (hm["zmin"], hm["zmax"]) == (0, 1) and hm["colorbar"]["tickvals"] == [0, 1]


def test_a_table_too_wide_for_the_grid_is_text_and_its_rows_a_choice(sample_db, monkeypatch):
    """Förvaltning for the whole city: the departments' names and the headers cannot all stand
    whole in the grid at 1280 px, so the table is text (it wraps) and its rows are offered by
    name under it; choosing one filters the page to that förvaltning, as a click on its row did."""
    from dashboard.ui.drill import ROW_CHOICE

    at = open_page(sample_db, monkeypatch, "department.py", PERIOD)
    assert problems(at) == []
    assert [list(d.value.columns) for d in at.dataframe] == []
    table = next(t.value for t in at.table if list(t.value.columns)[:1] == ["Förvaltning"])
    choice = next(s for s in at.selectbox if s.label == ROW_CHOICE)
    named = [o for o in choice.options]
    assert named == [n for n in table["Förvaltning"].tolist() if n != "Uppgift saknas"]
    choice.select_index(named.index("Kulturförvaltningen")).run()
    assert problems(at) == []
    assert at.query_params["department"] in ("Kulturförvaltningen", ["Kulturförvaltningen"])
    assert at.caption[0].value.startswith("Kulturförvaltningen, 1–31 mars 2025")

"""Property-based AppTest: Hypothesis draws filter states (as the URL carries them) and every page
must render without an exception or an error element.

The draws include the edges that used to crash or draw nonsense: custom periods reaching past
either end of the data (a bookmarked link after old data is removed), a single day, a förvaltning
with a topic and a city area, names in another case. Separate cases render every page for a store
without contacts and with every cell hidden. A small store and few examples keep this to about a
minute or two.
"""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from streamlit.testing.v1 import AppTest

from dashboard.app import NAVIGATION
from dashboard.metrics import EQUITY_METRICS
from dashboard.sample import build_sample_store
from dashboard.periods import COMPARISONS, MAX_HIDDEN_SHARE, PRESETS, too_gappy_to_draw

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
PAGES = [(file, title) for _, file, title, *_ in NAVIGATION]
ROWS = 4_000


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("property") / "small.duckdb"
    build_sample_store(path, ROWS, seed=7, plants=True)
    con = duckdb.connect(str(path), read_only=True)
    try:
        first, last = con.execute("select min(started_at)::date, max(started_at)::date from contacts").fetchone()
        departments = [r[0] for r in con.execute("select department from departments order by 1").fetchall()]
        topics = [r[0] for r in con.execute("select topic from topics order by 1").fetchall()]
        areas = [r[0] for r in con.execute(
            "select city_area from city_areas where level = 'stadsomrade' order by 1").fetchall()]
        languages = [r[0] for r in con.execute(
            "select distinct language from contacts where language is not null order by 1").fetchall()]
        points = [r[0] for r in con.execute(
            "select distinct service_point from contacts where service_point is not null order by 1"
        ).fetchall()]
    finally:
        con.close()
    return {"path": path, "first": first, "last": last, "departments": departments,
            "topics": topics, "areas": areas, "languages": languages, "points": points}


def _problems(at: AppTest) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error] + _gappy_lines(at)


def _gappy_lines(at: AppTest) -> list[str]:
    """Lines over time that are mostly gaps (periods.too_gappy_to_draw: fewer than two points
    shown, or more than half of them gaps), and lines with gaps that do not count them under
    their title (charts.gap_note: "2 av 4 punkter dolda")."""
    found = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec or "{}")
        title = (spec.get("layout", {}).get("title") or {}).get("text") or ""
        lines = [t for t in spec.get("data", []) if t.get("mode") == "lines+markers"]
        if not lines:
            continue
        ys = lines[0].get("y")
        gaps = [y is None for y in ys] if isinstance(ys, list) else []
        if too_gappy_to_draw(gaps):
            found.append(f"{title}: {sum(gaps)} of {len(gaps)} points hidden")
        elif any(gaps) and f"av {len(gaps)} punkter" not in title:
            found.append(f"{title}: {sum(gaps)} of {len(gaps)} points hidden, not said")
    return found


def render_every_page(db: Path, query: dict, config: Path | None = None) -> dict[str, list[str]]:
    """Each page's exceptions and error elements for the URL `query` (one AppTest, page by page)."""
    saved = {k: os.environ.get(k) for k in ("KONTAKTCENTER_DB", "KONTAKTCENTER_CONFIG")}
    os.environ["KONTAKTCENTER_DB"] = str(db)
    if config is not None:
        os.environ["KONTAKTCENTER_CONFIG"] = str(config)
    else:
        os.environ.pop("KONTAKTCENTER_CONFIG", None)
    try:
        found = {}
        at = AppTest.from_file(APP, default_timeout=120)
        for file, title in PAGES:
            at.query_params.clear()  # the link as opened, not the canonical form the app wrote
            for k, v in query.items():
                at.query_params[k] = v
            at = at.switch_page(f"screens/{file}").run()
            problems = _problems(at)
            if [t.value for t in at.title][:1] != [title]:  # the page itself was drawn
                problems.append(f"titles {[t.value for t in at.title]}")
            if problems:
                found[file] = problems
        return found
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@st.composite
def queries(draw, store: dict) -> dict:
    """A URL query: a period (a preset, or a custom one from 40 days before the data to 40 after,
    often a single day), a comparison, and perhaps a förvaltning, topics, areas, channels, the
    rarer filters and the pages' own choices."""
    query: dict = {}
    preset = draw(st.sampled_from([*PRESETS, "custom", "custom"]))
    if preset != "30d":
        query["period"] = preset
    if preset == "custom":
        span = (store["last"] - store["first"]).days + 80
        start = store["first"] - timedelta(days=40) + timedelta(days=draw(st.integers(0, span)))
        length = draw(st.one_of(st.just(0), st.integers(0, 120)))
        query["from"], query["to"] = start.isoformat(), (start + timedelta(days=length)).isoformat()
    query["compare"] = draw(st.sampled_from([c.url for c in COMPARISONS]))
    if draw(st.booleans()):
        department = draw(st.sampled_from(store["departments"]))
        query["department"] = draw(st.sampled_from([department, department.lower()]))
    for key, values in (("topic", store["topics"]), ("area", store["areas"]),
                        ("channel", ["phone", "visit", "e_service", "outreach"])):
        chosen = draw(st.lists(st.sampled_from(values), max_size=2, unique=True))
        if chosen:
            query[key] = chosen
    # rarer filters (a heatmap cell's drill-down among them) and the pages' own choices, each now
    # and then, valid or not (an invalid one is a notice, never an error)
    for key, values in (("language", store["languages"]),
                        ("customer_type", ["resident", "business", "private"]),
                        ("day_of_week", [str(d) for d in range(1, 8)]),
                        ("hour", [str(h) for h in range(7, 18)]),
                        ("equity", ["stadsomrade", "language", "interpreter", "customer_type", "x"]),
                        ("measure", [*EQUITY_METRICS, "x"]), ("point", [*store["points"], "Okänd"]),
                        ("weekday", ["1", "3", "7", "9"]), ("reduction", ["0", "35", "100", "7"]),
                        ("sl", ["60", "95", "x"]), ("tab", ["inlasningar", "x"]),
                        ("table", ["ov_trend", "acc_channels", "st_plan", "x"])):
        if values and draw(st.integers(0, 3)) == 0:
            query[key] = [draw(st.sampled_from(values))]
    return query


def test_every_page_renders_for_the_edges(small_store):
    last, first = small_store["last"], small_store["first"]
    department, topic, area = (small_store["departments"][0], small_store["topics"][0],
                               small_store["areas"][0])
    edges = [
        {"period": "custom", "from": last.isoformat(), "to": last.isoformat()},  # one day
        {"period": "custom", "from": first.isoformat(), "to": first.isoformat(), "compare": "yoy"},
        {"period": "custom", "from": (first - timedelta(days=30)).isoformat(),
         "to": (last + timedelta(days=30)).isoformat()},  # past both ends
        {"period": "custom", "from": (first - timedelta(days=400)).isoformat(),
         "to": (first - timedelta(days=300)).isoformat()},  # wholly before: old data removed
        {"department": department, "topic": topic, "area": area, "period": "quarter"},
        {"department": department.upper(), "topic": topic, "area": area,
         "period": "custom", "from": last.isoformat(), "to": last.isoformat()},
    ]
    for edge in edges:
        assert render_every_page(small_store["path"], edge) == {}, edge


def test_every_page_renders_for_drawn_filter_states(small_store):
    @settings(max_examples=6, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def check(data):
        query = data.draw(queries(small_store), label="query")
        assert render_every_page(small_store["path"], query) == {}, query

    check()


def test_every_page_renders_without_contacts(empty_db):
    assert render_every_page(empty_db(), {}) == {}
    assert render_every_page(empty_db(), {"period": "custom", "from": "2025-01-01", "to": "2025-01-01"}) == {}


def test_every_page_renders_when_every_cell_is_hidden(small_store, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f"small_cell_threshold = {ROWS * 10}\n", encoding="utf-8")
    assert render_every_page(small_store["path"], {}, config) == {}
    assert render_every_page(small_store["path"], {"period": "year", "compare": "yoy"}, config) == {}


def _trend(db: Path, query: dict) -> dict:
    os.environ["KONTAKTCENTER_DB"] = str(db)
    os.environ.pop("KONTAKTCENTER_CONFIG", None)
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert _problems(at) == []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec or "{}")
        if (spec.get("layout", {}).get("title") or {}).get("text", "").startswith("Kontakter per"):
            return spec
    raise AssertionError("no trend on Översikt")


def test_the_trend_grain_follows_volume_and_says_so(small_store):
    path, last = small_store["path"], small_store["last"]
    # Worked out apart from the dashboard: the daily counts of the last 30 days
    con = duckdb.connect(str(path), read_only=True)
    try:
        counts = [r[1] for r in con.execute(
            "select (started_at at time zone 'UTC' at time zone 'Europe/Stockholm')::date as d, "
            "count(*) from contacts where d between ? and ? group by d",
            [last - timedelta(days=29), last]).fetchall()]
    finally:
        con.close()
    # days with contacts are the line's points; those under the small-cell threshold are hidden
    small_days = sum(c < 5 for c in counts)
    spec = _trend(path, {})
    title = spec["layout"]["title"]["text"]
    daily_fits = small_days <= MAX_HIDDEN_SHARE * len(counts)
    assert title.startswith("Kontakter per dag" if daily_fits else "Kontakter per vecka"), (
        title, small_days)
    # a whole calendar year: too many days for a line per day
    spec = _trend(path, {"period": "year"})
    assert spec["layout"]["title"]["text"].startswith(("Kontakter per vecka", "Kontakter per månad"))


def test_a_weekly_comparison_meets_mondays(small_store):
    last = small_store["last"]
    query = {"period": "custom", "from": (last - timedelta(days=90)).isoformat(), "to": last.isoformat()}
    spec = _trend(small_store["path"], query)
    title = spec["layout"]["title"]["text"]
    assert title == "Kontakter per vecka", title
    assert spec["layout"]["xaxis"]["title"]["text"].startswith("Vecka (hela veckor, ")
    now, before = spec["data"][0], spec["data"][1]
    xs = [date.fromisoformat(x[:10]) for x in now["x"]]
    assert all(x.weekday() == 0 for x in xs)
    assert set(date.fromisoformat(x[:10]) for x in before["x"]) <= set(xs)


def test_months_against_the_same_months_a_year_before_meet_the_same_weeks(small_store):
    """January–November 2025 against January–November 2024, per week: each week beside the week
    52 weeks earlier (364 days: 6 January 2025 beside 8 January 2024, 17 November 2025 beside
    18 November 2024). Paired from the periods' first whole weeks (6 January 2025, 1 January
    2024: 53 weeks apart), every week met the week before its own, and a year's Christmas week
    2025 met 16 December 2024."""
    spec = _trend(small_store["path"], {"period": "custom", "from": "2025-01-01", "to": "2025-11-30",
                                        "compare": "yoy"})
    assert "6 januari–30 november 2025" in spec["layout"]["xaxis"]["title"]["text"].replace("<br>", " ")
    before = spec["data"][1]
    laid = {date.fromisoformat(x[:10]): hover[0] for x, hover in zip(before["x"], before["customdata"])}
    assert laid[date(2025, 1, 6)].startswith("8 jan 2024"), laid[date(2025, 1, 6)]
    assert laid[date(2025, 11, 17)].startswith("18 nov 2024"), laid[date(2025, 11, 17)]
    assert min(laid) == date(2025, 1, 6) and max(laid) == date(2025, 11, 17)

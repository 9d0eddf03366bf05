"""AppTest for every page on the sample store: renders, filters change the figures, a förvaltning
filter shows that department's numbers (checked against the engine's compute directly), the URL
carries the view, bad URL values give a notice, and new ingests show up without a restart."""

from __future__ import annotations

import shutil
import time
from datetime import date, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.app import NAVIGATION
from dashboard.formatting import format_int, format_percent
from dashboard.metrics import Filters, compute
from contact_fixtures import contact, insert_contacts
from dashboard.store import bump_data_version, open_store
from dashboard.store.marts import refresh_marts

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
PAGES = [(file, title) for _, file, title, _, _ in NAVIGATION]
# Pages the shared filters do not apply to: no filter caption heads them.
FILTER_FREE = {"audit_log.py"}
DEPARTMENT = "Förskoleförvaltningen"


def _app(db, monkeypatch, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("KONTAKTCENTER_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def _on(at: AppTest, file: str) -> AppTest:
    return at.switch_page(f"screens/{file}").run()


def _problems(at: AppTest) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error]


def _metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no key figure {label!r}: {[m.label for m in at.metric]}"
    return values[0]


def _last_30_days(db) -> tuple[date, date]:
    """Worked out independently of the dashboard: the latest local date and 29 days before."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        (last,) = con.execute("select max(started_at) from contacts").fetchone()
    finally:
        con.close()
    end = last.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/Stockholm")).date()
    return end - timedelta(days=29), end


def _engine(db, metric_ids, **filters):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return compute(con, Filters(**filters), metric_ids, ())
    finally:
        con.close()


@pytest.mark.parametrize(("file", "title"), PAGES)
def test_every_page_renders_without_exception(sample_db, monkeypatch, file, title):
    at = _on(_app(sample_db, monkeypatch), file)
    assert _problems(at) == []
    assert [t.value for t in at.title] == [title]
    assert at.caption[0].value.startswith("Hela staden, ") != (file in FILTER_FREE)


@pytest.mark.parametrize(("file", "title"), PAGES)
def test_every_page_renders_for_a_department_and_last_year(sample_db, monkeypatch, file, title):
    at = _on(_app(sample_db, monkeypatch, {"department": DEPARTMENT, "compare": "yoy",
                                           "period": "quarter"}), file)
    assert _problems(at) == []
    assert at.caption[0].value.startswith(f"{DEPARTMENT}, ") != (file in FILTER_FREE)


def test_overview_key_figures_equal_the_engine(sample_db, monkeypatch):
    start, end = _last_30_days(sample_db)
    at = _app(sample_db, monkeypatch)
    expected = _engine(sample_db, ["contacts", "answer_rate"], start=start, end=end)
    assert _metric(at, "Kontakter") == format_int(expected["contacts"][0])
    assert _metric(at, "Svarsandel") == format_percent(expected["answer_rate"][0])


def test_department_filter_shows_that_departments_numbers(sample_db, monkeypatch):
    start, end = _last_30_days(sample_db)
    at = _app(sample_db, monkeypatch)
    city = _metric(at, "Kontakter")
    at.selectbox(key="flt_department").set_value(DEPARTMENT).run()
    assert _problems(at) == []
    assert at.query_params.get("department") == DEPARTMENT
    own = _engine(sample_db, ["contacts", "answer_rate"], start=start, end=end, departments=(DEPARTMENT,))
    assert _metric(at, "Kontakter") == format_int(own["contacts"][0])
    assert _metric(at, "Kontakter") != city
    assert _metric(at, "Svarsandel") == format_percent(own["answer_rate"][0])
    # the city stays as the comparison under each key figure
    assert any(c.value == f"Hela staden: {city}" for c in at.caption)


def test_a_filter_change_changes_the_figures_and_the_url(sample_db, monkeypatch):
    at = _on(_app(sample_db, monkeypatch), "accessibility.py")
    before = [m.value for m in at.metric]
    at.multiselect(key="flt_channel").set_value(["chat"]).run()
    assert _problems(at) == []
    assert at.query_params.get("channel") == "chat"
    after = [m.value for m in at.metric]
    assert after != before
    start, end = _last_30_days(sample_db)
    chat = _engine(sample_db, ["offered"], start=start, end=end, channels=("chat",))
    assert _metric(at, "Inkomna samtal och chattar") == format_int(chat["offered"][0])


def test_the_url_reproduces_the_view(sample_db, monkeypatch):
    at = _on(_app(sample_db, monkeypatch), "failure_demand.py")
    at.selectbox(key="flt_department").set_value(DEPARTMENT).run()
    at.selectbox(key="flt_preset").set_value("quarter").run()
    at.radio(key="flt_compare").set_value("last_year").run()
    query = dict(at.query_params)
    assert query == {"department": DEPARTMENT, "period": "quarter", "compare": "yoy"}
    shown = ([m.value for m in at.metric], at.caption[0].value)
    again = _on(_app(sample_db, monkeypatch, query), "failure_demand.py")
    assert ([m.value for m in again.metric], again.caption[0].value) == shown


def test_filters_survive_a_page_switch(sample_db, monkeypatch):
    at = _app(sample_db, monkeypatch, {"department": DEPARTMENT})
    at = _on(at, "service_gaps.py")
    assert at.caption[0].value.startswith(DEPARTMENT)
    assert at.selectbox(key="flt_department").value == DEPARTMENT


def test_bad_url_values_are_ignored_with_a_visible_notice(sample_db, monkeypatch):
    at = _app(sample_db, monkeypatch, {"period": "decade", "channel": ["phone", "fax"], "foo": "1",
                                       "department": "Påhittade förvaltningen"})
    assert _problems(at) == []
    notices = " ".join(w.value for w in at.warning)
    for fragment in ("Perioden 'decade'", "'fax'", "Okänd parameter 'foo'", "Påhittade förvaltningen"):
        assert fragment in notices
    assert at.multiselect(key="flt_channel").value == ["phone"]
    assert at.caption[0].value.startswith("Hela staden")


def test_small_cells_are_shown_as_hidden(sample_db, monkeypatch):
    """One day, one small language group: the engine's count is 1–4, the page shows '<5'."""
    start, end = _last_30_days(sample_db)
    con = duckdb.connect(str(sample_db), read_only=True)
    rows = compute(con, Filters(start=start, end=end), ["contacts"], ("day", "language"))
    con.close()
    small = rows.filter((rows["contacts"] > 0) & (rows["contacts"] < 5)).row(0, named=True)
    at = _app(sample_db, monkeypatch, {"period": "custom", "from": small["day"].isoformat(),
                                       "to": small["day"].isoformat(), "language": small["language"]})
    assert _problems(at) == []
    assert _metric(at, "Kontakter") == "<5"
    assert _metric(at, "Svarsandel") in ("Dolt", "–")


def test_missing_store_gives_a_swedish_message_not_a_traceback(tmp_path, monkeypatch):
    at = _app(tmp_path / "finns-inte.duckdb", monkeypatch)
    assert [e.value for e in at.exception] == []
    assert any("finns inte" in e.value and "kontaktcenter sample" in e.value for e in at.error)


def test_a_new_ingest_shows_without_restart(sample_db, tmp_path, monkeypatch):
    db = tmp_path / "live.duckdb"
    shutil.copyfile(sample_db, db)
    start, end = _last_30_days(db)
    at = _app(db, monkeypatch)
    before = _metric(at, "Kontakter")
    time.sleep(2.5)  # the dashboard releases the file after 2 s idle, so a writer can take it
    con = open_store(db)
    con.execute("begin transaction")
    insert_contacts(con, [contact(f"{end.isoformat()} 10:{i:02d}", "email", source_system="ny",
                                  department=DEPARTMENT, ingest_id=999) for i in range(40)])
    refresh_marts(con)
    bump_data_version(con)
    con.execute("commit")
    con.close()
    at.run()
    expected = _engine(db, ["contacts"], start=start, end=end)["contacts"][0]
    assert _metric(at, "Kontakter") == format_int(expected) != before


MARKUP_AREA = "[Klicka](https://example.org) <a href='https://example.org'>här</a>"


def test_markup_in_data_is_drawn_as_text_on_every_page(sample_db, tmp_path, monkeypatch):
    """A city area named like a Markdown link (the planted incident's area renamed): every page
    that writes it into Markdown escapes it, so no link or HTML element is made."""
    from dashboard import privacy
    from dashboard.sample.planted import INCIDENT

    db = tmp_path / "markup.duckdb"
    shutil.copyfile(sample_db, db)
    con = open_store(db)
    con.execute("begin transaction")
    for table in ("city_areas", "contacts"):
        con.execute(f"update {table} set city_area = $new where city_area = $old",  # trusted identifiers
                    {"new": MARKUP_AREA, "old": INCIDENT.city_area})
    refresh_marts(con)
    bump_data_version(con)
    con.execute("commit")
    con.close()
    query = {"period": "custom", "from": INCIDENT.first_day.isoformat(),
             "to": (INCIDENT.last_day + timedelta(days=10)).isoformat()}
    at = _app(db, monkeypatch, query)
    seen = 0
    for file, _ in PAGES:
        page = _on(at, file)
        assert _problems(page) == []
        bodies = [e.value for e in (*page.markdown, *page.caption, *page.info, *page.success)]
        assert not any(MARKUP_AREA in b for b in bodies), file
        seen += sum(privacy.as_markdown(MARKUP_AREA) in b for b in bodies)
    assert seen > 0, "the renamed area should be listed somewhere (the incident list)"


def test_a_drilled_down_pages_reference_line_is_the_selection_not_the_city(sample_db, monkeypatch):
    """Tillgänglighet filtered to Wednesdays (a heatmap click chooses a weekday and hour): the
    dashed line beside the channels is that selection's value, so it is called "Hela urvalet",
    never "Hela staden"."""
    import json

    at = _on(_app(sample_db, monkeypatch, {"day_of_week": "3"}), "accessibility.py")
    assert _problems(at) == []
    specs = [json.loads(chart.proto.spec or "{}") for chart in at.get("plotly_chart")]
    names = [t.get("name") or "" for spec in specs for t in spec.get("data", [])]
    references = [n for n in names if n.startswith(("Hela urvalet", "Hela staden"))]
    assert references and all(n.startswith("Hela urvalet: ") for n in references), (
        names, [spec.get("layout", {}).get("title") for spec in specs])


def test_a_group_comparison_says_which_groups_it_leaves_out(sample_db, monkeypatch):
    """Serviceglapp for one förvaltning compares few groups (the rest have too few contacts to
    test): the caption under the chart names the minimum, so a missing stadsområde is explained."""
    from dashboard.config import Settings
    from dashboard.metrics.registry import REGISTRY

    at = _on(_app(sample_db, monkeypatch, {"department": DEPARTMENT}), "service_gaps.py")
    assert _problems(at) == []
    minimum = REGISTRY["answer_rate"].min_n_for(Settings())
    assert any(f"Grupper med färre än {minimum} kontakter i underlaget visas inte" in c.value
               for c in at.caption), [c.value for c in at.caption]

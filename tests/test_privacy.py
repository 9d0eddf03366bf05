"""The privacy package, rule by rule: hand-worked frames, the fail-closed door, the declared
sums, margins, uncertain rates and data text drawn as text (screen, PDF, XLSX)."""

from __future__ import annotations

import io
from datetime import date, datetime

import polars as pl
import pytest

from dashboard import privacy
from dashboard.config import Settings
from dashboard.metrics.local import LocalService
from dashboard.metrics.planning import StaffingPlan
from dashboard.metrics.scorecards import Scorecard
from dashboard.privacy import rules
from dashboard.privacy.structure import SUMS, sum_of
from dashboard.privacy.tables import MetricsResult, completing_ids, suppress_metrics

S = Settings()


def flags(frame: pl.DataFrame, col: str) -> list[bool]:
    return frame[f"{col}__suppressed"].to_list()


# ---------------------------------------------------------------- the door fails closed

def test_an_undeclared_result_kind_raises_even_with_a_rule():
    rogue = privacy.Kind("rogue", lambda *a, **k: pl.DataFrame({"x": [1]}), rules.nothing_to_hide)
    with pytest.raises(privacy.UndeclaredResult, match="rogue"):
        privacy.publish(rogue, pl.DataFrame({"x": [1]}), S)
    with pytest.raises(privacy.UndeclaredResult):
        privacy.fetch(rogue, None, None, S)


def test_every_engine_result_has_a_declared_kind_and_nothing_passes_by_default():
    names = {k.name for k in privacy.KINDS}
    assert names == {"metrics", "service_gap_ledger", "equity", "contacts_per_residents",
                     "failure_demand_breakdown", "self_service_potential", "local_service",
                     "incidents", "scorecard", "data_quality", "ingest_findings",
                     "staffing_plan", "staffing_what_if"}
    # "nothing to hide" is a rule somebody chose: for repaired file rows and the what-if only
    assert [k.name for k in privacy.KINDS if k.rule is rules.nothing_to_hide] == [
        "ingest_findings", "staffing_what_if"]


def test_published_carries_its_kind_and_threshold():
    frame = pl.DataFrame({"contacts": [3], "contacts__n": [3]})
    out = privacy.publish(privacy.METRICS, frame, S, metric_ids=["contacts"])
    assert (out.kind, out.threshold) == ("metrics", 5)
    assert out.result["contacts"].to_list() == [None] and flags(out.result, "contacts") == [True]


# ---------------------------------------------------------------- registry metrics

def queue(rows, by="g"):
    """An engine frame of offered/answered/abandoned per group (what `compute` returns)."""
    g, offered, answered, abandoned = zip(*rows)
    frame = pl.DataFrame({by: list(g), "offered": list(offered), "answered": list(answered),
                          "abandoned": list(abandoned)})
    return frame.with_columns(*(pl.col(c).alias(f"{c}__n") for c in ("offered", "answered",
                                                                       "abandoned")))


def test_a_declared_sum_hides_a_part_that_whole_minus_parts_would_give_back():
    # the reported leak: offered 33, answered 31, abandoned 2 (hidden) -> 33 − 31 = 2
    frame = queue([("a", 33, 31, 2), ("b", 40, 30, 10), ("c", 50, 41, 9)])
    out = suppress_metrics(frame, ["offered", "answered", "abandoned"], by=("g",))
    assert flags(out, "abandoned")[0] and flags(out, "answered")[0]  # 33 − ? = ?: two unknowns
    assert not flags(out, "offered")[0]  # the whole is the last resort
    # and every column still has two hidden cells: its total is published
    for col in ("answered", "abandoned"):
        assert sum(flags(out, col)) >= 2


def test_completion_adds_the_members_of_every_touched_sum():
    assert completing_ids(["abandoned"]) == ["offered", "answered"]
    assert "resolved_rate" in completing_ids(["forwarded"])  # its basis is outcome_known_n
    assert completing_ids(["contacts"]) == []
    assert sum_of("answered_n") is SUMS[0] and sum_of("contacts_n") is None


def test_a_rate_hides_with_its_small_numerator_and_a_rate_over_few_is_uncertain_not_hidden():
    frame = pl.DataFrame({"answer_rate": [3 / 40, 12 / 15, 30 / 40],
                          "answer_rate__n": [40, 15, 40]})
    out = suppress_metrics(frame, ["answer_rate"])
    assert flags(out, "answer_rate") == [True, False, False]  # 0.075 × 40 = 3 answered
    assert out["answer_rate__uncertain"].to_list() == [False, True, False]  # 15 < rate_min_n
    looser = suppress_metrics(frame, ["answer_rate"], settings=Settings(rate_min_n=10))
    assert looser["answer_rate__uncertain"].to_list() == [False, False, False]


def test_a_basis_under_the_threshold_hides_the_rate():
    frame = pl.DataFrame({"answer_rate": [0.5], "answer_rate__n": [4]})
    out = suppress_metrics(frame, ["answer_rate"])
    assert flags(out, "answer_rate") == [True]
    assert out["answer_rate__reason"].to_list() == ["small_denominator"]


def test_a_breakdown_keeps_the_cells_its_margins_hide_and_hides_nothing_they_show():
    """Two-way weekday × channel against its one-way tables: a weekday hidden in the one-way
    table must stay unrecoverable from its channels."""
    two = pl.DataFrame({"d": [1, 1, 2, 2, 3, 3], "c": ["p", "q"] * 3,
                        "abandoned": [10, 0, 5, 0, 3, 0]})
    two = two.with_columns(pl.col("abandoned").alias("abandoned__n"))

    def grouped(by):
        f = two.group_by(list(by)).agg(pl.col("abandoned").sum()) if by else two.select(
            pl.col("abandoned").sum())
        return f.with_columns(pl.col("abandoned").alias("abandoned__n"))

    bundle = MetricsResult(two, {(): grouped(()), ("d",): grouped(("d",)).sort("d"),
                                 ("c",): grouped(("c",)).sort("c")})
    one_way = suppress_metrics(MetricsResult(bundle.margins[("d",)], {(): grouped(())}),
                               ["abandoned"], by=("d",))
    assert flags(one_way, "abandoned") == [False, True, True]  # 3 small, 5 its complement
    out = suppress_metrics(bundle, ["abandoned"], by=("d", "c"))
    by_day = {d: h for d, c, h in zip(out["d"], out["c"], flags(out, "abandoned")) if c == "p"}
    assert by_day[2] and by_day[3]  # weekday 2 shows 5 on its own line: it stays hidden here


# ---------------------------------------------------------------- structured results

def test_ledger_rule_hides_registry_metrics_per_department_and_topic():
    frame = pl.DataFrame({"department": ["A", "A", "B"], "topic": ["x", "y", "x"],
                          "forwarded": [2, 30, 40], "forwarded__n": [2, 30, 40]})
    out = privacy.publish(privacy.SERVICE_GAP_LEDGER, frame, S).result
    assert flags(out, "forwarded")[0] and out["forwarded"][0] is None


def test_equity_rule_drops_small_and_statistically_thin_groups():
    frame = pl.DataFrame({"metric": ["answer_rate"] * 3, "group": ["a", "b", "c"],
                          "trials": [50, 10, 100], "rate": [0.04, 0.5, 0.5]})
    assert privacy.publish(privacy.EQUITY, frame, S).result["group"].to_list() == ["c"]


def test_residents_rule_hides_rates_with_their_count():
    frame = pl.DataFrame({"stadsomrade": ["N", "S", "V"], "contacts": [3, 50, 60],
                          "per_1000": [0.1, 2.0, 3.0], "per_1000_lo": [0.0, 1.0, 2.0],
                          "per_1000_hi": [1.0, 3.0, 4.0]})
    out = privacy.publish(privacy.CONTACTS_PER_RESIDENTS, frame, S).result
    assert flags(out, "contacts")[:1] == [True] and out["per_1000"][0] is None
    assert sum(flags(out, "contacts")) == 2  # its complement too


def test_failure_reasons_rule_hides_tagged_and_inferred_apart():
    frame = pl.DataFrame({"inferred": [False, False, True, True], "reason": ["a", "b", "a", "b"],
                          "failures": [2, 30, 40, 50], "basis": [100, 100, 200, 200],
                          "share": [0.02, 0.3, 0.2, 0.25], "share_of_failure": [0.06, 0.94, 0.44, 0.56]})
    out = privacy.publish(privacy.FAILURE_DEMAND_BREAKDOWN, frame, S, by="reason").result
    assert flags(out, "failures") == [True, True, False, False]
    assert out.filter(pl.col("inferred"))["share"].to_list() == [0.2, 0.25]


def test_self_service_rule_hides_counts_and_the_hours_that_follow_them():
    frame = pl.DataFrame({"topic": ["x", "y", "z"], "contacts": [30, 40, 50], "phone": [3, 30, 45],
                          "e_service": [27, 10, 5], "phone_share": [0.1, 0.75, 0.9],
                          "e_service_share": [0.9, 0.25, 0.1], "phone_handled_hours": [0.2, 2.0, 3.0]})
    out = privacy.publish(privacy.SELF_SERVICE_POTENTIAL, frame, S).result
    assert flags(out, "phone")[0] and out["phone_handled_hours"][0] is None


def test_local_rule_hides_each_points_hours_topics_areas_and_channels():
    hours = pl.DataFrame({"service_point": ["P"] * 4 + ["Q"] * 4, "weekday": [1, 1, 2, 2] * 2,
                          "hour": [9, 10] * 4, "contacts": [2, 20, 30, 40, 50, 60, 70, 80],
                          "contacts__n": [2, 20, 30, 40, 50, 60, 70, 80]})
    topics = pl.DataFrame({"service_point": ["P", "P"], "topic": ["a", "b"], "contacts": [3, 89],
                           "share": [3 / 92, 89 / 92]})
    areas = topics.rename({"topic": "city_area"})
    totals = pl.DataFrame({"service_point": ["P", "P", "Q", "Q"],
                           "channel": ["visit", "outreach"] * 2, "contacts": [90, 2, 50, 30]})
    out = privacy.publish(privacy.LOCAL_SERVICE,
                          LocalService(("visit", "outreach"), hours, topics, areas, totals), S).result
    p = out.by_hour.filter(pl.col("service_point") == "P")
    assert flags(p, "contacts") == [True, True, True, True]  # 2 and its row and column partners
    assert not any(flags(out.by_hour.filter(pl.col("service_point") == "Q"), "contacts"))
    assert out.topics["share"][0] is None and flags(out.areas, "contacts")[0]
    assert flags(out.totals, "contacts") == [True, True, True, True]  # the rectangle


def test_incident_rule_hides_expected_and_excess_with_the_count():
    frame = pl.DataFrame({"city_area": ["x", "y"], "contacts": [4, 90], "peak_count": [4, 40],
                          "expected": [1.0, 30.0], "excess": [3.0, 60.0]})
    out = privacy.publish(privacy.INCIDENTS, frame, S).result
    row = out.row(0, named=True)
    assert (row["contacts"], row["expected"], row["excess"]) == (None, None, None)


def test_scorecard_rule_hides_sides_changes_and_drivers():
    metrics = pl.DataFrame({"metric": ["forwarded"], "label": ["x"], "unit": ["count"],
                            "value": [3.0], "n": [3], "previous": [40.0], "previous_n": [40],
                            "change": [-0.9], "city": [400.0], "city_n": [400], "vs_city": [-397.0]})
    drivers = pl.DataFrame({"inferred": [False, False], "rank": [1, 2], "topic": ["a", "b"],
                            "reason": ["r", "r"], "failures": [2, 50], "share_of_failure": [0.04, 0.96],
                            "previous_failures": [10, 40]})
    card = Scorecard(None, None, None, metrics, drivers)
    out = privacy.publish(privacy.SCORECARD, card, S).result
    row = out.metrics.row(0, named=True)
    assert row["value_suppressed"] and row["value"] is None and row["change"] is None
    assert out.drivers["failures"][0] is None


def test_quality_rule_hides_per_source_system():
    frame = pl.DataFrame({"source_system": ["a", "b", "c"], "contacts": [3, 60, 70],
                          "contacts__n": [3, 60, 70]})
    out = privacy.publish(privacy.DATA_QUALITY, frame, S).result
    assert flags(out, "contacts")[0] and sum(flags(out, "contacts")) == 2


def test_staffing_plan_rule_protects_each_intervals_count_and_what_follows_it():
    intervals = pl.DataFrame({"weekday": [1, 1, 2, 2], "halfhour": ["08:00", "08:30"] * 2,
                              "offered": [0.5, 5.0, 6.0, 7.0], "aht_s": [200.0] * 4,
                              "offered_count": [2, 20, 24, 28], "agents": [1, 3, 3, 4],
                              "service_level": [1.0, 0.9, 0.9, 0.85]})
    plan = StaffingPlan(intervals, 20, 0.8, 0.0, 1.0, 28)
    out = privacy.publish(privacy.STAFFING_PLAN, plan, S).result
    assert "offered_count" not in out.intervals.columns
    assert out.intervals["offered"][0] is None and out.intervals["agents"][0] is None
    assert out.intervals["offered__suppressed"].to_list() == [True, True, True, True]
    with pytest.raises(ValueError, match="offered_count"):
        privacy.publish(privacy.STAFFING_PLAN, StaffingPlan(intervals.drop("offered_count"),
                                                            20, 0.8, 0.0, 1.0, 28), S)


def test_period_changes_hide_next_to_a_hidden_value_on_either_side():
    now = pl.DataFrame({"g": ["a", "b", "c"], "x": [None, 20, 30],
                        "x__suppressed": [True, False, False]})
    before = pl.DataFrame({"g": ["a", "b", "d"], "x": [10, None, 5],
                           "x__suppressed": [False, True, False]})
    out = privacy.period_changes(now, before, "x", "g").sort("g")
    assert out["change"].to_list() == [None, None, 30, -5]
    assert out["change__suppressed"].to_list() == [True, True, False, False]


# ---------------------------------------------------------------- cells and text

def test_hidden_cells_are_objects_that_draw_as_the_screen_does():
    assert privacy.Hidden("small_count", "count", 5).text == "<5"
    assert privacy.Hidden("complementary", "count", 5).text == "Dolt"
    assert privacy.Hidden("small_count", "share", 5).text == "Dolt"
    assert privacy.Uncertain.mark("50 %") == "50 % (osäker)"


MARKUP = ("[Klicka](https://example.org) <a href='https://example.org'>här</a> **fet** "
          ":red[röd] $x$ https://example.org")


def test_markdown_text_escapes_links_html_directives_and_autolinks():
    import re

    text = privacy.as_markdown(MARKUP)
    # no character that Markdown, HTML, GitHub autolinks or Streamlit read is left unescaped
    assert re.findall(r"(?<!\\)[\[\]()<>*:$]", text) == []
    assert "https://" not in text
    # the reader still sees the characters: removing the escapes gives the value back
    assert text.replace("\\", "") == MARKUP


def test_plotly_text_escapes_its_html_subset():
    from dashboard.charts import ranked_bars

    frame = pl.DataFrame({"area": [MARKUP, "Fosie"], "contacts": [10, 20]})
    fig = ranked_bars(frame, label="area", value="contacts", title="<b>t</b>", unit="count",
                      value_title="Kontakter")
    # what Plotly draws: the axis labels and the hover's label (customdata[0]); customdata[1] is the
    # category's raw value for a drill-down, never drawn
    labels = list(fig.data[0].y) + [c[0] for c in fig.data[0].customdata]
    assert all("<a" not in str(y) for y in labels) and any("&lt;a" in str(y) for y in labels)
    assert "customdata[1]" not in fig.data[0].hovertemplate
    assert fig.layout.title.text == "&lt;b&gt;t&lt;/b&gt;"


def _table_with_markup():
    from dashboard.export.model import Column, Table

    return Table(MARKUP, (Column("area", "Område"), Column("n", "Kontakter", "count")),
                 ((MARKUP, 12), ("Fosie", privacy.Hidden("small_count", "count", 5))))


def _context():
    from dashboard.export.model import Context

    return Context("T", MARKUP, (date(2025, 1, 1), date(2025, 1, 31)), None,
                   (("Stadsområde/stadsdel", MARKUP),), 1, datetime(2025, 2, 1, 8, 0), 5)


def test_xlsx_download_keeps_markup_as_plain_text_without_hyperlinks():
    import openpyxl

    from dashboard.export.tabular import table_xlsx

    wb = openpyxl.load_workbook(io.BytesIO(table_xlsx(_table_with_markup(), _context())))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert any(c.value == MARKUP for c in cells)
    assert all(c.hyperlink is None for c in cells)
    assert not any(ws._hyperlinks for ws in wb.worksheets)


def test_pdf_shows_markup_as_text_and_has_no_links(tmp_path):
    import subprocess

    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    from dashboard.export.fonts import register_fonts
    from dashboard.export.pdf_layout import para, pdf_table

    register_fonts()
    path = tmp_path / "t.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build([para(MARKUP, "body"),
                                                      pdf_table(_table_with_markup())])
    content = path.read_bytes()
    assert b"/URI" not in content and b"/Link" not in content
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    flat = " ".join(text.split())
    assert "[Klicka](https://example.org)" in flat and "<a href=" in flat and "**fet**" in flat


def test_self_service_protects_its_channels_as_parts_of_the_topics_contacts():
    """contacts 40 = phone 37 + e-service 3 (+ other channels 0): showing 40 and 37 gives 3
    back, and so would the phone share 0.925 × 40."""
    frame = pl.DataFrame({"topic": ["x", "y", "z"], "contacts": [40, 60, 80], "phone": [37, 40, 50],
                          "e_service": [3, 20, 30], "phone_share": [0.925, 2 / 3, 0.625],
                          "e_service_share": [0.075, 1 / 3, 0.375],
                          "phone_handled_hours": [1.0, 2.0, 3.0]})
    out = privacy.publish(privacy.SELF_SERVICE_POTENTIAL, frame, S).result
    row = out.row(0, named=True)
    assert row["e_service"] is None and row["e_service_share"] is None
    assert row["phone"] is None or row["contacts"] is None  # one more unknown in the row
    assert row["phone"] is None or row["phone_share"] is None
    assert not any(c.endswith("__rest") or c.startswith("contacts__rest") for c in out.columns)


def test_pack_tables_name_uncertain_values_in_their_note():
    from dashboard.export.pack_tables import frame_table

    frame = suppress_metrics(pl.DataFrame({"g": ["a", "b"], "answer_rate": [0.8, 0.5],
                                           "answer_rate__n": [100, 12]}), ["answer_rate"], by=("g",))
    table = frame_table("T", frame, ("g",), ("answer_rate",), S, note="Not.")
    assert table.full_note == ("Not. ”(osäker)” (b): Svarsandel bygger på färre än 20 "
                               "observationer och är statistiskt osäker.")
    assert table.rows[1][1] == privacy.Uncertain(0.5, 20)  # a number, marked (not text)
    with pytest.raises(ValueError, match="inte publicerad"):
        frame_table("T", frame.drop("answer_rate__suppressed"), ("g",), ("answer_rate",), S)


def test_a_cell_its_margins_already_give_away_is_never_spent_as_protection():
    """Interpreter × channel: social media only without interpreter, so that cell equals the
    channel's published total; hiding it protects nothing (it used to hide the whole row)."""
    cells = [(False, "chat", 170), (False, "outreach", 92), (False, "social", 47),
             (False, "visit", 151), (True, "outreach", 2), (True, "visit", 5)]
    two = pl.DataFrame({"i": [c[0] for c in cells], "ch": [c[1] for c in cells],
                        "contacts": [c[2] for c in cells]})

    def grouped(by):
        f = two.group_by(list(by)).agg(pl.col("contacts").sum()) if by else two.select(
            pl.col("contacts").sum())
        return f.with_columns(pl.col("contacts").alias("contacts__n"))

    bundle = MetricsResult(two.with_columns(pl.col("contacts").alias("contacts__n")),
                           {(): grouped(()), ("i",): grouped(("i",)), ("ch",): grouped(("ch",))})
    out = suppress_metrics(bundle, ["contacts"], by=("i", "ch"))
    hidden = {(i, ch) for i, ch, h in zip(out["i"], out["ch"], flags(out, "contacts")) if h}
    assert hidden == {(True, "outreach"), (True, "visit"), (False, "outreach"), (False, "visit")}

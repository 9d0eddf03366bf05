"""The förvaltning pack's figures worked out by hand: changes from the figures as shown, the
summary's movers, and the weekly table over whole weeks, on hand-made stores and scorecard rows
(the pack built from the sample is tested in test_export_pack_writer.py)."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date

import openpyxl

from dashboard.config import Settings
from dashboard.export.pack import build_pack, render
from dashboard.metrics import Filters, get
from export_pack_support import DEPT, FILTERS, table_rows


# --- changes from the figures as shown, on a hand-made store --------------------------------------

def test_a_change_is_the_difference_of_the_two_figures_as_shown(empty_db, tmp_path):
    """Answered 40 of 60 calls in March (66,67 %, shown 66,7 %) against 30 of 49 in February
    (61,22 %, shown 61,2 %): the change reads +5,5 procentenheter, as a reader subtracting the
    shown figures gets (the unrounded shares differ by 5,44). Waiting: 24 calls of 20 s and 16 of
    21 s (20,4 s, shown 20 s) against 12 of 10 s and 18 of 11 s (10,6 s, shown 11 s): +9 s, not
    the +10 s of 9,8 s. In the XLSX's cells and in the PDF's lines."""
    from contact_fixtures import build, call
    from dashboard.export.cells import display_text
    from dashboard.store import open_store

    def calls(day: str, waits: dict[int, int], abandoned: int) -> list[dict]:
        answered = [call(f"{day} 10:00", wait=w, handle=180, department=DEPT)
                    for w, n in waits.items() for _ in range(n)]
        return answered + [call(f"{day} 11:00", wait=60, answered=False, department=DEPT)
                           for _ in range(abandoned)]

    rows = calls("2025-03-11", {20: 24, 21: 16}, 20) + calls("2025-02-11", {10: 12, 11: 18}, 19)
    con = build(open_store(empty_db()), rows)
    try:
        pack = build_pack(con, FILTERS, settings=Settings())
    finally:
        con.close()
    expected = {"answer_rate": ("66,7\u00a0%", "61,2\u00a0%", 5.5, "+5,5\u00a0procentenheter"),
                "asa_s": ("20\u00a0s", "11\u00a0s", 9.0, "+9\u00a0s")}
    sheet = openpyxl.load_workbook(io.BytesIO(render(pack, "xlsx")))["Tillgänglighet"]
    key = table_rows(sheet, "Nyckeltal")
    path = tmp_path / "paket.pdf"
    path.write_bytes(render(pack, "pdf"))
    lines = [re.sub(r"\s", "", line) for line in subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
        text=True).stdout.splitlines()]
    for mid, (now, before, delta, delta_text) in expected.items():
        m = get(mid)
        cells = key[m.label_for(Settings())]
        assert [display_text(cells[1], m.unit), display_text(cells[2], m.unit)] == [now, before]
        assert cells[3] == delta, mid
        wanted = re.sub(r"\s", "", now + before + delta_text)
        assert any(line.startswith(re.sub(r"\s", "", m.label_for(Settings())))
                   and wanted in line for line in lines), (mid, wanted)


# --- the summary's movers, on hand-made scorecard rows -------------------------------------------

def _card_row(metric: str, unit: str, value, previous, n, previous_n, *,
              previous_suppressed: bool = False) -> dict:
    return {"metric": metric, "label": metric, "unit": unit, "value": value, "previous": previous,
            "n": n, "previous_n": previous_n, "value_suppressed": False,
            "previous_suppressed": previous_suppressed}


def _summary_of(*cards: list[dict]):
    """pack._summary over scorecards holding `cards`' rows (no service gaps)."""
    from types import SimpleNamespace

    import polars as pl

    from dashboard.export import pack_sections as ps
    from dashboard.export.pack import _summary

    scorecards = [SimpleNamespace(metrics=pl.DataFrame(rows)) for rows in cards]
    ledger = pl.DataFrame(schema={"topic": pl.String, **{
        c: t for m in ("forwarded", "forwarded_rate", "repeat_rate")
        for c, t in ((m, pl.Float64), (f"{m}__suppressed", pl.Boolean))}})
    inp = ps.Inputs(None, Filters(), "previous", None, Settings())
    return _summary(scorecards, ledger, scorecards[-1], inp)


def test_movers_rank_by_contacts_concerned_and_leave_small_bases_out():
    """docs/exports.md: counts by the difference in contacts, shares by the difference in points
    times the period's base; derived units are not ranked; a base under 50 in either period or a
    hidden side takes no part. Shares are exact binary fractions so the products are exact."""
    access = [
        _card_row("contacts", "count", 1000, 900, 1000, 900),  # 100 contacts
        _card_row("answer_rate", "share", 0.75, 0.625, 480, 400),  # 0.125 × 480 = 60
        # +880 % on 49 contacts: the base is under 50 in the period
        _card_row("abandoned", "count", 49, 5, 49, 5),
        # 0.375 × 49 = 18.4 would rank, but 49 < 50
        _card_row("service_level", "share", 0.5, 0.875, 49, 1000),
        _card_row("abandon_rate", "share", 0.375, 0.125, 50, 50),  # at the minimum: 12.5
        # 200 contacts, the largest count change, but hidden in the comparison period
        _card_row("offered", "count", 800, 600, 800, 600, previous_suppressed=True),
        _card_row("answered", "count", 500, 500, 500, 500),  # no change: no mover
        _card_row("asa_s", "seconds", 300, 30, 1000, 900),  # a duration is not ranked
        _card_row("satisfaction_index", "index", 80, 40, 1000, 900),  # nor an index
        _card_row("repeat_rate", "share", 0.5, 0.25, None, 200),  # no base: none
    ]
    demand = [
        # a tiny derived cost with a huge relative change (5 000-fold): never ranked
        _card_row("failure_demand_cost_sek", "sek", 50_000, 10, 3, 1),
        _card_row("failure_demand_fte", "fte", 0.1, 0.0, 3, 1),
        # hours are derived too, whatever the base
        _card_row("failure_demand_hours", "hours", 500, 20, 800, 700),
        _card_row("failure_demand_share", "share", 0.75, 0.625, 800, 700),  # 0.125 × 800 = 100
    ]
    summary = _summary_of(access, demand)
    ranked = [(m.label, m.contacts) for m in summary.movers]
    # contacts and failure_demand_share tie at 100: both lead, in either order
    assert sorted(ranked[:2]) == [("contacts", 100), ("failure_demand_share", 100)]
    assert ranked[2:] == [("answer_rate", 60), ("abandon_rate", 12.5)]
    assert any("under 50 kontakter" in note for note in summary.notes)


# --- weekly figures over whole weeks, on a hand-made store ---------------------------------------

# Wednesday 7 – Tuesday 27 May 2025; the comparison is the three weeks before, Wednesday
# 16 April – Tuesday 6 May. Whole Monday–Sunday weeks: 12–18 and 19–25 May, 21–27 April and
# 28 April – 4 May.
WEEKLY_FILTERS = Filters(start=date(2025, 5, 7), end=date(2025, 5, 27), departments=(DEPT,))
# local day (and time) -> contacts
EDGE_DAYS = {"2025-05-07": 4, "2025-05-11": 3, "2025-05-26": 5, "2025-05-27": 2,  # cut weeks
             "2025-04-16": 3, "2025-04-20": 4, "2025-05-05": 2, "2025-05-06": 1}
WEEK_OF_12_MAY = {"2025-05-12 00:15": 2, "2025-05-14": 3, "2025-05-18 23:45": 2}  # 7
OTHER_WEEKS = {"2025-05-19": 4, "2025-05-23": 4, "2025-05-25": 3,  # 11
               "2025-04-22": 6,  # 6 in the week of 21 April
               "2025-05-01": 5, "2025-05-04": 3}  # 8 in the week of 28 April


def _weekly_table(empty_db, *days: dict[str, int]):
    """The pack's "Kontakter per vecka" for WEEKLY_FILTERS over a store with `days`' contacts."""
    from contact_fixtures import build, contact
    from dashboard.store import open_store

    rows = [contact(at if " " in at else f"{at} 10:00", department=DEPT)
            for d in days for at, n in d.items() for _ in range(n)]
    con = build(open_store(empty_db()), rows)
    try:
        pack = build_pack(con, WEEKLY_FILTERS, settings=Settings())
    finally:
        con.close()
    return next(t for s in pack.sections for t in s.tables if t.title == "Kontakter per vecka")


def test_weekly_table_holds_only_the_whole_weeks_of_both_periods(empty_db):
    """Contacts on the days of cut weeks (the period's Wednesday to Sunday, its last Monday and
    Tuesday, and alike in the comparison) count in no week; a Monday just after midnight and a
    Sunday just before it count by their local day."""
    table = _weekly_table(empty_db, EDGE_DAYS, WEEK_OF_12_MAY, OTHER_WEEKS)
    assert [c.key for c in table.columns] == ["week", "value", "previous"]
    assert table.rows == ((date(2025, 5, 12), 7, 6), (date(2025, 5, 19), 11, 8))
    assert "12–25 maj 2025" in table.note


def test_a_week_without_contacts_reads_zero_and_keeps_the_weeks_paired(empty_db):
    """With no contacts in the week of 12 May the engine has no row for it; the table still
    lists it (0 is shown, not a small cell) and sets 19 May against 28 April, not 21 April."""
    table = _weekly_table(empty_db, EDGE_DAYS, OTHER_WEEKS)
    assert table.rows == ((date(2025, 5, 12), 0, 6), (date(2025, 5, 19), 11, 8))


def test_months_against_the_year_before_set_each_week_beside_the_same_week(empty_db):
    """January–November 2025 against the same months of 2024: the week of 6 January 2025 beside
    the week of 8 January 2024 (52 weeks, Monday on Monday, as the dashboard's dashed line), not
    beside 2024's first whole week (1 January); the last week, 24 November 2025, has no partner
    (25 November 2024 lies after the comparison's whole weeks)."""
    from contact_fixtures import build, contact
    from dashboard.store import open_store

    days = {"2024-01-02": 9, "2024-01-09": 7, "2025-01-07": 8, "2024-11-19": 5, "2025-11-18": 6,
            "2025-11-25": 10}
    rows = [contact(f"{at} 10:00", department=DEPT) for at, n in days.items() for _ in range(n)]
    con = build(open_store(empty_db()), rows)
    try:
        pack = build_pack(con, Filters(start=date(2025, 1, 1), end=date(2025, 11, 30),
                                       departments=(DEPT,)), comparison="last_year",
                          settings=Settings())
    finally:
        con.close()
    table = next(t for s in pack.sections for t in s.tables if t.title == "Kontakter per vecka")
    by_week = {r[0]: r[1:] for r in table.rows}
    assert by_week[date(2025, 1, 6)] == (8, 7)
    assert by_week[date(2025, 11, 17)] == (6, 5)
    assert by_week[date(2025, 11, 24)] == (10, None)
    assert "52 veckor tidigare" in table.note



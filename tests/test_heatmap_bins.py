"""The heatmap's hour bin (dashboard.periods.choose_hour_bin): the finest of 1, 2, 4 hours and
half a day whose cells are not mostly hidden, the cells published by the privacy package at that
grain. Tiny hand-counted stores for the rule; the sample store for a förvaltning's page."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from apptest_support import open_page, problems
from contact_fixtures import build, contact
from dashboard import privacy
from dashboard.config import Settings
from dashboard.formatting import format_hour
from dashboard.metrics import Filters
from dashboard.metrics.query import data_range
from dashboard.periods import HOUR_BINS, choose_hour_bin, mostly_hidden_cells
from dashboard.store import open_store
from dashboard.ui.tables import Col, cells_hidden

MONDAY = "2025-02-03"
WEEK = Filters(date(2025, 2, 3), date(2025, 2, 9))
CONTACTS = Col("contacts", "Kontakter", "count")


def test_the_rule_takes_the_finest_bin_not_mostly_hidden():
    asked = []

    def hidden_at(span):
        asked.append(span)
        return {1: [True, True, False], 2: [True, False], 4: [False], 12: [False]}[span]

    assert choose_hour_bin(hidden_at) == 2 and asked == [1, 2]   # 2 of 3 hidden, then 1 of 2
    assert choose_hour_bin(lambda span: [True]) == 12             # all hidden: the coarsest
    assert choose_hour_bin(lambda span: []) == 1                  # nothing to hide: per hour
    assert not mostly_hidden_cells([True, False]) and mostly_hidden_cells([True, True, False])
    assert format_hour(8, 2) == "08–10" and format_hour(20, 4) == "20–24"
    assert format_hour(0, 12) == "förmiddag (00–12)" and format_hour(12, 12) == "eftermiddag (12–24)"


def _bin_for(tmp_path, per_hour: dict[int, int]) -> tuple[int, list]:
    """The bin the rule picks for Monday's contacts `per_hour` (hour -> count), and that bin's
    published (hour, contacts, hidden) cells."""
    con = open_store(tmp_path / "bins.duckdb")
    build(con, [contact(f"{MONDAY} {h:02d}:{10 + i:02d}") for h, n in per_hour.items() for i in range(n)])
    frames = {}

    def hidden_at(span):
        frames[span] = privacy.fetch(privacy.METRICS, con.cursor(), WEEK, Settings(), metric_ids=("contacts",),
                                     by=("weekday", HOUR_BINS[span])).result
        return cells_hidden(frames[span], CONTACTS)

    span = choose_hour_bin(hidden_at)
    frame = frames[span]
    cells = list(zip(frame[HOUR_BINS[span]].to_list(), frame["contacts"].to_list(),
                     frame["contacts__suppressed"].to_list()))
    con.close()
    return span, cells


@pytest.mark.parametrize(("per_hour", "span", "cells"), [
    # 5 a hour: every hour shown (5 is not below the threshold)
    ({8: 5, 9: 5, 10: 5, 11: 5}, 1, [(8, 5, False), (9, 5, False), (10, 5, False), (11, 5, False)]),
    # 3 a hour: every hour hidden; two hours hold 6 each
    ({8: 3, 9: 3, 10: 3, 11: 3}, 2, [(8, 6, False), (10, 6, False)]),
    # 2 a hour, 08–12 and 12–16: two-hour blocks of 4 hidden; four-hour blocks of 8 shown
    ({h: 2 for h in range(8, 16)}, 4, [(8, 8, False), (12, 8, False)]),
    # 1 a hour 08–17: blocks of 2 and 4 hours hold 2 and 4 (16–17 alone holds 1); half days 4 and 5,
    # the förmiddag hidden, and with the day's total known its eftermiddag too
    ({h: 1 for h in range(8, 17)}, 12, [(0, None, True), (12, None, True)]),
])
def test_the_bin_follows_the_volume_on_tiny_stores(tmp_path, per_hour, span, cells):
    assert _bin_for(tmp_path, per_hour) == (span, cells)


def _shown_cells(heatmap: dict) -> int:
    """Cells that print a number other than 0 (not 'dolt', '–', blank or 0)."""
    return sum(1 for row in heatmap["text"] for t in row if t not in ("", "dolt", "–", "0"))


def test_a_forvaltnings_heatmap_on_the_sample_shows_more_cells_than_per_hour(sample_db, monkeypatch):
    """Förskoleförvaltningen's last 30 days on the sample (about 90 calls and chats): per hour
    almost every cell was "dolt"; the page now draws the bin the rule picks, names it in the title
    and shows more cells, and more than half of those with contacts."""
    department = "Förskoleförvaltningen"
    at = open_page(sample_db, monkeypatch, "accessibility.py", {"department": department})
    assert problems(at) == []
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    spec = next(s for s in specs if (s["layout"].get("title") or {}).get("text", "").startswith("Inkomna"))
    (heat,) = [t for t in spec["data"] if t["type"] == "heatmap"]
    con = open_store(sample_db, read_only=True)
    try:
        latest = data_range(con)[1]   # the default period: the data's last 30 days
        filters = Filters(latest - timedelta(days=29), latest, departments=(department,))
        per_hour = privacy.fetch(privacy.METRICS, con.cursor(), filters, Settings(), metric_ids=("offered",),
                                 by=("weekday", "hour")).result
    finally:
        con.close()
    before = sum(1 for v, h in zip(per_hour["offered"], per_hour["offered__suppressed"]) if v and not h)
    hidden_before = cells_hidden(per_hour, Col("offered", "Inkomna", "count"))
    assert sum(hidden_before) > len(hidden_before) / 2          # per hour: mostly "dolt"
    assert _shown_cells(heat) > before
    texts = [t for row in heat["text"] for t in row if t not in ("", "–", "0")]
    assert texts.count("dolt") <= len(texts) / 2
    title = spec["layout"]["title"]["text"].replace("<br>", " ")
    assert title.endswith(("2-timmarsintervall", "4-timmarsintervall", "förmiddag/eftermiddag")), title

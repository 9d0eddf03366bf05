"""One door for every way figures leave the engine (dashboard.privacy):
the dashboard's tables and the förvaltning pack hide exactly the same cells, and neither shows
a rate that gives a hidden count back (rate × n, or n itself). On the sample store: a small
department in one month, so small and complementary cells occur."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from dashboard.config import Settings
from dashboard.export import pack_sections as ps
from dashboard.privacy.cells import Hidden
from dashboard import privacy
from dashboard.metrics import Filters, compute, registry, service_gap_ledger
from dashboard.privacy.rules import equity, hide_scorecard
from dashboard.privacy.tables import suppress_metrics
from dashboard.ui.tables import Col, TableData, export_rows

DEPT = "Kulturförvaltningen"
FILTERS = Filters(start=date(2025, 3, 1), end=date(2025, 3, 31), departments=(DEPT,))
SETTINGS = Settings()
COUNT_IDS = ("contacts", "offered", "answered", "abandoned", "forwarded")
RATE_IDS = ("answer_rate", "abandon_rate", "forwarded_rate", "resolved_rate", "digital_share",
            "service_level", "repeat_rate", "failure_demand_share")


@pytest.fixture(scope="module")
def inp(sample_con):
    return ps.Inputs(sample_con, FILTERS, "previous", DEPT, SETTINGS)


def _same_cells(pack_table, frame):
    """The dashboard's table of `frame` (the pack table's columns, as the screen builds them)
    against the pack's: a hidden cell reads the same text, a shown one holds the same value."""
    cols = tuple(Col(c.key, c.label, c.unit) for c in pack_table.columns)
    screen = export_rows(TableData(pack_table.title, frame, cols, SETTINGS.small_cell_threshold))
    assert len(screen) == len(pack_table.rows)
    hidden = 0
    for mine, theirs in zip(screen, pack_table.rows):
        for col, a, b in zip(cols, mine, theirs):
            if col.unit is None:
                continue
            if isinstance(b, Hidden):
                hidden += 1
                assert isinstance(a, Hidden) and a.text == b.text, (pack_table.title, col.key)
            else:
                assert a == b, (pack_table.title, col.key)
    return hidden


def test_dashboard_and_pack_hide_the_same_cells(inp, sample_con):
    con = sample_con
    rights, _ = ps.rights(inp)
    def fetch(kind, **options):
        return privacy.fetch(kind, con, FILTERS, SETTINGS, **options).result

    ledger = fetch(privacy.SERVICE_GAP_LEDGER).head(ps.TOP)
    hidden = _same_cells(rights.tables[1], ledger)
    avoidable, _ = ps.avoidable(inp)
    reasons = fetch(privacy.FAILURE_DEMAND_BREAKDOWN, by="reason")
    hidden += _same_cells(avoidable.tables[1], reasons.filter(~reasons["inferred"]))
    potential = fetch(privacy.SELF_SERVICE_POTENTIAL)
    hidden += _same_cells(avoidable.tables[3], potential.head(ps.TOP))
    local = ps.local_service(inp)
    found = fetch(privacy.INCIDENTS)
    hidden += _same_cells(local.tables[2], found.head(ps.TOP))
    assert hidden > 0, "the fixture should exercise hidden cells"


def _linked(count_id: str, rate_id: str) -> bool:
    """The rate's numerator or basis is the count (so rate × n, or n, gives the count)."""
    c, r = registry.get(count_id), registry.get(rate_id)
    return (r.num is not None and r.num.meta.eq(c.n)) or r.n.meta.eq(c.n)


def _no_hidden_count_given_back(raw, shown, ids):
    """No row shows a rate whose n or rate × n equals a count hidden in that row."""
    counts = [i for i in ids if registry.get(i).kind == "count"]
    rates = [i for i in ids if registry.get(i).kind != "count"]
    checked = 0
    for i in range(raw.height):
        secret = {raw[c][i] for c in counts if shown[f"{c}__suppressed"][i]} - {None, 0}
        for r in rates:
            if shown[f"{r}__suppressed"][i] or raw[r][i] is None:
                continue
            n = raw[f"{r}__n"][i]
            given = {n} | ({round(raw[r][i] * n)} if registry.get(r).is_proportion else set())
            assert not (given & secret), (r, i, given & secret)
            checked += bool(secret)
    return checked


def test_no_dashboard_frame_gives_a_hidden_count_back(sample_con):
    ids = COUNT_IDS + RATE_IDS
    checked = 0
    for filters, by in ((FILTERS, ("topic",)), (FILTERS, ("channel",)),
                        (FILTERS.without("departments"), ("department", "channel")),
                        (FILTERS, ("week",))):
        raw = compute(sample_con, filters, ids, by=by, settings=SETTINGS)
        checked += _no_hidden_count_given_back(raw, suppress_metrics(raw, ids, by, SETTINGS), ids)
    raw = service_gap_ledger(sample_con, FILTERS, settings=SETTINGS)
    ledger_ids = [c for c in raw.columns if f"{c}__n" in raw.columns and c in registry.REGISTRY]
    checked += _no_hidden_count_given_back(
        raw, privacy.publish(privacy.SERVICE_GAP_LEDGER, raw, SETTINGS).result, ledger_ids)
    assert checked > 0, "the fixture should have rows with hidden counts next to rates"


def test_no_pack_table_shows_a_rate_next_to_its_hidden_count(inp):
    tables = [t for section, *_ in (ps.rights(inp), ps.accessibility(inp), ps.avoidable(inp),
                                    ps.collaboration(inp))
              for t in section.tables]
    pairs = 0
    for table in tables:
        keys = [c.key for c in table.columns]
        metric_keys = [k for k in keys if k in registry.REGISTRY]
        for c in (k for k in metric_keys if registry.get(k).kind == "count"):
            for r in (k for k in metric_keys if k != c and _linked(c, k)):
                ci, ri = keys.index(c), keys.index(r)
                for row in table.rows:
                    pairs += 1
                    assert not (isinstance(row[ci], Hidden)
                                and not isinstance(row[ri], Hidden)), (table.title, c, r)
    assert pairs > 0


def test_equity_drops_a_group_whose_rate_gives_a_small_count_back():
    frame = pl.DataFrame({"metric": ["answer_rate"] * 3, "group": ["a", "b", "c"],
                          "trials": [50, 10, 100], "rate": [0.04, 0.5, 0.5]})
    # a: 0.04 × 50 = 2 answered (a small count); b: 10 trials, under the rate minimum of 20
    assert equity(frame, SETTINGS)["group"].to_list() == ["c"]


def test_scorecard_sides_hide_small_counts_and_rates_over_them():
    card = pl.DataFrame({"metric": ["forwarded", "forwarded_rate"], "value": [3.0, 0.03],
                         "n": [3, 100], "previous": [40.0, 0.4], "previous_n": [40, 100],
                         "city": [None, None], "city_n": [None, None]})
    out = hide_scorecard(card, SETTINGS)
    assert out["value_suppressed"].to_list() == [True, True]  # 0.03 × 100 = 3 forwarded
    assert out["value_reason"].to_list()[0] == "small_count"
    assert out["previous_suppressed"].to_list() == [False, False]
    assert out["city_suppressed"].to_list() == [False, False]  # missing, not hidden


def test_scorecard_nulls_hidden_values_and_the_changes_next_to_them():
    card = pl.DataFrame({"metric": ["forwarded"], "value": [3.0], "n": [3], "previous": [40.0],
                         "previous_n": [40], "change": [-37.0], "city": [400.0], "city_n": [400],
                         "vs_city": [-397.0]})
    out = hide_scorecard(card, SETTINGS)
    row = out.row(0, named=True)
    assert (row["value"], row["n"], row["change"], row["vs_city"]) == (None, None, None, None)
    assert (row["previous"], row["city"]) == (40.0, 400.0)

"""Tables as shown and downloaded (pure parts of dashboard/ui): hidden cells, labels, raw numbers,
and the dashboard hiding structured results with the exports' rules."""

from datetime import date

import duckdb
import polars as pl

from dashboard.config import Settings
from dashboard import privacy
from dashboard.metrics import Filters
from dashboard.privacy import Hidden
from dashboard.ui.tables import Col, TableData, display_frame, export_rows, hidden_mask, hidden_notes, suppression_notes

NBSP = "\u00a0"

FRAME = pl.DataFrame({
    "channel": ["phone", "email", None],
    "day": [date(2025, 3, 3)] * 3,
    "contacts": [1234, None, 7],
    "contacts__suppressed": [False, True, False],
    "contacts__reason": [None, "small_count", None],
    "answer_rate": [0.873, None, 0.5],
    "answer_rate__n": [1000, 3, 7],
    "answer_rate__suppressed": [False, True, False],
    "answer_rate__reason": [None, "small_denominator", None],
    "answer_rate__uncertain": [False, False, True],
})
COLS = (Col("channel", "Kanal", None, dimension="channel"), Col("day", "Dag", None, dimension="day"),
        Col("contacts", "Kontakter", "count"), Col("answer_rate", "Svarsandel", "share", min_n=20))


def test_display_is_swedish_text_with_hidden_cells_as_on_screen():
    shown = display_frame(TableData("t", FRAME, COLS, 5))
    assert shown.columns == ["Kanal", "Dag", "Kontakter", "Svarsandel"]
    assert shown.row(0) == ("Telefon", "3 mar 2025", f"1{NBSP}234", f"87,3{NBSP}%")
    assert shown.row(1) == ("E-post", "3 mar 2025", "<5", "Dolt")
    # 7 < 20 contacts: privacy lets it through, statistics marks it uncertain
    assert shown.row(2) == ("Uppgift saknas", "3 mar 2025", "7", f"50,0{NBSP}% (osäker)")


def test_downloads_keep_numbers_raw_and_hidden_cells_as_privacy_objects():
    rows = export_rows(TableData("t", FRAME, COLS, 5))
    assert rows[0] == ["Telefon", date(2025, 3, 3), 1234, 0.873]
    assert rows[1] == ["E-post", date(2025, 3, 3), Hidden("small_count", "count", 5),
                       Hidden("small_denominator", "share", 5)]
    assert [c.text for c in rows[1][2:]] == ["<5", "Dolt"]


def test_the_ui_keeps_no_rule_of_its_own_only_the_flags():
    frame = pl.DataFrame({"x": [0.5], "x__n": [500], "x__suppressed": [True]})
    assert hidden_mask(frame, Col("x", "x", "share", min_n=20)) == [True]
    small = pl.DataFrame({"c": [3], "c__n": [3]})  # unflagged: privacy decided to show it
    assert hidden_mask(small, Col("c", "c", "count", min_n=5)) == [False]


def test_hidden_cells_keep_no_number(sample_db):
    """The dashboard's cached frames (what the exports and the CLI get from the same
    dashboard.privacy; tests/test_hiding.py compares the tables cell by cell)."""
    settings = Settings()
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        f = Filters(start=date(2025, 6, 1), end=date(2025, 6, 30), languages=("ti",))
        ours = privacy.fetch(privacy.METRICS, con, f, settings, metric_ids=["contacts", "answer_rate"],
                             by=("topic",)).result
        shown = privacy.fetch(privacy.SERVICE_GAP_LEDGER, con, f, settings).result
    finally:
        con.close()
    assert ours["contacts__suppressed"].any()  # the fixture has small cells to hide
    for got in (ours, shown):
        ids = [c for c in got.columns if f"{c}__suppressed" in got.columns]
        for c in ids:  # nothing hidden keeps its number
            hidden = got.filter(pl.col(f"{c}__suppressed"))
            assert hidden[c].null_count() == hidden.height
            if f"{c}__n" in got.columns:
                assert hidden[f"{c}__n"].null_count() == hidden.height


def test_a_complementary_count_reads_dolt_and_an_unexplained_flag_never_claims_small():
    frame = pl.DataFrame({"contacts": [None, None, 12], "contacts__suppressed": [True, True, False],
                          "contacts__reason": ["small_count", "complementary", None]})
    table = TableData("t", frame, (Col("contacts", "Kontakter", "count"),), 5)
    assert display_frame(table)["Kontakter"].to_list() == ["<5", "Dolt", "12"]
    assert [getattr(r[0], "text", r[0]) for r in export_rows(table)] == ["<5", "Dolt", 12]
    no_reason = TableData("t", frame.drop("contacts__reason"), table.columns, 5)
    assert display_frame(no_reason)["Kontakter"].to_list() == ["Dolt", "Dolt", "12"]
    notes = hidden_notes(table)
    assert notes == [
        "”<5”: Färre än 5 – döljs för att ingen enskild person ska kunna pekas ut.",
        "”Dolt”: Dold så att en annan dold siffra inte kan räknas fram ur summan.",
    ]


def test_a_download_names_uncertain_values_in_its_note():
    from dashboard.ui.tables import download_note

    table = TableData("t", FRAME, COLS, 5, note="Egen not.")
    note = download_note(table)
    assert note.startswith("Egen not. ") and "Svarsandel bygger på färre än 20" in note
    assert download_note(TableData("t", FRAME.drop("answer_rate__uncertain"), COLS, 5)) is None


def test_a_grid_holds_every_header_and_cell_whole_or_is_not_drawn():
    """The canvas grid wraps neither headers nor cells: its columns are as wide as their longest
    text (a header: its text and the header's own padding) or it is not drawn (None: the table
    is drawn as text, which wraps). Worked by hand at 6,5 px a character and 16 px of padding:
    'Telefon' needs 6,5 × 7 + 16 = 61, 'Kontakter' 6,5 × 9 + 16 + 8 = 82 (its cells are shorter),
    '35,7 % (osäker)' 6,5 × 15 + 16 = 113; 256 in all, so 400 px leave 144 to spread: 48 each."""
    from dashboard.ui.figure import whole_widths

    headers = {"Kanal": ["Telefon", "E-post"], "Kontakter": ["1 234", "<5"],
               "Svarsandel": ["35,7 % (osäker)", "Dolt"]}
    assert whole_widths(headers, 400) == {"Kanal": 109, "Kontakter": 130, "Svarsandel": 161}
    assert whole_widths(headers, 257) == {"Kanal": 62, "Kontakter": 82, "Svarsandel": 113}
    assert whole_widths(headers, 255) is None
    # the Förvaltning page's table at 1280 px: the longest name and the headers cannot all fit
    departments = {"Förvaltning": ["Gymnasie- och vuxenutbildningsförvaltningen"],
                   "Kontakter": ["275"], "Andel av kontaktcenters handlagda tid": ["19,9 %"],
                   "Svarsandel": ["87,8 %"], "Löst av kontaktcenter": ["30,3 %"],
                   "Överlämnat till förvaltning": ["65,6 %"], "Onödig efterfrågan (taggad)": ["41,6 %"]}
    assert whole_widths(departments, 740) is None


def test_a_table_drawn_as_text_offers_its_rows_by_their_names():
    from dashboard.ui.drill import row_keys
    from dashboard.ui.figure import row_labels

    frame = pl.DataFrame({"department": ["Fastighets- och gatukontoret", None],
                          "topic": ["Snöröjning och halkbekämpning", "Bygglov"], "contacts": [86, 12]})
    cols = (Col("department", "Förvaltning", dimension="department"),
            Col("topic", "Ärendekategori", dimension="topic"), Col("contacts", "Kontakter", "count"))
    table = TableData("t", frame, cols, 5)
    assert row_labels(table, display_frame(table), row_keys(cols)) == [
        "Fastighets- och gatukontoret – Snöröjning och halkbekämpning", "Uppgift saknas – Bygglov"]


def test_a_note_on_hidden_values_only_under_what_has_hidden_values():
    """A ranked chart draws its 15 largest; the hidden rows sort last, past the cut. Under the
    chart (its drawn rows) no note; under its table (all rows) the note; a table with nothing
    hidden has none, and neither has a value that is missing rather than hidden."""
    from dashboard.charts import ranked_rows
    from dashboard.ui.tables import suppression_notes

    n = 20
    frame = pl.DataFrame({
        "topic": [f"t{i}" for i in range(n)],
        "forwarded_rate": [0.5 - i / 100 for i in range(15)] + [None] * 5,
        "forwarded_rate__suppressed": [False] * 15 + [True] * 4 + [False],  # the last: no data
        "forwarded_rate__reason": [None] * 15 + ["small_denominator"] * 4 + [None],
    })
    cols = (Col("topic", "Ärendekategori"), Col("forwarded_rate", "Andel överlämnade", "share"))
    table = TableData("t", frame, cols, 5)
    drawn = TableData("t", ranked_rows(frame, "forwarded_rate", 15), cols, 5)
    assert drawn.frame.height == 15
    assert suppression_notes(drawn) == []
    assert suppression_notes(table) == ["”Dolt”: Bygger på färre än 5 kontakter eller enkätsvar och visas därför inte."]
    missing_only = TableData("t", frame.tail(1), cols, 5)
    assert display_frame(missing_only)["Andel överlämnade"].to_list() == ["–"]
    assert suppression_notes(missing_only) == []


def test_a_heatmaps_note_explains_the_complementary_cells_along_its_rows_and_columns():
    from dashboard.ui.blocks import HEATMAP_TOTALS

    frame = pl.DataFrame({"weekday": [1, 1, 2, 2], "hour": [8, 9, 8, 9], "offered": [None, None, None, 40],
                          "offered__suppressed": [True, True, True, False],
                          "offered__reason": ["small_count", "complementary", "complementary", None]})
    cols = (Col("weekday", "Veckodag", dimension="weekday"), Col("hour", "Timme", dimension="hour"),
            Col("offered", "Inkomna", "count"))
    grid = TableData("t", frame, cols, 5, totals=HEATMAP_TOTALS)
    small, complement = hidden_notes(grid)
    assert small == "”<5”: Färre än 5 – döljs för att ingen enskild person ska kunna pekas ut."
    assert complement == (
        "”Dolt”: Dold fast den kan vara stor: summorna per veckodag (rad) och per tid på dagen "
        "(kolumn) går att se i andra diagram och nyckeltal, så utan den kunde en dold liten siffra "
        "i samma rad eller kolumn räknas fram genom att dra de synliga rutorna från summan.")
    # a table without a two-way structure keeps the short sentence
    assert hidden_notes(TableData("t", frame, cols, 5))[1].endswith("inte kan räknas fram ur summan.")


def test_under_a_chart_the_word_for_hidden_values_is_said_once_with_its_reasons():
    """A chart writes "dolt" whatever the reason, so its note names the word once and then each
    reason, not '”dolt”: … ”dolt”: …'."""
    frame = pl.DataFrame({"reason": ["a", "b", "c"], "failures": [None, None, 40],
                          "failures__suppressed": [True, True, False],
                          "failures__reason": ["small_count", "complementary", None]})
    cols = (Col("reason", "Orsak"), Col("failures", "Kontakter", "count"))
    notes = suppression_notes(TableData("t", frame, cols, 5), "dolt")
    assert notes == ["”dolt”: Färre än 5 – döljs för att ingen enskild person ska kunna pekas ut; "
                     "dold så att en annan dold siffra inte kan räknas fram ur summan."]
    # the table itself: one note per text its cells read ("<5" and "Dolt" here)
    assert len(suppression_notes(TableData("t", frame, cols, 5))) == 2
    # two reasons behind one text ("Dolt": a small base, and a complementary cell) are one note
    rates = pl.DataFrame({"reason": ["a", "b", "c"], "rate": [None, None, 0.4],
                          "rate__suppressed": [True, True, False],
                          "rate__reason": ["small_denominator", "complementary", None]})
    table = TableData("t", rates, (Col("reason", "Orsak"), Col("rate", "Andel", "share")), 5)
    assert suppression_notes(table) == [
        "”Dolt”: Bygger på färre än 5 kontakter eller enkätsvar och visas därför inte; dold så att "
        "en annan dold siffra inte kan räknas fram ur summan."]


def test_a_comparison_is_laid_beside_the_period_with_its_own_hidden_cells():
    """A trend's table with its dashed line (ui.tables.with_comparison): per row the period's
    value, the comparison's own date and value under headers naming the period, each side's
    hidden and uncertain cells exactly as privacy flagged them, nothing computed from the two.
    Worked by hand: 10–12 March against 3–5 March, 3 March hidden (2 contacts), 12 March with
    no comparison point, and a comparison point (6 March, laid on 13 March) with no row now."""
    from dashboard.ui.tables import with_comparison

    now = pl.DataFrame({"day": [date(2025, 3, 10), date(2025, 3, 11), date(2025, 3, 12)],
                        "contacts": [20, 21, 22], "contacts__suppressed": [False] * 3,
                        "contacts__reason": [None] * 3})
    before = pl.DataFrame({
        "day": [date(2025, 3, 10), date(2025, 3, 11), date(2025, 3, 13)],   # laid on the period
        "_actual": [date(2025, 3, 3), date(2025, 3, 4), date(2025, 3, 6)],
        "contacts": [None, 9, 12], "contacts__suppressed": [True, False, False],
        "contacts__reason": ["small_count", None, None], "contacts__uncertain": [False, True, False]})
    cols = (Col("day", "Dag", None, dimension="day"), Col("contacts", "Kontakter", "count", min_n=10))
    table = with_comparison(TableData("Kontakter per dag", now, cols, 5), before, on="day",
                            actual="_actual", name="Föregående period",
                            period=(date(2025, 3, 3), date(2025, 3, 9)))
    shown = display_frame(table)
    assert shown.columns == ["Dag", "Kontakter", "Dag i föregående period",
                             "Kontakter, föregående period (3–9 mars 2025)"]
    assert shown.rows() == [("10 mar 2025", "20", "3 mar 2025", "<5"),
                            ("11 mar 2025", "21", "4 mar 2025", "9 (osäker)"),
                            ("12 mar 2025", "22", "–", "–"),
                            ("13 mar 2025", "–", "6 mar 2025", "12")]
    rows = export_rows(table)
    assert rows[0] == [date(2025, 3, 10), 20, date(2025, 3, 3), Hidden("small_count", "count", 5)]
    assert rows[1] == [date(2025, 3, 11), 21, date(2025, 3, 4), 9]
    assert rows[2] == [date(2025, 3, 12), 22, None, None]
    assert suppression_notes(table) == [
        "”<5”: Färre än 5 – döljs för att ingen enskild person ska kunna pekas ut.",
        "”(osäker)”: Kontakter, föregående period (3–9 mars 2025) bygger på färre än 10 "
        "observationer och är statistiskt osäker."]
    # under the chart, which writes "dolt" on a hidden point but marks no value "(osäker)"
    assert suppression_notes(table, "dolt") == [
        "”dolt”: Färre än 5 – döljs för att ingen enskild person ska kunna pekas ut."]
    # "Samma period förra året" reads in lower case inside the header; no comparison: as it was
    yoy = with_comparison(TableData("t", now, cols, 5), before, on="day", actual="_actual",
                          name="Samma period förra året", period=(date(2024, 3, 11), date(2024, 3, 17)))
    assert [c.label for c in yoy.columns][2:] == [
        "Dag i samma period förra året", "Kontakter, samma period förra året (11–17 mars 2024)"]
    alone = TableData("t", now, cols, 5)
    assert with_comparison(alone, None, on="day", actual="_actual", name="x",
                           period=(date(2025, 3, 3), date(2025, 3, 9))) is alone

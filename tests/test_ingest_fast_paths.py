"""The ingest's speed paths give exactly what the plain paths give.

- landing by anti-join, the one guard of the contact key (contacts has no key index): overlapping
  files and rows repeated inside a file land once, counted as hand-worked;
- scrub_text scrubbing each distinct value once (repeating text) vs scrub_one value by value.
"""

from __future__ import annotations

import polars as pl
import pytest

from dashboard.ingest import pii
from ingest_fixtures import open_test_store, profile_file, run_ingest, telephony_frame, write_csv

CONTACTS = "select * exclude (ingest_id) from contacts order by source_system, contact_id"


def _overlapping_ingests(tmp_path, name: str):
    """Two commands: jan, then feb + a file with rows repeated inside it; small batches."""
    frame = telephony_frame(300, seed=5)
    jan = write_csv(frame[:200], tmp_path / f"{name}-jan.csv")
    feb = write_csv(frame[150:], tmp_path / f"{name}-feb.csv")                    # 150..199 in both
    again = write_csv(pl.concat([frame[250:], frame[250:280]]), tmp_path / f"{name}-igen.csv")
    con = open_test_store(tmp_path, f"{name}.duckdb")
    profile = profile_file(tmp_path, batch_rows=40)
    first = run_ingest(con, [jan], profile)
    second = run_ingest(con, [feb, again], profile)
    counts = [(f.rows_read, f.landed, f.duplicates, f.quarantined) for s in (first, second) for f in s.files]
    return counts, con.sql(CONTACTS).fetchall()


def test_anti_join_landing_keeps_the_contact_key_unique(tmp_path):
    counts, rows = _overlapping_ingests(tmp_path, "anti")
    # jan 200 new; feb: 50 already stored; igen: rows 250..299 already stored by feb, plus 30 repeats
    assert [(r, landed, dup) for r, landed, dup, _ in counts] == [(200, 200, 0), (150, 100, 50), (80, 0, 80)]
    assert len(rows) == 300 - sum(q for *_, q in counts)
    keys = [(r[0], r[1]) for r in rows]
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize("rows", [999, 5000])   # below and above the dedup threshold
def test_scrub_text_of_repeating_values_equals_scrub_one(rows):
    texts = ["Ring 070-123 45 67 efter tre", None, "Bor på Storgatan 12, lgh 1101",
             "skriv till anna.a@example.com", "pnr 19790412-9991 ringde", "inget känsligt", ""]
    values = [texts[i % len(texts)] for i in range(rows)] + [f"unik {i}: 040-628 04 {i % 100:02d}" for i in range(40)]
    series = pl.Series("Kommentar", values)
    scrubbed = pii.scrub_text(series)
    assert scrubbed.name == "Kommentar"
    assert scrubbed.to_list() == [pii.scrub_one(v) for v in values]
    assert "[TELEFON]" in scrubbed[0] and scrubbed[1] is None


def test_scrub_text_of_distinct_values_and_empty_series():
    values = [f"ärende {i} tel 070-{i:03d} 45 67" for i in range(1500)]
    assert pii.scrub_text(pl.Series("n", values)).to_list() == [pii.scrub_one(v) for v in values]
    assert pii.scrub_text(pl.Series("n", [], dtype=pl.String)).to_list() == []

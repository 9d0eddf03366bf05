"""The load benchmark's short mode, end to end: a real `kontaktcenter serve` on a copy of the
sample, three sessions of the benchmark's websocket client changing filters and pages, an ingest
through the CLI meanwhile. It must see figures, really change filters (they reach the address),
visit more than one page, and find no error. Timings are printed by the benchmark, never
asserted here (the machine is shared)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def test_the_short_load_run_sees_figures_changes_filters_and_no_error(sample_db, tmp_path):
    db = tmp_path / "store.duckdb"
    shutil.copy(sample_db, db)   # the benchmark ingests into it
    report = tmp_path / "load.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_load.py"), "--short", "--db", str(db),
         "--work", str(tmp_path / "work"), "--json", str(report)],
        capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["errors"] == [], result["errors"]
    assert result["runs"] >= 3 + 1 and result["changes"] >= 1, result   # three visits, a change
    assert result["metrics"] > 0 and result["charts"] > 0
    assert result["filtered"] >= 1          # a filter change reached the address
    assert len(result["pages"]) >= 1 and "Översikt" in result["pages"]
    assert result["ingest"]["returncode"] == 0
    assert all(s["peak_mib"] > 0 for s in result["servers"]) and len(result["servers"]) >= 2
    assert "fel: 0" in proc.stdout and "p95" in proc.stdout

    # The ingest landed while the sessions ran (its rows are in the store now).
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    files = [r[0] for r in con.execute("select file_name from ingest_log").fetchall()]
    con.close()
    assert "load-2000-1.csv" in files

"""Dashboard speed in a real browser on a large store (not a test; prints figures).

    python bench/bench_dashboard.py [--rows 10000000] [--repeats 6]

The store is the sample generator's, cached as bench/out/contacts_<rows>.duckdb (shared with the
other benchmarks). In the same run it prints:
- a plain DuckDB query over the same store (30 days, grouped by channel) for reference;
- cold start: `streamlit run` launched -> first chart drawn on Översikt (and the part of it after
  the server answered);
- filter change: choosing another förvaltning in the sidebar -> the updated chart drawn, median
  over the repeats, first with an empty cache (each förvaltning seen for the first time) and then
  with a warm cache (the same förvaltningar again).
Targets (issue 4): filter change under 1 s, cold start under 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_export import ensure_store  # noqa: E402  (the shared bench/out/contacts_<rows>.duckdb)
from browser_support import chromium, new_page, streamlit_server, wait_until_idle  # noqa: E402

SIGNATURE_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .map(el => JSON.stringify((el.data || []).map(t => [t.y, t.x, t.z]))).join('|')"""
UPDATED_JS = """(before) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    const now = Array.from(document.querySelectorAll('.js-plotly-plot'))
        .map(el => JSON.stringify((el.data || []).map(t => [t.y, t.x, t.z]))).join('|');
    return now !== before && document.querySelectorAll('.js-plotly-plot').length > 0;
}"""


def plain_query(db: Path) -> tuple[float, int]:
    """Median of 5: contacts and mean queue time per channel over the last 30 days."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        (last,) = con.execute("select max(started_at) from contacts").fetchone()
        query = ("select channel, count(*), avg(queue_s) from contacts "
                 "where started_at > $last - interval 30 day group by channel")
        times = []
        for _ in range(5):
            t = time.perf_counter()
            con.execute(query, {"last": last}).fetchall()
            times.append(time.perf_counter() - t)
        (rows,) = con.execute("select count(*) from contacts").fetchone()
    finally:
        con.close()
    return statistics.median(times), rows


def departments(db: Path, n: int) -> list[str]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return [r[0] for r in con.execute("select department from departments order by 1").fetchall()][:n]
    finally:
        con.close()


def choose_department(page, name: str) -> float:
    """Seconds from choosing `name` in the sidebar to the updated chart on screen."""
    before = page.evaluate(SIGNATURE_JS)
    page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Förvaltning").click()
    option = page.get_by_role("option", name=name, exact=True)
    option.wait_for()
    started = time.perf_counter()
    option.click()
    page.wait_for_function(UPDATED_JS, arg=before, timeout=120_000, polling=20)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=6, help="förvaltningar to switch between")
    args = parser.parse_args()
    db = ensure_store(args.rows)
    plain_s, rows = plain_query(db)
    names = departments(db, args.repeats)

    log = Path(tempfile.mkdtemp()) / "streamlit.log"
    with chromium() as browser:
        launched = time.perf_counter()
        with streamlit_server(db, log_path=log, timeout_s=120) as url:
            healthy = time.perf_counter()
            page = new_page(browser)
            page.goto(url + "/")
            page.wait_for_selector(".js-plotly-plot", timeout=120_000)
            first_chart = time.perf_counter()
            wait_until_idle(page, timeout_ms=120_000)
            cold = [choose_department(page, n) for n in names]
            warm = [choose_department(page, n) for n in names]

    print(f"Dashboard på {rows:,} kontakter ({db.name})".replace(",", " "))
    print(f"  vanlig DuckDB-fråga (30 dagar per kanal, median av 5): {plain_s * 1000:8.1f} ms")
    print(f"  kallstart: start -> första diagrammet:                  {first_chart - launched:8.2f} s"
          f"   (mål < 5 s; därav sidan efter att servern svarat: {first_chart - healthy:.2f} s)")
    print(f"  filterbyte, ny förvaltning (tom cache), median av {len(cold)}: {statistics.median(cold):8.2f} s"
          f"   (min {min(cold):.2f}, max {max(cold):.2f}; mål < 1 s)")
    print(f"  filterbyte, samma förvaltningar igen (varm cache), median:  {statistics.median(warm):8.2f} s"
          f"   (min {min(warm):.2f}, max {max(warm):.2f})")
    print(f"  kvot filterbyte (tom cache) / vanlig fråga: {statistics.median(cold) / plain_s:.0f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
Targets: filter change under 1 s, cold start under 5 s.
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

# Chart data of every drawn Plotly figure, or of the first one only.
# (The 1-pixel preload chart of dashboard/ui/warmup.py is not one of ours to time.)
SIGNATURE_JS = """(first) => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(el => !el.closest('.st-key-plotly_preload'))
    .slice(0, first ? 1 : undefined)
    .map(el => JSON.stringify((el.data || []).map(t => [t.y, t.x, t.z]))).join('|')"""
FIRST_CHART_UPDATED_JS = """(before) => {
    const el = Array.from(document.querySelectorAll('.js-plotly-plot'))
        .find(e => !e.closest('.st-key-plotly_preload'));
    return el && JSON.stringify((el.data || []).map(t => [t.y, t.x, t.z])) !== before;
}"""
PAGE_DONE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stSkeleton"]');
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


def choose_department(page, name: str) -> tuple[float, float]:
    """Seconds from choosing `name` in the sidebar to (the first chart redrawn, the page done)."""
    before = page.evaluate(SIGNATURE_JS, True)
    page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Förvaltning").click()
    option = page.get_by_role("option", name=name, exact=True)
    option.wait_for()
    started = time.perf_counter()
    option.click()
    page.wait_for_function(FIRST_CHART_UPDATED_JS, arg=before, timeout=120_000, polling=10)
    first = time.perf_counter() - started
    page.wait_for_timeout(100)  # let the script-state attribute catch up with the click
    page.wait_for_function(PAGE_DONE_JS, timeout=120_000, polling=20)
    return first, time.perf_counter() - started


MINIMAL_APP = """import plotly.graph_objects as go
import streamlit as st
st.title("Golv")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2])))
"""


def framework_floor(browser, db: Path) -> float:
    """First chart of a one-chart Streamlit app, same machine and browser: what no app can beat."""
    import browser_support

    folder = Path(tempfile.mkdtemp())
    (folder / "app.py").write_text(MINIMAL_APP, encoding="utf-8")
    saved, browser_support.APP = browser_support.APP, folder / "app.py"
    try:
        with streamlit_server(db, timeout_s=120) as url:
            page = new_page(browser)
            started = time.perf_counter()
            page.goto(url + "/")
            page.wait_for_selector(".js-plotly-plot", timeout=120_000)
            elapsed = time.perf_counter() - started
            page.context.close()
            return elapsed
    finally:
        browser_support.APP = saved


def _summary(label: str, values: list[float], target: str = "") -> str:
    return (f"  {label:<58s} {statistics.median(values):6.2f} s   (min {min(values):.2f}, "
            f"max {max(values):.2f}{'; ' + target if target else ''})")


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
            page.wait_for_function(FIRST_CHART_UPDATED_JS, arg="", timeout=120_000, polling=10)
            first_chart = time.perf_counter()
            wait_until_idle(page, timeout_ms=120_000)
            cold = [choose_department(page, n) for n in names]
            warm = [choose_department(page, n) for n in names]
        floor = framework_floor(browser, db)

    print(f"Dashboard på {rows:,} kontakter ({db.name}), sidan Översikt".replace(",", " "))
    print(f"  vanlig DuckDB-fråga (30 dagar per kanal, median av 5): {plain_s * 1000:.1f} ms")
    print(f"  kallstart, start -> första diagrammet: {first_chart - launched:.2f} s (mål < 5 s); "
          f"efter att servern svarat: {first_chart - healthy:.2f} s")
    print(f"  jämförelse: en Streamlit-app med ett enda Plotly-diagram, sidan -> diagrammet: {floor:.2f} s")
    print(_summary(f"filterbyte -> första diagrammet nytt, tom cache (n={len(cold)})",
                   [c[0] for c in cold], "mål < 1 s"))
    print(_summary("filterbyte -> hela sidan klar, tom cache", [c[1] for c in cold]))
    print(_summary("filterbyte -> första diagrammet nytt, varm cache", [w[0] for w in warm]))
    print(_summary("filterbyte -> hela sidan klar, varm cache", [w[1] for w in warm]))
    ratio = statistics.median([c[0] for c in cold]) / plain_s
    print(f"  kvot filterbyte (första diagrammet, tom cache) / vanlig fråga: {ratio:.0f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())

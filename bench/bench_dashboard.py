"""Dashboard speed in a real browser on large stores (not a test; prints figures).

    python bench/bench_dashboard.py [--rows 200000,10000000,30000000] [--repeats 6] [--starts 3]
                                    [--stores DIR]

Each store is the sample generator's, cached as bench/out/contacts_<rows>.duckdb (shared with the
other benchmarks; build it ahead with `kontaktcenter --db bench/out/contacts_<rows>.duckdb sample
--rows <rows>`). Stores up to 10 million are built here when missing; a larger one missing is
reported as not built (building 30 million takes hours on a small machine). For each store, in
the same run, same machine and browser, it measures the dashboard (Översikt) and two reference
apps:
- a plain Streamlit app with one filter (a förvaltning selectbox in the sidebar), one DuckDB
  query (that förvaltning's contacts per day over the last 30 days, on the contacts table) and
  one Plotly chart;
- a one-chart Streamlit app (no data at all): what no app can beat.
Printed per store: cold start (`streamlit run` launched -> first chart drawn) for the dashboard,
the plain app and the one-chart app, median of `--starts` launches; filter change (choosing
another förvaltning -> the first chart redrawn) for the dashboard and the plain app, median over
`--repeats` förvaltningar, empty cache (each förvaltning the first time) and warm cache (the
same again), and their ratio; the load average (1 minute) before and after each measure, since
the machine may be shared. Targets: a filter change within 1.3 times the plain app's, cold start
within 0.5 s of the one-chart app's. Never a pass/fail test: timings on a shared machine vary.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
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

PLAIN_APP = """import os
import duckdb
import plotly.graph_objects as go
import streamlit as st

@st.cache_resource
def connection():
    return duckdb.connect(os.environ["KONTAKTCENTER_DB"], read_only=True)

con = connection().cursor()
names = [r[0] for r in con.execute("select department from departments order by 1").fetchall()]
with st.sidebar:
    department = st.selectbox("Förvaltning", ["Hela staden", *names])
rows = con.execute(
    "select cast(started_at as date) as day, count(*) from contacts "
    "where started_at > (select max(started_at) from contacts) - interval 30 day "
    "and ($d is null or department = $d) group by 1 order by 1",
    {"d": None if department == "Hela staden" else department}).fetchall()
st.title("Vanlig app")
st.plotly_chart(go.Figure(go.Scatter(x=[r[0] for r in rows], y=[r[1] for r in rows])))
"""


@dataclass
class Run:
    cold_start: float  # launched -> first chart
    after_healthy: float  # server answering -> first chart
    cold: list  # (first chart, page done) per förvaltning, empty cache
    warm: list
    load: tuple = ()  # 1-minute load average before and after


@dataclass
class Runs:
    """Several launches of one app on one store: the first also switches förvaltningar."""
    runs: list = field(default_factory=list)

    @property
    def starts(self) -> list[float]:
        return [r.cold_start for r in self.runs]

    @property
    def first(self) -> Run:
        return self.runs[0]

    @property
    def load(self) -> list[float]:
        return [x for r in self.runs for x in r.load]


def measure(browser, db: Path, app: Path | None, names: list[str], log: Path | None = None) -> Run:
    """Cold start and filter changes of `app` (None: the dashboard)."""
    import browser_support

    saved = browser_support.APP
    if app is not None:
        browser_support.APP = app
    try:
        load_before = os.getloadavg()[0]
        launched = time.perf_counter()
        with streamlit_server(db, log_path=log, timeout_s=180) as url:
            healthy = time.perf_counter()
            page = new_page(browser)
            page.goto(url + "/")
            page.wait_for_function(FIRST_CHART_UPDATED_JS, arg="", timeout=180_000, polling=10)
            first_chart = time.perf_counter()
            wait_until_idle(page, timeout_ms=180_000)
            cold = [choose_department(page, n) for n in names]
            warm = [choose_department(page, n) for n in names]
            page.context.close()
        return Run(first_chart - launched, first_chart - healthy, cold, warm,
                   (load_before, os.getloadavg()[0]))
    finally:
        browser_support.APP = saved


def _app_file(source: str) -> Path:
    folder = Path(tempfile.mkdtemp())
    (folder / "app.py").write_text(source, encoding="utf-8")
    return folder / "app.py"


def _summary(label: str, values: list[float], target: str = "") -> str:
    return (f"  {label:<58s} {statistics.median(values):6.2f} s   (min {min(values):.2f}, "
            f"max {max(values):.2f}{'; ' + target if target else ''})")


def _first(run: Run, which: str) -> list[float]:
    return [c[0] for c in getattr(run, which)]


def _load(values: list[float]) -> str:
    return f"belastning {min(values):.1f}–{max(values):.1f}".replace(".", ",")


def _sv(text: str) -> str:
    return text.replace(".", ",")


def store_path(rows: int, stores: Path | None) -> Path:
    """`stores`/contacts_<rows>.duckdb as it is (never opened for writing: another checkout's
    stores are only read), or the shared store of this checkout (built when missing)."""
    return stores / f"contacts_{rows}.duckdb" if stores else ensure_store(rows)


def measure_store(browser, rows: int, repeats: int, starts: int, stores: Path | None = None) -> None:
    db = store_path(rows, stores)
    plain_s, count = plain_query(db)
    names = departments(db, repeats)
    log = Path(tempfile.mkdtemp()) / "streamlit.log"
    plain_app, minimal_app = _app_file(PLAIN_APP), _app_file(MINIMAL_APP)
    dashboard, plain, floor = Runs(), Runs(), Runs()
    # Interleaved launches: a change in the machine's load hits all three alike.
    for i in range(starts):
        with_names = names if i == 0 else []
        dashboard.runs.append(measure(browser, db, None, with_names, log))
        plain.runs.append(measure(browser, db, plain_app, with_names))
        floor.runs.append(measure(browser, db, minimal_app, []))

    print(f"Dashboard på {count:,} kontakter ({db.name}), sidan Översikt".replace(",", " "))
    print(f"  vanlig DuckDB-fråga (30 dagar per kanal, median av 5): {_sv(f'{plain_s * 1000:.1f}')} ms")
    print(f"  kallstart, start -> första diagrammet (median av {starts} starter):")
    d, p, f = (statistics.median(r.starts) for r in (dashboard, plain, floor))
    print(_sv(f"    dashboarden {d:.2f} s (efter att servern svarat, första starten "
              f"{dashboard.first.after_healthy:.2f} s; {_load(dashboard.load)})"))
    print(_sv(f"    vanlig app (ett filter, en fråga, ett diagram) {p:.2f} s ({_load(plain.load)})"))
    print(_sv(f"    app med ett enda diagram {f:.2f} s ({_load(floor.load)})"))
    print(_sv(f"    skillnad dashboarden - ett diagram: {d - f:+.2f} s (mål högst +0.50 s)"))
    if not names:
        return
    for which, words in (("cold", "tom cache"), ("warm", "varm cache")):
        ours, theirs = _first(dashboard.first, which), _first(plain.first, which)
        print(_sv(_summary(f"filterbyte -> första diagrammet nytt, dashboarden, {words}", ours)))
        print(_sv(_summary(f"filterbyte -> första diagrammet nytt, vanlig app, {words}", theirs)))
        ratio = statistics.median(ours) / statistics.median(theirs)
        print(_sv(f"  kvot dashboarden / vanlig app, {words}: {ratio:.2f} (mål högst 1.30; "
                  f"{_load([*dashboard.first.load, *plain.first.load])})"))
    print(_sv(_summary("filterbyte -> hela sidan klar, dashboarden, tom cache",
                       [c[1] for c in dashboard.first.cold])))


# Stores larger than this are not built by the benchmark (hours on a small machine).
BUILD_UP_TO = 10_000_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="200000,10000000,30000000",
                        help="store sizes, comma separated")
    parser.add_argument("--repeats", type=int, default=6, help="förvaltningar to switch between")
    parser.add_argument("--starts", type=int, default=3, help="cold starts per app and store")
    parser.add_argument("--stores", type=Path, default=None,
                        help="a folder of existing contacts_<rows>.duckdb, only read (default: bench/out)")
    args = parser.parse_args()
    sizes = [int(r) for r in args.rows.split(",") if r.strip()]
    with chromium() as browser:
        for rows in sizes:
            path = (args.stores or ROOT / "bench" / "out") / f"contacts_{rows}.duckdb"
            if (rows > BUILD_UP_TO or args.stores) and not path.exists():
                print(f"{rows:,} kontakter: inte byggd ({path.name} saknas; bygg den med "
                      f"`kontaktcenter --db {path} sample --rows {rows}`)".replace(",", " "))
                continue
            measure_store(browser, rows, args.repeats, args.starts, args.stores)
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark (not a test): one dashboard page's metrics for one filter state, against a single
hand-written DuckDB query over the same rows, on stores of 1, 10 (and optionally 30) million
contacts.

    /tmp/venv/bin/python bench/bench_metrics.py                 # 1M and 10M
    /tmp/venv/bin/python bench/bench_metrics.py --rows 1000000 10000000 30000000

Stores are generated once with the sample generator and cached in bench/out/ (gitignored);
marts built by an older engine version are refreshed first (and the refresh timed). Each size
is measured in a fresh child process, so "peak" is that process's peak resident memory (Python,
Polars and DuckDB together). Timings are warm: one run to warm caches, then the median of
`--repeats` runs. Targets: page < 0.5 s, page within 2x the baseline, peak < 1.5 GB.
The baseline computes the page's figures in one query over raw contacts; a plain filtered
GROUP BY (the design guide's 0.1 s reference) is printed too, for scale.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BASELINE_SQL = Path(__file__).with_name("bench_metrics_baseline.sql")
KEY_FIGURES = ("offered", "answer_rate", "service_level", "service_level_alt", "asa_s",
               "wait_p90_s", "abandon_rate_excl_short", "reply_within_1_workday")


def store_path(rows: int) -> Path:
    return OUT / f"contacts_{rows}.duckdb"


def build_store(path: Path, rows: int, memory_limit: str) -> None:
    """Generated contacts in chunks of a million, each committed on its own, then the marts, with
    DuckDB capped at `memory_limit` (the machine is shared: one 30-million-row transaction
    holding everything in memory is what the OOM killer stops)."""
    from dashboard.store.marts import refresh_marts
    from dashboard.sample import generate_contacts
    from dashboard.store import open_store

    building = path.with_name(f".{path.name}.building")
    building.unlink(missing_ok=True)
    con = open_store(building)
    con.execute("set memory_limit = '" + memory_limit + "'")  # a constant from the command line
    con.execute("set preserve_insertion_order = false")
    for frame in generate_contacts(rows):
        con.register("_chunk", frame.to_arrow())
        con.execute("insert into contacts by name select *, 1 as ingest_id from _chunk")
        con.unregister("_chunk")
    con.execute("begin transaction")
    refresh_marts(con)
    con.execute("commit")
    con.close()
    building.rename(path)


def ensure_store(rows: int, memory_limit: str) -> str:
    """Build (or refresh the marts of) the cached store; say what was done and how long it took."""
    from dashboard.store.marts import MARTS_VERSION, refresh_marts
    from dashboard.store import open_store

    path = store_path(rows)
    if not path.exists():
        started = time.perf_counter()
        build_store(path, rows, memory_limit)
        return f"byggd på {time.perf_counter() - started:.0f} s (generering + marts)"
    con = open_store(path)
    try:
        con.execute("set memory_limit = '" + memory_limit + "'")
        found = con.execute("select value from meta where key = 'marts_version'").fetchall()
        if found and found[0][0] == MARTS_VERSION:
            return "återanvänd"
        started = time.perf_counter()
        con.execute("begin transaction")
        refresh_marts(con)
        con.execute("commit")
        return f"marts ombyggda på {time.perf_counter() - started:.1f} s"
    finally:
        con.close()


def accessibility_page(con, filters, settings):
    """What the Tillgänglighet page asks the engine for (dashboard/screens/accessibility.py)."""
    from dashboard.metrics import compute
    from dashboard.privacy.tables import suppress_metrics

    def shown(ids, by=(), f=filters):
        frame = compute(con, f, ids, by=by, settings=settings)
        return suppress_metrics(frame, ids, by=by, settings=settings)

    previous = filters.previous_period()
    out = [shown(KEY_FIGURES), shown(KEY_FIGURES, f=previous)]
    if filters.departments:
        out.append(shown(KEY_FIGURES, f=filters.without("departments")))
    out += [shown(["answer_rate"], ("week",)), shown(["answer_rate"], ("week",), previous),
            shown(["offered"], ("weekday", "hour")), shown(["answered"], ("weekday", "hour")),
            shown(["channel_share"], ("channel",)), shown(["satisfaction_index"], ("channel",)),
            shown(["satisfaction_index"])]
    return out


def baseline(con, filters):
    previous = filters.previous_period()
    params = {
        "department": filters.departments[0] if filters.departments else None,
        "start": filters.start, "end": filters.end,
        "prev_start": previous.start, "prev_end": previous.end,
        "utc_from": datetime.combine(previous.start - timedelta(days=1), datetime.min.time()),
        "utc_to": datetime.combine(filters.end + timedelta(days=2), datetime.min.time()),
    }
    return con.sql(BASELINE_SQL.read_text(encoding="utf-8"), params=params).pl()


SIMPLE_SQL = """
select channel, count(*) as contacts, count(*) filter (where answered) as answered,
    avg(queue_s) filter (where answered) as asa_s,
from contacts
where started_at >= $utc_from and started_at < $utc_to
group by channel
"""


def simple_group_by(con, filters):
    """DESIGN.md's reference point: one filtered GROUP BY on raw columns (UTC dates, no local
    time, no comparison period): far less than the page needs."""
    params = {"utc_from": datetime.combine(filters.start, datetime.min.time()),
              "utc_to": datetime.combine(filters.end + timedelta(days=1), datetime.min.time())}
    return con.sql(SIMPLE_SQL, params=params).pl()


def peak_mb() -> float:
    """This process image's peak resident memory. VmHWM, because ru_maxrss carries over the
    parent's peak across fork and exec (the parent may just have built a store)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, repeats: int) -> float:
    fn()  # warm
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def _filters(con, department: str | None):
    from dashboard.metrics import Filters

    last = con.execute("select max(local_date) from mart_day_channel").fetchall()[0][0]
    year = last.year - 1 if last != date(last.year, 12, 31) else last.year
    return Filters(date(year, 1, 1), date(year, 12, 31),
                   departments=(department,) if department else ())


def measure(path: str, what: str, department: str | None, repeats: int) -> dict:
    """Time the page or the baseline in this (fresh) process; peak memory is this process's."""
    import duckdb

    from dashboard.config import Settings

    con = duckdb.connect(path, read_only=True)
    filters = _filters(con, department)
    if what == "page":
        seconds = timed(lambda: accessibility_page(con, filters, Settings()), repeats)
    elif what == "simple":
        seconds = timed(lambda: simple_group_by(con, filters), repeats)
    else:
        seconds = timed(lambda: baseline(con, filters), repeats)
    out = {"seconds": seconds, "peak_mb": peak_mb(),
           "rows": con.execute("select count(*) from contacts").fetchall()[0][0],
           "state": f"{department or 'hela staden'}, {filters.start.year} mot {filters.start.year - 1}"}
    if what == "page":  # table names are this script's constants
        out["marts"] = {t: con.execute(f"select count(*) from {t}").fetchall()[0][0]  # noqa: S608
                        for t in ("mart_day_channel_dist", "mart_day_dist", "mart_halfhour_dist")}
    con.close()
    return out


def report(page: dict, base: dict, simple: dict, how: str) -> None:
    ratio = page["seconds"] / base["seconds"]
    print(f"{page['rows']:>11,} kontakter ({how}); {page['state']}".replace(",", " "))
    print(f"    sidan (varm, median):  {page['seconds'] * 1000:7.0f} ms   mål < 500 ms; "
          f"toppminne {page['peak_mb']:5.0f} MB (mål < 1 536 MB)")
    print(f"    en handskriven fråga:  {base['seconds'] * 1000:7.0f} ms   kvot sida/fråga {ratio:.2f} "
          f"(mål ≤ 2); toppminne {base['peak_mb']:5.0f} MB")
    print(f"    enkel GROUP BY (ref.): {simple['seconds'] * 1000:7.0f} ms   kvot sida/ref. "
          f"{page['seconds'] / simple['seconds']:.2f}")
    print("    marts: " + ", ".join(f"{k} {v:,}".replace(",", " ") for k, v in page["marts"].items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--department", default=None, help="focus on one förvaltning (default: whole city)")
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB memory limit while building stores")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # child mode: path of a built store
    parser.add_argument("--what", choices=("page", "baseline", "simple"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.what, args.department, args.repeats), default=str))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    for rows in args.rows:
        how = ensure_store(rows, args.memory_limit)
        results = {}
        for what in ("page", "baseline", "simple"):
            cmd = [sys.executable, __file__, "--measure", str(store_path(rows)), "--what", what,
                   "--repeats", str(args.repeats)]
            if args.department:
                cmd += ["--department", args.department]
            child = subprocess.run(cmd, check=True, capture_output=True, text=True)
            results[what] = json.loads(child.stdout.strip().splitlines()[-1])
        report(results["page"], results["baseline"], results["simple"], how)


if __name__ == "__main__":
    main()

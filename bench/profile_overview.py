"""Where a förvaltning change on Översikt goes, on the server, without a browser (not a test).

    python bench/profile_overview.py --db bench/out/contacts_2000000.duckdb [--repeats 4] [--profile]

Opens the dashboard with AppTest, then changes the `department` query parameter to each of the
first `--repeats` förvaltningar twice (empty cache, then warm) and prints per rerun: the time to
the first chart's message (the trend, after the key figures), the script's end, and the time
spent in each of Översikt's blocks, in the door (engine + suppression), in Plotly figure building
and in Streamlit's element calls (serialization of the figures and tables). With `--profile`,
cProfile of the script thread of the empty-cache reruns, sorted by cumulative and own time.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import os
import pstats
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
APP = str(ROOT / "dashboard" / "app.py")

SPENT: dict[str, float] = defaultdict(float)
EVENTS: list[tuple[float, str]] = []
_depth = threading.local()


def timed(owner, name: str, label: str) -> None:
    """Wrap owner.name so its (outermost) time adds up under `label`."""
    inner = getattr(owner, name)

    @functools.wraps(inner)
    def wrapper(*args, **kwargs):
        level = getattr(_depth, label, 0)
        setattr(_depth, label, level + 1)
        started = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            setattr(_depth, label, level)
            if level == 0:
                SPENT[label] += time.perf_counter() - started

    setattr(owner, name, wrapper)


def instrument() -> None:
    import streamlit as st
    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

    from dashboard import charts, privacy
    from dashboard.privacy import door
    from dashboard.ui import blocks, data, figure, insights, kpi

    for name in ("kpis", "trend"):
        timed(blocks, name, f"block {name}")
    for name in ("incident_periods", "biggest_changes", "top_service_gaps", "incident_list",
                 "equity_flags"):
        timed(insights, name, f"block {name}")
    timed(door, "fetch", "door (engine + rule), cache misses")
    timed(privacy, "fetch", "door (engine + rule), cache misses")
    timed(data, "_cached", "cache lookups incl. misses")
    for module in (blocks, insights, charts):
        for name in ("time_series", "ranked_bars", "empty_figure"):
            if hasattr(module, name):
                timed(module, name, "plotly figure building")
    for name in ("plotly_chart", "dataframe", "table", "metric", "markdown", "caption", "toggle",
                 "popover", "download_button"):
        timed(st, name, "streamlit element calls")
    timed(kpi, "key_figures", "key-figure cards (st.metric)")
    timed(figure, "_suppression_note", "suppression notes")

    original = ScriptRunContext.enqueue

    def enqueue(self, msg):
        if msg.HasField("delta") and msg.delta.HasField("new_element"):
            EVENTS.append((time.perf_counter(), msg.delta.new_element.WhichOneof("type")))
        return original(self, msg)

    ScriptRunContext.enqueue = enqueue


class ThreadProfiler:
    """cProfile of the script thread AppTest starts for each run."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self.on = False

    def hook(self, frame, event, arg):
        if not self.on:
            sys.setprofile(None)
            return
        p = cProfile.Profile()
        self.profiles.append(p)
        sys.setprofile(None)
        p.enable()

    def stats(self) -> pstats.Stats | None:
        for p in self.profiles:
            p.disable()
        if not self.profiles:
            return None
        s = pstats.Stats(self.profiles[0])
        for p in self.profiles[1:]:
            s.add(p)
        return s


def first_chart(started: float) -> float | None:
    """Seconds to the first plotly chart after the page's first subheader (not the preload)."""
    seen_heading = False
    for t, kind in EVENTS:
        if t < started:
            continue
        if kind == "heading" or kind == "markdown":
            seen_heading = True
        if kind == "plotly_chart" and seen_heading:
            return t - started
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    os.environ["KONTAKTCENTER_DB"] = str(Path(args.db).resolve())

    import duckdb
    from streamlit.testing.v1 import AppTest

    con = duckdb.connect(args.db, read_only=True)
    names = [r[0] for r in con.execute("select department from departments order by 1").fetchall()]
    con.close()
    names = names[:args.repeats]

    instrument()
    profiler = ThreadProfiler()
    threading.setprofile(profiler.hook)
    at = AppTest.from_file(APP, default_timeout=600)
    t = time.perf_counter()
    at.run()
    print(f"first run (Hela staden): {time.perf_counter() - t:.2f} s, "
          f"{len(at.exception)} exceptions")
    rows = []
    for which in ("cold", "warm"):
        for name in names:
            SPENT.clear()
            EVENTS.clear()
            at.query_params["department"] = name
            profiler.on = args.profile and which == "cold"
            started = time.perf_counter()
            at.run()
            total = time.perf_counter() - started
            profiler.on = False
            problems = [e.value for e in at.exception]
            rows.append((which, name, first_chart(started), total, dict(SPENT), problems))
    for which in ("cold", "warm"):
        mine = [r for r in rows if r[0] == which]
        print(f"\n== {which} cache: first chart / script end (median of {len(mine)})  "
              f"{statistics.median(r[2] or 0 for r in mine):.3f} s / "
              f"{statistics.median(r[3] for r in mine):.3f} s; load {os.getloadavg()[0]:.1f}")
        for r in mine:
            print(f"  {r[1][:40]:40s} first chart {r[2] or 0:.3f} s  end {r[3]:.3f} s"
                  + (f"  PROBLEMS {r[5]}" if r[5] else ""))
        labels = sorted({k for r in mine for k in r[4]})
        for label in labels:
            print(f"    {label:45s} {statistics.median(r[4].get(label, 0) for r in mine):.3f} s")
    stats = profiler.stats()
    if stats is not None:
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the sample generator (a script, not a test).

    python bench/bench_generator.py                 # 1 million rows
    python bench/bench_generator.py --rows 10000000 # the benchmark-sized store

Each phase runs in its own process so its peak memory (ru_maxrss) is its own:
  generate             generate_contacts() only, frames dropped as they come
  store_without_marts  build_sample_store() with the marts refresh skipped: generate + insert
                       into DuckDB in one transaction
  store                the same with dashboard.store.marts.refresh_marts (timed separately)
The baseline line is DuckDB writing the same number of rows of a plain synthetic table
(`range()` with a few columns) to a file, for a sense of the insert cost on this machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def phase_generate(rows: int, chunk_rows: int) -> dict:
    from dashboard.sample import generate_contacts

    started = time.perf_counter()
    n = sum(frame.height for frame in generate_contacts(rows, chunk_rows=chunk_rows))
    return {"rows": n, "seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}


def phase_store(rows: int, chunk_rows: int, marts_on: bool = True) -> dict:
    from dashboard.sample import build_sample_store, store_build

    marts = {"seconds": 0.0}
    refresh = store_build.refresh_marts

    def timed_refresh(con) -> None:
        t = time.perf_counter()
        if marts_on:
            refresh(con)
        marts["seconds"] = time.perf_counter() - t

    store_build.refresh_marts = timed_refresh
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        started = time.perf_counter()
        build_sample_store(db, rows, chunk_rows=chunk_rows)
        seconds = time.perf_counter() - started
        size_mb = db.stat().st_size / 1e6
    return {"rows": rows, "seconds": seconds, "marts_seconds": marts["seconds"],
            "peak_mb": _peak_mb(), "file_mb": size_mb}


def phase_baseline(rows: int, chunk_rows: int) -> dict:
    import duckdb

    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "plain.duckdb"))
        con.execute("set enable_progress_bar = false")
        started = time.perf_counter()
        con.execute(
            "create table t as select i, 'sample_telephony' as s, lpad(i::varchar, 9, '0') as id, "
            "timestamp '2024-01-01' + to_seconds(i % 63000000) as ts, md5(i::varchar) || md5((i + 1)::varchar) as k "
            "from range($n) r(i)", {"n": rows})
        con.close()
        seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "peak_mb": _peak_mb()}


def phase_store_without_marts(rows: int, chunk_rows: int) -> dict:
    return phase_store(rows, chunk_rows, marts_on=False)


PHASES = {"generate": phase_generate, "store": phase_store, "store_without_marts": phase_store_without_marts,
          "baseline": phase_baseline}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk-rows", type=int, default=1_000_000)
    parser.add_argument("--phase", choices=sorted(PHASES), help="run one phase in this process (internal)")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.rows, args.chunk_rows)))
        return
    print(f"Sample generator benchmark: {args.rows:,} rows, chunks of {args.chunk_rows:,}")
    results = {}
    for name in ("generate", "store_without_marts", "store", "baseline"):
        out = subprocess.run(
            [sys.executable, __file__, "--rows", str(args.rows), "--chunk-rows", str(args.chunk_rows), "--phase", name],
            check=True, capture_output=True, text=True,
        ).stdout
        results[name] = r = json.loads(out.strip().splitlines()[-1])
        extra = ""
        if name.startswith("store"):
            extra = f"  (marts {r['marts_seconds']:.1f} s, file {r['file_mb']:.0f} MB)"
        print(f"  {name:<19} {r['seconds']:7.1f} s  {r['rows'] / r['seconds']:12,.0f} rows/s  "
              f"peak {r['peak_mb']:7.0f} MB{extra}")
    store, base = results["store_without_marts"], results["baseline"]
    print(f"  store build without marts / plain DuckDB write of the same row count: "
          f"{store['seconds'] / base['seconds']:.1f}x")


if __name__ == "__main__":
    main()

"""Benchmark: what a nightly ingest costs as the store grows, and a bulk ingest into an empty store.

    .venv/bin/python bench/bench_ingest_scaling.py [--sizes 200000,2000000,10000000,30000000] [--runs 3]
        [--store-10000000 PATH] [--bulk-rows 1000000] [--memory-limit SIZE]

For each store size: the same 10,000-row telephony file (Swedish headers and formats, as
tests/ingest_fixtures.py writes it) is ingested end to end, as `kontaktcenter ingest` does it
(writer lock, ingest, marts refresh, commit, publish of the dashboard's snapshot), into a fresh
copy of the store (with its snapshots) each run, in a child process. Printed per size: the median
of the runs, the marts refresh's and the publish's share, and the child's peak memory (RSS).

Stores are built once under bench/out/scaling/ with `kontaktcenter sample --rows N` (on this
2-core machine 2 million took about 1.5 minutes, 10 million 7, 30 million 11); --store-N uses a prebuilt store
instead (copied, migrated, never written). Each store's marts are rebuilt once before the runs,
so the runs measure the refresh after an ingest, not a first build.

Then a 1,000,000-row file into an empty store next to DuckDB's own read_csv of the same file
(bench/bench_ingest.py does that part). This is a measurement, never a test: nothing fails on a
slow machine, and the load average is printed with every figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "scaling"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
BENCH_KEY = b"bench-nyckel-0123456789abcdef"
KONTAKTCENTER = [str(Path(sys.executable).with_name("kontaktcenter"))]

from dashboard.config import Settings  # noqa: E402 - after the paths above


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def sv(n: float, decimals: int = 0) -> str:
    return f"{n:,.{decimals}f}".replace(",", " ").replace(".", ",")


def run_child(db: Path, csv: Path, memory_limit: str) -> dict:
    """One ingest end to end, timed in parts (run in a child process: its peak RSS is its own)."""
    import tomllib

    from ingest_fixtures import TELEPHONY_PROFILE

    from dashboard.ingest import ingest_files, pipeline
    from dashboard.ingest.profile import parse_profile
    from dashboard.store import snapshot, writing

    profile = parse_profile(tomllib.loads(TELEPHONY_PROFILE.format(batch_rows=100_000)), "bench", "bench")
    marks = {"marts_s": 0.0, "publish_s": 0.0, "marts": ""}
    update, publish = pipeline.update_marts, snapshot.publish

    def timed_update(con) -> str:
        t = time.perf_counter()
        marks["marts"] = update(con)
        marks["marts_s"] += time.perf_counter() - t
        return marks["marts"]

    def timed_publish(*args, **kwargs):
        t = time.perf_counter()
        pointer = publish(*args, **kwargs)
        marks["publish_s"] += time.perf_counter() - t
        marks["delta"] = pointer.delta
        return pointer

    pipeline.update_marts, snapshot.publish = timed_update, timed_publish
    start = time.perf_counter()
    with writing(db, key=BENCH_KEY, memory_limit=memory_limit) as con:
        con.execute("set enable_progress_bar = false")
        summary = ingest_files(con, [csv], profile, BENCH_KEY)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "landed": summary.landed, **marks,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "size_mib": db.stat().st_size / 2**20}


def child(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"mätningen misslyckades:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def copy_store(src: Path, dst: Path) -> None:
    """A fresh copy of the store and its snapshots, flushed to disk before it is used.

    Without the flush, the first fsync of the run (the checkpoint at the ingest's commit) writes
    the whole copy's dirty pages out: 0.4 s more at 10 million contacts (1.1 GB), nothing at
    200 000. A store that has been at rest since the previous night has no dirty pages."""
    for p in dst.parent.glob(dst.name + "*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    shutil.copyfile(src, dst)
    snaps = src.with_name(src.name + ".snapshots")
    copies = [dst]
    if snaps.is_dir():
        shutil.copytree(snaps, dst.with_name(dst.name + ".snapshots"))
        copies += sorted(dst.with_name(dst.name + ".snapshots").iterdir())
    for path in copies:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def base_store(rows: int, prebuilt: Path | None) -> Path:
    """The store of `rows` contacts with its marts freshly rebuilt (built or copied once)."""
    db = OUT / f"base_{rows}.duckdb"
    if not db.exists():
        if prebuilt is not None:
            print(f"Kopierar {prebuilt} ({load()}) …", flush=True)
            copy_store(prebuilt, db)
            subprocess.run([*KONTAKTCENTER, "migrate", "--db", str(db)], check=True)
        else:
            print(f"Bygger exempeldatabas med {sv(rows)} kontakter (belastning {load()}) …", flush=True)
            subprocess.run([*KONTAKTCENTER, "sample", "--rows", str(rows), "--db", str(db)], check=True,
                           stdout=subprocess.DEVNULL)
        t = time.perf_counter()
        subprocess.run([*KONTAKTCENTER, "metrics", "--refresh-marts", "--db", str(db)], check=True,
                       stdout=subprocess.DEVNULL)
        print(f"  marts byggda från grunden på {sv(time.perf_counter() - t, 1)} s (belastning {load()})")
    return db


def nightly_file() -> Path:
    from ingest_fixtures import telephony_frame, write_csv_fast

    OUT.mkdir(parents=True, exist_ok=True)
    csv = OUT / "natt_10000.csv"
    if not csv.exists():   # one day's calls at the end of the sample's period (2024-2025)
        import polars as pl

        frame = telephony_frame(10_000, seed=5, start=dt.datetime(2025, 12, 30, 7, 0))
        write_csv_fast(frame.with_columns(pl.lit("2025-12-30").alias("Datum")), csv)
    return csv


def _prebuilt(rest: list[str]) -> dict[int, Path]:
    """--store-N PATH or --store-N=PATH, repeated: the prebuilt store per size."""
    stores, i = {}, 0
    while i < len(rest):
        arg = rest[i]
        if arg.startswith("--store-"):
            name, _, path = arg.partition("=")
            if not path:
                i += 1
                if i == len(rest):
                    raise SystemExit(f"{arg} behöver en sökväg")
                path = rest[i]
            stores[int(name.removeprefix("--store-"))] = Path(path)
        i += 1
    return stores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="200000,2000000,10000000,30000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory-limit", default=Settings.write_memory_limit,
                        help="the write path's memory bound (default: the setting's default)")
    parser.add_argument("--bulk-rows", type=int, default=1_000_000, help="0: skip the bulk ingest")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.child:
        db, csv, limit = args.child
        print(json.dumps(run_child(Path(db), Path(csv), limit)))
        return
    prebuilt = _prebuilt(rest)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    csv = nightly_file()
    results = {}
    for rows in sizes:
        base = base_store(rows, prebuilt.get(rows))
        runs = []
        for i in range(args.runs):
            work = OUT / f"work_{rows}.duckdb"
            copy_store(base, work)
            before = load()
            result = child(str(work), str(csv), args.memory_limit)
            result["load"] = before
            runs.append(result)
            print(f"  {sv(rows)}: körning {i + 1}: {sv(result['seconds'], 2)} s (marts {result['marts']}, "
                  f"{sv(result['marts_s'], 2)} s; publicering {sv(result['publish_s'], 2)} s, "
                  f"{'ändringar' if result.get('delta') else 'hel kopia'}; topp-RSS "
                  f"{sv(result['peak_rss_mib'])} MiB; belastning före {before})", flush=True)
        for p in OUT.glob(f"work_{rows}.duckdb*"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
        results[rows] = runs

    print()
    print(f"{'kontakter i databasen':>22s}{'median s':>10s}{'marts':>8s}{'publ.':>8s}{'topp MiB':>10s}  belastning")
    for rows, runs in results.items():
        median = statistics.median(r["seconds"] for r in runs)
        mid = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
        print(f"{sv(rows):>22s}{sv(median, 2):>10s}{sv(100 * mid['marts_s'] / mid['seconds']):>7s} %"
              f"{sv(100 * mid['publish_s'] / mid['seconds']):>7s} %{sv(max(r['peak_rss_mib'] for r in runs)):>10s}"
              f"  {', '.join(r['load'] for r in runs)}")
    if len(results) > 1:
        # The target is for 10 million against the smallest store; the largest is shown too.
        small = min(results)
        for large in sorted({r for r in results if r == 10_000_000} | {max(results)}):
            ratio = statistics.median(r["seconds"] for r in results[large]) / statistics.median(
                r["seconds"] for r in results[small])
            goal = " (mål för 10 000 000: högst 1,5 och under 10 s)" if large == 10_000_000 else ""
            print(f"Kvot {sv(large)} / {sv(small)}: {sv(ratio, 2)}{goal}.")

    if args.bulk_rows:
        import bench_ingest
        from ingest_fixtures import telephony_frame, write_csv_fast

        big = OUT / "telefoni_bulk.csv"
        write_csv_fast(telephony_frame(args.bulk_rows, seed=1), big)
        before = load()
        pipeline = bench_ingest.child("pipeline", str(big), str(OUT / "bulk_pipeline.duckdb"))
        raw = bench_ingest.child("raw", str(big), str(OUT / "bulk_raw.duckdb"))
        print()
        print(f"{sv(args.bulk_rows)} rader i en tom databas (belastning före {before}, efter {load()}):")
        print(f"  ingest, hela kedjan: {sv(pipeline['seconds'], 1)} s, {sv(pipeline['rows'] / pipeline['seconds'])} rader/s, "
              f"marts {sv(pipeline['marts_s'], 1)} s, topp-RSS {sv(pipeline['peak_rss_mib'])} MiB")
        print(f"  DuckDB read_csv:     {sv(raw['seconds'], 1)} s, {sv(raw['rows'] / raw['seconds'])} rader/s, "
              f"topp-RSS {sv(raw['peak_rss_mib'])} MiB")
        print(f"  kvot (ingest/read_csv, hastighet): {sv(raw['seconds'] / pipeline['seconds'], 2)} (mål minst 0,33)")
        for p in OUT.glob("bulk_*"):
            p.unlink()
        big.unlink()


if __name__ == "__main__":
    main()

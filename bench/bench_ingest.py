"""Benchmark: the whole ingest pipeline against DuckDB's own read_csv on the same file.

    .venv/bin/python bench/bench_ingest.py [--rows 1000000] [--repeat 3] [--keep]

Writes a Swedish-style CSV (';', CRLF, Swedish headers, a free-text column with fake phone
numbers, e-mail addresses, personnummer and street addresses) with the test fixture writer, then
in separate processes (so each peak RSS is its own):

  pipeline   kontaktcenter's ingest_files: read in batches, map, validate, pseudonymise, scrub,
             land in DuckDB, quarantine, log, data version and marts refresh, one commit; then the
             read snapshot published, as `kontaktcenter ingest` does after its commit
  raw        DuckDB: create table ... as select * from read_csv(file) (types auto-detected)
  generator  the sample generator making the same number of contract rows

and prints rows per second, the pipeline/raw ratio (target: at least 1/3) and peak memory.
This is a measurement, never a test: nothing fails on a slow machine.
"""

from __future__ import annotations

import argparse
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
OUT = ROOT / "bench" / "out" / "ingest"
sys.path.insert(0, str(ROOT / "tests"))
BENCH_KEY = b"bench-nyckel-0123456789abcdef"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds of this process, all threads (DuckDB's and Polars' included): on a shared
    machine a steadier figure than the wall clock, which waits for other jobs' cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fresh(path: Path) -> Path:
    for p in path.parent.glob(path.name + "*"):   # the store, its WAL and its snapshots
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    return path


def run_pipeline(csv: Path, db: Path) -> dict:
    from ingest_fixtures import TELEPHONY_PROFILE

    from dashboard.ingest import ingest_files
    from dashboard.ingest.profile import parse_profile
    from dashboard.store import open_store
    from dashboard.store.snapshot import publish
    import tomllib

    from dashboard.ingest import pipeline

    profile = parse_profile(tomllib.loads(TELEPHONY_PROFILE.format(batch_rows=100_000)), "bench", "bench")
    con = open_store(fresh(db))
    marks: dict[str, float] = {"marts_s": 0.0, "marts_cpu_s": 0.0}
    refresh = pipeline.update_marts

    def timed_refresh(con) -> str:   # the marts are timed apart: they are not the ingest's own work
        t, c = time.perf_counter(), cpu_s()
        done = refresh(con)
        marks["marts_s"] += time.perf_counter() - t
        marks["marts_cpu_s"] += cpu_s() - c
        return done

    pipeline.update_marts = timed_refresh
    start, cpu_start = time.perf_counter(), cpu_s()
    summary = ingest_files(con, [csv], profile, BENCH_KEY,
                           lambda p: marks.__setitem__("rows_done", time.perf_counter()) if p.done else None)
    total, cpu = time.perf_counter() - start, cpu_s() - cpu_start
    con.close()
    publish_start, publish_cpu = time.perf_counter(), cpu_s()
    publish(db)
    published, publish_cpu = time.perf_counter() - publish_start, cpu_s() - publish_cpu
    return {"seconds": total, "cpu_s": cpu, "marts_cpu_s": marks["marts_cpu_s"], "publish_s": published,
            "publish_cpu_s": publish_cpu, "rows": summary.rows_read, "landed": summary.landed,
            "quarantined": summary.quarantined, "rows_phase_s": marks["rows_done"] - start,
            "marts_s": marks["marts_s"], "finish_phase_s": start + total - marks["rows_done"] - marks["marts_s"],
            "peak_rss_mib": peak_rss_mib()}


def run_raw(csv: Path, db: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(fresh(db)))
    start, cpu_start = time.perf_counter(), cpu_s()
    con.execute("create table contacts_raw as select * from read_csv($path)", {"path": str(csv)})
    seconds, cpu = time.perf_counter() - start, cpu_s() - cpu_start
    rows = con.execute("select count(*) from contacts_raw").fetchall()[0][0]
    con.close()
    return {"seconds": seconds, "cpu_s": cpu, "rows": rows, "peak_rss_mib": peak_rss_mib()}


def run_generator(rows: int) -> dict:
    from dashboard.sample.generator import generate_contacts

    start = time.perf_counter()
    made = sum(chunk.height for chunk in generate_contacts(rows))
    return {"seconds": time.perf_counter() - start, "rows": made, "peak_rss_mib": peak_rss_mib()}


def child(mode: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", mode, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} misslyckades:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def median_run(runs: list[dict]) -> dict:
    """Each figure's median over the runs (the peak RSS: the largest)."""
    out = dict(runs[0])
    for name, value in runs[0].items():
        if isinstance(value, float):
            out[name] = statistics.median(r[name] for r in runs)
    if "peak_rss_mib" in out:
        out["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    return out


def sv_int(n: float) -> str:
    return f"{n:,.0f}".replace(",", " ")


def fmt_rate(rows: int, seconds: float) -> str:
    return f"{sv_int(rows / seconds):>14s}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep bench/out/ingest afterwards")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run ingest and read_csv this many times, alternating; medians are shown")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, *rest = args.child
        result = {"pipeline": lambda: run_pipeline(Path(rest[0]), Path(rest[1])),
                  "raw": lambda: run_raw(Path(rest[0]), Path(rest[1])),
                  "generator": lambda: run_generator(int(rest[0]))}[mode]()
        print(json.dumps(result))
        return

    from ingest_fixtures import telephony_frame, write_csv_fast

    OUT.mkdir(parents=True, exist_ok=True)
    csv = OUT / "telefoni_1m.csv"
    start = time.perf_counter()
    write_csv_fast(telephony_frame(args.rows, seed=1), csv)
    written = time.perf_counter() - start
    size_mib = csv.stat().st_size / 2**20
    print(f"Belastning (load average): {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"Testfil: {csv} ({sv_int(args.rows)} rader, {size_mib:.0f} MiB, skriven på {written:.1f} s)")

    runs, raws = [], []
    for _ in range(max(args.repeat, 1)):   # alternating, so both see the same load
        runs.append(child("pipeline", str(csv), str(OUT / "pipeline.duckdb")))
        raws.append(child("raw", str(csv), str(OUT / "raw.duckdb")))
    pipeline, raw = median_run(runs), median_run(raws)
    generator = child("generator", str(args.rows))
    if len(runs) > 1:
        print("Varje körning, s (hela kedjan / marts / publicering / read_csv; processortid inom "
              "parentes): " + "; ".join(
                  f"{r['seconds']:.1f} ({r['cpu_s']:.1f}) / {r['marts_s']:.1f} ({r['marts_cpu_s']:.1f}) / "
                  f"{r['publish_s']:.1f} ({r['publish_cpu_s']:.1f}) / {w['seconds']:.1f} ({w['cpu_s']:.1f})"
                  for r, w in zip(runs, raws)))

    print()
    print(f"{'':34s}{'sekunder':>10s}{'rader/s':>14s}{'topp-RSS MiB':>14s}")
    print(f"{'ingest, hela kedjan':34s}{pipeline['seconds']:>10.1f}{fmt_rate(pipeline['rows'], pipeline['seconds'])}"
          f"{pipeline['peak_rss_mib']:>14.0f}")
    print(f"{'  varav läsa, mappa, landa':34s}{pipeline['rows_phase_s']:>10.1f}"
          f"{fmt_rate(pipeline['rows'], pipeline['rows_phase_s'])}")
    print(f"{'  varav logg, dataversion, commit':34s}{pipeline['finish_phase_s']:>10.1f}")
    print(f"{'  varav marts':34s}{pipeline['marts_s']:>10.1f}")
    print(f"{'publicering (första ögonblicksbild)':34s}{pipeline['publish_s']:>10.1f}")
    print(f"{'DuckDB read_csv till tabell':34s}{raw['seconds']:>10.1f}{fmt_rate(raw['rows'], raw['seconds'])}"
          f"{raw['peak_rss_mib']:>14.0f}")
    print(f"{'samplegeneratorn (kontraktsrader)':34s}{generator['seconds']:>10.1f}"
          f"{fmt_rate(generator['rows'], generator['seconds'])}{generator['peak_rss_mib']:>14.0f}")
    ratio = raw["seconds"] / pipeline["seconds"]
    ratio_published = raw["seconds"] / (pipeline["seconds"] + pipeline["publish_s"])
    ratio_rows = raw["seconds"] / (pipeline["seconds"] - pipeline["marts_s"])
    print()
    print(f"Inläst {sv_int(pipeline['landed'])}, karantän {sv_int(pipeline['quarantined'])} "
          "(lokala tider som saknas vid sommartid).")
    print(f"Kvot ingest/rå hastighet: {ratio:.2f} för hela kedjan, {ratio_rows:.2f} utan marts "
          f"(mål minst 0.33): {'uppnått' if ratio >= 1 / 3 else 'ej uppnått'}.")
    print(f"Med publiceringen: {ratio_published:.2f} (ingest till läsbar ögonblicksbild).")
    print(f"Processortid (s, alla trådar): ingest {pipeline['cpu_s']:.1f} (varav marts {pipeline['marts_cpu_s']:.1f}), "
          f"publicering {pipeline['publish_cpu_s']:.1f}, read_csv {raw['cpu_s']:.1f}; kvot "
          f"{raw['cpu_s'] / pipeline['cpu_s']:.2f} för hela kedjan, "
          f"{raw['cpu_s'] / (pipeline['cpu_s'] + pipeline['publish_cpu_s']):.2f} med publiceringen.")
    print(f"Utan marts räknas läsa, mappa, landa och commit; bara rader (före commit): "
          f"{raw['seconds'] / pipeline['rows_phase_s']:.2f}.")
    print(f"Belastning efteråt: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if not args.keep:
        shutil.rmtree(OUT, ignore_errors=True)


if __name__ == "__main__":
    main()

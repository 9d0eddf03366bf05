"""Benchmark of the förvaltning pack (a script, not a test; target: XLSX + PDF under 15 s).

    python bench/bench_export.py                       # 10 million contacts
    python bench/bench_export.py --rows 1000000 --department Kulturförvaltningen

The store is the sample generator's (dashboard.sample), cached as bench/out/contacts_<rows>.duckdb
and built on first use. Printed:
  build    the engine calls behind one pack (done once per export)
  xlsx/pdf rendering each format from the built pack
  two exports as the CLI and the dashboard make them: pack_download for xlsx, then for pdf
           (each builds its own pack and writes its audit entry)
  baseline one plain DuckDB query over the same rows (count and handle-time sum for the
           department and period), for scale
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.config import Settings  # noqa: E402
from dashboard.export.pack import build_pack, pack_download, render  # noqa: E402
from dashboard.metrics import Filters  # noqa: E402
from dashboard.store import open_store  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_store(rows: int) -> Path:
    path = ROOT / "bench" / "out" / f"contacts_{rows}.duckdb"
    if path.exists():
        # A cached store may predate a migration: a writable open applies it, so the read-only
        # dashboard and engine do not refuse the store.
        from dashboard.store import open_store

        open_store(path).close()
        return path
    from dashboard.sample import build_sample_store

    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"Bygger exempeldatabasen med {rows:,} kontakter i {path} …", file=sys.stderr)
    started = time.perf_counter()
    build_sample_store(path, rows)
    print(f"  klar på {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--department", default="Förskoleförvaltningen",
                        help="förvaltning, eller 'stad' för hela staden")
    parser.add_argument("--from", dest="start", type=date.fromisoformat,
                        default=date(2025, 1, 1))
    parser.add_argument("--to", dest="end", type=date.fromisoformat, default=date(2025, 3, 31))
    args = parser.parse_args()

    db = ensure_store(args.rows)
    department = None if args.department == "stad" else args.department
    filters = Filters(start=args.start, end=args.end,
                      departments=(department,) if department else ())
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db=db, audit_log=Path(tmp) / "audit.jsonl")
        con = open_store(db, read_only=True)
        rows = con.sql("select count(*) from contacts").fetchall()[0][0]
        # Scale only (UTC bounds); the condition appended is a literal of this script, the
        # values are bound.
        baseline_sql = ("select count(*), sum(handle_s) from contacts where started_at >= $s "
                        "and started_at < $e + interval 1 day"
                        + (" and department = $d" if department else ""))
        params = {"s": args.start, "e": args.end} | ({"d": department} if department else {})
        con.sql(baseline_sql, params=params).fetchall()  # warm
        _, baseline = timed(lambda: con.sql(baseline_sql, params=params).fetchall())
        pack, build = timed(lambda: build_pack(con, filters, settings=settings))
        xlsx, t_xlsx = timed(lambda: render(pack, "xlsx"))
        pdf, t_pdf = timed(lambda: render(pack, "pdf"))
        con.close()

        def both():
            for fmt in ("xlsx", "pdf"):
                pack_download(db, filters, fmt, settings=settings, via="bench").data()

        _, two = timed(both)

    scope = department or "hela staden"
    print(f"Förvaltningspaketet: {scope}, {args.start}–{args.end}, {rows:,} kontakter i databasen")
    print(f"  build (motorn)           {build:6.2f} s")
    print(f"  xlsx  (rendering)        {t_xlsx:6.2f} s   {len(xlsx) / 1024:7.0f} kB")
    print(f"  pdf   (rendering)        {t_pdf:6.2f} s   {len(pdf) / 1024:7.0f} kB")
    print(f"  xlsx + pdf, en build     {build + t_xlsx + t_pdf:6.2f} s")
    print(f"  xlsx + pdf, två exporter {two:6.2f} s   (mål: under 15 s)")
    print(f"  baslinje: en DuckDB-fråga {baseline:6.3f} s (paketet = {two / baseline:,.0f}× den)")
    print(f"  största minnesanvändning {_peak_mb():6.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

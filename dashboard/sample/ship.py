"""Write the sample that ships in sample_data/: `python -m dashboard.sample.ship`.

Run it after any change to the generator, then commit sample_data/contacts.parquet
(sample_data/README.md and docs/sample-data.md state the planted values it contains).
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from dashboard.sample.generator import generate_contacts
from dashboard.sample.store_build import SHIPPED_ROWS, SHIPPED_SAMPLE, SHIPPED_SEED

MAX_BYTES = 10_000_000


def write_shipped_sample(path: Path = SHIPPED_SAMPLE, rows: int = SHIPPED_ROWS, seed: int = SHIPPED_SEED) -> int:
    """Generate the shipped rows and write them as zstd Parquet. Returns the file size."""
    frame = pl.concat(list(generate_contacts(rows, seed=seed)))
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path, compression="zstd", compression_level=19, statistics=True)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{path} blev {size} byte, över gränsen {MAX_BYTES}. Minska antalet rader.")
    return size


if __name__ == "__main__":
    written = write_shipped_sample()
    print(f"Skrev {SHIPPED_ROWS} kontakter till {SHIPPED_SAMPLE} ({written / 1e6:.1f} MB).", file=sys.stderr)

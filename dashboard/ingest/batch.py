"""What every reader yields: a bounded batch of raw source columns with their line numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from dashboard.ingest.errors import FileLevelError
from dashboard.ingest.sources import Source

LINE = "__line"


@dataclass
class RawBatch:
    frame: pl.DataFrame                                            # source columns plus LINE
    rejects: list[tuple[int, str]] = field(default_factory=list)   # (line, reason): unsplittable records


def unique_names(names: list[str | None]) -> list[str]:
    """Trim header names, name blank ones "Kolumn N" and number repeats ("Tid", "Tid (2)")."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        name = (name or "").replace("\ufeff", "").strip() or f"Kolumn {i}"
        key = name.casefold()
        if key in seen:
            seen[key] += 1
            name = f"{name} ({seen[key]})"
        else:
            seen[key] = 1
        out.append(name)
    return out


def check_width(names: list[str], source: Source) -> None:
    limit = source.options.max_columns
    if len(names) > limit:
        raise FileLevelError(
            source.path,
            f"Filen har {len(names)} kolumner; högst {limit} tillåts.",
            "Kontrollera att det är rätt fil och rätt avgränsare (delimiter under [file]); "
            "höj max_columns under [file] om filen verkligen är så bred.",
        )

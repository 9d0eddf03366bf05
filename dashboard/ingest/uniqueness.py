"""Is a contact id unique in a file, and if not, which columns would make it so?

Used by `profile suggest` (on its sample rows) and by ingest (on a batch where one id carries
different start times), so both propose the same composite `[contact_id] columns`.
"""

from __future__ import annotations

from itertools import combinations

import polars as pl

# More candidate columns than this are not combined in pairs (the number of pairs grows fast).
MAX_PAIR_CANDIDATES = 12


def _key(frame: pl.DataFrame, cols: list[str]) -> pl.Expr:
    return pl.concat_str([pl.col(c).cast(pl.String).fill_null("\u0000") for c in cols], separator="\u0001")


def duplicated_rows(frame: pl.DataFrame, cols: list[str]) -> int:
    """Rows whose combination of `cols` occurs more than once (blank parts count as a value)."""
    if not cols or frame.height == 0:
        return 0
    return int(frame.select(_key(frame, cols).is_duplicated().sum()).item())


def exact_copies(frame: pl.DataFrame) -> int:
    """Rows that repeat another row in every column: the same contact exported twice, not a
    non-unique id."""
    return int(frame.is_duplicated().sum()) if frame.height else 0


def propose_composite(frame: pl.DataFrame, id_cols: list[str], candidates: list[str]) -> list[str] | None:
    """The id columns plus the fewest candidate columns that make every row with the same id
    differ, preferring the candidate with the fewest distinct values (a site or queue number
    rather than a timestamp). None when no one or two extra columns do it. Rows that are exact
    copies of each other are left out of the test: they are duplicates whatever the id."""
    frame = frame.unique(maintain_order=True)
    if duplicated_rows(frame, id_cols) == 0:
        return list(id_cols)
    pool = [c for c in candidates if c not in id_cols and c in frame.columns]
    order = {c: (frame[c].n_unique(), i) for i, c in enumerate(pool)}
    pool.sort(key=order.__getitem__)
    for extra in pool:
        if duplicated_rows(frame, [*id_cols, extra]) == 0:
            return [*id_cols, extra]
    for pair in combinations(pool[:MAX_PAIR_CANDIDATES], 2):
        if duplicated_rows(frame, [*id_cols, *pair]) == 0:
            return [*id_cols, *pair]
    return None


def candidate_columns(plan) -> list[str]:
    """Header columns of an ingest plan (dashboard.ingest.mapping.Plan) that may become part of
    a composite id: never identifiers, free text or dropped columns, whose raw values would
    then end up in contact_id."""
    p = plan.profile
    banned = {plan.cols[c] for c in (*p.identifiers, *p.free_text) if c in plan.cols} | set(plan.dropped)
    named = [plan.cols[c] for c in (*p.started_at.source_columns(), *p.columns, *p.contact_id_columns)]
    return [c for c in dict.fromkeys([*named, *plan.unknown]) if c not in banned and not c.startswith("__missing__")]


def id_columns(plan) -> list[str]:
    p = plan.profile
    return [plan.cols[c] for c in p.contact_id_columns] or [plan.cols[p.field_sources()["contact_id"]]]


def toml_list(cols: list[str]) -> str:
    import json
    return "[" + ", ".join(json.dumps(c, ensure_ascii=False) for c in cols) + "]"

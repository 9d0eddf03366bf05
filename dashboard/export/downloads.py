"""What the dashboard and the CLI call: a `Download` (file name, MIME type, lazy bytes).

The bytes are built only when `data()` is called — Streamlit's `st.download_button(data=...)`
takes the callable and runs it when the user clicks — and every build is recorded in the audit
log before the bytes are handed out. A page render that is never clicked records nothing.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from dashboard import domain
from dashboard.export import audit
from dashboard.export.model import Column, Context, Table
from dashboard.export.tabular import INTERNATIONAL, SWEDISH, table_csv, table_xlsx
from dashboard.metrics.filters import FILTER_DIMENSIONS

MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
TABLE_FORMATS = {"csv": SWEDISH, "csv_intl": INTERNATIONAL, "xlsx": None}
# Filter fields of the engine's Filters printed with an export (the department is the scope).
FILTER_FIELDS = ("channels", "city_areas", "topics", "languages", "customer_types")
DRILL_FIELDS = ("weekdays", "hours")  # a heatmap cell's drill-down: named only when set


@dataclass(frozen=True)
class Download:
    file_name: str
    mime: str
    data: Callable[[], bytes]  # builds the file and writes the audit entry; pass to st.download_button
    # the audit records its builds wrote, newest last (the CLI appends the writing's outcome)
    records: list[dict] = field(default_factory=list, compare=False)


def slug(text: str) -> str:
    """ASCII file-name part: 'Förskoleförvaltningen' -> 'forskoleforvaltningen'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "data"


def file_name(what: str, scope: str, period: tuple[date, date], extension: str) -> str:
    start, end = period
    return f"{slug(what)}_{slug(scope)}_{start:%Y%m%d}-{end:%Y%m%d}.{extension}"


def filter_pairs(filters) -> tuple[tuple[str, str], ...]:
    """Every filter as (Swedish name, value in words); 'alla' where nothing is chosen."""
    pairs = []
    for field in FILTER_FIELDS:
        dim = FILTER_DIMENSIONS[field]
        words = [domain.label_for(dim, v) for v in getattr(filters, field, ()) or ()]
        pairs.append((domain.dimension_label(dim), ", ".join(words) if words else "alla"))
    for field in DRILL_FIELDS:
        values = getattr(filters, field, ()) or ()
        if values:
            dim = FILTER_DIMENSIONS[field]
            pairs.append((domain.dimension_label(dim),
                          ", ".join(domain.dimension_text(dim, v) for v in values)))
    return tuple(pairs)


def generation_time() -> datetime:
    """When an export is made, to the minute it prints ("Skapad"). SOURCE_DATE_EPOCH (the
    reproducible-builds convention, seconds since 1970) fixes it, so the same pack made twice is
    the same bytes: a test comparing two exports' checksums otherwise failed when they fell on
    either side of a minute."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if fixed.isdigit():
        return datetime.fromtimestamp(int(fixed)).astimezone()
    return datetime.now().astimezone().replace(microsecond=0)


def view_context(filters, *, title: str, data_version: int, threshold: int,
                 comparison: tuple[date, date] | None = None,
                 generated_at: datetime | None = None) -> Context:
    """The context of a dashboard view (or a pack): printed with every export."""
    departments = getattr(filters, "departments", ()) or ()
    if filters.start is None or filters.end is None:
        raise ValueError("En export behöver en period med både start- och slutdatum.")
    return Context(
        title=title,
        department=", ".join(departments) if departments else None,
        period=(filters.start, filters.end),
        comparison=comparison,
        filters=filter_pairs(filters),
        data_version=data_version,
        generated_at=generated_at or generation_time(),
        threshold=threshold,
        filter_values=tuple((k, v.isoformat() if isinstance(v, date) else list(v)
                             if isinstance(v, tuple) else v)
                            for k, v in vars(filters).items() if v not in (None, ())),
    )


def table_from_rows(title: str, columns: Sequence[tuple[str, str | None]],
                    rows: Sequence[Sequence], *, note: str | None = None) -> Table:
    """A table from (label, unit) columns and raw rows; hidden cells are the privacy package's
    `Hidden` objects, drawn by the writers."""
    cols = tuple(Column(f"c{i}", label, unit) for i, (label, unit) in enumerate(columns))
    return Table(title, cols, tuple(tuple(row) for row in rows), note)


def table_download(table: Table, fmt: str, context: Context, *, audit_log: Path | str,
                   user: str | None = None, via: str = "dashboard",
                   role: str | None = None) -> Download:
    """One table's data as CSV (`csv`: Swedish Excel, `csv_intl`: `,` and point) or XLSX."""
    if fmt not in TABLE_FORMATS:
        raise ValueError(f"Okänt format {fmt!r}. Giltiga: {', '.join(TABLE_FORMATS)}.")
    extension = "xlsx" if fmt == "xlsx" else "csv"
    name = file_name(table.title, context.scope, context.period, extension)

    def build() -> bytes:
        if fmt == "xlsx":
            content = table_xlsx(table, context)
        else:
            content = table_csv(table, context.threshold, TABLE_FORMATS[fmt])
        record_export(audit_log, "tabell", extension, name, context, via, user, content,
                      extra={"table": table.title}, role=role)
        return content

    return Download(name, MIME[extension], build)


def record_export(audit_log, what: str, fmt: str, name: str, context: Context, via: str,
                  user: str | None, content: bytes, extra: dict | None = None,
                  role: str | None = None, status: str = "delivered",
                  out: str | None = None) -> dict:
    """Append the export's audit line; returns the record written."""
    filters = {**dict(context.filter_values),
               "comparison": [d.isoformat() for d in context.comparison] if context.comparison
               else None, "data_version": context.data_version, **(extra or {})}
    return audit.append(audit_log, audit.entry_for(what, fmt, name, filters, via, user, content,
                                                   role, status, out))

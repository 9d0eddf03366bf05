"""Registry metrics through small-cell suppression: the rule for every `compute` frame.

`suppress_metrics` maps an engine frame (from `compute`) onto dashboard.privacy.suppression.
Every count a reader can see or work out is protected as a count (hidden from 1 to threshold − 1,
plus complementary cells so no hidden count can be recomputed from a published total):
- a count metric's value;
- every metric's basis `{id}__n` (it is printed next to the value);
- a proportion's numerator, which is value × n (shown or not, a reader can multiply);
- the declared sums of dashboard.privacy.structure (answered + abandoned + rest = offered) in
  every row, and every column against its ungrouped total.
Counts that are the same expression of the marts (forwarded and forwarded_rate's numerator,
contacts and digital_share's basis) are one column, so they are hidden in exactly the same cells.
Every other metric is a `Rate` over its basis and numerator: hidden when either count is hidden
or the basis is below the small-cell threshold. A rate that privacy lets through but whose basis
is under the metric's statistical minimum (`Metric.min_n_for`, the setting `rate_min_n`) is
flagged `{id}__uncertain`: shown, marked "osäker".
Counts equal by definition but not by expression (contacts and offered on a phone row) are caught
by value: a shown count equal to a hidden count of the same row is hidden too, and protected in
turn, until no shown count in a row repeats a hidden one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from dashboard.config import Settings
from dashboard.metrics import registry
from dashboard.metrics.metric import Metric
from dashboard.privacy.structure import SUMS
from dashboard.privacy.suppression import Rate, Suppression, suppress

# Complementary suppression handles tables of up to two dimensions; a frame broken down by
# more is protected as one list with a published total.
MAX_TABLE_DIMS = 2
_ROW = "__row"


class _Counts:
    """The distinct published counts of a frame: one hidden working column per expression."""

    def __init__(self) -> None:
        self.exprs: list[pl.Expr] = []
        self.columns: list[pl.Series] = []

    def find(self, expr: pl.Expr) -> str | None:
        for i, known in enumerate(self.exprs):
            if known.meta.eq(expr):
                return f"__count{i}"
        return None

    def column(self, expr: pl.Expr, values: pl.Series) -> str:
        known = self.find(expr)
        if known is not None:
            return known
        self.exprs.append(expr)
        self.columns.append(values.cast(pl.Int64).alias(f"__count{len(self.exprs) - 1}"))
        return self.columns[-1].name


def published_counts(frame: pl.DataFrame, metrics: Sequence[Metric]):
    """(working frame, metric id -> (basis column, numerator column or None), sums, rests). A
    count metric's own value is its basis; a proportion's numerator is recovered as
    round(value × n), exactly what a reader can do. sums: whole column -> part columns (the
    rest included) for each declared sum whose whole the frame publishes."""
    counts = _Counts()
    columns: dict[str, tuple[str, str | None]] = {}
    for m in metrics:  # count metrics first: their own column is the most exact source
        if m.kind == "count":
            columns[m.id] = (counts.column(m.n, frame.get_column(m.id)), None)
    for m in metrics:
        if m.kind == "count":
            continue
        n = frame.get_column(f"{m.id}__n")
        basis = counts.column(m.n, n)
        num = None
        if m.num is not None:
            num = counts.column(m.num, (frame.get_column(m.id) * n).round(0))
        columns[m.id] = (basis, num)
    work = frame.with_columns(counts.columns)
    sums: dict[str, list[str]] = {}
    rests = []
    for s in SUMS:
        whole = counts.find(pl.col(s.whole))
        parts = [c for c in (counts.find(pl.col(p)) for p in s.parts) if c is not None]
        if whole is None or not parts:
            continue
        rest = f"{whole}__rest"
        work = work.with_columns((pl.col(whole) - pl.sum_horizontal(parts)).alias(rest))
        sums[whole] = [*parts, rest]
        rests.append(rest)
    return work, columns, sums, rests


TOTAL = "\x00total"  # the key of a margin row in a joint table (never a real value)


@dataclass(frozen=True)
class Protected:
    """One protected table: the working frame (its count columns), which cells are hidden
    (working column -> reason per row), and the Suppression it came from."""

    work: pl.DataFrame
    columns: dict
    reasons: dict
    result: Suppression
    by: tuple[str, ...]


@dataclass(frozen=True)
class MetricsResult:
    """A `compute` frame with the frames one dimension coarser (by -> frame, down to the
    ungrouped total), so a breakdown is protected together with the margins that other tables
    publish: a cell hidden in the margin stays hidden, and nothing shown there is hidden here."""

    frame: pl.DataFrame
    margins: dict


def protect(frame: pl.DataFrame, metrics: Sequence[Metric], by: Sequence[str],
            settings: Settings, margins: Sequence[Protected] = ()) -> Protected:
    """Protect one table of registry metrics, with its published margins fixed."""
    work, columns, sums, rests = published_counts(frame, metrics)
    dims = list(by)
    if len(dims) > MAX_TABLE_DIMS:  # one list with a published total
        work, dims, margins = work.with_row_index(_ROW), [_ROW], ()
    count_columns = sorted({c for basis, num in columns.values() for c in (basis, num) if c})
    threshold = settings.small_cell_threshold
    rates = {m.id: Rate(columns[m.id][0], columns[m.id][1], min_count=threshold)
             for m in metrics if m.kind != "count"}
    counts = count_columns + rests
    options = dict(counts=counts, rates=rates, tie_equal_counts=True, threshold=threshold,
                   parts=sums, fixed=rests)
    if not margins:
        result = suppress(work, by=dims, **options)
    else:
        joint, hidden, fixed_rows = _joint(work, dims, margins, counts, list(rates))
        result = suppress(joint, by=[f"__k{j}" for j in range(len(dims))], total_label=TOTAL,
                          hidden_cells=hidden, fixed_rows=fixed_rows, **options)
    reasons = {c: result.reasons.get_column(c).to_list()[:work.height]
               for c in result.checked}
    return Protected(work, columns, reasons, result, tuple(by))


def _joint(work, dims, margins, counts, rate_ids):
    """The table's rows, then its margins' rows with TOTAL in the dimensions they lack."""
    def keyed(frame, present):
        return frame.select(
            *[(pl.col(d).cast(pl.String).fill_null("\x00null") if d in present else pl.lit(TOTAL))
              .alias(f"__k{j}") for j, d in enumerate(dims)],
            *[pl.col(c) for c in counts + rate_ids if c in frame.columns])
    parts = [keyed(work, dims)]
    hidden: dict[str, list[int]] = {c: [] for c in counts}
    fixed_rows = []
    offset = work.height
    for margin in margins:
        parts.append(keyed(margin.work, margin.by))
        for c in counts:
            hidden[c] += [offset + i for i, r in enumerate(margin.reasons.get(c, ())) if r]
        fixed_rows += range(offset, offset + margin.work.height)
        offset += margin.work.height
    joint = pl.concat(parts, how="diagonal_relaxed")
    return joint, hidden, fixed_rows


def suppress_metrics(frame: pl.DataFrame | MetricsResult, metric_ids: Sequence[str],
                     by: Sequence[str] = (), settings: Settings | None = None) -> pl.DataFrame:
    """The frame with hidden values (and their `{id}__n`) set to null, plus `{id}__suppressed`
    (bool), `{id}__reason` (small_count, small_denominator, complementary or null) and
    `{id}__uncertain` (bool: shown, but under the metric's statistical minimum). Given a
    MetricsResult, the table is protected jointly with its margins."""
    settings = settings or Settings()
    metrics = registry.resolve(metric_ids)
    if isinstance(frame, MetricsResult):
        protected = _with_margins(frame, metrics, tuple(by), settings)
        frame = frame.frame
    else:
        protected = protect(frame, metrics, by, settings)
    reasons = {m.id: protected.reasons[protected.columns[m.id][0] if m.kind == "count" else m.id]
               for m in metrics}
    certain = pl.Series([False] * frame.height, dtype=pl.Boolean)
    columns = []
    for m in {m.id: m for m in metrics}.values():  # each metric's columns read only its own
        # a value the engine could not compute (no basis at all) is missing, not hidden, unless
        # its basis is hidden (dashboard.privacy.suppression, the rule for rates)
        reason = pl.Series(f"{m.id}__reason", reasons[m.id], dtype=pl.String)
        hidden = reason.is_not_null()
        uncertain = certain
        if m.kind != "count":
            n = frame.get_column(f"{m.id}__n").cast(pl.Int64)
            uncertain = (~hidden & frame.get_column(m.id).is_not_null()
                         & (n < m.min_n_for(settings)).fill_null(False))
        columns += [
            pl.when(hidden).then(None).otherwise(pl.col(m.id)).alias(m.id),
            pl.when(hidden).then(None).otherwise(pl.col(f"{m.id}__n")).alias(f"{m.id}__n"),
            hidden.alias(f"{m.id}__suppressed"), reason.alias(f"{m.id}__reason"),
            uncertain.alias(f"{m.id}__uncertain"),
        ]
    return frame.with_columns(columns) if columns else frame


def _with_margins(bundle: MetricsResult, metrics, by: tuple[str, ...], settings) -> Protected:
    """Protect every coarser table first (the ungrouped total, then each dimension alone),
    exactly as a request for it would, then this one with those fixed."""
    if not by or len(by) > MAX_TABLE_DIMS:
        return protect(bundle.frame, metrics, by, settings)
    total = protect(bundle.margins[()], metrics, (), settings)
    if len(by) == 1:
        return protect(bundle.frame, metrics, by, settings, [total])
    ones = [protect(bundle.margins[(d,)], metrics, (d,), settings, [total]) for d in by]
    return protect(bundle.frame, metrics, by, settings, [*ones, total])


def margin_dims(by: Sequence[str]) -> list[tuple[str, ...]]:
    """The coarser tables a breakdown is protected with: every subset of its dimensions."""
    by = tuple(by)
    if not by or len(by) > MAX_TABLE_DIMS:
        return []
    out = [()]
    if len(by) == 2:
        out += [(by[0],), (by[1],)]
    return out


def completing_ids(metric_ids: Sequence[str]) -> list[str]:
    """Registry metrics to compute beside `metric_ids` so that every declared sum a table
    touches is protected whole: the sum's whole and its parts, as far as the registry publishes
    them. Every table touching a sum then hides the same cells of it, whichever of its members
    the caller asked for."""
    metrics = registry.resolve(metric_ids)
    touched = set()
    for m in metrics:
        for expr in (m.n, m.num):
            if expr is None:
                continue
            for s in SUMS:
                if any(expr.meta.eq(pl.col(c)) for c in (s.whole, *s.parts)):
                    touched.add(s)
    extra: list[str] = []
    for s in sorted(touched, key=SUMS.index):
        for column in (s.whole, *s.parts):
            found = _publisher_of(column)
            if found and found not in metric_ids and found not in extra:
                extra.append(found)
    return extra


def _publisher_of(column: str) -> str | None:
    """A registry metric that publishes the mart column as a count: a count metric of it, else
    a metric with it as basis."""
    expr = pl.col(column)
    candidates = list(registry.REGISTRY.values())
    for m in candidates:
        if m.kind == "count" and m.n.meta.eq(expr):
            return m.id
    for m in candidates:
        if m.n.meta.eq(expr) and not m.inferred:
            return m.id
    return None

"""Small-cell suppression: the algorithm behind every figure the privacy package publishes.

Rules (docs/privacy.md has the worked example):
- a count from 1 to threshold - 1 is hidden (`small_count`); 0 is shown, as in SCB's tables;
- a rate, mean or other value computed over a count is hidden when that count is below the
  metric's minimum (`small_denominator`), or when the count itself is hidden in the same table;
  a value that could not be computed (null: nothing to compute it on, such as a satisfaction
  mean without survey answers) is missing, not hidden, unless its count is hidden (a missing
  mean would tell that the hidden count is 0);
  a rate with a declared numerator (`Rate.numerator`) also when that count is hidden, since
  rate × n gives it back (dashboard.privacy.tables declares every rate's numerator);
- with `tie_equal_counts`, a shown count equal to a hidden count of the same row is hidden too;
- complementary suppression (`complementary`): where totals are published (in the frame or
  elsewhere, e.g. the city total), further cells are hidden until no hidden cell can be computed
  from the visible ones along any row, column or declared sum (parts -> whole);
- `fixed` count columns are known to readers without being printed (e.g. the rest of a sum,
  offered − answered − abandoned): never hidden, they count as visible on every line.

How: a table with its totals is a set of linear identities, one per line (row, column or parts
-> whole), each cell on at most two lines. With the totals' signs flipped this is the incidence
matrix of a graph (lines are nodes, cells edges, lines without a known total merged into one
node), and a hidden cell is exactly computable iff its edge is a bridge among the hidden cells.
We hide the smallest non-zero cell in any line with exactly one hidden cell, then close any
bridge left by the cheapest path of extra cells (zeros and totals are used only as a last resort).
A two-way table with declared parts puts each cell on three lines (row, column, its row's sum):
it is protected as several graphs (each count column as a two-way table, each row's sum on its
own) in turn until none of them changes any more.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

SMALL_COUNT = "small_count"
SMALL_DENOMINATOR = "small_denominator"
COMPLEMENTARY = "complementary"

_EXPLANATIONS_SV = {
    SMALL_COUNT: "Färre än {t} – döljs för att ingen enskild person ska kunna pekas ut.",
    # a rate's base is contacts or calls, a satisfaction mean's is survey answers
    SMALL_DENOMINATOR: "Bygger på färre än {t} kontakter eller enkätsvar och visas därför inte.",
    COMPLEMENTARY: "Dold så att en annan dold siffra inte kan räknas fram ur summan.",
}
_ZERO_COST = 1e12  # a zero hides little: use one only when no non-zero cell will do
_TOTAL_COST = 1e15  # hiding a total costs readers most: last resort


# A complementary cell of a two-way table, said with the lines it protects (`totals`).
_COMPLEMENTARY_LINES_SV = (
    "Dold fast den kan vara stor: summorna {totals} går att se i andra diagram och nyckeltal, "
    "så utan den kunde en dold liten siffra i samma rad eller kolumn räknas fram genom att dra "
    "de synliga rutorna från summan.")


def explain(reason: str, threshold: int, totals: str | None = None) -> str:
    """A Swedish sentence for a suppression reason, for tooltips and footnotes. `totals` names
    the rows and columns of a two-way table whose sums are known ("per veckodag (rad) och per
    tid på dagen (kolumn)"): a complementary cell is then explained along them."""
    if reason == COMPLEMENTARY and totals:
        return _COMPLEMENTARY_LINES_SV.format(totals=totals)
    return _EXPLANATIONS_SV[reason].format(t=threshold)


@dataclass(frozen=True)
class Rate:
    """A value computed over a count column: hidden when `denominator` < min_count (default: the
    threshold) or hidden; with `numerator` also when the numerator count is hidden."""

    denominator: str
    numerator: str | None = None
    min_count: int | None = None


@dataclass(frozen=True)
class Suppression:
    """The suppressed table. `frame` has the input's columns with hidden cells null (no hidden
    value is kept anywhere); `reasons` has the `by` columns and, per checked column, the reason
    a cell is hidden (null where shown). `derivable` lists (row, column) cells that are hidden
    but still equal a published total minus visible cells (nothing else in the table could hide
    them, e.g. the only category of a published total): the caller should not show that table."""

    frame: pl.DataFrame
    reasons: pl.DataFrame
    threshold: int
    checked: tuple[str, ...]
    derivable: tuple[tuple[int, str], ...] = ()

    def is_suppressed(self, column: str) -> pl.Series:
        return self.reasons.get_column(column).is_not_null().alias(column)

    @property
    def any(self) -> bool:
        return any(self.reasons.get_column(c).is_not_null().any() for c in self.checked)

    def with_flags(self) -> pl.DataFrame:
        """frame plus `{col}__suppressed` (bool) and `{col}__reason` per checked column."""
        extra = []
        for c in self.checked:
            reason = self.reasons.get_column(c)
            extra += [reason.is_not_null().alias(f"{c}__suppressed"), reason.alias(f"{c}__reason")]
        return self.frame.with_columns(extra)


def suppress(
    frame: pl.DataFrame,
    *,
    counts: Sequence[str] = (),
    rates: Mapping[str, str | Rate] | None = None,
    threshold: int = 5,
    by: Sequence[str] = (),
    total_label: object = None,
    margins_known: bool = True,
    parts: Mapping[str, Sequence[str]] | None = None,
    hidden_cells: Mapping[str, Sequence[int]] | None = None,
    tie_equal_counts: bool = False,
    fixed: Sequence[str] = (),
    fixed_rows: Sequence[int] = (),
) -> Suppression:
    """Hide small counts, rates over small counts, and the complementary cells.

    counts: count columns (1 .. threshold-1 hidden). rates: rate/mean column -> its denominator
    count column (or a Rate). by: the table's dimension columns, 0, 1 or 2 (rows x columns).
    total_label: the value of a `by` column that marks a total (margin) row in the frame, e.g.
    "Totalt"; None when the frame holds no total rows. margins_known: totals not in the frame
    are published elsewhere (the city total, another page); True is the safe default.
    parts: whole -> parts count columns that sum to it in every row (answered + abandoned +
    rest = offered).
    fixed: count columns readers know without seeing them (the rest of a declared sum): never
    hidden, never printed; list them in `counts` and `parts` as well.
    fixed_rows: rows already published elsewhere (the margins of a breakdown, from the table one
    dimension coarser): their hidden cells come in `hidden_cells`, and no further cell of them
    is hidden here, or the other table would show it.
    hidden_cells: count column -> rows hidden for a reason outside this table (`complementary`),
    e.g. because the cell equals a hidden count of another column; protected like any other.
    tie_equal_counts: a shown non-zero count equal to a hidden count of the same row is hidden
    too (`complementary`), and protected in turn, until none is left: for count columns that
    are equal by definition in some rows (contacts and calls offered on a phone row).
    """
    if threshold < 1:
        raise ValueError("Tröskeln för små tal måste vara minst 1.")
    by, counts = list(by), list(counts)
    rate_specs = {c: (r if isinstance(r, Rate) else Rate(r)) for c, r in (rates or {}).items()}
    parts = {w: list(p) for w, p in (parts or {}).items()}
    _check_columns(frame, by, counts, rate_specs, parts)
    fixed = set(fixed)
    fixed_rows = set(fixed_rows)

    values = {c: frame.get_column(c).to_list() for c in counts}
    reasons: dict[str, list[str | None]] = {
        c: [SMALL_COUNT if v is not None and 0 < v < threshold and c not in fixed
            and i not in fixed_rows else None for i, v in enumerate(values[c])]
        for c in counts
    }
    for col, rows in (hidden_cells or {}).items():
        for i in rows:
            if reasons[col][i] is None and values[col][i] is not None:
                reasons[col][i] = COMPLEMENTARY
    keys = [frame.get_column(b).to_list() for b in by]
    tables = _tables(counts, parts, by)
    left: dict[int, list] = {}  # table -> its cells that stay derivable
    todo = set(range(len(tables)))
    while todo:  # a table whose hidden cells did not change is already protected
        t = min(todo)
        todo.discard(t)
        cols, dims = tables[t]
        before = {c: list(reasons[c]) for c in cols}
        left[t] = _protect(cols, keys if dims else [], values, reasons, total_label,
                           margins_known, by if dims else [], parts, fixed, fixed_rows)
        changed = {c for c in cols if reasons[c] != before[c]}
        todo |= {u for u, (other, _) in enumerate(tables) if u != t and changed & set(other)}
        if not todo and tie_equal_counts:
            ties = _equal_to_hidden(counts, values, reasons, fixed, fixed_rows)
            for col, i in ties:
                reasons[col][i] = COMPLEMENTARY
            todo = {u for u, (table, _) in enumerate(tables) for col, _ in ties if col in table}
    derivable = [cell for t in sorted(left) for cell in left[t]]
    if fixed_rows:  # fail closed: margins cannot change, so the table gives up the column
        for col in sorted({c for i, c in derivable if i not in fixed_rows}):
            for i, v in enumerate(values[col]):
                if i not in fixed_rows and v and reasons[col][i] is None:
                    reasons[col][i] = COMPLEMENTARY
        derivable = [(i, c) for i, c in derivable if i in fixed_rows]

    for col, spec in rate_specs.items():
        reasons[col] = _rate_reasons(frame, col, spec, threshold, reasons)

    checked = tuple(counts) + tuple(rate_specs)
    hidden = {c: pl.Series(c, reasons[c], dtype=pl.String) for c in checked}
    out = frame.with_columns(
        [pl.when(hidden[c].is_not_null()).then(None).otherwise(pl.col(c)).alias(c) for c in checked]
    )
    reason_frame = frame.select(by).with_columns(list(hidden.values())) if by else pl.DataFrame(
        list(hidden.values())
    )
    return Suppression(out, reason_frame, threshold, checked, tuple(sorted(derivable)))


def _equal_to_hidden(counts, values, reasons, fixed=frozenset(),
                     fixed_rows=frozenset()) -> list[tuple[str, int]]:
    """Shown non-zero counts equal to a hidden count of the same row."""
    n = len(values[counts[0]]) if counts else 0
    out = []
    for i in (i for i in range(n) if i not in fixed_rows):
        secret = {values[c][i] for c in counts if reasons[c][i] is not None} - {None, 0}
        out += [(c, i) for c in counts
                if c not in fixed and reasons[c][i] is None and values[c][i] in secret]
    return out


def _check_columns(frame, by, counts, rate_specs, parts) -> None:
    if len(by) > 2:
        raise ValueError("Undertryckning stöder tabeller med högst två dimensioner.")
    needed = set(by) | set(counts) | set(rate_specs)
    needed |= {s.denominator for s in rate_specs.values()}
    needed |= {s.numerator for s in rate_specs.values() if s.numerator}
    for whole, members in parts.items():
        if whole not in counts or any(m not in counts for m in members):
            raise ValueError(f"Delsumman {whole} = {' + '.join(members)} måste bestå av count-kolumner.")
    seen = [c for whole, members in parts.items() for c in (whole, *members)]
    if len(seen) != len(set(seen)):
        raise ValueError("En kolumn får bara ingå i en delsumma (parts).")
    missing = sorted(needed - set(frame.columns))
    if missing:
        raise ValueError(f"Kolumner saknas i tabellen: {', '.join(missing)}.")


def _tables(counts, parts, by) -> list[tuple[list[str], bool]]:
    """Groups of count columns protected together, each with whether the `by` lines apply: a
    whole with its parts, or one column. In a two-way table a sum is protected row by row on its
    own and each of its columns as a two-way table."""
    in_parts = {c for whole, members in parts.items() for c in (whole, *members)}
    if len(by) > 1:
        sums = [([*members, whole], False) for whole, members in parts.items()]
        return sums + [([c], True) for c in counts]
    tables = [([*members, whole], True) for whole, members in parts.items()]
    return tables + [([c], True) for c in counts if c not in in_parts]


def _rate_reasons(frame, column: str, spec: Rate, threshold, reasons) -> list[str | None]:
    minimum = threshold if spec.min_count is None else spec.min_count
    denominators = frame.get_column(spec.denominator).to_list()
    values = frame.get_column(column).to_list()
    hidden_den = reasons.get(spec.denominator, [None] * len(denominators))
    hidden_num = reasons.get(spec.numerator, [None] * len(denominators)) if spec.numerator else None
    out = []
    for i, d in enumerate(denominators):
        if _no_value(values[i]) and hidden_den[i] is None:
            out.append(None)  # nothing to compute on, and the count says so: missing, not hidden
        elif d is not None and d < minimum:
            out.append(SMALL_DENOMINATOR)
        elif hidden_den[i] is not None or (hidden_num is not None and hidden_num[i] is not None):
            out.append(SMALL_DENOMINATOR if hidden_den[i] == SMALL_COUNT else COMPLEMENTARY)
        else:
            out.append(None)
    return out


def _no_value(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# ------------------------------------------------------------------------ the protection graph

@dataclass
class _Cell:
    row: int
    col: str
    value: float
    nodes: tuple[int, int]  # the cell's two lines; 0 = lines without a known total
    is_total: bool
    fixed: bool = False  # known to readers: can never be hidden


def _protect(table, keys, values, reasons, total_label, margins_known, by, parts, fixed,
             fixed_rows) -> list:
    """Add complementary suppressions for one table; return cells that stay derivable."""
    if all(r is None for c in table for r in reasons[c]):
        return []  # nothing hidden: nothing to protect
    cells = _cells(table, keys, values, total_label, margins_known, by, parts, fixed, fixed_rows)
    if not cells:
        return []
    hidden = {i for i, c in enumerate(cells) if reasons[c.col][c.row] is not None}
    _pin(cells, hidden)
    hidden |= _line_rule(cells, hidden)
    unfixable: set[int] = set()
    while bridges := _bridges(cells, hidden) - unfixable:
        e = min(bridges, key=lambda i: (cells[i].value, i))
        path = _cheapest_path(cells, hidden, e)
        if path is None:
            unfixable.add(e)
        else:
            hidden |= path
    for i in hidden:
        c = cells[i]
        if reasons[c.col][c.row] is None:
            reasons[c.col][c.row] = COMPLEMENTARY
    return [(cells[i].row, cells[i].col) for i in unfixable]


def _cells(table, keys, values, total_label, margins_known, by, parts, fixed,
           fixed_rows) -> list[_Cell]:
    n = len(values[table[0]])
    whole = table[-1] if table[-1] in parts else None

    def is_total(i: int) -> bool:
        return total_label is not None and any(k[i] == total_label for k in keys)

    present = set()  # lines whose total cell is in the frame
    for i in range(n):
        row_line, col_lines = _line_keys(keys, i, table, by, whole)
        for col, col_line in zip(table, col_lines):
            if values[col][i] is None or total_label is None:
                continue
            if keys and keys[0][i] == total_label:
                present.add(col_line)
            if len(by) == 2 and keys[1][i] == total_label:
                present.add(row_line)
    nodes: dict = {}

    def node(line) -> int:
        if line is None or not (line[0] == "r1" or margins_known or line in present):
            return 0
        return nodes.setdefault(line, len(nodes) + 1)

    cells = []
    for i in range(n):
        row_line, col_lines = _line_keys(keys, i, table, by, whole)
        for col, col_line in zip(table, col_lines):
            if values[col][i] is not None:
                total = col == whole or is_total(i)
                cells.append(_Cell(i, col, values[col][i], (node(row_line), node(col_line)), total,
                                   col in fixed or i in fixed_rows))
    return cells


def _line_keys(keys, i, table, by, whole):
    """(row line, [column line per table column]); None = no such line. "r1": a row of parts ->
    whole (its total, the whole, is always in the frame); "r2": a row of a 2-D table; "c": a
    column across the groups, whose total is the total row."""
    if len(by) == 2:
        return ("r2", keys[0][i]), [("c", (col, keys[1][i])) for col in table]
    row = ("r1", i) if whole is not None else None
    return row, [("c", col) if by else None for col in table]


def _pin(cells: list[_Cell], hidden: set[int]) -> None:
    """A shown cell that is the only one of its line not fixed is known to readers (total minus
    the fixed cells): treat it as fixed, so it is never spent as a protection."""
    lines: dict[int, list[int]] = {}
    for i, c in enumerate(cells):
        for node in set(c.nodes) - {0}:
            lines.setdefault(node, []).append(i)
    changed = True
    while changed:
        changed = False
        for members in lines.values():
            free = [i for i in members if not cells[i].fixed]
            if len(free) == 1 and free[0] not in hidden:
                cells[free[0]].fixed = True
                changed = True


def _line_rule(cells: list[_Cell], hidden: set[int]) -> set[int]:
    """Hide the cheapest other cell of every line that has exactly one hidden cell, until stable."""
    lines: dict[int, list[int]] = {}
    for i, c in enumerate(cells):
        for node in set(c.nodes) - {0}:
            lines.setdefault(node, []).append(i)
    hidden = set(hidden)
    changed = True
    while changed:
        changed = False
        for members in lines.values():
            if sum(i in hidden for i in members) == 1:
                candidates = [i for i in members if i not in hidden and not cells[i].fixed]
                if candidates:
                    hidden.add(min(candidates, key=lambda i: (_cost(cells[i]), i)))
                    changed = True
    return hidden


def _cost(c: _Cell) -> float:
    if c.fixed:
        return float("inf")
    return c.value + (_TOTAL_COST if c.is_total else 0) + (_ZERO_COST if c.value == 0 else 0)


def _bridges(cells: list[_Cell], hidden: set[int]) -> set[int]:
    """Hidden cells that are bridges among the hidden cells (iterative Tarjan, multigraph)."""
    adj: dict[int, list[tuple[int, int]]] = {}
    for i in hidden:
        u, v = cells[i].nodes
        if u != v:  # a loop lies on its own cycle
            adj.setdefault(u, []).append((v, i))
            adj.setdefault(v, []).append((u, i))
    disc: dict[int, int] = {}
    low: dict[int, int] = {}
    found: set[int] = set()
    for root in adj:
        if root in disc:
            continue
        disc[root] = low[root] = len(disc)
        stack = [(root, -1, iter(adj[root]))]
        while stack:
            node, via, edges = stack[-1]
            for nxt, eid in edges:
                if eid == via:
                    continue
                if nxt not in disc:
                    disc[nxt] = low[nxt] = len(disc)
                    stack.append((nxt, eid, iter(adj[nxt])))
                    break
                low[node] = min(low[node], disc[nxt])
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > disc[parent]:
                        found.add(via)
    return found


def _cheapest_path(cells: list[_Cell], hidden: set[int], bridge: int) -> set[int] | None:
    """Cells (hidden ones cost nothing) joining the bridge's two lines without the bridge."""
    adj: dict[int, list[tuple[int, int]]] = {}
    for i, c in enumerate(cells):
        if i != bridge and c.nodes[0] != c.nodes[1]:
            adj.setdefault(c.nodes[0], []).append((c.nodes[1], i))
            adj.setdefault(c.nodes[1], []).append((c.nodes[0], i))
    start, goal = cells[bridge].nodes
    best = {start: 0.0}
    came: dict[int, tuple[int, int]] = {}
    queue = [(0.0, start)]
    while queue:
        dist, node = heapq.heappop(queue)
        if node == goal:
            path, at = set(), goal
            while at != start:
                at, eid = came[at]
                path.add(eid)
            return path - hidden
        if dist > best.get(node, float("inf")):
            continue
        for nxt, eid in adj.get(node, ()):
            if cells[eid].fixed and eid not in hidden:
                continue
            d = dist + (0.0 if eid in hidden else _cost(cells[eid]))
            if d < best.get(nxt, float("inf")):
                best[nxt] = d
                came[nxt] = (node, eid)
                heapq.heappush(queue, (d, nxt))
    return None

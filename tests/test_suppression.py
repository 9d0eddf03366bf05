"""Small-cell suppression: hand-worked tables and an independent disclosure audit.

The audit does not use the module's graph: it writes every line of a table as a linear identity
(cells minus total = 0) and asks numpy whether any hidden cell is fixed by the visible ones
(x_k is determined iff dropping column k lowers the rank of the hidden cells' matrix).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.privacy.suppression import (
    COMPLEMENTARY, SMALL_COUNT, SMALL_DENOMINATOR, Rate, explain, suppress,
)

T = "Totalt"


def determined(equations: list[tuple[list[int], int]], hidden: set[int]) -> set[int]:
    """Hidden cells whose value follows from visible cells and the identities sum(parts) = total."""
    order = sorted(hidden)
    if not order:
        return set()
    a = np.zeros((len(equations), len(order)))
    col = {cell: j for j, cell in enumerate(order)}
    for r, (members, total) in enumerate(equations):
        for m in members:
            if m in col:
                a[r, col[m]] += 1
        if total in col:
            a[r, col[total]] -= 1
    full = np.linalg.matrix_rank(a) if len(equations) else 0
    return {cell for cell in order
            if len(equations) and full > np.linalg.matrix_rank(np.delete(a, col[cell], axis=1))}


def one_dim(values: list[int], total: bool = True) -> pl.DataFrame:
    names = [chr(ord("A") + i) for i in range(len(values))]
    if total:
        names, values = names + [T], values + [sum(values)]
    return pl.DataFrame({"area": names, "n": values})


def hidden_rows(result, column="n") -> dict[str, str]:
    flags = result.with_flags()
    keys = flags.columns[0]
    return {k: r for k, r in zip(flags[keys], flags[f"{column}__reason"]) if r is not None}


# ------------------------------------------------------------------------- one dimension

def test_single_small_cell_gets_the_next_smallest_as_complement():
    result = suppress(one_dim([3, 12, 7, 25]), counts=["n"], by=["area"], total_label=T)
    assert hidden_rows(result) == {"A": SMALL_COUNT, "C": COMPLEMENTARY}
    assert result.frame["n"].to_list() == [None, 12, None, 25, 47]


def test_two_small_cells_protect_each_other():
    result = suppress(one_dim([2, 4, 30, 50]), counts=["n"], by=["area"], total_label=T)
    assert hidden_rows(result) == {"A": SMALL_COUNT, "B": SMALL_COUNT}


def test_zero_is_shown_and_not_used_as_complement():
    result = suppress(one_dim([3, 0, 20, 30]), counts=["n"], by=["area"], total_label=T)
    assert hidden_rows(result) == {"A": SMALL_COUNT, "C": COMPLEMENTARY}
    assert result.frame["n"].to_list() == [None, 0, None, 30, 53]


def test_a_zero_is_the_complement_when_nothing_else_is_left():
    result = suppress(one_dim([3, 0, 0], total=False), counts=["n"], by=["area"])
    assert hidden_rows(result) == {"A": SMALL_COUNT, "B": COMPLEMENTARY}


def test_small_total_is_hidden_too():
    result = suppress(one_dim([1, 3]), counts=["n"], by=["area"], total_label=T)
    assert hidden_rows(result) == {"A": SMALL_COUNT, "B": SMALL_COUNT, T: SMALL_COUNT}


def test_total_published_elsewhere_still_needs_a_complement():
    result = suppress(one_dim([3, 12, 7], total=False), counts=["n"], by=["area"])
    assert hidden_rows(result) == {"A": SMALL_COUNT, "C": COMPLEMENTARY}


def test_without_any_known_total_only_small_counts_are_hidden():
    result = suppress(one_dim([3, 12, 7], total=False), counts=["n"], by=["area"], margins_known=False)
    assert hidden_rows(result) == {"A": SMALL_COUNT}


def test_only_category_of_a_published_total_is_reported_as_derivable():
    result = suppress(one_dim([3], total=False), counts=["n"], by=["area"])
    assert hidden_rows(result) == {"A": SMALL_COUNT}
    assert result.derivable == ((0, "n"),)


# ------------------------------------------------------------------------- two dimensions

def two_dim(grid: list[list[int]], margins: bool = True) -> pl.DataFrame:
    rows, cols = "abcdefgh"[: len(grid)], "xyzuvw"[: len(grid[0])]
    records = [(r, c, grid[i][j]) for i, r in enumerate(rows) for j, c in enumerate(cols)]
    if margins:
        records += [(r, T, sum(grid[i])) for i, r in enumerate(rows)]
        records += [(T, c, sum(row[j] for row in grid)) for j, c in enumerate(cols)]
        records += [(T, T, sum(map(sum, grid)))]
    return pl.DataFrame(records, schema=["row", "col", "n"], orient="row")


def hidden_cells(result) -> dict[tuple[str, str], str]:
    f = result.with_flags()
    return {(r, c): why for r, c, why in zip(f["row"], f["col"], f["n__reason"]) if why is not None}


@pytest.mark.parametrize("grid, expected", [
    # one small cell: its row's and column's next smallest, and the cell closing the rectangle
    ([[2, 10, 20], [15, 9, 30], [25, 40, 8]],
     {("a", "x"): SMALL_COUNT, ("a", "y"): COMPLEMENTARY,
      ("b", "x"): COMPLEMENTARY, ("b", "y"): COMPLEMENTARY}),
    # the second small cell (b, y) is a corner of the same rectangle: two complements suffice
    ([[2, 10, 20], [15, 3, 30], [25, 40, 8]],
     {("a", "x"): SMALL_COUNT, ("b", "y"): SMALL_COUNT,
      ("a", "y"): COMPLEMENTARY, ("b", "x"): COMPLEMENTARY}),
])
def test_two_dim_small_cells_hide_a_rectangle(grid, expected):
    result = suppress(two_dim(grid), counts=["n"], by=["row", "col"], total_label=T)
    assert hidden_cells(result) == expected


def test_bridge_between_two_hidden_blocks_is_closed():
    # Two blocks of small cells joined by (b, z): every row and column has two hidden cells, but
    # rows a+b minus columns x+y still gives (b, z) exactly. The cheapest fix is (d, x) = 6.
    grid = [
        [1, 2, 50, 60],
        [3, 4, 2, 70],
        [40, 45, 1, 2],
        [6, 30, 3, 4],
    ]
    result = suppress(two_dim(grid), counts=["n"], by=["row", "col"], total_label=T)
    small = {(r, c) for r, c in hidden_cells(result) if hidden_cells(result)[(r, c)] == SMALL_COUNT}
    assert len(small) == 9
    assert {k for k, v in hidden_cells(result).items() if v == COMPLEMENTARY} == {("d", "x")}


# ------------------------------------------------------------------- parts, rates, checks

def test_parts_of_a_whole_in_one_row():
    frame = pl.DataFrame({"offered": [120], "answered": [117], "abandoned": [3]})
    result = suppress(frame, counts=["offered", "answered", "abandoned"],
                      parts={"offered": ["answered", "abandoned"]})
    row = result.with_flags().row(0, named=True)
    assert row["abandoned__reason"] == SMALL_COUNT and row["answered__reason"] == COMPLEMENTARY
    assert row["offered"] == 120 and row["answered"] is None and row["abandoned"] is None


def test_rates_follow_their_denominator():
    frame = pl.DataFrame({
        "area": ["A", "B", "C", "D"], "offered": [3, 12, 7, 40], "answered": [3, 10, 4, 30],
        "answer_rate": [1.0, 10 / 12, 4 / 7, 0.75], "satisfaction_mean": [4.0, 3.5, 4.2, 3.9],
        "surveys": [3, 8, 7, 40],
    })
    result = suppress(
        frame, counts=["offered"], by=["area"],
        rates={"answer_rate": "offered", "satisfaction_mean": Rate("surveys", min_count=10)},
    )
    f = result.with_flags()
    assert f["offered__reason"].to_list() == [SMALL_COUNT, None, COMPLEMENTARY, None]
    assert f["answer_rate__reason"].to_list() == [SMALL_DENOMINATOR, None, COMPLEMENTARY, None]
    assert f["satisfaction_mean__reason"].to_list() == [SMALL_DENOMINATOR] * 3 + [None]
    assert f["answer_rate"].to_list()[1] == pytest.approx(10 / 12)


def test_a_rate_with_nothing_to_rest_on_is_missing_unless_its_count_is_hidden():
    """No survey answers: the mean is null over a shown 0, which tells nothing hidden, so it is
    missing ("–"), not hidden. The same null over a count hidden as a complement stays hidden:
    "–" there would tell that the hidden count is 0."""
    frame = pl.DataFrame({"area": ["A", "B", "C", "D"], "surveys": [0, 0, 12, 3],
                          "mean": [None, None, 4.1, 3.0]}, schema_overrides={"mean": pl.Float64})
    result = suppress(frame, counts=["surveys"], by=["area"], rates={"mean": "surveys"},
                      hidden_cells={"surveys": [1]})
    assert result.reasons["surveys"].to_list()[:2] == [None, COMPLEMENTARY]
    assert result.reasons["mean"].to_list()[0] is None
    assert result.reasons["mean"].to_list()[1] is not None  # hidden (over fewer than 5)
    assert result.reasons["mean"].to_list()[3] == SMALL_DENOMINATOR
    nan = suppress(frame.with_columns(pl.col("mean").fill_null(float("nan"))), counts=["surveys"],
                   by=["area"], rates={"mean": "surveys"})
    assert nan.reasons["mean"].to_list()[0] is None


def test_rate_with_declared_numerator_hides_with_it():
    frame = pl.DataFrame({"abandoned": [3, 20], "offered": [100, 100], "abandon_rate": [0.03, 0.2]})
    loose = suppress(frame, counts=["abandoned"], rates={"abandon_rate": "offered"})
    strict = suppress(frame, counts=["abandoned"], rates={"abandon_rate": Rate("offered", "abandoned")})
    assert loose.frame["abandon_rate"].to_list() == [0.03, 0.2]
    assert strict.frame["abandon_rate"].to_list() == [None, 0.2]


def test_nothing_hidden_keeps_the_frame():
    frame = one_dim([10, 20, 30])
    result = suppress(frame, counts=["n"], by=["area"], total_label=T)
    assert not result.any and result.frame.equals(frame)


def test_nulls_stay_null_without_a_reason():
    frame = pl.DataFrame({"area": ["A", "B"], "n": [None, 10]})
    assert suppress(frame, counts=["n"], by=["area"]).reasons["n"].to_list() == [None, None]


@pytest.mark.parametrize("kwargs, message", [
    ({"counts": ["n"], "by": ["a", "b", "c"]}, "två dimensioner"),
    ({"counts": ["missing"]}, "saknas"),
    ({"counts": ["n"], "threshold": 0}, "minst 1"),
    ({"counts": ["n"], "parts": {"n": ["m"]}}, "count-kolumner"),
])
def test_bad_arguments_are_refused(kwargs, message):
    frame = pl.DataFrame({"a": [1], "b": [1], "c": [1], "n": [3], "m": [3]})
    with pytest.raises(ValueError, match=message):
        suppress(frame, **kwargs)


def test_explanations_are_swedish_and_name_the_threshold():
    assert "5" in explain(SMALL_COUNT, 5) and "kontakter" in explain(SMALL_DENOMINATOR, 5)
    assert "räknas fram" in explain(COMPLEMENTARY, 5)


# ------------------------------------------------------------------------ property tests

SMALLISH = st.one_of(st.integers(0, 6), st.integers(0, 60))
AUDIT = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _grid_equations(n_rows: int, n_cols: int) -> list[tuple[list[int], int]]:
    """Cells numbered r * (n_cols + 1) + c over a grid whose last row and column are totals."""
    width = n_cols + 1
    rows = [([r * width + c for c in range(n_cols)], r * width + n_cols) for r in range(n_rows + 1)]
    cols = [([r * width + c for r in range(n_rows)], n_rows * width + c) for c in range(n_cols + 1)]
    return rows + cols


def _check_protected(grid_values, hidden, equations, threshold, derivable=frozenset()):
    """Nothing hidden can be computed, except cells the result itself reports as derivable."""
    assert determined(equations, hidden) == set(derivable)
    for i, v in enumerate(grid_values):
        assert (0 < v < threshold) <= (i in hidden)  # every small count is hidden
    for members, total in equations:  # the literal rule: no line with exactly one hidden cell
        cells = [*members, total]
        assert sum(c in hidden for c in cells) != 1 or set(cells) & set(derivable)


@AUDIT
@given(st.lists(st.lists(SMALLISH, min_size=1, max_size=5), min_size=1, max_size=5).filter(
    lambda g: len({len(r) for r in g}) == 1), st.booleans(), st.integers(3, 10))
def test_two_dim_no_hidden_cell_is_derivable(grid, margins_in_frame, threshold):
    frame = two_dim(grid, margins=True)
    if not margins_in_frame:  # published elsewhere: not in the frame, but known
        frame = frame.filter((pl.col("row") != T) & (pl.col("col") != T))
    result = suppress(frame, counts=["n"], by=["row", "col"], total_label=T, threshold=threshold)
    n_rows, n_cols = len(grid), len(grid[0])
    names_r, names_c = list("abcdefgh"[:n_rows]) + [T], list("xyzuvw"[:n_cols]) + [T]
    index = {(r, c): i * (n_cols + 1) + j for i, r in enumerate(names_r) for j, c in enumerate(names_c)}
    values = [0] * len(index)
    for r, c, v in two_dim(grid).iter_rows():
        values[index[(r, c)]] = v
    hidden = {index[k] for k in hidden_cells(result)}
    if not margins_in_frame:  # totals outside the frame are visible; only small ones matter there
        values = [0 if (i % (n_cols + 1) == n_cols or i >= n_rows * (n_cols + 1)) else v
                  for i, v in enumerate(values)]
    derivable = {index[(frame["row"][i], frame["col"][i])] for i, _ in result.derivable}
    if margins_in_frame:  # totals in the frame can themselves be hidden: always protectable
        assert derivable == set()
    else:  # only a cell alone in a line whose other total is published may stay derivable
        assert all(n_rows == 1 or n_cols == 1 for _ in derivable)
    _check_protected(values, hidden, _grid_equations(n_rows, n_cols), threshold, derivable)


@AUDIT
@given(st.lists(SMALLISH, min_size=2, max_size=12), st.booleans())
def test_one_dim_no_hidden_cell_is_derivable(values, total_in_frame):
    frame = one_dim(values, total=total_in_frame)
    result = suppress(frame, counts=["n"], by=["area"], total_label=T)
    hidden = {i for i, why in enumerate(result.reasons["n"]) if why is not None}
    full = values + [sum(values)]
    equations = [(list(range(len(values))), len(values))]
    assert all(not (0 < v < 5) for v in result.frame["n"].drop_nulls())
    assert result.derivable == ()
    check_values = full if total_in_frame else values + [0]
    _check_protected(check_values, hidden, equations, 5)


@AUDIT
@given(st.lists(st.tuples(SMALLISH, SMALLISH), min_size=1, max_size=6), st.booleans())
def test_parts_no_hidden_cell_is_derivable(rows, with_total_row):
    frame = pl.DataFrame({
        "area": [chr(65 + i) for i in range(len(rows))],
        "answered": [a for a, _ in rows], "abandoned": [b for _, b in rows],
    }).with_columns(offered=pl.col("answered") + pl.col("abandoned"))
    if with_total_row:
        frame = pl.concat([frame, frame.select(pl.lit(T).alias("area"), pl.exclude("area").sum())])
    result = suppress(frame, counts=["answered", "abandoned", "offered"], by=["area"], total_label=T,
                      parts={"offered": ["answered", "abandoned"]})
    flags = result.with_flags()
    cols = ["answered", "abandoned", "offered"]
    n_rows = len(rows)
    grid = frame.to_dicts() if with_total_row else frame.to_dicts() + [{c: 0 for c in cols}]
    values = [grid[r][c] for r in range(n_rows + 1) for c in cols]
    if not with_total_row:
        values[-3:] = [0, 0, 0]
    hidden = {r * 3 + j for r in range(flags.height) for j, c in enumerate(cols)
              if flags[f"{c}__suppressed"][r]}
    derivable = {r * 3 + cols.index(c) for r, c in result.derivable}
    assert not derivable or (n_rows == 1 and not with_total_row)  # one group = the city's totals
    _check_protected(values, hidden, _grid_equations(n_rows, 2), 5, derivable)


def test_cells_hidden_for_an_outside_reason_are_protected_like_the_rest():
    # row b is hidden from outside (it equals a hidden count elsewhere): c hides with it,
    # else b = total - a - c
    frame = pl.DataFrame({"g": ["a", "b", "c"], "x": [50, 30, 40]})
    out = suppress(frame, counts=["x"], by=["g"], hidden_cells={"x": [1]})
    assert out.reasons["x"].to_list() == [None, "complementary", "complementary"]
    assert out.frame["x"].to_list() == [50, None, None]


def test_a_count_tied_to_a_hidden_count_of_its_row_is_hidden_and_protected():
    # y equals x in row a; x's 40 is x's complement for b's 3, so y's 40 would give it away,
    # and once y's 40 is hidden, y's column needs a complement of its own (c's 7 < 60)
    frame = pl.DataFrame({"g": ["a", "b", "c"], "x": [40, 3, 50], "y": [40, 60, 7]})
    out = suppress(frame, counts=["x", "y"], by=["g"], tie_equal_counts=True)
    assert out.reasons["x"].to_list() == ["complementary", "small_count", None]
    assert out.reasons["y"].to_list() == ["complementary", None, "complementary"]
    plain = suppress(frame, counts=["x", "y"], by=["g"])
    assert plain.reasons["y"].to_list() == [None, None, None]


# ----------------------------------------------- a förvaltning's "Per kanal" (docs/privacy.md)

# Förskoleförvaltningen on the shipped sample, 2–31 December 2025: only phone and chat queue, so
# only they have calls offered, answered and abandoned; chat's 2 abandoned chats are small.
CHANNELS = ["chat", "e_service", "email", "phone"]
OFFERED, ANSWERED, ABANDONED = [22, 0, 0, 331], [20, 0, 0, 284], [2, 0, 0, 47]


def _per_channel():
    frame = pl.DataFrame({"channel": CHANNELS, "offered": OFFERED, "answered": ANSWERED,
                          "abandoned": ABANDONED, "rest": [0] * 4,
                          "answer_rate": [a / o if o else None for a, o in zip(ANSWERED, OFFERED)]})
    return suppress(frame, counts=["offered", "answered", "abandoned", "rest"], by=["channel"],
                    parts={"offered": ["answered", "abandoned", "rest"]}, fixed=["rest"],
                    rates={"answer_rate": Rate("offered", "answered")})


def test_a_small_chat_count_hides_phones_answer_rate_along_the_smallest_rectangle():
    """Chat's 2 abandoned: chat's row (offered = answered + abandoned, no call-backs) gives it
    back from the 20 answered, so that hides; the answered and abandoned columns add up to the
    förvaltning's totals (the key figures), where phone is the only other non-zero line, so
    phone's 284 answered and 47 abandoned hide. Phone's answer rate is hidden because it is
    284 / 331 with the 331 shown (contacts = offered on a phone row): it would give back 284."""
    out = _per_channel()
    assert out.reasons["abandoned"].to_list() == [SMALL_COUNT, None, None, COMPLEMENTARY]
    assert out.reasons["answered"].to_list() == [COMPLEMENTARY, None, None, COMPLEMENTARY]
    assert out.reasons["offered"].to_list() == [None] * 4
    # (no calls offered, shown as 0: no rate at all, missing ("–"), not hidden)
    assert out.reasons["answer_rate"].to_list() == [COMPLEMENTARY, None, None, COMPLEMENTARY]
    assert explain(COMPLEMENTARY, 5) == "Dold så att en annan dold siffra inte kan räknas fram ur summan."


def test_no_cheaper_set_protects_the_small_chat_count():
    """Independently, by brute force over every set of non-zero cells: which hide chat's 2 so
    that no hidden cell follows from the shown ones (rows: answered + abandoned + rest = offered
    with the rest known; columns: the channels add up to the known totals)? The zeros stay
    shown: a row of zero calls offered has zero answered and abandoned whatever is hidden. The
    cheapest such set is the rectangle the algorithm hides, so its hiding is necessary."""
    from itertools import combinations

    cells = {(col, i): v for col, values in (("offered", OFFERED), ("answered", ANSWERED),
                                             ("abandoned", ABANDONED))
             for i, v in enumerate(values)}
    index = {key: k for k, key in enumerate(cells)}
    rows = [([index[("answered", i)], index[("abandoned", i)]], index[("offered", i)])
            for i in range(len(CHANNELS))]
    # column totals are known constants: an identity over the column's cells alone
    columns = [([index[(col, i)] for i in range(len(CHANNELS))], -1)
               for col in ("offered", "answered", "abandoned")]
    small = index[("abandoned", 0)]
    candidates = [index[key] for key, v in cells.items() if v and index[key] != small]
    safe = []
    for size in range(len(candidates) + 1):
        for extra in combinations(candidates, size):
            hidden = {small, *extra}
            if not determined(rows + columns, hidden):
                safe.append((sum(cells[key] for key, k in index.items() if k in extra), hidden))
    cheapest_cost, cheapest = min(safe, key=lambda s: s[0])
    out = _per_channel()
    chosen = {index[(col, i)] for col in ("offered", "answered", "abandoned")
              for i, r in enumerate(out.reasons[col].to_list()) if r}
    assert chosen == cheapest and cheapest_cost == 20 + 284 + 47
    assert [cost for cost, _ in safe].count(cheapest_cost) == 1  # the only one at that cost

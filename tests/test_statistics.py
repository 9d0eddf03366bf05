"""Wilson, Newcombe and Poisson intervals against published values and the quadratics solved by hand."""

import math

import polars as pl
import pytest

from dashboard.metrics import statistics as stats


def wilson_by_quadratic(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Roots of (p̂ − p)² = z²·p(1 − p)/n, i.e. (1 + z²/n)p² − (2p̂ + z²/n)p + p̂² = 0."""
    ph = k / n
    a, b, c = 1 + z * z / n, -(2 * ph + z * z / n), ph * ph
    disc = math.sqrt(b * b - 4 * a * c)
    return (-b - disc) / (2 * a), (-b + disc) / (2 * a)


def test_z_for_confidence():
    assert stats.z_for(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert stats.z_for(0.90) == pytest.approx(1.644854, abs=1e-6)
    with pytest.raises(ValueError, match="Konfidensgraden"):
        stats.z_for(95)


def test_wilson_textbook_81_of_263():
    # Newcombe (1998), "Two-sided confidence intervals for the single proportion": 0.2553–0.3662
    lo, hi = stats.wilson_bounds(81, 263)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    assert (lo, hi) == pytest.approx(wilson_by_quadratic(81, 263), abs=1e-12)


@pytest.mark.parametrize(("k", "n"), [(1, 2), (3, 10), (15, 148), (150, 151), (999, 1000), (7, 7000)])
def test_wilson_matches_quadratic(k, n):
    assert stats.wilson_bounds(k, n) == pytest.approx(wilson_by_quadratic(k, n), abs=1e-12)
    assert stats.wilson_bounds(k, n, z=2.576) == pytest.approx(wilson_by_quadratic(k, n, 2.576), abs=1e-12)


def test_wilson_edges():
    # 0/n: lo exactly 0, hi = z²/(n + z²); n/n mirrors it
    assert stats.wilson_bounds(0, 10) == (0.0, pytest.approx(1.96**2 / (10 + 1.96**2)))
    assert stats.wilson_bounds(10, 10) == (pytest.approx(10 / (10 + 1.96**2)), 1.0)
    assert stats.wilson_bounds(0, 10)[1] == pytest.approx(0.2775, abs=5e-5)  # Newcombe's table
    assert stats.wilson_bounds(0, 0) == (None, None)


def test_wilson_vectorised_over_a_frame_with_nulls():
    frame = pl.DataFrame({"k": [81, 0, 10, None, 5], "n": [263, 10, 10, 20, 0]})
    lo, hi = stats.wilson_interval("k", "n")
    out = frame.with_columns(lo=lo, hi=hi)
    assert out["lo"].to_list()[:3] == pytest.approx(
        [wilson_by_quadratic(81, 263)[0], 0.0, wilson_by_quadratic(10, 10)[0]])
    assert out["hi"].to_list()[:3] == pytest.approx(
        [wilson_by_quadratic(81, 263)[1], wilson_by_quadratic(0, 10)[1], 1.0])
    assert out["lo"].to_list()[3:] == [None, None]
    assert out["hi"].to_list()[3:] == [None, None]


# Newcombe (1998), "Interval estimation for the difference between independent proportions",
# Table II, method 10 (hybrid score): the published limits.
@pytest.mark.parametrize(
    ("s1", "n1", "s2", "n2", "lo", "hi"),
    [
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
    ],
)
def test_newcombe_difference_published_values(s1, n1, s2, n2, lo, hi):
    d, d_lo, d_hi = stats.newcombe_difference(s1, n1, s2, n2)
    got = pl.select(d.alias("d"), d_lo.alias("lo"), d_hi.alias("hi")).row(0)
    assert got[0] == pytest.approx(s1 / n1 - s2 / n2)
    assert (got[1], got[2]) == pytest.approx((lo, hi), abs=1e-4)  # published to 4 decimals


def test_compare_to_rest_flags_only_clear_and_material_differences():
    # City: 832 forwarded of 2 303. Each area against the other three.
    frame = pl.DataFrame({
        "area": ["A", "B", "C", "D"],
        "forwarded": [30, 300, 500, 2],
        "handled": [100, 1000, 1200, 3],
    })
    out = stats.compare_to_rest(frame, "area", "forwarded", "handled")
    rows = {r["area"]: r for r in out.iter_rows(named=True)}
    # A: 30 % vs 802/2203 = 36.4 %: 6.4 pp but its interval spans 0 -> not flagged
    assert rows["A"]["rest_successes"] == 802 and rows["A"]["rest_trials"] == 2203
    assert rows["A"]["difference"] == pytest.approx(0.30 - 802 / 2203)
    assert rows["A"]["material"] and not rows["A"]["clear"] and not rows["A"]["flagged"]
    # B: 30 % vs 532/1303 = 40.8 %: clear and 10.8 pp -> flagged
    assert rows["B"]["difference"] == pytest.approx(0.30 - 532 / 1303)
    assert rows["B"]["clear"] and rows["B"]["flagged"]
    # C: 41.7 % vs 332/1103 = 30.1 % -> flagged
    assert rows["C"]["flagged"]
    # D: 2 of 3: huge difference, no evidence
    assert not rows["D"]["clear"] and not rows["D"]["flagged"]
    # intervals are the Newcombe/Wilson ones
    _, lo, hi = stats.newcombe_difference(300, 1000, 532, 1303)
    assert rows["B"]["difference_lo"] == pytest.approx(pl.select(lo).item())
    assert rows["B"]["rate_lo"] == pytest.approx(wilson_by_quadratic(300, 1000)[0])


def test_compare_to_rest_clear_but_too_small_is_not_flagged():
    # 50 000 contacts per area: 31 % vs 30 % is statistically clear but only 1 pp
    frame = pl.DataFrame({"area": ["X", "Y"], "k": [15_500, 15_000], "n": [50_000, 50_000]})
    out = stats.compare_to_rest(frame, "area", "k", "n")
    x = out.filter(pl.col("area") == "X").row(0, named=True)
    assert x["clear"] and not x["material"] and not x["flagged"]
    assert stats.compare_to_rest(frame, "area", "k", "n", min_difference=0.01)["flagged"].to_list() == [True, True]


def test_compare_to_rest_within_partitions_and_sums_finer_rows():
    frame = pl.DataFrame({
        "metric": ["m1", "m1", "m1", "m2", "m2"],
        "area": ["A", "A", "B", "A", "B"],
        "k": [10, 20, 70, 5, 5],
        "n": [50, 50, 100, 10, 10],
    })
    out = stats.compare_to_rest(frame, "area", "k", "n", within=["metric"])
    assert out.select("metric", "area", "successes", "trials", "rest_successes", "rest_trials").rows() == [
        ("m1", "A", 30.0, 100.0, 70.0, 100.0),
        ("m1", "B", 70.0, 100.0, 30.0, 100.0),
        ("m2", "A", 5.0, 10.0, 5.0, 10.0),
        ("m2", "B", 5.0, 10.0, 5.0, 10.0),
    ]
    assert out["flagged"].to_list() == [True, True, False, False]


def test_compare_to_rest_single_group_or_empty_group_is_never_flagged():
    out = stats.compare_to_rest(pl.DataFrame({"g": ["A", "B"], "k": [0, 5], "n": [0, 10]}), "g", "k", "n")
    assert out["difference"].to_list() == [None, None]  # A has no trials; B's rest (A) has none
    assert out["flagged"].to_list() == [False, False]
    with pytest.raises(ValueError, match="saknas"):
        stats.compare_to_rest(pl.DataFrame({"g": ["A"]}), "g", "k", "n")


def test_poisson_rate_interval_per_1000():
    frame = pl.DataFrame({"contacts": [120, 0, 5], "residents": [40_000, 5_000, 0]})
    rate, lo, hi = stats.poisson_rate_interval("contacts", "residents")
    out = frame.select(rate=rate, lo=lo, hi=hi)
    z2 = 1.96**2
    # roots of (x − λ)² = z²·λ, by hand, for x = 120
    b = 2 * 120 + z2
    roots = ((b - math.sqrt(b * b - 4 * 120**2)) / 2, (b + math.sqrt(b * b - 4 * 120**2)) / 2)
    assert out.row(0) == pytest.approx((3.0, roots[0] / 40, roots[1] / 40))
    assert out.row(1) == pytest.approx((0.0, 0.0, z2 / 5))  # 0 events: upper limit z² per 5 000
    assert out.row(2) == (None, None, None)

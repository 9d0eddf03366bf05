"""suppress_metrics: engine frames through H3's small-cell rules, the helper every output uses."""

import polars as pl

from dashboard.config import Settings
from dashboard.metrics.output import suppress_metrics


def frame():
    return pl.DataFrame({
        "channel": ["phone", "chat", "email"],
        "contacts": [40, 3, 30], "contacts__n": [40, 3, 30],
        "answer_rate": [0.8, 1.0, None], "answer_rate__n": [40, 3, 0],
    })


def test_small_count_its_complement_and_small_rate_basis_are_hidden():
    out = suppress_metrics(frame(), ["contacts", "answer_rate"], by=("channel",))
    rows = {r["channel"]: r for r in out.iter_rows(named=True)}
    assert rows["chat"]["contacts"] is None and rows["chat"]["contacts__reason"] == "small_count"
    # the smallest other count hides with it, so 3 cannot be derived from the published total
    assert rows["email"]["contacts__reason"] == "complementary" and rows["email"]["contacts"] is None
    assert rows["phone"]["contacts"] == 40 and not rows["phone"]["contacts__suppressed"]
    assert rows["chat"]["answer_rate"] is None and rows["chat"]["answer_rate__n"] is None
    assert rows["phone"]["answer_rate"] == 0.8 and rows["phone"]["answer_rate__n"] == 40


def test_a_value_without_basis_is_missing_not_hidden():
    out = suppress_metrics(frame(), ["answer_rate"], by=("channel",))
    email = out.filter(pl.col("channel") == "email").row(0, named=True)
    assert email["answer_rate"] is None and email["answer_rate__suppressed"] is False


def test_threshold_comes_from_settings():
    out = suppress_metrics(frame(), ["contacts"], by=("channel",), settings=Settings(small_cell_threshold=2))
    assert out["contacts"].to_list() == [40, 3, 30]

"""suppress_metrics: engine frames through the small-cell rules, the helper every output uses.

Hand-worked tiny frames. The leak the numerator rules close: a rate shown with its basis n gives
its numerator as rate × n, so a rate whose numerator count is hidden must be hidden too.
"""

import polars as pl

from dashboard.config import Settings
from dashboard.privacy.tables import suppress_metrics


def frame():
    return pl.DataFrame({
        "channel": ["phone", "chat", "email", "visit"],
        "contacts": [45, 4, 30, 55], "contacts__n": [45, 4, 30, 55],
        "answer_rate": [0.75, 1.0, None, 0.8], "answer_rate__n": [40, 3, 0, 50],
    })


def rows(out, key="channel"):
    return {r[key]: r for r in out.iter_rows(named=True)}


def test_small_count_its_complement_and_small_rate_basis_are_hidden():
    got = rows(suppress_metrics(frame(), ["contacts", "answer_rate"], by=("channel",)))
    assert got["chat"]["contacts"] is None and got["chat"]["contacts__reason"] == "small_count"
    # the smallest other count hides with it, so 3 cannot be derived from the published total
    assert got["email"]["contacts__reason"] == "complementary" and got["email"]["contacts"] is None
    assert got["phone"]["contacts"] == 45 and not got["phone"]["contacts__suppressed"]
    assert got["chat"]["answer_rate"] is None and got["chat"]["answer_rate__n"] is None
    # the basis 3 is itself a published count: the smallest other basis (40) hides with it
    assert got["phone"]["answer_rate__reason"] == "complementary"
    assert got["phone"]["answer_rate"] is None and got["phone"]["answer_rate__n"] is None
    assert got["visit"]["answer_rate"] == 0.8 and got["visit"]["answer_rate__n"] == 50


def test_a_value_without_basis_is_missing_not_hidden():
    out = suppress_metrics(frame(), ["answer_rate"], by=("channel",))
    email = out.filter(pl.col("channel") == "email").row(0, named=True)
    assert email["answer_rate"] is None and email["answer_rate__suppressed"] is False


def test_threshold_comes_from_settings():
    out = suppress_metrics(frame(), ["contacts"], by=("channel",), settings=Settings(small_cell_threshold=2))
    assert out["contacts"].to_list() == [45, 4, 30, 55]


def ledger():
    # forwarded = 3, 30, 40 of 100 handled contacts with known outcome in each topic
    return pl.DataFrame({
        "topic": ["a", "b", "c"],
        "forwarded": [3, 30, 40], "forwarded__n": [3, 30, 40],
        "forwarded_rate": [0.03, 0.30, 0.40], "forwarded_rate__n": [100, 100, 100],
    })


def test_a_rate_whose_numerator_count_is_hidden_is_hidden():
    got = rows(suppress_metrics(ledger(), ["forwarded", "forwarded_rate"], by=("topic",)), "topic")
    # forwarded 3 is small, 30 its complement; 0.03 × 100 and 0.30 × 100 would give them back
    assert [got[t]["forwarded__suppressed"] for t in "abc"] == [True, True, False]
    assert [got[t]["forwarded_rate"] for t in "abc"] == [None, None, 0.40]
    assert [got[t]["forwarded_rate__reason"] for t in "abc"] == ["complementary", "complementary", None]
    assert got["c"]["forwarded_rate__n"] == 100


def test_a_rate_alone_still_protects_its_numerator():
    # answered = 2, 45, 50 of offered 100, 50, 60: 2 is a small count even unpublished as such
    frame = pl.DataFrame({"topic": ["a", "b", "c"], "answer_rate": [0.02, 0.9, 50 / 60],
                          "answer_rate__n": [100, 50, 60]})
    got = rows(suppress_metrics(frame, ["answer_rate"], by=("topic",)), "topic")
    assert [got[t]["answer_rate__suppressed"] for t in "abc"] == [True, True, False]
    assert got["a"]["answer_rate__n"] is None and got["c"]["answer_rate__n"] == 60


def test_a_basis_equal_to_a_hidden_count_is_hidden_with_it():
    # digital_share's basis is contacts: showing its n where contacts is a complement leaks it
    frame = pl.DataFrame({
        "topic": ["a", "b", "c", "d"],
        "contacts": [3, 40, 50, 60], "contacts__n": [3, 40, 50, 60],
        "digital_share": [0.0, 0.5, 0.5, 0.5], "digital_share__n": [3, 40, 50, 60],
    })
    got = rows(suppress_metrics(frame, ["contacts", "digital_share"], by=("topic",)), "topic")
    assert [got[t]["contacts__suppressed"] for t in "abcd"] == [True, True, False, False]
    assert [got[t]["digital_share__suppressed"] for t in "abcd"] == [True, True, False, False]
    assert got["b"]["digital_share__n"] is None and got["b"]["digital_share__reason"] == "complementary"


def test_more_than_two_dimensions_are_protected_as_one_list():
    frame = pl.DataFrame({"channel": ["phone", "chat", "email"], "topic": ["a", "a", "b"],
                          "language": ["sv", "sv", "en"], "contacts": [40, 3, 30],
                          "contacts__n": [40, 3, 30]})
    out = suppress_metrics(frame, ["contacts"], by=("channel", "topic", "language"))
    assert out["contacts__reason"].to_list() == [None, "small_count", "complementary"]


def test_a_count_equal_to_a_hidden_count_of_its_row_is_hidden_too():
    # every phone and chat contact queues, so offered = contacts there: answer_rate's basis 40
    # (hidden so chat's 3 offered cannot be derived) would give phone's contacts away if shown
    frame = pl.DataFrame({
        "channel": ["phone", "chat", "email", "visit"],
        "contacts": [40, 3, 30, 50], "contacts__n": [40, 3, 30, 50],
        "answer_rate": [0.75, 1.0, None, None], "answer_rate__n": [40, 3, 0, 0],
    })
    got = rows(suppress_metrics(frame, ["contacts", "answer_rate"], by=("channel",)))
    assert got["phone"]["answer_rate__suppressed"]
    assert got["phone"]["contacts"] is None and got["phone"]["contacts__reason"] == "complementary"
    # the column of contacts is still protected: chat 3 cannot be derived from the total
    assert sum(got[c]["contacts__suppressed"] for c in got) >= 2
    assert got["visit"]["contacts"] == 50

"""The additive structure every published table carries, declared once for the registry's inputs.

A reader can add and subtract what a table shows. The privacy package therefore protects each
table along all of these identities, not only the cells it prints:
- sums of parts (`SUMS`): in every row, the parts add up to the whole. A part a table does not
  print folds into the rest, whole − printed parts, which is assumed known to the reader (for
  chat there are no call-backs, so the rest is 0): the rest is never counted as a protection;
- groups: the values of a breakdown add up to the ungrouped total, which is published elsewhere
  (the key figures), so every column of a grouped table has a known total;
- numerators of rates and means: rate × basis gives the numerator count back, so it is
  protected as a published count (dashboard.privacy.tables);
- period changes: value − change gives the previous value back, so a change is hidden next to
  a hidden value on either side (dashboard.privacy.changes).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sum:
    """whole = sum of parts (+ a rest that is not published), for mart input columns."""

    whole: str
    parts: tuple[str, ...]
    why: str


SUMS: tuple[Sum, ...] = (
    Sum("offered_n", ("answered_n", "abandoned_n", "callback_n"),
        "a call or chat in the queue is answered, abandoned or becomes a call-back"),
    Sum("outcome_known_n", ("resolved_n", "forwarded_n", "referred_n"),
        "a handled contact with a known outcome is resolved, forwarded, referred or a call-back"),
    Sum("failure_n", ("failure_progress_chasing_n", "failure_not_understood_n", "failure_repeat_n",
                      "failure_wrong_channel_n", "failure_info_missing_n", "failure_not_done_n",
                      "failure_no_reason_n"),
        "failure demand splits by its reason"),
)


def sum_of(column: str) -> Sum | None:
    """The declared sum a mart column is the whole or a part of."""
    for s in SUMS:
        if column == s.whole or column in s.parts:
            return s
    return None

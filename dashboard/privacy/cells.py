"""Hidden and uncertain cells: what the privacy package hands out in place of a number.

A table keeps a hidden cell as a `Hidden` object (why, the column's unit, the threshold) until a
writer draws it; the text ("<5" for a count hidden for being small, "Dolt" else) is made only
then, by `text`. No writer turns text back into a hidden cell.

`Uncertain` wraps a rate, mean or percentile that privacy lets through but whose basis is under
the statistical minimum (the setting `rate_min_n`): drawn with its value and the marker
"(osäker)".
"""

from __future__ import annotations

from dataclasses import dataclass

from collections.abc import Sequence

from dashboard.formatting import hidden_text
from dashboard.privacy.suppression import explain

UNCERTAIN_MARK = "osäker"


@dataclass(frozen=True)
class Hidden:
    """A cell the privacy package hides. reason: small_count, small_denominator, complementary,
    or None (hidden, the reason not told); unit: the column's unit; threshold: the small-cell
    threshold in force."""

    reason: str | None = None
    unit: str | None = None
    threshold: int = 5

    @property
    def text(self) -> str:
        return hidden_text(self.unit, self.reason, self.threshold)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Uncertain:
    """A published value whose basis is below the statistical minimum: shown, marked. A table
    keeps it as this object until a writer draws it (a number still: a spreadsheet writes the
    number with the mark in its number format); min_n: the minimum it falls short of, for the
    note (None: not told)."""

    value: float
    min_n: int | None = None

    @staticmethod
    def mark(text: str) -> str:
        return f"{text} ({UNCERTAIN_MARK})"


MAX_NAMED_ROWS = 6  # a note names at most this many rows; more read "i N rader"


def hidden_note(text: str, reason: str | Sequence[str], threshold: int, rows: Sequence[str] = (),
                totals: str | None = None) -> str:
    """Why cells reading `text` are hidden, in words, e.g. '”Dolt” (Telefon, Chatt): Dold så
    att en annan dold siffra inte kan räknas fram ur summan.' `rows` names where they stand;
    `totals` the known sums of a two-way table (suppression.explain). Several reasons for one
    text are said after it once: '”dolt”: Färre än 5 – …; dold så att …'."""
    where = ""
    if rows:
        where = (f" ({', '.join(rows)})" if len(rows) <= MAX_NAMED_ROWS
                 else f" (i {len(rows)} rader)")
    reasons = [reason] if isinstance(reason, str) else list(reason)
    said = [explain(r, threshold, totals).rstrip(".") for r in reasons]
    return f"”{text}”{where}: " + "; ".join(s if i == 0 else s[:1].lower() + s[1:]
                                             for i, s in enumerate(said)) + "."


def uncertain_note(label: str, min_n: int | None, rows: Sequence[str] = ()) -> str:
    """Why values of the column `label` read "(osäker)", naming the rows they stand in as
    hidden_note does, e.g. '”(osäker)” (Chatt): Svarsandel bygger på färre än 20 observationer
    och är statistiskt osäker.'"""
    where = ""
    if rows:
        where = (f" ({', '.join(rows)})" if len(rows) <= MAX_NAMED_ROWS
                 else f" (i {len(rows)} rader)")
    minimum = f" färre än {min_n}" if min_n else " få"
    return (f"”({UNCERTAIN_MARK})”{where}: {label} bygger på{minimum} observationer och är "
            "statistiskt osäker.")

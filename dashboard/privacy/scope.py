"""A person's scope at the door: which förvaltningar a result may name.

A scoped person (a samordnare or chef, dashboard.auth) sees its own förvaltningar and the
city-wide totals to compare with, never another förvaltning by name. The door checks the request
(`check`: a department outside the scope is refused before anything is computed) and narrows what
it publishes (`within`: every table row, ranking entry or list item that names a department
outside the scope is removed). City-wide totals carry no department name and pass unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, is_dataclass, replace

import polars as pl


class OutOfScope(PermissionError):
    """A request for a förvaltning outside the person's scope; nothing is computed for it."""


def check(filters, scope: Sequence[str] | None, options: dict) -> None:
    """Refuse a request that names a department outside `scope` (in the filters or as a
    `department=` option, e.g. the scorecard's)."""
    if scope is None:
        return
    named = list(getattr(filters, "departments", ()) or ())
    if options.get("department"):
        named.append(options["department"])
    outside = [d for d in named if d not in scope]
    if outside:
        raise OutOfScope(
            f"Förvaltningen {outside[0]} ingår inte i din behörighet; inget har räknats fram för den.")


def _frame_within(frame: pl.DataFrame, allowed: list[str]) -> pl.DataFrame:
    if "department" in frame.columns:
        frame = frame.filter(pl.col("department").is_in(allowed))
    if {"dimension", "group"} <= set(frame.columns):  # a dimension's groups as text (equity)
        frame = frame.filter((pl.col("dimension") != "department") | pl.col("group").is_in(allowed))
    return frame


def within(result, scope: Sequence[str] | None):
    """`result` with every row that names a department outside `scope` removed: in a frame, in
    a dataclass's frames (a scorecard, a plan), in lists, tuples and dicts of them."""
    if scope is None:
        return result
    allowed = list(scope)
    if isinstance(result, pl.DataFrame):
        return _frame_within(result, allowed)
    if is_dataclass(result) and not isinstance(result, type):
        changed = {}
        for f in fields(result):
            if not f.init:
                continue
            value = getattr(result, f.name)
            narrowed = within(value, scope)
            if narrowed is not value:
                changed[f.name] = narrowed
        return replace(result, **changed) if changed else result
    if isinstance(result, dict):
        return {k: within(v, scope) for k, v in result.items()}
    if isinstance(result, (list, tuple)) and any(
            isinstance(v, pl.DataFrame) or is_dataclass(v) for v in result):
        return type(result)(within(v, scope) for v in result)
    return result

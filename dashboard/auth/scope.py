"""The filter frame under a person's scope (pure; ui/filters.py draws it).

A scoped person's förvaltning filter is locked to its own förvaltningar: the choices are only
those, the whole city is not a choice (its totals appear as the comparison), and a `department=`
in the URL or in session state outside the scope is ignored with a notice. This is a courtesy
for the reader; the control is at the door (dashboard.privacy.scope), which refuses such a
request whatever the page asks for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from dashboard.view import FilterOptions, FilterState


@dataclass(frozen=True)
class ScopedView:
    params: dict[str, list[str]]  # the URL parameters with an out-of-scope department removed
    options: FilterOptions  # the choices, the förvaltningar narrowed to the scope
    notices: tuple[str, ...]
    locked: bool  # the förvaltning filter is locked to the scope


def scope_view(params: Mapping[str, Sequence[str]], options: FilterOptions,
               departments: Sequence[str] | None) -> ScopedView:
    params = {k: list(v) for k, v in params.items()}
    if departments is None:
        return ScopedView(params, options, (), False)
    allowed = tuple(departments)
    notices = []
    asked = params.get("department") or []
    if any(d not in allowed for d in asked):
        outside = next(d for d in asked if d not in allowed)
        notices.append(f"Förvaltningen '{outside}' ingår inte i din behörighet och ignorerades; "
                       f"visar {allowed[0]}.")
        params.pop("department")
    return ScopedView(params, replace(options, departments=allowed), tuple(notices), True)


def lock_state(state: FilterState, departments: Sequence[str] | None) -> FilterState:
    """The state with its department inside the scope (the first of it when none is chosen)."""
    if departments is None or state.department in departments:
        return state
    return state.with_department(departments[0] if departments else None)

"""Förvaltning names on the command line, matched as the dashboard's URL matches them: case does
not matter, the store's own spelling is used, and an unknown name is refused with the closest
known names (a misspelt name must not silently give empty figures)."""

from __future__ import annotations

import difflib

from dashboard.cli import CliError


def resolve_departments(con, names) -> tuple[str, ...]:
    """The store's spelling of each name in `names` (an open store connection)."""
    # the lookup's names and any other name the contacts carry (a store without the lookup)
    known = [r[0] for r in con.execute(
        "select department from departments union select department from contacts "
        "where department is not null order by 1").fetchall()]
    by_folded = {k.casefold(): k for k in known}
    resolved = []
    for name in names:
        match = by_folded.get(name.strip().casefold())
        if match is None:
            close = difflib.get_close_matches(name.casefold(), list(by_folded), n=2, cutoff=0.6)
            hint = (f"Menade du {' eller '.join(repr(by_folded[c]) for c in close)}? " if close
                    else "")
            raise CliError(f"Okänd förvaltning {name!r}. {hint}Giltiga: {', '.join(known)}.")
        resolved.append(match)
    return tuple(resolved)

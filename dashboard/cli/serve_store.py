"""Which store `kontaktcenter serve` may build, and publishing it before the first visit.

The sample is built only for the default store (`Settings().db`, the README's first command) or
when asked (`--sample`): a mistyped `--db` must not silently serve made-up figures.
"""

from __future__ import annotations

from pathlib import Path

from dashboard.cli import CliError
from dashboard.config import Settings
from dashboard.store.database import missing_store_message


def prepare(db: Path, *, sample_asked: bool) -> str | None:
    """Make sure there is a store to serve and a snapshot of it. Returns a line to print, if any."""
    from dashboard.sample import ensure_store
    from dashboard.store.snapshot import catch_up

    line = None
    if not db.exists():
        if not (sample_asked or db == Settings().db):
            raise CliError(missing_store_message(db) + " Vill du visa exempeldata i den filen, "
                           "starta med `kontaktcenter serve --sample`.")
        if ensure_store(db):
            line = f"Ingen databas fanns; byggde en från exempeldata i {db}."
    catch_up(db)   # an old store or a killed writer: publish now rather than at the first visit
    return line

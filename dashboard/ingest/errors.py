"""Errors that stop a whole file or a whole ingest. Messages are Swedish and name the fix.

Row-level problems never raise: they become quarantine rows with a reason.
"""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """A failure the user can act on; str(exc) is the Swedish message."""


class ProfileError(IngestError):
    """The mapping profile is unreadable or inconsistent; nothing is ingested."""


class FileLevelError(IngestError):
    """One input file cannot be read at all (unreadable, wrong format, missing mapped column...)."""

    def __init__(self, path: Path | str, problem: str, fix: str):
        self.path = Path(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{_shown_name(self.path)}: {problem} Åtgärd: {fix}")

    def fresh(self) -> "FileLevelError":
        """A new, never-raised copy: raise this instead of an exception kept on an object, whose
        traceback would otherwise tie the raising frames (and the open store) into a cycle."""
        return FileLevelError(self.path, self.problem, self.fix)


def _shown_name(path: Path) -> str:
    from dashboard.ingest.pii import scrub_file_name   # pii imports polars; errors stays light

    return scrub_file_name(path.name)

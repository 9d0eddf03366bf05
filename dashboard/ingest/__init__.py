"""Ingest of contact-centre exports: profile -> read in batches -> map and validate -> pseudonymise
and scrub -> one transaction (docs/ingest.md).

Public API:
    ingest_files(con, files, profile, key, progress=None) -> IngestSummary
    load_profile(path) -> Profile            (dashboard.ingest.profile)
    suggest_profile(path) -> str             (dashboard.ingest.suggest)
"""

from __future__ import annotations

from dashboard.ingest.errors import FileLevelError, IngestError, ProfileError
from dashboard.ingest.pipeline import Progress, ingest_files
from dashboard.ingest.profile import Profile, load_profile
from dashboard.ingest.summary import FileSummary, IngestSummary

__all__ = [
    "FileLevelError", "FileSummary", "IngestError", "IngestSummary", "Profile", "ProfileError",
    "Progress", "ingest_files", "load_profile",
]

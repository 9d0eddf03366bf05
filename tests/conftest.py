"""Shared fixtures (datasette style: deterministic data, built once per session).

- `sample_db`: path to a store built once per session from SAMPLE_DB_ROWS generated contacts
  (seed SAMPLE_DB_SEED, planted incident and equity gap included; see docs/sample-data.md).
  Treat it as read-only: open it with `open_store(path, read_only=True)`. A test that writes
  must copy the file first (`shutil.copy(sample_db, tmp_path / "x.duckdb")`).
- `sample_db_no_plants`: the same rows' model without the planted truths (built on first use).
- `sample_con` / `sample_con_no_plants`: one read-only connection to each, for the session.
- `empty_db`: a factory; each call returns the path of a fresh, migrated, seeded store.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import os

import pytest

from dashboard.sample import build_sample_store
from dashboard.store import open_store

SAMPLE_DB_ROWS = 60_000
SAMPLE_DB_SEED = 20250401


@pytest.fixture(scope="session", autouse=True)
def _audit_log_of_the_run(tmp_path_factory):
    """Downloads in tests (and the dashboards they start) write the run's own audit log, never
    the user's; a test that reads one sets its own path."""
    os.environ.setdefault("KONTAKTCENTER_AUDIT_LOG",
                          str(tmp_path_factory.mktemp("audit") / "export-audit.jsonl"))


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    build_sample_store(path, SAMPLE_DB_ROWS, seed=SAMPLE_DB_SEED, plants=True)
    return path


@pytest.fixture(scope="session")
def sample_db_no_plants(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample_no_plants") / "sample.duckdb"
    build_sample_store(path, SAMPLE_DB_ROWS, seed=SAMPLE_DB_SEED, plants=False)
    return path


@pytest.fixture(scope="session")
def sample_con(sample_db):
    con = open_store(sample_db, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def sample_con_no_plants(sample_db_no_plants):
    con = open_store(sample_db_no_plants, read_only=True)
    yield con
    con.close()


@pytest.fixture
def empty_db(tmp_path) -> Callable[[], Path]:
    """Call it for a new empty store: lookup tables seeded, no contacts."""
    made = []

    def make() -> Path:
        path = tmp_path / f"empty-{len(made)}.duckdb"
        open_store(path).close()
        made.append(path)
        return path

    return make

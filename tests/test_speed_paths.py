"""Shortcuts on the dashboard's read path keep their meaning: the marts' version is checked once
per cursor on a published snapshot (which never changes) and on every call elsewhere; the
settings and the published store are one per store per process."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from dashboard.metrics import Filters, compute
from dashboard.metrics.engine import _MARTS_OK
from dashboard.store.marts import MartsMissing
from dashboard.store.readers import PublishedStore, on_snapshot


def test_a_snapshot_cursor_is_checked_once_a_store_connection_every_time(sample_db, tmp_path):
    db = tmp_path / "store.duckdb"
    shutil.copy(sample_db, db)
    published = PublishedStore(db)
    try:
        with published.current().cursor() as cur:
            assert on_snapshot(cur)
            first = compute(cur, Filters(), ["contacts"])
            assert cur in _MARTS_OK
            assert compute(cur, Filters(), ["contacts"]).equals(first)
    finally:
        published.close()
    # a connection to the store itself may see its marts change: checked on every call
    con = duckdb.connect(str(db))
    try:
        assert not on_snapshot(con)
        compute(con, Filters(), ["contacts"])
        assert con not in _MARTS_OK
        con.execute("delete from meta where key = 'marts_version'")
        with pytest.raises(MartsMissing):
            compute(con, Filters(), ["contacts"])
    finally:
        con.close()


def test_settings_and_store_are_one_per_store(monkeypatch, tmp_path, sample_db):
    from dashboard.ui import data

    db = tmp_path / "other.duckdb"
    shutil.copy(sample_db, db)
    monkeypatch.setenv("KONTAKTCENTER_DB", str(sample_db))
    first = data.settings()
    assert data.settings() is first and first.db == sample_db
    assert data.store() is data.store()
    monkeypatch.setenv("KONTAKTCENTER_DB", str(db))   # another store: its own settings and reader
    assert data.settings().db == db and data.settings() is not first
    assert data.store().path == db

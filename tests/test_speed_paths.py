"""Shortcuts on the dashboard's read path keep their meaning: the marts' version is checked once
per cursor on a published snapshot (which never changes) and on every call elsewhere, and so
are the population and the dates with data; the settings and the published store are one per store per process."""

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



def test_population_and_data_range_are_read_once_per_snapshot_and_every_time_elsewhere(
        sample_db, tmp_path):
    from dashboard.metrics import query
    from dashboard.store import sql

    db = tmp_path / "facts.duckdb"
    shutil.copy(sample_db, db)
    con = duckdb.connect(str(db))
    try:   # the store itself: read on every call, and a change is seen
        assert query.population(con).equals(sql.run(con, "metrics/population"))
        (first, last), = con.execute(
            "select min(local_date), max(local_date) from mart_day_channel").fetchall()
        assert query.data_range(con) == (first, last)
        con.execute("delete from mart_day_channel where local_date = $d", {"d": last})
        assert query.data_range(con)[1] < last
    finally:
        con.close()
    published = PublishedStore(db)
    try:
        snap = published.current()
        with snap.cursor() as cur:
            population, dates = query.population(cur), query.data_range(cur)
            assert dates == cur.execute(
                "select min(local_date), max(local_date) from mart_day_channel").fetchall()[0]
            assert population.equals(sql.run(cur, "metrics/population"), null_equal=True)
            assert query.population(cur) is population and query.data_range(cur) == dates
    finally:
        published.close()

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


def _fresh_warm_up(monkeypatch, prewarm) -> None:
    monkeypatch.setattr(prewarm, "_imported", prewarm.threading.Event())
    monkeypatch.setattr(prewarm, "_done", prewarm.threading.Event())
    monkeypatch.setattr(prewarm, "_started", False)
    monkeypatch.setattr(prewarm, "RUNTIME_WAIT_S", 0.0)   # no server here: read at once


def test_the_server_warm_up_runs_only_for_the_dashboard_and_sessions_wait_for_it(
        monkeypatch, tmp_path, sample_db):
    import sys

    from dashboard.ui import data, prewarm

    assert not prewarm.start(tmp_path / "app.py")   # another app (the benchmark's): no warm-up
    db = tmp_path / "warm.duckdb"
    shutil.copy(sample_db, db)
    monkeypatch.setenv("KONTAKTCENTER_DB", str(db))
    _fresh_warm_up(monkeypatch, prewarm)
    assert prewarm.start(prewarm.APP)
    prewarm.wait(timeout=300)   # a session waits for the imports only
    assert prewarm._imported.is_set()
    assert all(name in sys.modules for name in prewarm.modules())
    assert "dashboard.ui.blocks" in prewarm.modules() and "dashboard.ui.launch" not in prewarm.modules()
    assert prewarm._done.wait(timeout=300)
    # the sessions' reader of this store has its snapshot open already
    assert data.store().path == db and data.store().opens == 1 and data.store().open_files()
    # and the first page's filter choices are in the shared cache: no session reads them again
    snap = data.store().current()
    with duckdb.connect(str(db), read_only=True) as con:
        departments = tuple(r[0] for r in con.execute(
            "select department from departments order by department").fetchall())
    monkeypatch.setattr(data, "_read_options", lambda cur: pytest.fail("read a second time"))
    monkeypatch.setattr(data, "_has_contacts", lambda cur: pytest.fail("read a second time"))
    assert data.has_contacts(snap) is True
    assert data.filter_options(snap).departments == departments


def test_a_failing_warm_up_is_logged_and_never_blocks_a_session(monkeypatch, tmp_path, caplog):
    from dashboard.ui import prewarm

    monkeypatch.setenv("KONTAKTCENTER_DB", str(tmp_path / "damaged.duckdb"))
    (tmp_path / "damaged.duckdb").write_bytes(b"not a database")
    _fresh_warm_up(monkeypatch, prewarm)
    assert prewarm.start(prewarm.APP)
    prewarm.wait(timeout=300)
    assert prewarm._done.wait(timeout=300)
    assert "warm-up failed" in caplog.text

"""The dashboard reads published snapshots, never the store: a writer never waits for a reader,
a reader never waits for a writer or sees a half state, and a replaced store is never confused
with the old one. Writers are real processes holding the real writer lock."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from dashboard.store import StoreError, bump_data_version, open_store, writing
from dashboard.store import snapshot
from dashboard.store.lock import StoreBusy, writer_lock
from dashboard.store.readers import PublishedStore
from store_support import another_writer

# A writer in another process: takes the writer lock, bumps the data version and adds a
# department inside one transaction, says "inside", waits for the go file, then commits and
# publishes (through `writing`, as every writing command does).
WRITER = """
import sys, time
from pathlib import Path
from dashboard.store import writing, bump_data_version
db, go = sys.argv[1], Path(sys.argv[2])
with writing(db) as con:
    con.execute("begin transaction")
    bump_data_version(con)
    con.execute("insert into departments (department, short_name) values ('Ny förvaltning', 'Ny')")
    print("inside", flush=True)
    while not go.exists():
        time.sleep(0.02)
    con.execute("commit")
print("published", flush=True)
"""


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "s.duckdb"
    with writing(path):
        pass
    return path


def _departments(snap) -> set[str]:
    with snap.cursor() as cur:
        return {r[0] for r in cur.execute("select department from departments").fetchall()}


def test_a_snapshot_carries_what_the_dashboard_reads_and_nothing_personal(db):
    snap = PublishedStore(db).current()
    with snap.cursor() as cur:
        names = {r[0] for r in cur.execute(
            "select table_name from duckdb_tables() union all select view_name from duckdb_views() "
            "where not internal").fetchall()}
        with pytest.raises(duckdb.Error, match="read-only|read only"):
            cur.execute("insert into meta values ('x', 'y')")
    assert {"departments", "topics", "ingest_log", "ingest_findings", "meta"} <= names
    assert not names & {"contacts", "quarantine", "vocabulary_aliases"}
    assert names <= set(snapshot.published_tables())


def test_an_ingest_in_another_process_never_blocks_a_reader_and_shows_after_its_commit(db, tmp_path):
    store = PublishedStore(db)
    before = store.current()
    assert before.data_version == 0
    go = tmp_path / "go"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "inside"
        # The writer holds the lock and the file, mid-transaction: reads go on, at once, old data.
        for _ in range(5):
            started = time.monotonic()
            snap = store.current()
            assert snap.data_version == 0
            assert "Ny förvaltning" not in _departments(snap)
            assert time.monotonic() - started < 0.5
        go.touch()
        assert writer.stdout.readline().strip() == "published", writer.stderr.read()
    finally:
        writer.wait(timeout=30)
    assert writer.returncode == 0
    after = store.current()
    assert after.data_version == 1 and after.key != before.key
    assert "Ny förvaltning" in _departments(after)
    assert "Ny förvaltning" not in _departments(before)   # a pinned old snapshot stays whole


def test_a_writer_never_waits_for_readers(db):
    store = PublishedStore(db)
    snap = store.current()
    with snap.cursor() as cur:   # a reader in the middle of a query
        cur.execute("select count(*) from departments").fetchall()
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-c", "import sys; from dashboard.store import writing\n"
             "with writing(sys.argv[1], wait_s=0) as con: pass", str(db)],
            capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 20


def test_a_replaced_store_is_never_confused_with_the_old_one(tmp_path):
    db = tmp_path / "s.duckdb"
    with writing(db) as con:
        con.execute("begin transaction")
        bump_data_version(con)
        con.execute("insert into departments (department, short_name) values ('Gamla', 'G')")
        con.execute("commit")
    store = PublishedStore(db)
    old = store.current()
    assert old.data_version == 1 and "Gamla" in _departments(old)
    # Another store with the same data version is renamed over it (as a key rotation does).
    other = tmp_path / "other.duckdb"
    with writing(other) as con:
        con.execute("begin transaction")
        bump_data_version(con)
        con.execute("commit")
    os.replace(other, db)
    new = store.current()   # the store changed and was not published: the reader publishes it
    assert new.data_version == 1
    assert new.pointer.store_id != old.pointer.store_id and new.key != old.key
    assert "Gamla" not in _departments(new)


def test_old_snapshots_are_kept_for_open_sessions_and_then_removed(db, monkeypatch):
    monkeypatch.setattr(snapshot, "KEEP_S", 0.0)
    store = PublishedStore(db)
    first = store.current()
    for _ in range(snapshot.KEEP + 2):
        with writing(db) as con:
            con.execute("begin transaction")
            bump_data_version(con)
            con.execute("commit")
        store.current()
    files = sorted(p.name for p in snapshot.snapshot_dir(db).glob("*.duckdb"))
    tops = [f for f in files if not f.startswith("base-")]
    assert len(tops) == snapshot.KEEP
    assert first.pointer.file not in files
    # a base stays while a kept snapshot reads it (its name is the top's last part)
    assert sorted(f for f in files if f.startswith("base-")) == sorted(
        {"base-" + t.split("+")[1] for t in tops})
    assert store.current().data_version == snapshot.KEEP + 2
    assert len(store.open_files()) <= snapshot.KEEP


def test_a_session_reading_a_removed_snapshot_still_reads_it(db):
    store = PublishedStore(db)
    snap = store.current()
    snap.path.unlink()   # removed by a publish in another process while this one reads
    assert _departments(snap)


def test_a_killed_publish_leaves_the_old_snapshot_current_and_its_files_are_removed(db):
    before = snapshot.read_pointer(db)
    leftover = snapshot.snapshot_dir(db) / ".building-999-dead.duckdb"
    leftover.write_bytes(b"half a snapshot")
    assert snapshot.read_pointer(db) == before   # readers still follow the complete one
    with writer_lock(db):
        snapshot.publish(db)
    assert not leftover.exists()


def test_a_store_written_without_publishing_is_published_by_the_reader(db):
    store = PublishedStore(db)
    assert store.current().data_version == 0
    con = open_store(db)   # a writer killed after its commit, before its publish, looks like this
    con.execute("begin transaction")
    bump_data_version(con)
    con.execute("commit")
    con.close()
    assert store.current().data_version == 1


def test_while_a_writer_holds_the_lock_the_reader_keeps_its_snapshot(db):
    store = PublishedStore(db)
    assert store.current().data_version == 0
    with writer_lock(db):
        con = open_store(db)
        con.execute("begin transaction")
        bump_data_version(con)
        con.execute("commit")
        con.close()
        assert store.current().data_version == 0   # not yet published: the old snapshot, no wait
        snapshot.publish(db)
    assert store.current().data_version == 1


def test_a_second_writer_waits_for_the_lock_and_then_refuses_in_swedish(db):
    with another_writer(db, 30):
        waits = []
        started = time.monotonic()
        with pytest.raises(StoreBusy, match="Ett annat kommando skriver just nu"):
            with writing(db, wait_s=0.5, on_wait=waits.append):
                pass
        assert time.monotonic() - started >= 0.5
        assert waits and "väntar" in waits[0]
    with writing(db, wait_s=5):   # the kernel released the killed holder's lock
        pass


def test_each_thread_gets_its_own_cursor_and_an_unchanged_store_is_opened_once(db):
    store = PublishedStore(db)
    seen = []

    def work():
        snap = store.current()
        with snap.cursor() as cur:
            seen.append(cur)
            cur.execute("select count(*) from meta").fetchall()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c) for c in seen}) == 4
    assert store.opens == 1


def test_a_missing_store_is_named(tmp_path):
    with pytest.raises(StoreError, match="finns inte"):
        PublishedStore(tmp_path / "nope.duckdb").current()

"""The dashboard's store access: read-only, a cursor per thread, new commits seen, lock released."""

import subprocess
import sys
import threading
import time

import pytest

from dashboard.store import StoreError, bump_data_version, open_store
from dashboard.store.readers import SharedStore

WRITER = """
import sys
from dashboard.store import open_store, bump_data_version
con = open_store(sys.argv[1])
con.execute("begin transaction")
bump_data_version(con)
con.execute("commit")
con.close()
"""


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "s.duckdb"
    open_store(path).close()
    return path


def _write_in_other_process(path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WRITER, str(path)], capture_output=True, text=True)


def test_reads_read_only(db):
    store = SharedStore(db, idle_s=0.05)
    with store.cursor() as cur:
        with pytest.raises(Exception, match="read-only|read only"):
            cur.execute("insert into meta values ('x', 'y')")
    store.close()


def test_another_process_commit_is_seen_after_the_idle_close(db):
    store = SharedStore(db, idle_s=0.05)
    assert store.data_version() == 0
    time.sleep(0.3)  # idle: the connection is closed, the writer can take the file
    result = _write_in_other_process(db)
    assert result.returncode == 0, result.stderr
    assert store.data_version() == 1
    assert store.opens == 2
    store.close()


def test_while_a_query_runs_the_writer_is_locked_out(db):
    store = SharedStore(db, idle_s=5)
    with store.cursor():
        result = _write_in_other_process(db)
    assert result.returncode != 0 and "lock" in result.stderr.lower()
    store.close()


def test_a_writer_holding_the_file_gives_a_swedish_busy_message(db):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from dashboard.store import open_store; c = open_store(sys.argv[1]); "
         "print('open', flush=True); time.sleep(3)", str(db)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        store = SharedStore(db, busy_wait_s=0.3)
        with pytest.raises(StoreError, match="uppdateras just nu"):
            with store.cursor():
                pass
    finally:
        holder.kill()
        holder.wait()


def test_each_thread_gets_its_own_cursor_and_unchanged_files_are_not_reopened(db):
    store = SharedStore(db, idle_s=5)
    seen = []

    def work():
        with store.cursor() as cur:
            seen.append(cur)
            cur.execute("select count(*) from meta").fetchall()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c) for c in seen}) == 4
    assert store.opens == 1
    for _ in range(3):
        store.data_version()
    assert store.opens == 1
    store.close()


def test_in_process_writer_commit_changes_the_version(db):
    """The same holds when the writer is this process (sample build in the same test run)."""
    store = SharedStore(db, idle_s=0.01)
    assert store.data_version() == 0
    time.sleep(0.2)
    con = open_store(db)
    con.execute("begin transaction")
    bump_data_version(con)
    con.execute("commit")
    con.close()
    assert store.data_version() == 1
    store.close()

"""The store: migrations, read-only opening, data version, per-thread cursors."""

import re
import subprocess
import sys
import threading

import duckdb
import pytest

from dashboard import store
from dashboard.store import sql
from dashboard.store.contract import CONTACT_COLUMN_TYPES, CONTACT_COLUMNS


def test_writable_open_applies_every_migration_once(tmp_path):
    db = tmp_path / "s.duckdb"
    con = store.open_store(db)
    versions = [r[0] for r in con.execute("select version from schema_migrations").fetchall()]
    assert versions == [v for v, _, _ in store.migrations()]
    assert store.migrate(con) == []  # nothing pending the second time
    con.close()
    con = store.open_store(db)  # reopening applies nothing new and keeps the rows
    assert con.execute("select count(*) from schema_migrations").fetchone()[0] == len(versions)
    con.close()


def test_contract_table_is_the_one_contact_column_definition(tmp_path):
    """The migrations build exactly dashboard.store.contract's columns, in order, with its types."""
    con = store.open_store(tmp_path / "s.duckdb")
    cols = [(r[0], r[1]) for r in con.execute("describe contacts").fetchall()]
    con.close()
    assert cols == list(CONTACT_COLUMN_TYPES.items())


def test_the_contact_id_hash_covers_every_contract_field():
    """derive_contact_ids.sql hashes the mapped row: every contract column but the id itself, in
    table order (source_system arrives as a bound parameter)."""
    text = sql.text("ingest/derive_contact_ids")
    block = text[text.index("concat_ws("):text.index("as contact_id")]
    hashed = [w for w in re.findall(r"(?<![$\w])([a-z_]+)\b", block) if w in CONTACT_COLUMN_TYPES]
    assert ["source_system", *dict.fromkeys(hashed)] == [
        c for c in CONTACT_COLUMNS if c != "contact_id"]


def test_contract_constraints_reject_invalid_values(tmp_path):
    con = store.open_store(tmp_path / "s.duckdb")
    row = "('s', '1', timestamp '2025-01-01 10:00', 'phone', null, null, null, null, null, null, null, {q}, null, null, null, null, null, null, null, null, null, {sat}, null, 1)"
    con.execute("insert into contacts values " + row.format(q=10, sat=5))
    with pytest.raises(duckdb.ConstraintException):
        con.execute("insert into contacts values " + row.replace("'1'", "'2'").format(q=-1, sat=5))
    with pytest.raises(duckdb.ConstraintException):
        con.execute("insert into contacts values " + row.replace("'1'", "'3'").format(q=1, sat=6))


def test_read_only_open_refuses_missing_file_with_swedish_fix(tmp_path):
    with pytest.raises(store.StoreError, match="kontaktcenter sample"):
        store.open_store(tmp_path / "saknas.duckdb", read_only=True)


def test_read_only_store_refuses_writes(tmp_path):
    db = tmp_path / "s.duckdb"
    store.open_store(db).close()
    con = store.open_store(db, read_only=True)
    with pytest.raises(duckdb.Error):
        con.execute("delete from meta")


def test_data_version_bumps_only_with_a_commit(tmp_path):
    con = store.open_store(tmp_path / "s.duckdb")
    before = store.data_version(con)
    con.execute("begin transaction")
    store.bump_data_version(con)
    con.execute("rollback")
    assert store.data_version(con) == before
    con.execute("begin transaction")
    assert store.bump_data_version(con) == before + 1
    con.execute("commit")
    assert store.data_version(con) == before + 1


def test_thread_cursors_give_each_thread_its_own_cursor(tmp_path):
    db = tmp_path / "s.duckdb"
    store.open_store(db).close()
    cursors = store.ThreadCursors(store.open_store(db, read_only=True))
    seen = []

    def work():
        cur = cursors.cursor()
        assert cur is cursors.cursor()
        seen.append(cur)  # keep the object alive so identities can be compared
        cur.execute("select count(*) from contacts").fetchone()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c) for c in seen}) == 3


def _hold_read_only(db, seconds: float) -> subprocess.Popen:
    """A second process holding the store open read-only (like the dashboard) for `seconds`."""
    code = ("import duckdb, sys, time; con = duckdb.connect(sys.argv[1], read_only=True); "
            "print('open', flush=True); time.sleep(float(sys.argv[2])); con.close()")
    proc = subprocess.Popen([sys.executable, "-c", code, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open"
    return proc


def test_writer_waits_for_a_reader_process_that_lets_go(tmp_path):
    db = tmp_path / "s.duckdb"
    store.open_store(db).close()
    holder = _hold_read_only(db, 1.0)
    waits = []
    try:
        con = store.open_store(db, lock_wait_s=20, on_wait=waits.append)
    finally:
        holder.wait(timeout=30)
    assert len(waits) == 1 and "väntar upp till 20 s" in waits[0]   # it met the lock, then got in
    con.execute("update meta set value = '7' where key = 'data_version'")   # writable
    assert store.data_version(con) == 7
    con.close()


def test_writer_gives_up_with_swedish_fix_while_a_reader_holds_on(tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    store.open_store(db).close()
    monkeypatch.setattr(store.lock, "LOCK_WAIT_S", 0.8)   # the configurable default, shortened
    holder = _hold_read_only(db, 120)
    waits = []
    try:
        with pytest.raises(store.StoreError, match="kunde inte öppnas för skrivning") as caught:
            store.open_store(db, on_wait=waits.append)
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert str(db) in str(caught.value)
    assert len(waits) == 1


def test_writer_default_wait_line_goes_to_stderr(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    store.open_store(db).close()
    holder = _hold_read_only(db, 0.6)
    try:
        store.open_store(db).close()
    finally:
        holder.wait(timeout=30)
    assert "öppen i ett annat program" in capsys.readouterr().err


def test_other_io_errors_are_not_retried(tmp_path):
    bad = tmp_path / "not-a-db.duckdb"
    bad.write_bytes(b"this is not a duckdb file at all" * 200)
    waits = []
    with pytest.raises(store.StoreError, match="skadad eller ingen DuckDB-databas"):
        store.open_store(bad, lock_wait_s=30, on_wait=waits.append)
    assert waits == []

"""Writers that cannot destroy each other's work: one writer lock for every writing command,
`sample --force` that waits or refuses and never replaces ingested data unasked, SIGKILL at
several points of a writer and of its publish (store and snapshot exactly before or after), and
Ctrl-C giving exit 130 with a Swedish message. Real processes, real files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dashboard.cli import main
from dashboard.store import bump_data_version, data_version, open_store, snapshot, writing
from dashboard.store.readers import PublishedStore
from ingest_fixtures import KEY, profile_file, telephony_frame, write_csv

TESTS = Path(__file__).resolve().parent

# A writer (through `writing`, as every command) that kills itself at a named point.
KILL_AT = """
import os, signal, sys
from dashboard.store import snapshot, writing, bump_data_version
db, point = sys.argv[1], sys.argv[2]

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if point == "before_publish":
    snapshot.publish = die
elif point == "mid_copy":
    names = snapshot.published_tables()
    def some_then_die():
        yield from names[:6]
        die()
    snapshot.published_tables = some_then_die
elif point == "before_snapshot_rename":
    snapshot._fsync = die
elif point == "before_pointer_rename":
    snapshot._write_pointer = die
elif point == "before_cleanup":
    snapshot._remove_old = die
with writing(db) as con:
    con.execute("begin transaction")
    bump_data_version(con)
    con.execute("insert into departments (department, short_name) values ('Ny förvaltning', 'Ny')")
    if point == "mid_transaction":
        die()
    con.execute("commit")
print("NOT KILLED", flush=True)
"""

POINTS = ["mid_transaction", "before_publish", "mid_copy", "before_snapshot_rename",
          "before_pointer_rename", "before_cleanup"]


def _departments(cur) -> set[str]:
    return {r[0] for r in cur.execute("select department from departments").fetchall()}


@pytest.mark.parametrize("point", POINTS)
def test_a_writer_killed_at_any_point_leaves_store_and_snapshot_before_or_after(tmp_path, point):
    db = tmp_path / "s.duckdb"
    with writing(db) as con:
        con.execute("begin transaction")
        bump_data_version(con)
        con.execute("commit")
    proc = subprocess.run([sys.executable, "-c", KILL_AT, str(db), point],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9 and "NOT KILLED" not in proc.stdout, proc.stderr

    # The pointer still names a complete snapshot, exactly the old state or exactly the new one.
    pointer = snapshot.read_pointer(db)
    con = duckdb.connect(str(snapshot.snapshot_dir(db) / pointer.file), read_only=True)
    published = (data_version(con), "Ny förvaltning" in _departments(con))
    con.close()
    assert published in {(1, False), (2, True)}
    store = open_store(db, read_only=True)
    stored = (data_version(store), "Ny förvaltning" in _departments(store))
    store.close()
    assert stored == ((1, False) if point == "mid_transaction" else (2, True))

    # The next reader (or writer) brings the snapshot to the store's state; leftovers go.
    snap = PublishedStore(db).current()
    with snap.cursor() as cur:
        assert (data_version(cur), "Ny förvaltning" in _departments(cur)) == stored
    assert not list(snapshot.snapshot_dir(db).glob(".building-*"))


SAMPLE_KILL = """
import os, signal, sys
from dashboard.sample import build_sample_store
from dashboard.sample import store_build
db, point = sys.argv[1], sys.argv[2]

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

def progress(done, total):
    if point == "mid_build" and done >= 1000:
        die()

if point == "before_publish":
    store_build.publish = die
build_sample_store(db, 3000, seed=7, progress=progress, chunk_rows=1000)
print("NOT KILLED", flush=True)
"""


@pytest.mark.parametrize("point", ["mid_build", "before_publish"])
def test_a_killed_sample_build_leaves_the_old_store_or_the_new_one_and_is_cleaned_up(tmp_path, point):
    db = tmp_path / "s.duckdb"
    with writing(db) as con:
        con.execute("insert into departments (department, short_name) values ('Gamla', 'G')")
    proc = subprocess.run([sys.executable, "-c", SAMPLE_KILL, str(db), point],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == -9 and "NOT KILLED" not in proc.stdout, proc.stderr
    store = open_store(db, read_only=True)
    old = "Gamla" in _departments(store)
    contacts = store.execute("select count(*) from contacts").fetchall()[0][0]
    store.close()
    assert (old, contacts) == ((True, 0) if point == "mid_build" else (False, 3000))
    snap = PublishedStore(db).current()
    with snap.cursor() as cur:
        assert ("Gamla" in _departments(cur)) == old
    leftovers = list(tmp_path.glob(".s.duckdb.building-*"))
    assert bool(leftovers) == (point == "mid_build")   # the killed build's temporary file ...
    from dashboard.sample import build_sample_store
    build_sample_store(db, 500, seed=7)
    assert not list(tmp_path.glob(".s.duckdb.building-*"))   # ... is removed by the next build


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("KONTAKTCENTER_KEY", KEY.hex())
    monkeypatch.setenv("KONTAKTCENTER_CONFIG", str(tmp_path / "ingen.toml"))
    monkeypatch.delenv("KONTAKTCENTER_DB", raising=False)
    return tmp_path


def _ingested_store(tmp_path) -> Path:
    db = tmp_path / "s.duckdb"
    profile_file(tmp_path, batch_rows=100)
    profile = tmp_path / "profil.toml"
    data = write_csv(telephony_frame(200, seed=3), tmp_path / "a.csv")
    assert main(["--db", str(db), "ingest", str(data), "--profile", str(profile), "-q"]) == 0
    return db


def test_sample_force_refuses_to_replace_ingested_data_unless_the_loss_is_named(cli_env, capsys):
    db = _ingested_store(cli_env)
    before = db.read_bytes()
    assert main(["--db", str(db), "sample", "--rows", "1000", "--force"]) == 2
    err = capsys.readouterr().err
    assert "innehåller inlästa data" in err and "--discard-ingested-data" in err
    assert db.read_bytes() == before
    assert main(["--db", str(db), "sample", "--rows", "1000", "--force",
                 "--discard-ingested-data"]) == 0
    con = open_store(db, read_only=True)
    assert con.execute("select count(*) from contacts").fetchall()[0][0] == 1000
    con.close()


def test_sample_force_waits_for_a_running_writer_and_then_refuses(cli_env, capsys):
    db = cli_env / "s.duckdb"
    with writing(db):
        pass
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from dashboard.store.lock import writer_lock\n"
         "with writer_lock(sys.argv[1]):\n print('held', flush=True); time.sleep(60)", str(db)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        proc = subprocess.run(
            [sys.executable, "-m", "dashboard", "--db", str(db), "sample", "--rows", "1000", "--force"],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "KONTAKTCENTER_LOCK_WAIT_S": "1"})
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 2
    assert "väntar upp till" in proc.stderr and "Ett annat kommando skriver just nu" in proc.stderr
    assert "Traceback" not in proc.stderr
    con = open_store(db, read_only=True)
    assert con.execute("select count(*) from contacts").fetchall()[0][0] == 0
    con.close()


# While it opens the store and while it reads and writes. (A Ctrl-C during Python's own start,
# before any of the program's code runs, is Python's to report.)
@pytest.mark.parametrize("delay", [1.5, "progress"])
def test_ctrl_c_anywhere_exits_130_with_a_swedish_message(cli_env, delay):
    db = cli_env / "s.duckdb"
    with writing(db):
        pass
    profile_file(cli_env, batch_rows=500)
    profile = cli_env / "profil.toml"
    data = write_csv(telephony_frame(60_000, seed=4), cli_env / "big.csv")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "--db", str(db), "ingest", str(data), "--profile",
         str(profile)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if delay == "progress":
        line = proc.stderr.readline()   # the first progress line: mid-file
        assert "Läser big.csv" in line, line
    else:
        time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "Avbrutet" in err and "Traceback" not in err
    con = open_store(db, read_only=True)
    assert con.execute("select count(*) from contacts").fetchall()[0][0] == 0
    con.close()

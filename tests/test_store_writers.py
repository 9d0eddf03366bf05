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
from contextlib import nullcontext
from pathlib import Path

import duckdb
import pytest

from dashboard.cli import main
from dashboard.store import bump_data_version, data_version, open_store, snapshot, writing
from dashboard.store.readers import PublishedStore
from ingest_fixtures import KEY, profile_file, telephony_frame, write_csv
from store_support import another_writer

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


def _next_sample(db: Path) -> None:
    from dashboard.sample import build_sample_store

    build_sample_store(db, 500, seed=7)


def _next_writer(db: Path) -> None:
    with writing(db) as con:
        con.execute("select 1")


def _next_serve(db: Path) -> None:
    from dashboard.cli.serve_store import prepare

    prepare(db, sample_asked=False)


# What starts next after the kill: another sample build, another writer, or the dashboard's start.
NEXT_START = {"sample": _next_sample, "writer": _next_writer, "serve": _next_serve}


@pytest.mark.parametrize("point,next_start", [("mid_build", "sample"), ("mid_build", "writer"),
                                              ("mid_build", "serve"), ("before_publish", "sample")])
def test_a_killed_sample_build_leaves_the_old_store_or_the_new_one_and_is_cleaned_up(
        tmp_path, point, next_start):
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
    NEXT_START[next_start](db)
    assert not list(tmp_path.glob(".s.duckdb.building-*"))   # ... is removed by the next start


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
    with another_writer(db, 60):
        proc = subprocess.run(
            [sys.executable, "-m", "dashboard", "--db", str(db), "sample", "--rows", "1000", "--force"],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "KONTAKTCENTER_LOCK_WAIT_S": "1"})
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


# ---------------------------------------------------------------- the real commands, any moment

# Columns that differ between two runs of the same command (clock times), left out of the content.
VOLATILE = {"ingest_log": ("started_at", "finished_at"), "schema_migrations": ("applied_at",)}


def _content(con) -> dict:
    """Every table's row count and an order-independent hash of its rows (clock columns aside)."""
    out = {}
    tables = [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database()").fetchall()]
    for table in sorted(tables):
        cols = [r[0] for r in con.execute(
            "select column_name from duckdb_columns() where database_name = current_database() "
            "and table_name = $t order by column_index", {"t": table}).fetchall()]
        kept = ", ".join(f'"{c}"' for c in cols if c not in VOLATILE.get(table, ())) or "1"
        # a new sample store gets a new random id: the rest of `meta` must match
        where = " where key <> 'store_id'" if table == "meta" else ""
        # identifiers from the catalogue, not values
        out[table] = con.execute(
            f'select count(*), coalesce(sum(hash(row({kept}))), 0) from "{table}"{where}').fetchall()[0]
    return out


def _store_content(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return _content(con)
    finally:
        con.close()


def _published_content(db: Path) -> dict:
    pointer = snapshot.read_pointer(db)
    return _store_content(snapshot.snapshot_dir(db) / pointer.file)


def _holds_writer_lock(pid: int, db: Path) -> bool:
    """True once pid holds the store's writer lock (the kernel's /proc/locks), i.e. it is writing."""
    from dashboard.store.lock import lock_path

    try:
        inode = lock_path(db).stat().st_ino
    except FileNotFoundError:
        return False
    for line in Path("/proc/locks").read_text().split("\n"):
        f = line.split()
        if len(f) >= 6 and f[1] == "FLOCK" and f[4] == str(pid) and f[5].rsplit(":", 1)[-1] == str(inode):
            return True
    return False


def _wait_for_lock(proc: subprocess.Popen, db: Path, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not _holds_writer_lock(proc.pid, db):
        assert proc.poll() is None, f"the writer ended before it wrote: {proc.returncode}"
        assert time.monotonic() < deadline, "the writer never took the lock"
        time.sleep(0.005)


def _writer(kind: str, db: Path, work: Path) -> list[str]:
    """The command line of one real writer, and the store as it must be before it runs."""
    cli = [sys.executable, "-m", "dashboard", "--db", str(db)]
    if kind == "ingest":
        return [*cli, "ingest", str(work / "natt.csv"), "--profile", str(work / "profil.toml"), "-q",
                "--max-quarantine-share", "1"]
    if kind == "refresh":
        return [*cli, "metrics", "--refresh-marts", "--metric", "offered", "--format", "csv"]
    if kind == "sample":
        return [*cli, "sample", "--rows", "20000", "--force", "--discard-ingested-data"]
    raise AssertionError(kind)


def _base_store(kind: str, sample_db: Path, db: Path) -> None:
    """A copy of the sample store, published; for the refresh a mart emptied first (as a tool
    that writes contacts without refreshing leaves it), so that refreshing changes something."""
    import shutil

    from dashboard.store.marts import MARTS

    for p in db.parent.glob(db.name + "*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    shutil.copy(sample_db, db)
    if kind == "refresh":
        con = duckdb.connect(str(db))
        con.execute(f'delete from "{MARTS[0].name}"')   # our own mart name, not a value
        con.close()
    snapshot.catch_up(db)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["ingest", "refresh", "sample"])
def test_sigkill_at_any_moment_of_a_real_writer_leaves_exactly_before_or_exactly_after(
        sample_db, tmp_path, kind):
    work = tmp_path
    if kind == "ingest":
        profile_file(work, batch_rows=2_000)
        con = duckdb.connect(str(sample_db), read_only=True)
        (last,) = con.execute("select max(started_at) from contacts").fetchall()[0]
        con.close()
        import datetime as dt
        write_csv(telephony_frame(12_000, seed=5, start=last - dt.timedelta(days=4)), work / "natt.csv")
    env = {**os.environ, "KONTAKTCENTER_KEY": KEY.hex(), "KONTAKTCENTER_CONFIG": str(work / "ingen.toml")}
    env.pop("KONTAKTCENTER_DB", None)
    db = work / "s.duckdb"

    # The uninterrupted run: the state after, and how long the writer holds the lock.
    _base_store(kind, sample_db, db)
    before, published_before = _store_content(db), _published_content(db)
    proc = subprocess.Popen(_writer(kind, db, work), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    _wait_for_lock(proc, db)
    began = time.monotonic()
    _, err = proc.communicate(timeout=600)
    held_s = time.monotonic() - began
    assert proc.returncode == 0, err
    after, published_after = _store_content(db), _published_content(db)
    assert after != before and published_after != published_before   # the writer changes something
    assert published_after == {t: v for t, v in after.items() if t in published_after}

    outcomes = []
    for fraction in (0.05, 0.25, 0.45, 0.65, 0.85, 0.97):
        _base_store(kind, sample_db, db)
        proc = subprocess.Popen(_writer(kind, db, work), env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _wait_for_lock(proc, db)
        time.sleep(fraction * held_s)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        stored, published = _store_content(db), _published_content(db)
        assert stored in (before, after), fraction
        assert published in (published_before, published_after), fraction
        outcomes.append("after" if stored == after else "before")
        # The next reader brings the snapshot to the store's state; the next start (of `serve`
        # here) removes what the killed one left.
        PublishedStore(db).current()
        assert _published_content(db) == (published_after if stored == after else published_before)
        _next_serve(db)
        assert not list(snapshot.snapshot_dir(db).glob(".building-*"))
        assert not list(tmp_path.glob(".s.duckdb.building-*"))
    print(f"{kind}: {held_s:.1f} s under the lock; killed runs left {outcomes}")


def _kontaktcenter_script() -> str:
    """The console script `pip install` made: the command as people start it."""
    return str(Path(sys.executable).with_name("kontaktcenter"))


def _mapped(pid: int, library: str) -> bool:
    try:
        return library in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


# Ctrl-C in each phase of a command's life, from its package's first line on. (Earlier, while
# Python itself starts and site-packages' .pth files run, no code of the program has run yet:
# Python reports that interrupt itself, with its own traceback.)
PHASES = ["importing_script", "importing_module", "waiting_for_the_lock", "building_the_sample",
          "holding_the_lock_ingest", "holding_the_lock_refresh"]


@pytest.mark.slow
@pytest.mark.parametrize("phase", PHASES)
def test_ctrl_c_in_every_phase_exits_130_with_a_swedish_message(sample_db, cli_env, phase):
    import shutil

    db = cli_env / "s.duckdb"
    shutil.copy(sample_db, db)
    snapshot.catch_up(db)
    before = _store_content(db)
    profile_file(cli_env, batch_rows=500)
    write_csv(telephony_frame(30_000, seed=4), cli_env / "natt.csv")
    ingest = ["ingest", str(cli_env / "natt.csv"), "--profile", str(cli_env / "profil.toml")]
    module = [sys.executable, "-m", "dashboard", "--db", str(db)]
    env = {**os.environ, "KONTAKTCENTER_LOCK_WAIT_S": "60"}
    if phase == "importing_script":
        argv = [_kontaktcenter_script(), "--db", str(db), *ingest]
    elif phase == "holding_the_lock_refresh":
        argv = [*module, "metrics", "--refresh-marts", "--metric", "offered"]
    elif phase == "building_the_sample":
        argv = [*module, "sample", "--rows", "200000", "--force", "--discard-ingested-data"]
    else:
        argv = [*module, *ingest]
    with another_writer(db) if phase == "waiting_for_the_lock" else nullcontext():
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if phase.startswith("importing"):
            # DuckDB's library is mapped while `dashboard.cli` imports it, before main() runs.
            deadline = time.monotonic() + 60
            while not _mapped(proc.pid, "duckdb"):
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.002)
        elif phase == "waiting_for_the_lock":
            assert "väntar upp till" in proc.stderr.readline()
        elif phase == "building_the_sample":
            _wait_for_lock(proc, db)
            time.sleep(1.0)   # generating and inserting rows into its temporary file
        else:
            _wait_for_lock(proc, db)
            time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (phase, out[-500:], err[-6000:])
    assert "Avbrutet" in err and "Traceback" not in err, err[-2000:]
    assert _store_content(db) == before   # nothing half-written, nothing written at all


@pytest.mark.parametrize("command", ["ingest", "sample", "migrate", "refresh", "vocabulary add"])
def test_every_writing_command_takes_the_one_writer_lock(cli_env, sample_db, command):
    import shutil

    db = cli_env / "s.duckdb"
    shutil.copy(sample_db, db)
    snapshot.catch_up(db)
    profile_file(cli_env, batch_rows=100)
    write_csv(telephony_frame(50, seed=2), cli_env / "a.csv")
    args = {
        "ingest": ["ingest", str(cli_env / "a.csv"), "--profile", str(cli_env / "profil.toml"), "-q"],
        "sample": ["sample", "--rows", "1000", "--force"],
        "migrate": ["migrate"],
        "refresh": ["metrics", "--metric", "offered", "--refresh-marts"],
        "vocabulary add": ["vocabulary", "add", "department", "Testförvaltningen"],
    }[command]
    before = _store_content(db)
    with another_writer(db):
        proc = subprocess.run([sys.executable, "-m", "dashboard", "--db", str(db), *args],
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "KONTAKTCENTER_LOCK_WAIT_S": "1"})
    assert proc.returncode == 2, proc.stderr
    assert "väntar upp till" in proc.stderr and "Ett annat kommando skriver just nu" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _store_content(db) == before


# A command whose generator is finalised just as Ctrl-C comes: Python drops an exception raised in
# a finaliser ("Exception ignored in ...", with a traceback) and would carry on.
CTRL_C_IN_A_FINALISER = """
import os, signal, sys, time
import dashboard.cli.staffing as staffing
from dashboard.cli import main

def gen():
    try:
        yield 1
    finally:
        os.kill(os.getpid(), signal.SIGINT)   # the Ctrl-C lands while the generator closes
        time.sleep(0.2)

def run(args):
    g = gen()
    next(g)
    del g                                     # finalised here
    time.sleep(5)
    print("NOT STOPPED", flush=True)
    return 0

staffing.run = run
sys.exit(main(["staffing", "--offered", "10", "--interval-min", "30", "--aht-s", "300",
               "--target-answer-s", "20", "--target-sl", "0.8"]))
"""


def test_ctrl_c_landing_in_a_finaliser_still_stops_the_command_quietly():
    proc = subprocess.run([sys.executable, "-c", CTRL_C_IN_A_FINALISER], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 130, (proc.stdout, proc.stderr)
    assert "NOT STOPPED" not in proc.stdout
    assert "Avbrutet" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert "Exception ignored" not in proc.stderr, proc.stderr

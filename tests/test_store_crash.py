"""SIGKILL at several points of a writer and of its publish, of a sample build, and at any moment
of the real writing commands: store and snapshot exactly before or exactly after, leftovers
removed by the next start. Real processes, real files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dashboard.store import bump_data_version, data_version, open_store, snapshot, writing
from dashboard.store.readers import PublishedStore
from ingest_fixtures import KEY, profile_file, telephony_frame, write_csv
from store_support import published_content, store_content, wait_for_lock

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
    con = snapshot.open_published(db, pointer)
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



# ---------------------------------------------------------------- the real commands, any moment

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


def _pending(stored: dict, before: dict) -> bool:
    """The store of a rebuild killed after it dropped the marts: no marts, the rest as before."""
    marts = _mart_content(before)
    return (not _mart_content(stored) and "contact_dist" not in stored
            and {t: v for t, v in stored.items() if t != "meta"}
            == {t: v for t, v in before.items() if t not in marts and t not in ("meta", "contact_dist")})


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
    before, published_before = store_content(db), published_content(db)
    proc = subprocess.Popen(_writer(kind, db, work), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    wait_for_lock(proc, db)
    began = time.monotonic()
    _, err = proc.communicate(timeout=600)
    held_s = time.monotonic() - began
    assert proc.returncode == 0, err
    after, published_after = store_content(db), published_content(db)
    assert after != before and published_after != published_before   # the writer changes something
    assert published_after == {t: v for t, v in after.items() if t in published_after}

    outcomes = []
    for fraction in (0.05, 0.25, 0.45, 0.65, 0.85, 0.97):
        _base_store(kind, sample_db, db)
        proc = subprocess.Popen(_writer(kind, db, work), env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        wait_for_lock(proc, db)
        time.sleep(fraction * held_s)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        stored, published = store_content(db), published_content(db)
        # a refresh killed between its two transactions leaves the marts dropped (pending):
        # everything else as before, and the snapshot as before until the marts are built
        pending = kind == "refresh" and _pending(stored, before)
        assert stored in (before, after) or pending, fraction
        assert published in (published_before, published_after), fraction
        outcomes.append("after" if stored == after else "pending" if pending else "before")
        # The next reader brings the snapshot to the store's state; the next start (of `serve`
        # here) removes what the killed one left.
        PublishedStore(db).current()
        assert published_content(db) == (published_after if stored == after else published_before)
        _next_serve(db)
        assert not list(snapshot.snapshot_dir(db).glob(".building-*"))
        assert not list(tmp_path.glob(".s.duckdb.building-*"))
    print(f"{kind}: {held_s:.1f} s under the lock; killed runs left {outcomes}")


# ------------------------------------------------- the standalone full rebuild, between its steps

# `metrics --refresh-marts` (the real command, main()) killing itself when the rebuild calls the
# named function of dashboard.store.marts.
REBUILD_KILL = """
import os, signal, sys
from dashboard.cli import main
from dashboard.store import marts
db, function = sys.argv[1], sys.argv[2]
setattr(marts, function, lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL))
main(["--db", db, "metrics", "--refresh-marts", "--metric", "offered", "--format", "csv"])
print("NOT KILLED", flush=True)
"""
# point of the rebuild -> the function called there
REBUILD_POINTS = {
    "after_drop": "finish_rebuild",      # the drop committed, not yet checkpointed
    "after_checkpoint": "refresh_marts",  # the old marts' blocks freed, nothing built
    "mid_build": "_date_chunks",          # contact_facts written, no rollup yet
}


def _refresh(db: Path) -> int:
    from dashboard.cli import main

    return main(["--db", str(db), "metrics", "--refresh-marts", "--metric", "offered", "--format", "csv"])


def _mart_content(content: dict) -> dict:
    from dashboard.store.marts import MARTS

    names = {n for m in MARTS for n in (m.name, m.dist)}
    return {t: v for t, v in content.items() if t in names}


@pytest.mark.parametrize("point,next_writer", [("after_drop", "refresh"), ("after_checkpoint", "ingest"),
                                               ("mid_build", "refresh"), ("mid_build", "ingest")])
def test_a_rebuild_killed_between_its_transactions_publishes_nothing_until_the_marts_are_back(
        sample_db, tmp_path, monkeypatch, capsys, point, next_writer):
    import shutil

    from dashboard.cli import main
    from dashboard.store import marts

    monkeypatch.setenv("KONTAKTCENTER_KEY", KEY.hex())
    monkeypatch.setenv("KONTAKTCENTER_CONFIG", str(tmp_path / "ingen.toml"))
    monkeypatch.delenv("KONTAKTCENTER_DB", raising=False)
    db, whole = tmp_path / "s.duckdb", tmp_path / "whole.duckdb"
    shutil.copy(sample_db, db)
    shutil.copy(sample_db, whole)   # the uninterrupted rebuild, for comparison
    assert snapshot.catch_up(db) is not None
    pointer, published = snapshot.read_pointer(db), published_content(db)
    contacts = {t: v for t, v in store_content(db).items() if t not in _mart_content(store_content(db))
                and t != "meta"}
    assert _refresh(whole) == 0

    proc = subprocess.run([sys.executable, "-c", REBUILD_KILL, str(db), REBUILD_POINTS[point]],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == -9 and "NOT KILLED" not in proc.stdout, proc.stderr

    # The marts are gone (pending), everything else as it was; the snapshot exactly as before,
    # and no reader publishes the store in this state.
    stored = store_content(db)
    assert not _mart_content(stored) and "contact_dist" not in stored
    assert {t: v for t, v in stored.items() if t != "meta"} == contacts
    assert snapshot.read_pointer(db) == pointer and published_content(db) == published
    assert snapshot.catch_up(db) is None
    assert PublishedStore(db).current().pointer.file == pointer.file
    assert snapshot.read_pointer(db) == pointer and published_content(db) == published
    con = open_store(db, read_only=True)
    meta = dict(con.execute("select key, value from meta").fetchall())
    assert meta[marts.PENDING] == "1" and "marts_version" not in meta
    assert not set(marts.COVERAGE) & set(meta)
    with pytest.raises(marts.MartsMissing, match="avbröts"):
        marts.check_marts(con)
    con.close()
    # A reader of the store (the metrics command) names the state and the fix.
    capsys.readouterr()
    assert main(["--db", str(db), "metrics", "--metric", "offered"]) == 2
    err = capsys.readouterr().err
    assert marts.PENDING_MESSAGE in err and "Traceback" not in err

    # The next writer builds the marts in full: the same marts as the uninterrupted rebuild.
    if next_writer == "refresh":
        assert _refresh(db) == 0
        assert store_content(db) == store_content(whole)
    else:
        profile_file(tmp_path, batch_rows=2_000)
        write_csv(telephony_frame(300, seed=5), tmp_path / "natt.csv")
        assert main(["--db", str(db), "ingest", str(tmp_path / "natt.csv"), "--profile",
                     str(tmp_path / "profil.toml"), "-q"]) == 0
        con = open_store(db, read_only=True)
        generation = con.execute("select value from meta where key = 'marts_generation'").fetchall()[0][0]
        # the ingest's update_marts logged a whole rebuild (no day): it found the marts pending
        assert con.execute("select local_date from marts_changes where generation = $g",
                           {"g": int(generation)}).fetchall() == [(None,)]
        assert not marts.marts_pending(con)
        con.close()
        ingested = store_content(db)
        assert _refresh(db) == 0   # a full rebuild of the same contacts gives the same marts
        assert _mart_content(store_content(db)) == _mart_content(ingested)
    final = store_content(db)
    assert published_content(db) == {t: v for t, v in final.items() if t in published_content(db)}
    assert snapshot.read_pointer(db) != pointer

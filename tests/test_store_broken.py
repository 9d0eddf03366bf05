"""A store that cannot be used gives a Swedish message naming the problem and the fix, never a
traceback, from every command and from the dashboard; a newer schema is refused, not written
into. `serve` builds the sample only for the default store or when asked, and a store holding
sample data shows the Exempeldata banner on every page."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.app import NAVIGATION
from dashboard.cli import main
from dashboard.store import open_store, writing
from dashboard.store.lock import writer_lock
from ingest_fixtures import KEY, profile_file, telephony_frame, write_csv

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


def _newer(tmp_path: Path) -> Path:
    db = tmp_path / "newer.duckdb"
    con = open_store(db)   # as a newer version of the program would leave it
    con.execute("insert into schema_migrations values (999, 'from_the_future', now()::timestamp)")
    con.close()
    return db


def _truncated(tmp_path: Path, sample_db: Path) -> Path:
    db = tmp_path / "truncated.duckdb"
    data = sample_db.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    return db


def _broken(kind: str, tmp_path: Path, sample_db: Path) -> Path:
    db = tmp_path / f"{kind}.duckdb"
    if kind == "missing":
        return db
    if kind == "directory":
        db.mkdir()
    elif kind == "empty":
        db.write_bytes(b"")
    elif kind == "corrupt":
        db.write_bytes(b"not a duckdb database, just bytes " * 500)
    elif kind == "truncated":
        return _truncated(tmp_path, sample_db)
    elif kind == "newer":
        return _newer(tmp_path)
    return db


# kind -> what the message must say (the problem; each message also names a fix)
PROBLEMS = {
    "missing": "finns inte",
    "directory": "är en katalog",
    "empty": "är tom",
    "corrupt": "skadad eller ingen DuckDB-databas",
    "truncated": "skadad eller ingen DuckDB-databas",
    "newer": "nyare än det här programmets",
}
FIXES = {
    "missing": "kontaktcenter sample", "directory": "Ange en fil med --db", "empty": "Ta bort filen",
    "corrupt": "säkerhetskopia", "truncated": "säkerhetskopia", "newer": "Uppdatera programmet",
}


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("KONTAKTCENTER_KEY", KEY.hex())
    monkeypatch.setenv("KONTAKTCENTER_CONFIG", str(tmp_path / "ingen.toml"))
    monkeypatch.delenv("KONTAKTCENTER_DB", raising=False)
    profile_file(tmp_path, batch_rows=100)
    write_csv(telephony_frame(50, seed=2), tmp_path / "a.csv")
    return tmp_path


def _commands(tmp_path: Path) -> dict[str, list[str]]:
    return {
        "metrics": ["metrics", "--metric", "offered"],
        "ingest": ["ingest", str(tmp_path / "a.csv"), "--profile", str(tmp_path / "profil.toml"), "-q"],
        "migrate": ["migrate"],
        "export": ["export", "--from", "2024-01-01", "--to", "2024-01-31", "--out", str(tmp_path / "ut.xlsx")],
        "find": ["find", "--source-system", "telefoni", "--contact-id", "X1"],
        "vocabulary list": ["vocabulary", "list", "department"],
        "vocabulary add": ["vocabulary", "add", "department", "Testförvaltningen"],
        "refresh": ["metrics", "--metric", "offered", "--refresh-marts"],
    }


@pytest.mark.parametrize("kind", list(PROBLEMS))
def test_every_command_names_the_problem_and_the_fix(env, kind, sample_db, capsys):
    db = _broken(kind, env, sample_db)
    before = db.read_bytes() if db.is_file() else None
    for name, args in _commands(env).items():
        if kind == "missing" and name in ("ingest", "migrate", "vocabulary add", "refresh"):
            continue   # writers create a missing store: that is how a store is started
        code = main(["--db", str(db), *args])
        err = capsys.readouterr().err
        assert code == 2, (name, err)
        assert PROBLEMS[kind] in err and FIXES[kind] in err, (name, err)
        assert "Traceback" not in err
    if before is not None:
        assert db.read_bytes() == before   # nothing was written into it, a newer schema included


def test_a_locked_store_is_named_by_writers_and_readers(env, sample_db, capsys):
    db = env / "s.duckdb"
    shutil.copy(sample_db, db)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from dashboard.store import open_store\n"
         "from dashboard.store.lock import writer_lock\n"
         "with writer_lock(sys.argv[1]):\n c = open_store(sys.argv[1]); print('held', flush=True); "
         "time.sleep(60)", str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        import dashboard.store.lock as lock
        lock_wait = lock.LOCK_WAIT_S
        lock.LOCK_WAIT_S = 0.3
        try:
            commands = _commands(env)
            assert main(["--db", str(db), *commands["ingest"]]) == 2
            assert "Ett annat kommando skriver just nu" in capsys.readouterr().err
            assert main(["--db", str(db), *commands["metrics"]]) == 2
            err = capsys.readouterr().err
            assert "låst av ett annat program" in err and "Traceback" not in err
        finally:
            lock.LOCK_WAIT_S = lock_wait
    finally:
        holder.kill()
        holder.wait()


def _app(db, monkeypatch, page: str | None = None) -> AppTest:
    monkeypatch.setenv("KONTAKTCENTER_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=120)
    if page:
        at.switch_page(f"screens/{page}")
    return at.run()


@pytest.mark.parametrize("kind", list(PROBLEMS))
def test_the_dashboard_names_the_problem_without_a_traceback(tmp_path, kind, sample_db, monkeypatch):
    db = _broken(kind, tmp_path, sample_db)
    at = _app(db, monkeypatch)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and PROBLEMS[kind] in errors[0] and FIXES[kind] in errors[0], errors


@pytest.mark.parametrize("file", [file for _, file, _, _, _ in NAVIGATION])
def test_every_page_of_a_sample_store_shows_the_exempeldata_banner(sample_db, monkeypatch, file):
    at = _app(sample_db, monkeypatch, file)
    assert not at.exception
    assert any("Exempeldata" in w.value for w in at.warning), [w.value for w in at.warning]


def test_a_store_of_ingested_data_shows_no_banner(env, monkeypatch):
    db = env / "real.duckdb"
    assert main(["--db", str(db), *_commands(env)["ingest"]]) == 0
    at = _app(db, monkeypatch)
    assert not at.exception
    assert not any("Exempeldata" in w.value for w in at.warning)


def test_serve_builds_no_sample_for_a_mistyped_db(env, capsys):
    db = env / "kontaktcentr.duckdb"   # a typo: not the default store
    assert main(["--db", str(db), "serve", "--headless", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "finns inte" in err and "--sample" in err
    assert not db.exists()


def test_serve_with_sample_builds_it_where_asked(env, monkeypatch):
    from dashboard.cli import serve_store

    db = env / "visning.duckdb"
    assert serve_store.prepare(db, sample_asked=True).startswith("Ingen databas fanns")
    con = open_store(db, read_only=True)
    assert con.execute("select count(*) from ingest_log where profile = 'sample'").fetchall()[0][0] == 1
    con.close()
    assert (env / "visning.duckdb.snapshots" / "CURRENT").is_file()   # published before any visit


def _as_another_account(argv: list[str]) -> list[str]:
    """Permissions do not bind root: as root, run the command as `nobody` (setpriv)."""
    if os.geteuid() != 0:
        return argv
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *argv]


@pytest.mark.parametrize("what", ["file", "directory"])
def test_a_read_only_store_is_named_by_every_writer_and_still_read(env, sample_db, what):
    import tempfile

    # Outside pytest's own temporary directory, which only its owner may enter.
    with tempfile.TemporaryDirectory() as top:
        _read_only_case(Path(top), env, sample_db, what)


def _read_only_case(top: Path, env: Path, sample_db: Path, what: str) -> None:
    for name in ("a.csv", "profil.toml"):
        shutil.copy(env / name, top / name)
    directory = top / "ro"
    directory.mkdir()
    db = directory / "s.duckdb"
    shutil.copy(sample_db, db)
    assert main(["--db", str(db), "metrics", "--metric", "offered"]) == 0   # publishes a snapshot
    (directory / "s.duckdb.lock").unlink(missing_ok=True)
    for p in [top, *top.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)   # the other account may read everything ...
    if what == "file":
        directory.chmod(0o777)   # ... and write the directory, but not the store
        db.chmod(0o444)
    else:
        directory.chmod(0o555)   # ... and nothing in the store's directory
    before = db.read_bytes()
    cli = [sys.executable, "-m", "dashboard", "--db", str(db)]
    envs = {**os.environ, "KONTAKTCENTER_KEY": KEY.hex(), "KONTAKTCENTER_LOCK_WAIT_S": "1",
            "KONTAKTCENTER_CONFIG": str(top / "ingen.toml"), "HOME": str(top)}
    expected = "skrivskyddad"
    fix = "skrivrätt"
    for name, args in _commands(top).items():
        if name in ("export", "find", "metrics", "vocabulary list"):
            continue   # readers: below
        proc = subprocess.run(_as_another_account([*cli, *args]), capture_output=True, text=True,
                              env=envs, timeout=120, cwd=top)
        assert proc.returncode == 2, (name, proc.stderr)
        assert expected in proc.stderr and fix in proc.stderr, (name, proc.stderr)
        assert "Traceback" not in proc.stderr
    # A reader needs no write access to the store (the snapshot is published already).
    proc = subprocess.run(_as_another_account([*cli, "metrics", "--metric", "offered"]),
                          capture_output=True, text=True, env=envs, timeout=120, cwd=top)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert db.read_bytes() == before
    directory.chmod(0o755)

"""One writer lock for every writing command, and `sample --force` that waits or refuses and
never replaces ingested data unasked. Real processes, real files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.store import open_store, snapshot, writing
from ingest_fixtures import profile_file, telephony_frame, write_csv
from store_support import another_writer, cli_env, store_content  # noqa: F401 (cli_env: a fixture)


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
    before = store_content(db)
    with another_writer(db):
        proc = subprocess.run([sys.executable, "-m", "dashboard", "--db", str(db), *args],
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "KONTAKTCENTER_LOCK_WAIT_S": "1"})
    assert proc.returncode == 2, proc.stderr
    assert "väntar upp till" in proc.stderr and "Ett annat kommando skriver just nu" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert store_content(db) == before

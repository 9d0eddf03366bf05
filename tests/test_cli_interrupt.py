"""Ctrl-C at any moment of a command, from its package's first line on: exit 130 with a Swedish
message, no traceback, the store unchanged. Real processes, real files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import pytest

from dashboard.store import open_store, snapshot, writing
from ingest_fixtures import profile_file, telephony_frame, write_csv
from store_support import (  # noqa: F401 (cli_env: a fixture)
    another_writer, cli_env, store_content, wait_for_lock)


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
    before = store_content(db)
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
            wait_for_lock(proc, db)
            time.sleep(1.0)   # generating and inserting rows into its temporary file
        else:
            wait_for_lock(proc, db)
            time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (phase, out[-500:], err[-6000:])
    assert "Avbrutet" in err and "Traceback" not in err, err[-2000:]
    after = store_content(db)
    if phase == "holding_the_lock_refresh" and after != before:
        # stopped after the rebuild's first transaction: the marts dropped whole (pending, not
        # published), the rest unchanged, and the command says so and names the fix
        from dashboard.cli.metrics import PENDING_NOTE
        from dashboard.store.marts import MARTS

        marts = {n for m in MARTS for n in (m.name, m.dist)}
        assert not marts & set(after)
        assert ({t: v for t, v in after.items() if t != "meta"}
                == {t: v for t, v in before.items() if t not in marts and t != "meta"})
        assert PENDING_NOTE in err
        assert snapshot.catch_up(db) is None
    else:
        assert after == before   # nothing half-written, nothing written at all



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

"""`kontaktcenter export` (and `metrics`) on the sample store: what it refuses, the default
period, a period past the data, names in any case, standard output, a terminal and a named pipe.
Helpers: tests/export_pack_support.py."""

from __future__ import annotations

import hashlib
import os
import pty
import stat
import subprocess
import threading
from datetime import date

import openpyxl

from dashboard.cli import main as cli_main
from export_pack_support import DEPT, export_command, read_log
from pack_support import front_rows

def test_cli_refuses_unknown_department_and_bad_dates(sample_db, tmp_path, capsys):
    out = tmp_path / "x.pdf"
    assert cli_main(["--db", str(sample_db), "export", "--department", "Okänd", "--from",
                     "2025-03-01", "--to", "2025-03-31", "--out", str(out)]) == 2
    assert "Okänd förvaltning" in capsys.readouterr().err
    assert cli_main(["--db", str(sample_db), "export", "--from", "2025-03-31", "--to",
                     "2025-03-01", "--out", str(out)]) == 2
    assert "Byt plats" in capsys.readouterr().err
    assert not out.exists()


def _last_whole_month(db) -> tuple[date, date]:
    """Independently: the month before the latest contact's local month, unless that month is
    complete (the latest contact on its last day)."""
    import calendar

    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    (latest,) = con.execute("select max(timezone('Europe/Stockholm', timezone('UTC', started_at)))"
                            "::date from contacts").fetchone()
    con.close()
    if latest.day == calendar.monthrange(latest.year, latest.month)[1]:
        year, month = latest.year, latest.month
    else:
        year, month = (latest.year, latest.month - 1) if latest.month > 1 else (latest.year - 1, 12)
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def test_cli_without_a_period_exports_the_last_whole_month(sample_db, tmp_path, monkeypatch,
                                                            capsys):
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    out = tmp_path / "paket.xlsx"
    assert cli_main(["--db", str(sample_db), "export", "--department", DEPT,
                     "--out", str(out)]) == 0
    start, end = _last_whole_month(sample_db)
    assert "senaste hela månaden" in capsys.readouterr().err
    entry = read_log(tmp_path / "audit.jsonl")[0]
    assert (entry["filter"]["start"], entry["filter"]["end"]) == (start.isoformat(),
                                                                  end.isoformat())
    front = openpyxl.load_workbook(out)["Framsida"]
    pairs = front_rows(front)
    assert pairs["Förvaltning"] == DEPT


def test_cli_warns_and_fails_for_a_period_without_contacts(sample_db, tmp_path, monkeypatch,
                                                           capsys):
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(log))
    out = tmp_path / "tomt.pdf"
    code = cli_main(["--db", str(sample_db), "export", "--from", "2031-01-01", "--to",
                     "2031-01-31", "--out", str(out)])
    assert code == 1
    err = capsys.readouterr().err
    assert "Varning: perioden 1–31 januari 2031 ligger helt utanför data (" in err
    assert not out.exists() and not log.exists()
    # only one of --from and --to is a usage error
    assert cli_main(["--db", str(sample_db), "export", "--from", "2025-03-01",
                     "--out", str(out)]) == 2
    assert "både --from och --to" in capsys.readouterr().err


def test_cli_names_any_case_cuts_a_period_past_the_data_and_checks_the_format(
        sample_db, tmp_path, monkeypatch, capsys):
    """As the dashboard: a förvaltning in any case is the store's spelling, a misspelt one is
    refused with the closest names, a period reaching past the data is cut to it with a notice
    (its last weeks would otherwise read as a collapse), and --format must agree with the file."""
    import duckdb

    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(log))
    con = duckdb.connect(str(sample_db), read_only=True)
    (last,) = con.execute("select max(timezone('Europe/Stockholm', timezone('UTC', started_at)))"
                          "::date from contacts").fetchone()
    con.close()
    out = tmp_path / "paket.xlsx"
    start = date(last.year, last.month, 1)
    beyond = date(last.year + 1, 1, 31)
    assert cli_main(["--db", str(sample_db), "export", "--department", DEPT.upper(), "--from",
                     start.isoformat(), "--to", beyond.isoformat(), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "går utanför data" in err
    entry = read_log(log)[0]
    assert entry["filter"]["departments"] == [DEPT]
    assert (entry["filter"]["start"], entry["filter"]["end"]) == (start.isoformat(), last.isoformat())

    assert cli_main(["--db", str(sample_db), "export", "--department", DEPT[:-2], "--out",
                     str(tmp_path / "y.xlsx")]) == 2
    err = capsys.readouterr().err
    assert f"Menade du '{DEPT}'" in err and not (tmp_path / "y.xlsx").exists()
    assert cli_main(["--db", str(sample_db), "export", "--format", "pdf", "--out",
                     str(tmp_path / "z.xlsx")]) == 2
    assert "slutar på .xlsx" in capsys.readouterr().err and not (tmp_path / "z.xlsx").exists()


def test_cli_metrics_match_names_in_any_case_and_refuse_unknown_ones(sample_db, capsys):
    args = ["--db", str(sample_db), "metrics", "--metric", "contacts", "--format", "csv",
            "--from", "2025-03-01", "--to", "2025-03-31"]
    assert cli_main([*args, "--department", DEPT]) == 0
    exact = capsys.readouterr().out
    assert cli_main([*args, "--department", DEPT.lower()]) == 0
    assert capsys.readouterr().out == exact
    assert cli_main([*args, "--department", DEPT + "x"]) == 2
    assert "Okänd förvaltning" in capsys.readouterr().err


def test_cli_export_to_stdout_read_to_the_end_is_delivered(sample_db, tmp_path, monkeypatch):
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(log))
    run = subprocess.run(export_command(sample_db, "-"), capture_output=True, timeout=300)
    assert run.returncode == 0 and run.stdout.startswith(b"%PDF")
    started, delivered = read_log(log)
    assert (started["status"], delivered["status"]) == ("started", "delivered")
    assert delivered["out"] == "stdout" and delivered["bytes"] == len(run.stdout)
    assert delivered["sha256"] == hashlib.sha256(run.stdout).hexdigest()
    assert "Klart: standard ut" in run.stderr.decode()
    # never into a terminal, and without a file name the format must be given
    leader, follower = pty.openpty()
    try:
        tty = subprocess.run(export_command(sample_db, "-"), stdout=follower,
                             stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(leader)
        os.close(follower)
    assert tty.returncode == 2 and "som här är terminalen" in tty.stderr
    no_format = [a for a in export_command(sample_db, "-") if a not in ("--format", "pdf")]
    run = subprocess.run(no_format, capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "med --out - finns ingen filändelse" in run.stderr
    assert len(read_log(log)) == 2  # the refused ones built nothing and logged nothing


def test_cli_export_writes_into_a_named_pipe_and_leaves_it_a_pipe(sample_db, tmp_path,
                                                                   monkeypatch):
    """A pipe or device given by name (a FIFO here; /dev/stdout is one) is written into: the
    export used to rename a new file over it (and asked for --force to)."""
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(log))
    fifo = tmp_path / "rör"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    run = subprocess.run(export_command(sample_db, str(fifo)), capture_output=True, text=True,
                         timeout=300)
    reader.join(timeout=30)
    if reader.is_alive():  # the command never opened the pipe: let the reader go
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert run.returncode == 0, run.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and received[0].startswith(b"%PDF")
    started, delivered = read_log(log)
    assert delivered["status"] == "delivered" and delivered["out"] == str(fifo)
    assert delivered["sha256"] == hashlib.sha256(received[0]).hexdigest()


def test_cli_a_period_entirely_outside_the_data_names_the_datas_period(empty_db, tmp_path,
                                                                       monkeypatch, capsys):
    """As `metrics`: a pack for a period the data does not reach says which period it covers."""
    from contact_fixtures import build, contact
    from dashboard.store import open_store

    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(log))
    db = empty_db()
    build(open_store(db), [contact(f"2025-05-{d:02d} 10:00", department=DEPT)
                           for d in (12, 13, 20) for _ in range(8)]).close()
    out = tmp_path / "paket.xlsx"
    assert cli_main(["--db", str(db), "export", "--from", "2024-01-01", "--to", "2024-12-31",
                     "--out", str(out)]) == 1
    assert capsys.readouterr().err == (
        "Varning: perioden 1 januari–31 december 2024 ligger helt utanför data (12–20 maj 2025). "
        "Inget paket skapades; välj en period inom data.\n")
    assert not out.exists() and not log.exists()
    # inside the data's period, but no contact in it
    assert cli_main(["--db", str(db), "export", "--from", "2025-05-14", "--to", "2025-05-19",
                     "--out", str(out)]) == 1
    assert capsys.readouterr().err.startswith(
        "Varning: inga kontakter för hela staden 14–19 maj 2025 med de valda filtren. Inget paket "
        "skapades")
    assert not out.exists() and not log.exists()

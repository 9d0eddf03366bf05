"""The audit log of pack exports: the CLI records an export before writing it and then how the
writing ended (delivered, or failed when a pipe's reader goes away); the dashboard's download is
built and logged only when fetched. Helpers: tests/export_pack_support.py."""

from __future__ import annotations

import hashlib
import json
import shlex
import subprocess
from datetime import date

from dashboard.cli import main as cli_main
from dashboard.config import Settings
from dashboard.export import audit
from dashboard.export.pack import pack_download
from export_pack_support import DEPT, FILTERS, export_command, read_log

def test_cli_writes_the_pack_and_logs_it(sample_db, tmp_path, monkeypatch):
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(log))
    out = tmp_path / "paket.xlsx"
    code = cli_main(["--db", str(sample_db), "export", "--department", DEPT, "--from",
                     "2025-03-01", "--to", "2025-03-31", "--out", str(out)])
    assert code == 0 and out.stat().st_size > 10_000
    started, done = read_log(log)
    # recorded before it was written, then how the writing ended: the same export both times
    assert (started["status"], done["status"]) == ("started", "delivered")
    assert {k: v for k, v in started.items() if k not in ("at", "status")} == {
        k: v for k, v in done.items() if k not in ("at", "status")}
    assert started["via"] == "cli" and started["what"] == "forvaltningspaket"
    assert started["filter"]["departments"] == [DEPT] and started["format"] == "xlsx"
    assert started["bytes"] == out.stat().st_size and started["out"] == str(out)


def test_cli_export_into_a_pipe_whose_reader_goes_away_is_logged_failed(sample_db, tmp_path,
                                                                          monkeypatch):
    """`kontaktcenter export … --out - | head -c 100` in a real shell: head stops after 100
    bytes, the pack is not delivered, so the log says "failed" after "started" and the command
    fails with a short Swedish message, no traceback."""
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("KONTAKTCENTER_AUDIT_LOG", str(log))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764583200")   # both exports "made" at one minute
    whole = tmp_path / "whole.pdf"
    assert subprocess.run(export_command(sample_db, str(whole)), capture_output=True).returncode == 0
    # more than a pipe holds (64 KiB) plus what head reads: the writer must meet the closed end
    assert whole.stat().st_size > 65_536 + 8192
    log.unlink()
    command = " ".join(shlex.quote(a) for a in export_command(sample_db, "-"))
    run = subprocess.run(["bash", "-c", f"{command} | head -c 100 > {tmp_path / 'first'}; "
                          "exit ${PIPESTATUS[0]}"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and "Exception" not in run.stderr, run.stderr
    assert run.stderr.splitlines()[-1] == (
        "Fel: Mottagaren av stdout slutade läsa innan hela paketet var skrivet. Exporten har "
        "inte lämnats ut; loggen säger det.")
    assert (tmp_path / "first").read_bytes() == whole.read_bytes()[:100]
    started, failed = read_log(log)
    assert (started["status"], failed["status"]) == ("started", "failed")
    assert started["out"] == failed["out"] == "stdout"
    assert started["sha256"] == failed["sha256"] == hashlib.sha256(whole.read_bytes()).hexdigest()
    newest, oldest = audit.display_rows([started, failed])
    assert (newest["Status"], newest["Skrevs till"]) == ("misslyckad", "stdout")
    assert (oldest["Status"], oldest["Skrevs till"]) == ("påbörjad", "stdout")


def test_pack_download_is_lazy_and_audited(sample_db, tmp_path):
    settings = Settings(audit_log=tmp_path / "a.jsonl")
    dl = pack_download(sample_db, FILTERS, "pdf", comparison=(date(2024, 3, 1),
                                                              date(2024, 3, 31)),
                       settings=settings, user="kim")
    assert dl.mime == "application/pdf" and dl.file_name.endswith(".pdf")
    assert not settings.audit_log.exists()
    content = dl.data()
    assert content.startswith(b"%PDF")
    entry = json.loads(settings.audit_log.read_text(encoding="utf-8"))
    assert entry["user"] == "kim" and entry["via"] == "dashboard"
    assert entry["filter"]["comparison"] == ["2024-03-01", "2024-03-31"]


def test_source_date_epoch_fixes_when_an_export_says_it_was_made(monkeypatch):
    """The reproducible-builds convention: the same pack made twice is the same bytes."""
    from datetime import datetime, timezone

    from dashboard.export.downloads import generation_time

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764583200")
    assert generation_time() == datetime(2025, 12, 1, 10, 0, tzinfo=timezone.utc)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert abs((generation_time() - datetime.now(timezone.utc)).total_seconds()) < 5

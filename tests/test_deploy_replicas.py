"""Two dashboard replicas behind the shipped nginx site file on loopback, sessions in real
Chromium, an ingest while they are open: both replicas show the new data on their next run, no
session errs or waits, and the ingest does not wait for them. And eight pages opened at once
against a freshly started server all render (the heavy modules are imported before it listens).
These tests FAIL (never skip) without nginx or chromium."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from contextlib import ExitStack

import pytest

from browser_support import chromium, error_findings, free_port, wait_until_idle
from dashboard.app import NAVIGATION
from deploy_support import nginx, serving
from ingest_fixtures import KEY, profile_file, telephony_frame, write_csv

pytestmark = pytest.mark.browser

BUSY = ("uppdateras just nu", "byggs just nu")


def _figures(page) -> list[str]:
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()


def _open(browser, url: str, cookie: str | None = None):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE",
                                  timezone_id="Europe/Stockholm", ignore_https_errors=True)
    if cookie:
        context.add_cookies([{"name": "kc_route", "value": cookie, "url": url}])
    page = context.new_page()
    page.goto(url + "/")
    wait_until_idle(page, timeout_ms=120_000)
    return page


def _connections_to(port: int) -> int:
    """Open TCP connections to a local port (the kernel's /proc/net/tcp): the proxy's upstream
    connections, the websockets of the sessions it routed there among them."""
    count = 0
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        f = line.split()
        if int(f[1].rsplit(":", 1)[1], 16) == port and f[3] == "01":   # 01: ESTABLISHED
            count += 1
    return count


def _clean(page) -> None:
    assert not error_findings(page), error_findings(page)
    body = page.locator("body").inner_text()
    assert not any(b in body for b in BUSY), body[:300]


def test_two_replicas_behind_nginx_show_an_ingest_and_no_session_errs(sample_db, tmp_path):
    db = tmp_path / "store.duckdb"
    shutil.copy(sample_db, db)   # the store only: `serve` publishes its first snapshot
    ports = [free_port(), free_port()]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("KONTAKTCENTER_KEY", None)
    with ExitStack() as stack:
        for i, port in enumerate(ports):
            stack.enter_context(serving(db, ["--port", str(port), "--address", "127.0.0.1"], env,
                                        tmp_path / f"serve-{i}.log", port))
        https, _, _ = stack.enter_context(nginx(tmp_path / "nginx", ports))
        browser = stack.enter_context(chromium())
        # Sessions through the proxy (the route cookie spreads them) until the proxy has reached
        # both replicas, and one straight on each replica so that both are certainly looked at.
        pages = [_open(browser, https, f"browser{i}") for i in range(4)]
        while not all(_connections_to(port) for port in ports):
            assert len(pages) < 16, f"the proxy sent every session to one replica: {ports}"
            pages.append(_open(browser, https, f"browser{len(pages)}"))
        pages += [_open(browser, f"http://127.0.0.1:{port}") for port in ports]
        before = []
        for page in pages:
            _clean(page)
            before.append(_figures(page))
            assert before[-1], "no key figures on Översikt"

        # The nightly ingest: ten days after the sample's last day, so the figures must change.
        con = __import__("duckdb").connect(str(db), read_only=True)
        (last,) = con.execute("select max(started_at) from contacts").fetchall()[0]
        con.close()
        profile_file(tmp_path, batch_rows=500)
        export = write_csv(telephony_frame(2_000, seed=11, start=last - dt.timedelta(days=5)),
                           tmp_path / "natt.csv")
        started = time.monotonic()
        ingest = subprocess.run(
            [sys.executable, "-m", "dashboard", "--db", str(db), "ingest", str(export),
             "--profile", str(tmp_path / "profil.toml"), "-q", "--max-quarantine-share", "1"],
            capture_output=True, text=True, timeout=600,
            env={**env, "KONTAKTCENTER_KEY": KEY.hex(), "KONTAKTCENTER_LOCK_WAIT_S": "0"})
        ingest_s = time.monotonic() - started
        assert ingest.returncode == 0, ingest.stderr
        assert "väntar" not in ingest.stderr   # it never waited for the dashboards

        # Within a minute of the commit every session shows the new data on its next run.
        deadline = time.monotonic() + 60
        for page, old in zip(pages, before):
            while True:
                page.reload()
                wait_until_idle(page, timeout_ms=120_000)
                _clean(page)
                if _figures(page) != old:
                    break
                assert time.monotonic() < deadline, "new data not shown within a minute"
                time.sleep(1)
        for page in pages:
            page.context.close()
    print(f"ingest of 2 000 rows with two replicas open: {ingest_s:.1f} s")


def test_eight_pages_opened_at_once_on_a_fresh_server_all_render(sample_db, tmp_path):
    db = tmp_path / "store.duckdb"
    shutil.copy(sample_db, db)
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    paths = [url if i else "" for i, (_, _, _, url, _) in enumerate(NAVIGATION)][:8]
    with serving(db, ["--port", str(port), "--address", "127.0.0.1"], env,
                 tmp_path / "serve.log", port), chromium() as browser:
        contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE")
                    for _ in paths]
        pages = [c.new_page() for c in contexts]
        # Start all eight navigations before waiting for any: their first runs overlap.
        for page, path in zip(pages, paths):
            page.goto(f"http://127.0.0.1:{port}/{path}", wait_until="commit")
        for page, path in zip(pages, paths):
            wait_until_idle(page, timeout_ms=180_000)
            assert not error_findings(page), (path, error_findings(page))
            body = page.locator("body").inner_text()
            assert "partially initialized" not in body and "Traceback" not in body, path
        for c in contexts:
            c.close()
    log = (tmp_path / "serve.log").read_text(encoding="utf-8", errors="replace")
    assert "partially initialized" not in log and "Traceback" not in log, log[-2000:]

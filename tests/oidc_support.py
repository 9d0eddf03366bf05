"""A real OpenID Connect provider on loopback (PyPI `oidc-provider-mock`) and a dashboard that
signs in against it (Streamlit's st.login, `[auth]` in a secrets file of the test's own).

The provider's authorize page is a form with one field, `sub`; the claims a subject gets are set
beforehand with `PUT /users/<sub>` (e-mail and groups, as Entra ID would send them).
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import duckdb

from browser_support import free_port, streamlit_server


class Provider:
    def __init__(self, base: str):
        self.base = base
        self.metadata_url = f"{base}/.well-known/openid-configuration"

    def set_user(self, sub: str, **claims) -> None:
        req = urllib.request.Request(f"{self.base}/users/{sub}", method="PUT",
                                     data=json.dumps(claims).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as r:
            assert r.status == 204, r.status


@contextmanager
def oidc_provider(log_path: Path | None = None, timeout_s: float = 30):
    port = free_port()
    log = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    provider = Provider(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"oidc-provider-mock avslutades direkt (kod {proc.returncode}).")
            try:
                with urllib.request.urlopen(provider.metadata_url, timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("oidc-provider-mock svarade inte.") from None
                time.sleep(0.2)
        yield provider
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log_path:
            log.close()


@contextmanager
def signed_in_dashboard(db: Path, provider: Provider, workdir: Path, *, roles_file: Path,
                        audit_log: Path, port: int | None = None, public_url: str | None = None):
    """The dashboard with sign-in configured against `provider`, as docs/roles.md describes.
    `public_url` is where browsers reach it (a reverse proxy's address); the redirect URI is
    registered there."""
    port = port or free_port()
    public_url = public_url or f"http://127.0.0.1:{port}"
    secrets_file = workdir / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{public_url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "kontaktcenter-test"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n', encoding="utf-8")
    secrets_file.chmod(0o600)
    env = {"KONTAKTCENTER_ROLES_FILE": str(roles_file), "KONTAKTCENTER_AUDIT_LOG": str(audit_log)}
    with streamlit_server(db, port=port, env=env, args=("--secrets.files", str(secrets_file)),
                          log_path=workdir / "streamlit.log") as url:
        yield url


@contextmanager
def signed_in_setup(db: Path, workdir: Path, roles_text: str, people: dict[str, dict]):
    """A provider that knows `people` (sub -> claims), the dashboard signed in against it with
    the roles file `roles_text`, and Chromium: yields url, browser, roles and audit file paths,
    and the store's förvaltningar (to look for other förvaltningar's names)."""
    from browser_support import chromium

    roles_file = workdir / "roles.toml"
    roles_file.write_text(roles_text, encoding="utf-8")
    audit_log = workdir / "audit.jsonl"
    con = duckdb.connect(str(db), read_only=True)
    departments = [r[0] for r in con.execute("select department from departments").fetchall()]
    con.close()
    with oidc_provider(workdir / "oidc.log") as provider:
        for sub, claims in people.items():
            provider.set_user(sub, **claims)
        with signed_in_dashboard(db, provider, workdir, roles_file=roles_file,
                                 audit_log=audit_log) as url, chromium() as browser:
            yield {"url": url, "browser": browser, "roles": roles_file, "audit": audit_log,
                   "departments": departments}


def sign_in(page, url: str, sub: str, wait) -> None:
    """Sign in as `sub` in a fresh browser context, like a person would."""
    page.goto(url + "/")
    wait(page)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_selector("input[name=sub]", timeout=30_000)
    page.fill("input[name=sub]", sub)
    page.locator("form button[type=submit]").first.click()
    # the provider redirects to /oauth2callback, which redirects to the app
    page.wait_for_url(lambda u: u.startswith(url) and "oauth2callback" not in u, timeout=60_000)
    wait(page, timeout_ms=90_000)  # the first page after a cold start is slow on a busy machine

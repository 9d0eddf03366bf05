"""The shipped nginx configuration (deploy/nginx/kontaktcenter.conf) in front of the real
dashboard, on loopback: Debian's nginx with the site file templated to free ports and a temporary
prefix, `kontaktcenter serve` behind it, real headless Chromium in front.

Checked: the security headers on pages, assets and error responses; /_stcore/metrics and the
agent API closed through the proxy (while the dashboard itself serves metrics, so the proxy is
what closes it); HTTP redirected to HTTPS; the websocket through the proxy; every page renders and
draws its charts under the content security policy with no violation and no request leaving
localhost; other host names get no answer (DNS rebinding); a foreign page cannot frame the dashboard; the route cookie keeps a browser on one
replica. These tests FAIL (never skip) without nginx or chromium.
"""

from __future__ import annotations

import base64
import hashlib
import http.client as http_client
import http.server
import json
import os
import re
import socket
import ssl
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
import streamlit

from browser_support import (
    OUR_CHARTS_JS, chromium, error_findings, free_port, screenshot, wait_until_idle,
)
from dashboard.app import NAVIGATION
from deploy_support import insecure_tls, nginx, serving
from oidc_support import oidc_provider, sign_in, signed_in_dashboard

pytestmark = pytest.mark.browser

EXPECTED_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=31536000",
    "cross-origin-opener-policy": "same-origin",
}
CSP_DIRECTIVES = {  # the policy's load-bearing parts; the whole policy is checked in Chromium
    "default-src": "'self'", "connect-src": "'self'", "frame-ancestors": "'none'",
    "object-src": "'none'", "base-uri": "'self'",
}
STREAMLIT_INDEX = Path(streamlit.__file__).parent / "static" / "index.html"
PAGES = [url if i else "" for i, (_, _, _, url, _) in enumerate(NAVIGATION)]


@pytest.fixture(scope="module")
def stack(sample_db, tmp_path_factory):
    """(proxy https URL, proxy http URL, dashboard URL) with serve behind nginx."""
    tmp = tmp_path_factory.mktemp("deploy")
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with serving(sample_db, ["--port", str(port), "--address", "127.0.0.1"], env,
                 tmp / "serve.log", port):
        with nginx(tmp / "nginx", [port]) as (https, http, _prefix):
            yield https, http, f"http://127.0.0.1:{port}"


def fetch(url: str, headers: dict | None = None):
    """(status, headers as a lower-case dict of lists, body) without following redirects."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=insecure_tls()))
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as r:
            status, raw, body = r.status, r.headers, r.read()
    except urllib.error.HTTPError as err:
        status, raw, body = err.code, err.headers, err.read()
    merged: dict[str, list[str]] = {}
    for k, v in raw.items():
        merged.setdefault(k.lower(), []).append(v)
    return status, merged, body


def csp_of(headers) -> dict[str, str]:
    (policy,) = headers["content-security-policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


@pytest.mark.parametrize("path", ["/", "/static/css/", "/_stcore/health", "/_stcore/metrics",
                                  "/finns-inte"])
def test_security_headers_on_pages_assets_and_errors(stack, path):
    https, _, _ = stack
    if path == "/static/css/":  # a real asset: its name is in the page
        _, _, body = fetch(https + "/")
        path = "/static/" + body.decode().split('href="./static/', 1)[1].split('"', 1)[0]
    status, headers, _ = fetch(https + path)
    assert status in (200, 404)
    for name, value in EXPECTED_HEADERS.items():
        assert headers.get(name) == [value], (path, name, headers.get(name))
    policy = csp_of(headers)
    for directive, value in CSP_DIRECTIVES.items():
        assert policy.get(directive) == value, (path, directive, policy)
    script_src = policy["script-src"].split()
    assert script_src[0] == "'self'" and not {"'unsafe-eval'", "'unsafe-inline'"} & set(script_src)
    assert not any(h.startswith("nginx/") for h in headers.get("server", []))  # server_tokens off


def test_the_policy_allows_exactly_the_inline_scripts_of_streamlit_and_ours(stack):
    from dashboard.ui.chrome import chrome_script

    https, _, _ = stack
    _, headers, _ = fetch(https + "/")
    allowed = {s for s in csp_of(headers)["script-src"].split() if s.startswith("'sha256-")}
    inline = re.findall(r"<script>(.*?)</script>", STREAMLIT_INDEX.read_text(encoding="utf-8"), re.S)
    inline.append(chrome_script())  # our own: lang="sv" and Swedish texts for Streamlit's chrome
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
              for s in inline}
    assert allowed == hashes, f"deploy/nginx/kontaktcenter.conf: script-src behöver {sorted(hashes)}"


@pytest.mark.parametrize("path", ["/_stcore/metrics", "/_stcore/metrics/", "//_stcore//metrics",
                                  "/_stcore/%6detrics", "/_stcore/./metrics", "/x/../_stcore/metrics",
                                  "/_stcore/metrics?format=proto", "/_stcore/agent/openapi.json",
                                  "/_stcore/agent/interact"])
def test_metrics_and_agent_api_are_closed_through_the_proxy(stack, path):
    https, _, direct = stack
    status, _, body = fetch(https + path)
    assert status == 404 and b"session" not in body.lower()


def test_the_dashboard_itself_serves_metrics_so_the_proxy_is_what_closes_them(stack):
    _, _, direct = stack
    status, _, body = fetch(direct + "/_stcore/metrics")
    assert status == 200 and b"# EOF" in body


def test_http_redirects_to_https(stack):
    _, http, _ = stack
    status, headers, _ = fetch(http + "/tillganglighet?x=1")
    assert status == 301 and headers["location"] == ["https://localhost/tillganglighet?x=1"]


def test_other_host_names_get_no_answer(stack):
    """DNS rebinding: a foreign name that resolves to this server gets neither a TLS handshake
    nor an HTTP response; the right name (the control) gets both."""
    https, http, _ = stack
    https_port, http_port = urlparse(https).port, urlparse(http).port

    def handshake(name: str) -> bool:
        with socket.create_connection(("127.0.0.1", https_port), timeout=10) as raw:
            try:
                with insecure_tls().wrap_socket(raw, server_hostname=name):
                    return True
            except ssl.SSLError:
                return False

    assert handshake("localhost") and not handshake("angripare.example")
    for base, host in ((f"http://127.0.0.1:{http_port}", "angripare.example"),
                       (https, "angripare.example")):
        with pytest.raises((http_client.RemoteDisconnected, ConnectionError, urllib.error.URLError)):
            fetch(base + "/", {"Host": host})
    assert fetch(https + "/", {"Host": "localhost"})[0] == 200


def test_websocket_is_proxied(stack):
    import asyncio

    import websockets

    https, _, _ = stack
    url = https.replace("https://", "wss://") + "/_stcore/stream"

    async def talk():
        async with websockets.connect(url, ssl=insecure_tls(), origin=https,
                                      subprotocols=["streamlit"]) as ws:
            pong = await ws.ping()
            await asyncio.wait_for(pong, 10)
            return ws.response.status_code, ws.response.headers

    status, headers = asyncio.run(talk())
    assert status == 101 and headers["upgrade"].lower() == "websocket"


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


CSP_LISTENER = """document.addEventListener('securitypolicyviolation', e => {
    (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI); });"""


def test_every_page_renders_under_the_policy_with_no_outside_request(stack, browser):
    https, _, _ = stack
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE",
                                  timezone_id="Europe/Stockholm", ignore_https_errors=True)
    outside, problems, frames = [], [], []

    def only_loopback(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "localhost":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(ws.url)))
    page.goto(https + "/")  # the first load registers the pages; a cold start under load is slow
    wait_until_idle(page, timeout_ms=120_000)
    try:
        for path in PAGES:
            page.goto(f"{https}/{path}")
            wait_until_idle(page, timeout_ms=90_000)  # nine pages on a shared, loaded machine
            assert not error_findings(page), (path, error_findings(page))
            assert page.evaluate("window.__csp || []") == [], path
            charts = page.evaluate("() => " + OUR_CHARTS_JS + ".map(el => [(el.data || []).length,"
                                   " el.querySelectorAll('.main-svg .trace, .main-svg .hm image').length])")
            assert all(traces >= 1 for n, traces in charts if n), (path, charts)  # drawn: traces, heatmap images
            if path == "":
                assert sum(1 for n, _ in charts if n) >= 3, charts  # Översikt's charts, drawn
                screenshot(page, "deploy-nginx-oversikt")
        favicon = page.evaluate("document.querySelector('link[rel~=icon]').href")
        assert favicon.startswith("data:image/svg+xml"), favicon[:60]
    finally:
        context.close()
    assert outside == []
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    assert any(u.startswith(https.replace("https", "wss") + "/_stcore/stream") for u in frames)


def test_a_foreign_page_cannot_frame_the_dashboard(stack, browser, tmp_path):
    https, _, _ = stack
    (tmp_path / "index.html").write_text(f'<iframe id="f" src="{https}/" width="800" height="600"></iframe>')
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path), **k)  # noqa: E731
    foreign = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=foreign.serve_forever, daemon=True).start()
    context = browser.new_context(ignore_https_errors=True)
    try:
        page = context.new_page()
        refused = []
        page.on("console", lambda m: refused.append(m.text) if "frame" in m.text.lower() else None)
        page.goto(f"http://127.0.0.1:{foreign.server_address[1]}/index.html")
        page.wait_for_timeout(3000)
        inner = [f for f in page.frames if f != page.main_frame]
        assert inner and all(f.locator('[data-testid="stApp"]').count() == 0 for f in inner)
        assert any("frame-ancestors" in t or "X-Frame-Options" in t for t in refused), refused
    finally:
        context.close()
        foreign.shutdown()


class _Named(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        body = self.server.name.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_route_cookie_keeps_a_browser_on_one_of_several_replicas(tmp_path):
    replicas = []
    for name in ("a", "b"):
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Named)
        srv.name = name
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        replicas.append(srv)
    try:
        with nginx(tmp_path / "nginx", [s.server_address[1] for s in replicas]) as (https, _, _):
            status, headers, first = fetch(https + "/")
            (cookie,) = [c for c in headers["set-cookie"] if c.startswith("kc_route=")]
            assert "Secure" in cookie and "HttpOnly" in cookie
            route = cookie.split(";", 1)[0]
            seen = {fetch(https + f"/{i}", {"Cookie": route})[2] for i in range(20)}
            assert seen == {first}  # the same browser always reaches the same replica
            _, again, _ = fetch(https + "/", {"Cookie": route})
            assert not [c for c in again.get("set-cookie", []) if c.startswith("kc_route=")]
            spread = {fetch(https + "/", {"Cookie": f"kc_route=browser{i}"})[2] for i in range(40)}
            assert spread == {b"a", b"b"}  # different browsers are spread over both
    finally:
        for srv in replicas:
            srv.shutdown()


def test_sign_in_works_through_the_proxy_under_its_policy(sample_db, tmp_path, browser):
    """Sign-in as deployed: the browser reaches only nginx (HTTPS), the redirect URI is the
    proxy's, the provider's redirect and Streamlit's auth cookie pass the proxy, and nothing of it
    trips the content security policy."""
    roles = tmp_path / "roles.toml"
    roles.write_text('contact = "Analysgruppen"\n\n[[grant]]\nrole = "samordnare"\n'
                     'departments = ["Förskoleförvaltningen"]\nemails = ["sara@example.org"]\n',
                     encoding="utf-8")
    audit = tmp_path / "audit.jsonl"
    port = free_port()
    with oidc_provider(tmp_path / "oidc.log") as provider:
        provider.set_user("sara", email="sara@example.org", groups=[])
        with nginx(tmp_path / "nginx", [port]) as (https, _, _prefix), \
                signed_in_dashboard(sample_db, provider, tmp_path, roles_file=roles,
                                    audit_log=audit, port=port, public_url=https):
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE",
                                          ignore_https_errors=True)
            context.add_init_script(CSP_LISTENER)
            page = context.new_page()
            try:
                sign_in(page, https, "sara", wait_until_idle)
                assert page.url.startswith(https)
                assert not error_findings(page), error_findings(page)
                assert page.evaluate("window.__csp || []") == []
                sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
                assert "Förskoleförvaltningen" in sidebar and "Logga ut" in sidebar
                screenshot(page, "deploy-nginx-signed-in")
            finally:
                context.close()
    events = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    assert any(e["event"] == "sign-in" and e["user"] == "sara@example.org" for e in events)

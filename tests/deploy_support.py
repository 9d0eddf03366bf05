"""Run the shipped deployment pieces for real on loopback: `kontaktcenter serve` as a subprocess
and Debian's nginx with deploy/nginx/kontaktcenter.conf, templated to free loopback ports and a
temporary prefix. Used by tests/test_deploy_*.py. Without /usr/sbin/nginx the tests FAIL with a
message (./dev.sh test installs Debian's package as root)."""

from __future__ import annotations

import os
import re
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from browser_support import ROOT, free_port

NGINX = os.environ.get("KONTAKTCENTER_NGINX", "/usr/sbin/nginx")
SITE = ROOT / "deploy" / "nginx" / "kontaktcenter.conf"
KONTAKTCENTER = [sys.executable, "-m", "dashboard"]


def require_nginx() -> str:
    if not (Path(NGINX).is_file() and os.access(NGINX, os.X_OK)):
        raise RuntimeError(
            f"nginx saknas ({NGINX}). Installera Debians paket: `apt-get install -y nginx` "
            "(./dev.sh test gör det som root), eller peka KONTAKTCENTER_NGINX på en nginx-binär."
        )
    return NGINX


def render_site(*, https_port: int, http_port: int, upstreams: list[int], cert: Path, key: Path) -> str:
    """The shipped site file with its ports, host name, upstream servers and certificate
    replaced. Each replaced line must occur as often as expected, so a changed shipped file
    fails loudly here. The host name becomes localhost (listening on 127.0.0.1): the tests
    connect by name, as browsers do, since the catch-all server rejects a TLS handshake without
    the right name (an IP address sends none)."""
    text = SITE.read_text(encoding="utf-8")
    replacements = [
        (r"^    listen 80 default_server;$", f"    listen 127.0.0.1:{http_port} default_server;", 1),
        (r"^    listen 443 ssl default_server;$", f"    listen 127.0.0.1:{https_port} ssl default_server;", 1),
        (r"^    listen \[::\]:(80|443)( ssl)? default_server;\n", "", 2),
        (r"^    listen 80;$", f"    listen 127.0.0.1:{http_port};", 1),
        (r"^    listen \[::\]:80;\n", "", 1),
        (r"^    listen 443 ssl http2;$", f"    listen 127.0.0.1:{https_port} ssl http2;", 1),
        (r"^    listen \[::\]:443 ssl http2;\n", "", 1),
        (r"^    server_name kontaktcenter\.example\.se;$", "    server_name localhost;", 2),
        (r"^    server 127\.0\.0\.1:8501;$", "\n".join(f"    server 127.0.0.1:{p};" for p in upstreams), 1),
        (r"^    ssl_certificate     \S+;$", f"    ssl_certificate     {cert};", 1),
        (r"^    ssl_certificate_key \S+;$", f"    ssl_certificate_key {key};", 1),
    ]
    for pattern, new, expected in replacements:
        text, n = re.subn(pattern, new, text, flags=re.MULTILINE)
        assert n == expected, f"{pattern!r} förekommer {n} gånger i {SITE}, väntat {expected}"
    return text


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def _main_conf(prefix: Path) -> str:
    # As root the workers would run as nobody and could not read the temporary prefix.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(f"    {kind}_temp_path {prefix / kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} info;\n"
        "events { worker_connections 256; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    access_log {prefix / 'access.log'};\n{temp}"
        f"    include {prefix / 'site.conf'};\n}}\n"
    )


@contextmanager
def nginx(prefix: Path, upstreams: list[int]):
    """Start nginx with the shipped site file; yields (https base URL, http base URL, prefix)."""
    binary = require_nginx()
    prefix.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed_cert(prefix)
    https_port, http_port = free_port(), free_port()
    (prefix / "site.conf").write_text(render_site(
        https_port=https_port, http_port=http_port, upstreams=upstreams, cert=cert, key=key))
    conf = prefix / "nginx.conf"
    conf.write_text(_main_conf(prefix))
    base = [binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    check = subprocess.run([*base, "-t"], capture_output=True, text=True)
    assert check.returncode == 0, f"nginx -t underkände konfigurationen:\n{check.stderr}"
    proc = subprocess.Popen(base, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    https = f"https://localhost:{https_port}"
    try:
        _wait_until(lambda: _answers(https), proc, "nginx", 15)
        yield https, f"http://localhost:{http_port}", prefix
    finally:
        proc.send_signal(signal.SIGQUIT)  # graceful: finish open requests, then exit
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def insecure_tls() -> ssl.SSLContext:
    """The test's self-signed certificate is not verified (the tests check headers, not PKI)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url + "/_stcore/health", timeout=2, context=insecure_tls())
        return True
    except urllib.error.HTTPError:
        return True  # nginx answers (a 502 while the dashboard starts still means nginx is up)
    except OSError:
        return False


def _wait_until(ready, proc: subprocess.Popen, name: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else b""
            raise RuntimeError(f"{name} avslutades direkt (kod {proc.returncode}): {err!r}")
        if ready():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{name} svarade inte inom {timeout_s} s.")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def start_serve(db: Path, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """`kontaktcenter --db DB serve ARGS` with the given environment, output to log."""
    with open(log, "w") as fh:
        return subprocess.Popen([*KONTAKTCENTER, "--db", str(db), "serve", "--headless", *args],
                                env=env, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)


@contextmanager
def serving(db: Path, args: list[str], env: dict[str, str], log: Path, port: int,
            timeout_s: float = 90):
    """Yield the serve process once the dashboard answers on port; stop it with SIGTERM."""
    proc = start_serve(db, args, env, log)
    try:
        _wait_until(lambda: healthy(f"http://127.0.0.1:{port}"), proc, "kontaktcenter serve", timeout_s)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def children(pid: int) -> list[int]:
    """Direct children of pid (Linux /proc)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def environment_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


def alive(pid: int) -> bool:
    """True while pid exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"

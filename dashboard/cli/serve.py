"""`kontaktcenter serve`: start the Streamlit dashboard (building the sample on first start, for
the default store or with `--sample` only: dashboard/cli/serve_store.py).

Operational rules (docs/deployment.md):
- port: `--port`, else KONTAKTCENTER_PORT, else STREAMLIT_SERVER_PORT, else 8501; the address
  likewise (`--address`, KONTAKTCENTER_ADDRESS, STREAMLIT_SERVER_ADDRESS, localhost);
- without sign-in the dashboard listens on loopback only, unless `--allow-remote` is given;
- the pseudonymisation key is removed from Streamlit's environment (the dashboard never needs it);
- files are created readable by their owner only (the command's umask 077, which Streamlit
  inherits: the sample store, the audit log);
- SIGTERM and SIGINT are passed on to Streamlit, which is stopped for good if it lingers.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dashboard
from dashboard.cli import CliError
from dashboard.ingest.pseudonym_key import KEY_ENV

APP = Path(__file__).resolve().parent.parent / "app.py"
DEFAULT_PORT = 8501
DEFAULT_ADDRESS = "localhost"
# Highest precedence first; the command-line flag beats all of them.
PORT_ENV = ("KONTAKTCENTER_PORT", "STREAMLIT_SERVER_PORT")
ADDRESS_ENV = ("KONTAKTCENTER_ADDRESS", "STREAMLIT_SERVER_ADDRESS")
# Secrets the dashboard process must never see in its environment.
STRIPPED_ENV = (KEY_ENV,)
FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT)
STOP_GRACE_S = 10.0  # after a forwarded signal, Streamlit gets this long before SIGKILL


def register(sub) -> None:
    p = sub.add_parser("serve", help="starta dashboarden i webbläsaren")
    p.add_argument("--port", type=int, default=None,
                   help=f"port (annars {PORT_ENV[0]}, {PORT_ENV[1]}, standard {DEFAULT_PORT})")
    p.add_argument("--address", default=None,
                   help=f"adress att lyssna på (annars {ADDRESS_ENV[0]}, {ADDRESS_ENV[1]}, "
                        f"standard {DEFAULT_ADDRESS}); utan inloggning bara loopback")
    p.add_argument("--allow-remote", action="store_true",
                   help="tillåt en adress utanför loopback trots att inloggning saknas "
                        "(bara bakom ett nät eller en proxy som begränsar åtkomsten)")
    p.add_argument("--no-sample", action="store_true",
                   help="bygg inte exempeldata om databasen saknas, avsluta med fel i stället")
    p.add_argument("--sample", action="store_true",
                   help="bygg exempeldata om databasen saknas (görs annars bara för standarddatabasen)")
    p.add_argument("--headless", action="store_true", help="öppna ingen webbläsare")
    p.set_defaults(handler=run)


def resolve_port(flag: int | None, environ) -> int:
    """The port: the flag, else the first of PORT_ENV that is set, else DEFAULT_PORT."""
    source, raw = "--port", flag
    if raw is None:
        source, raw = next(((n, environ[n].strip()) for n in PORT_ENV if environ.get(n, "").strip()),
                           ("standard", DEFAULT_PORT))
    try:
        port = int(raw)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise CliError(f"Ogiltig port {raw!r} ({source}): ange ett heltal 1–65535.")
    return port


def resolve_address(flag: str | None, environ) -> str:
    if flag is not None:
        return flag.strip()
    return next((environ[n].strip() for n in ADDRESS_ENV if environ.get(n, "").strip()),
                DEFAULT_ADDRESS)


def is_loopback(address: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1. An empty address means every interface."""
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:  # a host name other than localhost, or "" (all interfaces)
        return False


def check_address(address: str, allow_remote: bool) -> None:
    """Refuse a non-loopback address unless the operator said so explicitly (no sign-in yet)."""
    if is_loopback(address):
        return
    shown = address or "alla nätverksgränssnitt"
    if not allow_remote:
        raise CliError(
            f"Dashboarden lyssnar bara på loopback (localhost, 127.0.0.1, ::1) eftersom inloggning "
            f"inte är konfigurerad: på {shown} kan alla som når datorn se alla förvaltningars "
            "uppgifter. Kör den bakom nginx med --address 127.0.0.1 (docs/deployment.md), eller "
            "ange --allow-remote om nätet redan begränsar vem som når den."
        )
    print(f"Varning: dashboarden lyssnar på {shown} utan inloggning (--allow-remote). "
          "Alla som når adressen ser alla uppgifter.", file=sys.stderr)


def child_environment(environ, db: Path) -> dict[str, str]:
    """Streamlit's environment: without the key, and without the write commands' allocator
    setting unless the operator set it (dashboard/__init__.py)."""
    stripped = (*STRIPPED_ENV, *((dashboard.ALLOCATOR_ENV,) if dashboard.allocator_set_here else ()))
    env = {k: v for k, v in environ.items() if k not in stripped}
    env["KONTAKTCENTER_DB"] = str(db)
    return env


def run(args) -> int:
    from dashboard.cli.serve_store import prepare

    port = resolve_port(args.port, os.environ)
    address = resolve_address(args.address, os.environ)
    check_address(address, args.allow_remote)
    db = args.settings.db
    if args.no_sample and not Path(db).exists():
        raise CliError(f"Databasen {db} finns inte (--no-sample). Läs in data med "
                       "`kontaktcenter ingest` eller ange rätt fil med --db / KONTAKTCENTER_DB.")
    line = prepare(Path(db), sample_asked=args.sample)
    if line:
        print(line)
    if os.environ.get(KEY_ENV):
        print(f"{KEY_ENV} är satt men skickas inte vidare till dashboarden, som inte behöver "
              "nyckeln.", file=sys.stderr)
    cmd = [
        sys.executable, "-m", "dashboard.ui.launch", "run", str(APP),
        "--server.port", str(port),
        "--server.address", address,
        "--browser.gatherUsageStats", "false",
    ]
    if args.headless:
        cmd += ["--server.headless", "true"]
    host = f"[{address}]" if ":" in address else (address or "0.0.0.0")
    print(f"Dashboarden startar på http://{host}:{port}", flush=True)
    return run_forwarding_signals(cmd, child_environment(os.environ, Path(db)))


def _die_with_parent(parent: int):
    """Linux: Streamlit gets SIGTERM if serve itself dies (even by SIGKILL)."""
    def arm() -> None:  # runs in the child between fork and exec
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # serve died before the signal was armed
            os._exit(1)
    return arm


def run_forwarding_signals(cmd: list[str], env: dict[str, str]) -> int:
    """Run cmd as a child and pass SIGTERM/SIGINT on to it; returns its exit code (128 + signal
    number if a signal killed it). The child runs in its own session, so a Ctrl-C in the
    terminal reaches it once, through us."""
    received: list[tuple[int, float]] = []  # (signal, monotonic time)
    proc: subprocess.Popen | None = None

    def forward(signum, _frame):
        received.append((signum, time.monotonic()))
        if proc is not None and proc.poll() is None:
            proc.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in FORWARDED_SIGNALS}
    try:
        proc = subprocess.Popen(
            cmd, env=env, start_new_session=True,
            preexec_fn=_die_with_parent(os.getpid()) if sys.platform.startswith("linux") else None,
        )
        if received:  # a signal came while the child was being started
            proc.send_signal(received[-1][0])
        while True:
            try:
                code = proc.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if received and time.monotonic() - received[0][1] > STOP_GRACE_S:
                    proc.kill()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
    return 128 - code if code < 0 else code


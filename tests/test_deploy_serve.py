"""`kontaktcenter serve` as operations need it: the port from the environment (documented
precedence), loopback only without --allow-remote, the key stripped from the dashboard's
environment, owner-only files, and SIGTERM/SIGINT passed on so no Streamlit process is left.
The process tests run the real command and read the child's state from /proc (Linux)."""

from __future__ import annotations

import os
import secrets
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from browser_support import free_port
from dashboard.cli import CliError
from dashboard.cli import serve as srv
from deploy_support import KONTAKTCENTER, alive, children, environment_of, serving

SECRET = secrets.token_hex(32)  # a key the dashboard must never see
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@pytest.mark.parametrize("flag,environ,expected", [
    (None, {}, 8501),
    (None, {"STREAMLIT_SERVER_PORT": "8600"}, 8600),
    (None, {"KONTAKTCENTER_PORT": "8700", "STREAMLIT_SERVER_PORT": "8600"}, 8700),
    (None, {"KONTAKTCENTER_PORT": " ", "STREAMLIT_SERVER_PORT": "8600"}, 8600),
    (8800, {"KONTAKTCENTER_PORT": "8700", "STREAMLIT_SERVER_PORT": "8600"}, 8800),
])
def test_port_precedence_flag_then_our_variable_then_streamlits(flag, environ, expected):
    assert srv.resolve_port(flag, environ) == expected


@pytest.mark.parametrize("flag,environ", [(None, {"STREAMLIT_SERVER_PORT": "åtta"}),
                                          (None, {"KONTAKTCENTER_PORT": "70000"}), (0, {})])
def test_a_bad_port_is_refused_in_swedish(flag, environ):
    with pytest.raises(CliError, match="Ogiltig port"):
        srv.resolve_port(flag, environ)


def test_address_precedence():
    env = {"KONTAKTCENTER_ADDRESS": "127.0.0.2", "STREAMLIT_SERVER_ADDRESS": "127.0.0.3"}
    assert srv.resolve_address(None, {}) == "localhost"
    assert srv.resolve_address(None, {"STREAMLIT_SERVER_ADDRESS": "127.0.0.3"}) == "127.0.0.3"
    assert srv.resolve_address(None, env) == "127.0.0.2"
    assert srv.resolve_address("::1", env) == "::1"


@pytest.mark.parametrize("address,loopback", [
    ("localhost", True), ("LOCALHOST", True), ("127.0.0.1", True), ("127.8.9.10", True),
    ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("::", False), ("", False),
    ("10.1.2.3", False), ("kontaktcenter.malmo.se", False), ("localhost.example", False),
])
def test_loopback_addresses(address, loopback):
    assert srv.is_loopback(address) is loopback


def test_allow_remote_lets_a_remote_address_through_with_a_warning(capsys):
    srv.check_address("0.0.0.0", allow_remote=True)
    assert "utan inloggning" in capsys.readouterr().err
    with pytest.raises(CliError, match="--allow-remote"):
        srv.check_address("0.0.0.0", allow_remote=False)


def test_the_child_environment_has_no_key_but_the_store():
    env = srv.child_environment({"KONTAKTCENTER_KEY": SECRET, "PATH": "/bin"}, Path("/x/s.duckdb"))
    assert env == {"PATH": "/bin", "KONTAKTCENTER_DB": "/x/s.duckdb"}


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "10.1.2.3"])
def test_serve_refuses_a_remote_address_without_the_flag(tmp_path, address):
    db = tmp_path / "ingen.duckdb"
    proc = subprocess.run([*KONTAKTCENTER, "--db", str(db), "serve", "--headless", "--address", address],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "bara på loopback" in proc.stderr and "--allow-remote" in proc.stderr
    assert "docs/deployment.md" in proc.stderr
    assert not db.exists()  # refused before anything was built or started


def test_no_sample_refuses_a_missing_store(tmp_path):
    db = tmp_path / "saknas.duckdb"
    proc = subprocess.run([*KONTAKTCENTER, "--db", str(db), "serve", "--headless", "--no-sample"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "finns inte" in proc.stderr and not db.exists()


def _streamlit_child(serve_pid: int, timeout_s: float = 10) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        kids = children(serve_pid)
        if kids:
            return kids[0]
        time.sleep(0.1)
    raise AssertionError("serve startade ingen Streamlit-process")


@linux_only
def test_serve_honours_streamlit_server_port_strips_the_key_and_makes_the_store_owner_only(tmp_path):
    """A first start builds the sample store (asked for: not the default path): under umask 022
    it is still owner-only."""
    port = free_port()
    db = tmp_path / "data" / "kontaktcenter.duckdb"
    env = dict(os.environ, STREAMLIT_SERVER_PORT=str(port), KONTAKTCENTER_KEY=SECRET,
               PYTHONUNBUFFERED="1")
    env.pop("KONTAKTCENTER_PORT", None)
    env.pop("_RJEM_MALLOC_CONF", None)
    old = os.umask(0o022)
    try:
        with serving(db, ["--sample"], env, tmp_path / "serve.log", port) as proc:
            child = _streamlit_child(proc.pid)
            assert environment_of(proc.pid)["KONTAKTCENTER_KEY"] == SECRET  # it was there to strip
            child_env = environment_of(child)
            assert "KONTAKTCENTER_KEY" not in child_env and SECRET not in "".join(child_env.values())
            assert child_env["KONTAKTCENTER_DB"] == str(db)
            # the write commands' allocator setting (dashboard/__init__.py) stays with the command
            assert "_RJEM_MALLOC_CONF" not in child_env
            assert stat.S_IMODE(db.stat().st_mode) == 0o600
            assert stat.S_IMODE((db.parent).stat().st_mode) & 0o077 == 0
    finally:
        os.umask(old)
    log = (tmp_path / "serve.log").read_text()
    assert f":{port}" in log and "skickas inte vidare" in log


@linux_only
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_a_signal_to_serve_leaves_no_streamlit_process(sample_db, tmp_path, sig):
    """SIGTERM and SIGINT are passed on; even SIGKILL of serve stops Streamlit (parent-death
    signal), so a service manager never leaves a dashboard running."""
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with serving(sample_db, ["--port", str(port), "--address", "127.0.0.1"], env,
                 tmp_path / "serve.log", port) as proc:
        child = _streamlit_child(proc.pid)
        assert alive(child)
        proc.send_signal(sig)
        code = proc.wait(timeout=30)
        deadline = time.monotonic() + 15
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(child), f"Streamlit ({child}) lever kvar efter {sig.name} till serve"
    if sig != signal.SIGKILL:
        assert code in (0, 128 + sig)  # Streamlit's own clean stop, or the signal reported
        # a thread inside DuckDB at the stop once aborted the process (status 134)
        log = (tmp_path / "serve.log").read_text()
        assert "terminate called" not in log and "Traceback" not in log


@linux_only
def test_the_audit_log_and_a_cli_built_store_are_owner_only_under_a_loose_umask(tmp_path):
    from dashboard.export import audit

    old = os.umask(0o022)
    try:
        log = tmp_path / "logs" / "export-audit.jsonl"
        audit.append(log, audit.entry_for("tabell", "csv", "x.csv", {}, "cli", None, b"a;b\n"))
        db = tmp_path / "s.duckdb"
        subprocess.run([*KONTAKTCENTER, "--db", str(db), "sample", "--rows", "2000"],
                       check=True, capture_output=True, timeout=120)
    finally:
        os.umask(old)
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    made = [p for p in tmp_path.iterdir() if p.name.startswith("s.duckdb")]
    assert made and all(stat.S_IMODE(p.stat().st_mode) & 0o077 == 0 for p in made), \
        {p.name: oct(p.stat().st_mode) for p in made}


UNITS = sorted((Path(__file__).resolve().parent.parent / "deploy" / "systemd").iterdir())


def _exec_start(unit: Path) -> list[str]:
    (line,) = [ln for ln in unit.read_text().splitlines() if ln.startswith("ExecStart=")]
    return line.removeprefix("ExecStart=").split()


def test_the_dashboard_unit_runs_serve_with_flags_the_command_accepts():
    from dashboard.cli import build_parser

    unit = next(u for u in UNITS if u.name == "kontaktcenter-dashboard@.service")
    argv = _exec_start(unit)
    assert argv[0].endswith("/kontaktcenter")
    args = build_parser().parse_args([a.replace("%i", "8501") for a in argv[1:]])
    assert args.command == "serve" and args.no_sample and args.headless and not args.allow_remote
    assert srv.is_loopback(args.address) and args.port == 8501
    text = unit.read_text()
    assert "UMask=0077" in text and "KONTAKTCENTER_KEY" not in text


def test_systemd_accepts_the_units(tmp_path):
    """systemd-analyze verify, where systemd is installed (the binary path is replaced by
    /bin/true, since the units point at the installed /opt/kontaktcenter)."""
    analyze = "/usr/bin/systemd-analyze"
    if not Path(analyze).is_file():
        pytest.skip("systemd-analyze saknas (systemd är inte installerat)")
    for unit in UNITS:
        name = unit.name.replace("@.", "@8501.")
        (tmp_path / name).write_text(unit.read_text().replace(
            "/opt/kontaktcenter/.venv/bin/kontaktcenter", "/bin/true"))
        proc = subprocess.run([analyze, "verify", str(tmp_path / name)], capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 0 and not proc.stderr.strip(), (name, proc.stderr)


def test_every_serve_flag_and_variable_is_documented():
    import argparse

    from dashboard.cli import build_parser

    root = Path(__file__).resolve().parent.parent
    readme, deployment = (root / "README.md").read_text(), (root / "docs" / "deployment.md").read_text()
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    flags = [o for a in sub.choices["serve"]._actions for o in a.option_strings if o.startswith("--")]
    common = {o for a in parser._actions for o in a.option_strings}  # --db, --verbose: every command
    flags = [f for f in flags if f not in common]
    for flag in flags:
        assert flag in deployment and flag in readme, flag
    for name in (*srv.PORT_ENV, *srv.ADDRESS_ENV):
        assert name in deployment and name in readme, name


def test_the_command_sets_the_write_allocator_and_serve_keeps_it_from_the_dashboard(tmp_path):
    """`kontaktcenter` sets Polars' allocator to give freed pages back at once (the sample build's
    memory bound) before Polars loads; `serve` passes it on only when the operator set it."""
    import subprocess
    import sys

    probe = ("import sys; sys.argv[0] = 'kontaktcenter'; import dashboard, os; "
             "print(os.environ.get('_RJEM_MALLOC_CONF'), dashboard.allocator_set_here, "
             "'polars' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["dirty_decay_ms:0,muzzy_decay_ms:0", "True", "False"]
    own = subprocess.run([sys.executable, "-c", probe], env={**env, "_RJEM_MALLOC_CONF": "x:1"},
                         capture_output=True, text=True, check=True).stdout.split()
    assert own == ["x:1", "False", "False"]   # the operator's own setting is left alone

    import dashboard
    from dashboard.cli.serve import child_environment

    db = tmp_path / "s.duckdb"
    given = {"_RJEM_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0", "HOME": "/root"}
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(dashboard, "allocator_set_here", True)
        assert "_RJEM_MALLOC_CONF" not in child_environment(given, db)
        mp.setattr(dashboard, "allocator_set_here", False)
        assert child_environment(given, db)["_RJEM_MALLOC_CONF"] == given["_RJEM_MALLOC_CONF"]
    finally:
        mp.undo()

"""`pip install .` (not editable) into a fresh environment gives a working `kontaktcenter`.

The package reads queries/, docs/ and sample_data/ at run time (dashboard/shipped.py); a wheel
must carry them. The wheel is built once, without build isolation and without an index (nothing
downloads), from a copy of the checkout's files, and installed with --no-deps into a fresh virtual
environment that sees the test environment's dependencies through a .pth line but not the
editable install of this checkout. Commands then run outside the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from dashboard.shipped import SHIPPED_DIRS

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _checkout_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode()
    return [f for f in out.split("\0") if f and (REPO / f).is_file()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    root = tmp_path_factory.mktemp("packaging")
    src = root / "src"
    files = _checkout_files()
    for f in files:
        (src / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / f, src / f)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "-w", str(root / "dist"), str(src)], check=True, capture_output=True)
    (wheel,) = (root / "dist").glob("*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip())
    # Dependencies from the test environment; its own .pth files (the editable install) are not read.
    (purelib / "test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([*pip, "--python", str(venv / "bin" / "python"), "install", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True)
    work = root / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "KONTAKTCENTER"))}
    return {"wheel": wheel, "venv": venv, "work": work, "env": env, "files": files}


def test_the_wheel_carries_every_shipped_file(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    expected = {f"dashboard/_shipped/{f}" for f in installed["files"] if f.split("/")[0] in SHIPPED_DIRS}
    assert any(n.startswith("dashboard/_shipped/queries/migrations/") for n in expected)
    assert expected - names == set()


def test_the_wheel_carries_the_package_assets(installed):
    """Non-Python files inside the package (the favicon, the script-level Streamlit config)
    are package data."""
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    assets = {f for f in installed["files"] if f.startswith("dashboard/") and not f.endswith(".py")}
    assert "dashboard/assets/favicon.svg" in assets and assets - names == set()


def _run(installed, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([str(installed["venv"] / "bin" / "kontaktcenter"), *args], cwd=installed["work"],
                          env=installed["env"], capture_output=True, text=True, timeout=timeout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sample_and_serve_work_from_the_installed_package(installed):
    python = installed["venv"] / "bin" / "python"
    where = subprocess.run([str(python), "-c", "import dashboard; print(dashboard.__file__)"],
                           cwd=installed["work"], env=installed["env"], capture_output=True, text=True)
    assert where.stdout.startswith(str(installed["venv"])), where  # not this checkout

    db = installed["work"] / "store.duckdb"
    sample = _run(installed, "--db", str(db), "sample")
    assert sample.returncode == 0, sample.stderr
    assert "Skrev 200\u00a0000 kontakter" in sample.stdout  # the shipped sample_data/contacts.parquet

    metrics = _run(installed, "--db", str(db), "metrics", "--metric", "offered", "--format", "json")
    assert metrics.returncode == 0, metrics.stderr
    assert json.loads(metrics.stdout)

    port = _free_port()
    serve = subprocess.Popen(
        [str(installed["venv"] / "bin" / "kontaktcenter"), "--db", str(db), "serve", "--headless",
         "--port", str(port), "--address", "127.0.0.1"],
        cwd=installed["work"], env=installed["env"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        deadline, health = time.monotonic() + 60, None
        while time.monotonic() < deadline and serve.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    health = r.read().decode()
                    break
            except OSError:
                time.sleep(0.3)
        assert health == "ok", serve.stdout.read1().decode() if serve.poll() is not None else health
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=20)

    # The served app's pages render from the installed package: 'Om data' with its Swedish data contract.
    script = (
        "import pathlib, sys, dashboard\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file(str(pathlib.Path(dashboard.__file__).parent / 'app.py'), default_timeout=120).run()\n"
        "at = at.switch_page('screens/about.py').run()\n"
        "problems = [e.value for e in at.exception] + [e.value for e in at.error]\n"
        "text = '\\n'.join(m.value for m in at.markdown)\n"
        "print(repr(problems)); print('Alla källor' in text); print('finns inte' in text)\n"
    )
    app = subprocess.run([str(python), "-c", script], cwd=installed["work"], capture_output=True, text=True,
                         env={**installed["env"], "KONTAKTCENTER_DB": str(db)}, timeout=300)
    assert app.returncode == 0, app.stderr
    assert app.stdout.split("\n")[-4:-1] == ["[]", "True", "False"], app.stdout

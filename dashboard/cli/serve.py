"""`kontaktcenter serve`: start the Streamlit dashboard, building a sample store on first start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def register(sub) -> None:
    p = sub.add_parser("serve", help="starta dashboarden i webbläsaren")
    p.add_argument("--port", type=int, default=8501, help="port (standard 8501)")
    p.add_argument("--address", default="localhost", help="adress att lyssna på (standard localhost)")
    p.add_argument("--headless", action="store_true", help="öppna ingen webbläsare")
    p.set_defaults(handler=run)


def run(args) -> int:
    from dashboard.sample import ensure_store

    db = args.settings.db
    if ensure_store(db):
        print(f"Ingen databas fanns; byggde en från exempeldata i {db}.")
    env = dict(os.environ, KONTAKTCENTER_DB=str(db))
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.port", str(args.port),
        "--server.address", args.address,
        "--browser.gatherUsageStats", "false",
    ]
    if args.headless:
        cmd += ["--server.headless", "true"]
    print(f"Dashboarden startar på http://{args.address}:{args.port}")
    return subprocess.call(cmd, env=env)

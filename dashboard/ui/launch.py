"""Start Streamlit with the heavy modules already imported: `python -m dashboard.ui.launch run APP`.

Streamlit imports nothing of the app until the first session runs it, and Plotly imports pandas
lazily: two sessions of a fresh server importing at once raced ("partially initialized module
'pandas'"). Importing them here, before the server accepts a connection, leaves nothing to race.
`kontaktcenter serve` starts the dashboard this way. The dashboard's own modules are imported
next, in a thread that first sessions wait for (dashboard/ui/prewarm.py).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys

# How long a thread holding the GIL runs before one waiting for it gets it (Python's default:
# 5 ms). The event loop that sends a rerun's messages and serves the frontend's files (the 4.7 MB
# chart bundle) waits for the GIL while the script thread computes the rest of the page: at 5 ms
# a turn the first chart's message reached the browser about 0.1 s after it was ready and the
# bundle took 0.5-1.2 s to serve instead of 0.15 s. 1 ms hands the loop its turn sooner.
SWITCH_INTERVAL_S = 0.001

HEAVY_MODULES = ("pandas", "pyarrow", "polars", "numpy", "plotly.graph_objects", "plotly.express",
                 "plotly.io", "duckdb")


def preload() -> None:
    for name in HEAVY_MODULES:
        importlib.import_module(name)


def main() -> int:
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    preload()
    from streamlit.web import cli   # after the preload: the server starts with them in place

    from dashboard.ui import prewarm   # the dashboard's own modules and first read, overlapped
    prewarm.start(sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "run" else "")

    sys.argv = ["streamlit", *sys.argv[1:]]
    try:
        code = cli.main()
    except SystemExit as stop:
        code = stop.code
    return exit_status(code)


def exit_status(code) -> int:
    """SystemExit's code as a process status (None is 0; a message is printed, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def leave(status: int) -> None:
    """Exit without the interpreter's finalization once Streamlit has stopped its server.

    A thread still inside DuckDB when a stop arrives (the warm-up's first read, a session's
    query) is ended by the finalizing interpreter in the middle of C++ code, which aborts the
    process ("terminate called after throwing an instance of ''", status 134) instead of the
    clean stop. The dashboard writes nothing at exit: its snapshot connections are read-only, a
    snapshot it publishes itself is switched in atomically (safe under SIGKILL), and the export
    audit log is written and flushed per entry.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


if __name__ == "__main__":
    leave(main())

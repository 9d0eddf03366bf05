"""Start Streamlit with the heavy modules already imported: `python -m dashboard.ui.launch run APP`.

Streamlit imports nothing of the app until the first session runs it, and Plotly imports pandas
lazily: two sessions of a fresh server importing at once raced ("partially initialized module
'pandas'"). Importing them here, before the server accepts a connection, leaves nothing to race.
`kontaktcenter serve` starts the dashboard this way. The dashboard's own modules are imported
next, in a thread that first sessions wait for (dashboard/ui/prewarm.py).
"""

from __future__ import annotations

import importlib
import sys

HEAVY_MODULES = ("pandas", "pyarrow", "polars", "numpy", "plotly.graph_objects", "plotly.express",
                 "plotly.io", "duckdb")


def preload() -> None:
    for name in HEAVY_MODULES:
        importlib.import_module(name)


def main() -> int:
    preload()
    from streamlit.web import cli   # after the preload: the server starts with them in place

    from dashboard.ui import prewarm   # the dashboard's own modules and first read, overlapped
    prewarm.start(sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "run" else "")

    sys.argv = ["streamlit", *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
